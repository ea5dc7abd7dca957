package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"katalogpes/handlers"
	"katalogpes/handlers/view"
	"katalogpes/search"
	"katalogpes/store"
	"katalogpes/store/webhook"
	"katalogpes/tenants"
)

// deps are what serve and the other long commands build once.
type deps struct {
	db     *store.DB
	search *search.Service
	// registries are KRS, REGON and the VAT list behind their cache.
	registries *store.Registries
}

func openDeps(ctx context.Context, cfg Config, log *slog.Logger) (*deps, error) {
	if err := cfg.needDatabase(); err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	svc, err := search.New(search.Config{URL: cfg.MeiliURL, MasterKey: cfg.MeiliMasterKey, Prefix: cfg.MeiliIndexPrefix,
		FallbackSlots: cfg.SearchFallbackSlots}, db, log)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &deps{db: db, search: svc, registries: openRegistries(db, cfg)}, nil
}

func runServe(ctx context.Context, cfg Config, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: katalogpes serve\n\nServes HTTP on HTTP_ADDR with the search-index and mail workers; stops gracefully on SIGINT/SIGTERM.")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	keys, err := cfg.signingKeys()
	if err != nil {
		return err
	}
	jwtKeys, err := tenants.NewKeys(keys, cfg.AccessTTL)
	if err != nil {
		return err
	}
	csrfKey, err := cfg.csrfKey()
	if err != nil {
		return err
	}
	d, err := openDeps(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.db.Close()
	list, err := d.db.FindTenants(ctx)
	if err != nil {
		return err
	}
	registry := tenants.NewRegistry(list, cfg.BaseDomain)
	applyMemoryLimit(cfg, log)
	// One copy of the catalogues for the pages and every mailing job: each
	// holds several megabytes of parsed messages.
	tr, err := view.NewTranslator()
	if err != nil {
		return err
	}
	pageCache := cfg.PageCacheMB << 20
	if pageCache == 0 {
		pageCache = -1
	}
	app, srv, err := handlers.New(handlers.Config{Development: cfg.Development(), BaseURL: cfg.BaseURL, CSRFKey: csrfKey, TrustedProxies: cfg.TrustedProxies,
		PageCacheBytes: pageCache},
		handlers.Deps{DB: d.db, Search: d.search, Keys: jwtKeys, Registry: registry, Log: log, Metrics: prometheus.NewRegistry(), Registries: d.registries, Translator: tr})
	if err != nil {
		return err
	}

	workers, stopWorkers := context.WithCancel(context.Background())
	wg := startWorkers(workers, d, srv, cfg, view.NewComposer(tr, cfg.BaseURL), log)

	errc := make(chan error, 1)
	go func() { errc <- app.Listen(cfg.HTTPAddr) }()
	log.Info("serving", "addr", cfg.HTTPAddr, "env", cfg.Env, "base_url", cfg.BaseURL)
	select {
	case err = <-errc:
	case <-ctx.Done():
		log.Info("shutting down: finishing requests in flight")
		err = app.ShutdownWithTimeout(20 * time.Second)
	}
	stopWorkers()
	wg.Wait()
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	log.Info("stopped")
	return nil
}

// startWorkers runs every background job of a node until ctx ends; each is
// safe beside the same job on other nodes.
func startWorkers(ctx context.Context, d *deps, srv *handlers.Server, cfg Config, mail *view.Composer, log *slog.Logger) *sync.WaitGroup {
	var wg sync.WaitGroup
	run := func(job func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			job()
		}()
	}
	run(func() {
		// Search may be down at start: settings are retried until they
		// land, while the outbox keeps every change.
		for {
			err := d.search.EnsureSettings(ctx)
			if err == nil || ctx.Err() != nil {
				break
			}
			log.Warn("search settings not applied yet; retrying", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(5 * time.Second):
			}
		}
		d.search.RunWorker(tenants.WithAllTenants(ctx))
	})
	run(func() { _ = d.search.RunLibraryWorker(ctx) }) // library (issue 18): its own index outbox
	run(func() { runMailer(tenants.WithAllTenants(ctx), d.db, cfg, log) })
	run(func() { runReminders(ctx, d.db, cfg, mail, log) })
	run(func() { runCertificateReminders(ctx, d.db, cfg, mail, log) })
	run(func() { runDigests(ctx, d.db, cfg, mail, log) })
	run(func() { runNightlyCheck(ctx, d.registries, mail, log) })
	// Buyers' needs: matching, closing at deadlines, outcome questions, the needs indexes.
	run(func() { srv.NeedJobs(ctx, 10*time.Second) })
	// Webhooks (issue 16): the outbox's deliveries, signed, with back-off.
	run(func() {
		webhook.Sender{DB: d.db, Client: &http.Client{Timeout: 15 * time.Second}, Log: log}.Run(ctx, 5*time.Second)
	})
	// Eligibility that lapses with time leaves the index without an edit.
	run(func() { d.db.RunAgedRecompute(ctx, cfg.RecomputeEvery, log, d.search.Notify) })
	run(func() {
		// A tenant changed on another node reaches this one's registry.
		if err := srv.FollowTenantChanges(ctx); err != nil {
			log.Error("tenant changes are not followed: this node may show stale branding and settings", "err", err)
		}
	})
	run(func() {
		// A listing changed on any node drops this node's copies of its page.
		if err := srv.FollowListingChanges(ctx); err != nil {
			log.Error("listing changes are not followed: the page cache stays off", "err", err)
		}
	})
	return &wg
}

func runReindex(ctx context.Context, cfg Config, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("reindex", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: katalogpes reindex [REGION ...]\n\nRebuilds the search index of each region named (by slug, e.g. slaskie; every region when none is named) from PostgreSQL into a fresh index and swaps it in atomically; searches keep answering meanwhile.")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	d, err := openDeps(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.db.Close()
	start := time.Now()
	err = d.search.Reindex(tenants.WithAllTenants(ctx), fs.Args(), regionProgress())
	if err != nil {
		return err
	}
	fmt.Printf("\nreindex done in %s\n", time.Since(start).Round(time.Millisecond))
	// library (issue 18): its regions' indexes are rebuilt by serve's worker.
	n, err := d.db.EnqueueAllLibraryItems(tenants.WithAllTenants(ctx))
	if err != nil {
		return err
	}
	fmt.Printf("library: %d items queued for their regions' indexes (a running serve writes them)\n", n)
	return nil
}

// regionProgress draws each region's progress on a line of its own.
func regionProgress() func(slug string, done, total int) {
	bars := map[string]func(done, total int){}
	last := ""
	return func(slug string, done, total int) {
		if bars[slug] == nil {
			if last != "" {
				fmt.Println()
			}
			bars[slug], last = progressBar("reindex "+slug), slug
		}
		bars[slug](done, total)
	}
}

// progressBar draws done/total on one terminal line.
func progressBar(label string) func(done, total int) {
	return func(done, total int) {
		width := 30
		filled := width
		if total > 0 {
			filled = done * width / total
		}
		bar := make([]byte, width)
		for i := range bar {
			bar[i] = '.'
			if i < filled {
				bar[i] = '#'
			}
		}
		fmt.Printf("\r%s [%s] %d/%d", label, bar, done, total)
	}
}

// applyMemoryLimit sets the heap's soft limit (MEMORY_LIMIT_MB) unless
// GOMEMLIMIT already set one: the Go runtime reads that itself.
func applyMemoryLimit(cfg Config, log *slog.Logger) {
	if os.Getenv("GOMEMLIMIT") != "" || cfg.MemoryLimitMB == 0 {
		return
	}
	debug.SetMemoryLimit(int64(cfg.MemoryLimitMB) << 20)
	log.Info("heap soft limit", "mb", cfg.MemoryLimitMB)
}
