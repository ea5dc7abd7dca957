package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"katalogpes/search"
	"katalogpes/store"
	"katalogpes/tenants"
)

// run is the benchmark, phase by phase: generate, set up, import, enrich,
// queue listings for moderators, measure, report. Clean-ups are deferred
// here so they run in reverse order of setup whatever phase fails.
func run(ctx context.Context, cfg config) error {
	rep := &report{cfg: cfg, started: time.Now()}
	places, powiatsOf, err := loadPlaces(cfg.terc)
	if err != nil {
		return fmt.Errorf("TERC register %s: %w", cfg.terc, err)
	}
	dir, err := tempDir()
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	g, list, files, err := generate(cfg, dir, places, powiatsOf)
	if err != nil {
		return err
	}

	logf("creating a database and an index of the run's own")
	e, err := newEnv(ctx, cfg.seed, cfg.terc, cfg.keep)
	if e != nil {
		defer e.close()
	}
	if err != nil {
		return err
	}
	acc, err := createAccounts(ctx, e, files)
	if err != nil {
		return err
	}
	prof, err := createProfile(cfg.cpuprofile)
	if err != nil {
		return err
	}
	logf("starting the server (%s)", map[bool]string{true: "in this process", false: cfg.bin + " serve"}[cfg.inprocess])
	srv, err := startServer(ctx, e, cfg.bin, cfg.inprocess, dir, cfg.serverLog)
	if err != nil {
		return err
	}
	defer srv.stop()
	acc.mods.base = srv.base
	client := httpClient(cfg.c)

	if err := importRegisters(ctx, e, client, srv, files, acc.admins, rep); err != nil {
		return err
	}
	if cfg.importOnly {
		return nil
	}
	if err := enrichSearchable(ctx, e, client, srv.base, list, rep); err != nil {
		return err
	}
	pending, idle, err := queueForModerators(ctx, e, g, acc)
	if err != nil {
		return err
	}
	if err := measureIdle(ctx, cfg, e, srv, acc, idle, list, rep); err != nil {
		return err
	}
	loadStart := time.Now()

	tg, stopBare, err := prepareTargets(ctx, cfg, e, client, srv.base, places)
	if err != nil {
		return err
	}
	defer stopBare()
	rep.profileHTML = tg.html
	if prof != nil {
		if err := pprof.StartCPUProfile(prof); err != nil {
			return err
		}
	}
	kinds, err := loadKinds(ctx, cfg, e, client, srv.base, acc.mods, tg)
	if err != nil {
		return err
	}
	if err := measure(ctx, cfg, e, srv, acc.mods, kinds, pending, rep); err != nil {
		return err
	}
	return finishReport(ctx, cfg, e, srv, prof, loadStart, rep)
}

// measureIdle measures what is measured with nothing else running: the
// limit for approvals (the same, one after another), and a need's
// matching.
func measureIdle(ctx context.Context, cfg config, e *env, srv *server, acc *accounts, idle []pendingRef, list []listing, rep *report) error {
	logf("approving %d listings with no load", len(idle))
	rep.idleApprovals = approve(ctx, httpClient(2), srv.base, e, acc.mods, idle, 0)
	return measureNeedRow(ctx, cfg, e, acc, list, rep)
}

// measureNeedRow measures a need's matching with no load, when -only
// selects it.
func measureNeedRow(ctx context.Context, cfg config, e *env, acc *accounts, list []listing, rep *report) error {
	if ok, err := regexp.MatchString(cfg.only, needKindName); err != nil || !ok {
		return err
	}
	logf("publishing a need and waiting for its mails")
	var err error
	if rep.need, err = measureNeed(ctx, e, acc.admins[benchNeed.tenant], list); err != nil {
		return err
	}
	n := rep.need
	logf("need: %d matched (%d generated listings fit), %d mails queued %s after publishing (worker woken after %s, matching %s)",
		n.matched, n.fit, n.mailed, n.total.Round(time.Millisecond), n.wait.Round(time.Millisecond), n.work.Round(time.Millisecond))
	return nil
}

// createProfile creates the CPU profile's file, if one is asked for.
func createProfile(path string) (*os.File, error) {
	if path == "" {
		return nil, nil
	}
	return os.Create(path)
}

// generate makes the run's listings and writes them as one register per
// voivodeship, by TERYT code.
func generate(cfg config, dir string, places []place, powiatsOf map[string][]string) (*generator, []listing, map[string]string, error) {
	logf("generating %d listings (seed %d)", cfg.n, cfg.seed)
	g := newGenerator(cfg.seed, places, powiatsOf)
	list := make([]listing, cfg.n)
	for i := range list {
		list[i] = g.next(i)
	}
	files, err := writeRegisters(dir, list)
	if err != nil {
		return nil, nil, nil, err
	}
	return g, list, files, nil
}

// accounts are the people of the run: an admin of every region imported,
// and a moderator (signing in as mods) and an enterprise in modTenants.
type accounts struct {
	admins map[string]tenants.Principal
	owners map[string]tenants.Principal
	mods   *moderators
}

func createAccounts(ctx context.Context, e *env, files map[string]string) (*accounts, error) {
	acc := &accounts{
		admins: map[string]tenants.Principal{},
		owners: map[string]tenants.Principal{},
		mods:   &moderators{client: httpClient(4), emails: map[string]string{}, tokens: map[string]string{}, at: map[string]time.Time{}},
	}
	var err error
	for voiv := range files {
		slug := e.byTERYT[voiv].Slug
		if acc.admins[slug], _, err = e.account(ctx, slug, tenants.RoleAdmin); err != nil {
			return nil, err
		}
	}
	for _, slug := range modTenants {
		if _, acc.mods.emails[slug], err = e.account(ctx, slug, tenants.RoleModerator); err != nil {
			return nil, err
		}
		if acc.owners[slug], _, err = e.account(ctx, slug, tenants.RoleEnterprise); err != nil {
			return nil, err
		}
	}
	return acc, nil
}

// importRegisters imports region by region, as each region's admin would,
// and waits until everything imported is searchable.
func importRegisters(ctx context.Context, e *env, client *http.Client, srv *server, files map[string]string, admins map[string]tenants.Principal, rep *report) error {
	logf("importing")
	before := sampleCPU(srv.pid(), e.dbName)
	importStart := time.Now()
	voivs := make([]string, 0, len(files))
	for v := range files {
		voivs = append(voivs, v)
	}
	sort.Strings(voivs)
	for _, v := range voivs {
		t := e.byTERYT[v]
		f, err := os.Open(files[v])
		if err != nil {
			return err
		}
		res, err := e.db.Import(tenants.WithPrincipal(tenants.NewContext(ctx, t), admins[t.Slug]), f, store.ImportCSV, nil)
		f.Close()
		if err != nil {
			return fmt.Errorf("import %s: %w", t.Slug, err)
		}
		rep.imported += res.Imported
		rep.importSkipped += res.Skipped
		for _, ie := range res.Errors[:min(3, len(res.Errors))] {
			logf("import %s row %d: %s %s", t.Slug, ie.Row, ie.Field, ie.Key)
		}
	}
	rep.importTook = time.Since(importStart)
	logf("imported %d rows (%d skipped) in %s; waiting until searchable", rep.imported, rep.importSkipped, rep.importTook.Round(time.Millisecond))
	var err error
	if rep.searchableTook, err = waitSearchable(ctx, e, client, srv.base, 20*time.Minute); err != nil {
		return err
	}
	rep.searchableTook += rep.importTook
	rep.importCPU = cpuPerRequest(before, sampleCPU(srv.pid(), e.dbName), 1)
	logf("searchable %.1f s after the import started; CPU s (importer · server · Meilisearch · PostgreSQL · other): %s",
		rep.searchableTook.Seconds(), rep.importCPU.seconds())
	return nil
}

// enrichSearchable adds what a register has no column for and waits until
// it is searchable.
func enrichSearchable(ctx context.Context, e *env, client *http.Client, base string, list []listing, rep *report) error {
	logf("adding offers, service areas and certificates (what a register has no column for)")
	t0 := time.Now()
	var err error
	if rep.enriched, err = enrich(ctx, e, list); err != nil {
		return err
	}
	if _, err = waitSearchable(ctx, e, client, base, 20*time.Minute); err != nil {
		return err
	}
	rep.enrichTook = time.Since(t0)
	return nil
}

// queueForModerators registers listings for review in every modTenant:
// pending are approved under load, idle without; the rest stay queued.
// It signs the moderators in.
func queueForModerators(ctx context.Context, e *env, g *generator, acc *accounts) (pending, idle []pendingRef, err error) {
	logf("registering listings for the moderators")
	byTenant := map[string][]pendingRef{}
	for _, slug := range modTenants {
		refs, err := createPending(ctx, e, g, slug, acc.owners[slug], 35)
		if err != nil {
			return nil, nil, err
		}
		byTenant[slug] = refs
	}
	for i := 0; i < 28; i++ { // 100 to approve under load, 12 without; 7 a tenant stay queued
		for _, slug := range modTenants {
			if i < 25 {
				pending = append(pending, byTenant[slug][i])
			} else {
				idle = append(idle, byTenant[slug][i])
			}
		}
	}
	for _, slug := range modTenants {
		if _, err := acc.mods.token(ctx, slug); err != nil {
			return nil, nil, err
		}
	}
	return pending, idle, nil
}

// targets are what the kinds of request are sent: the workload's paths,
// a bare Fiber server with the profile page's bytes, and Meilisearch.
type targets struct {
	w        *workload
	html     bool // the profile is an HTML page
	bareBase string
	svc      *search.Service
	meili    meilisearch.ServiceManager
}

// prepareTargets builds the workload from what is published and starts
// the bare server; stop stops it.
func prepareTargets(ctx context.Context, cfg config, e *env, client *http.Client, base string, places []place) (tg *targets, stop func(), err error) {
	refs, counts, err := publishedRefs(ctx, e)
	if err != nil {
		return nil, nil, err
	}
	page, err := profilePage(ctx, client, base, refs[0])
	if err != nil {
		return nil, nil, err
	}
	html := page.html
	bareBase, stopBare, err := startBare(page)
	if err != nil {
		return nil, nil, err
	}
	tg = &targets{w: buildWorkload(cfg.seed, e, places, counts, refs, html), html: html, bareBase: bareBase}
	tg.svc, err = search.New(search.Config{URL: e.meiliURL, MasterKey: e.meiliKey, Prefix: e.index}, e.db, slog.New(slog.DiscardHandler))
	if err != nil {
		stopBare()
		return nil, nil, err
	}
	tg.meili = meiliClient(e.meiliURL, e.meiliKey, cfg.c)
	return tg, stopBare, nil
}

// loadKind is one kind of request measured, and its limit when it has one:
// the same requests to Meilisearch directly ("meili") or to another server.
type loadKind struct {
	name, limit string
	do          op
	twin        func() (op, error)
	// prime are paths visited once before the kind is measured: the
	// profile pages, so that what is measured is a page cache's steady
	// state, not its first visit to each of the sampled pages.
	prime []string
	base  string
}

// loadKinds are the kinds of request to measure, those -only matches.
func loadKinds(ctx context.Context, cfg config, e *env, client *http.Client, base string, mods *moderators, tg *targets) ([]loadKind, error) {
	w, meili, svc := tg.w, tg.meili, tg.svc
	kinds := []loadKind{
		{name: "search: words", limit: "meili", do: get(client, base, w.words, nil), twin: func() (op, error) { return meiliTwin(meili, svc, w.words) }},
		{name: "search: facet filters", limit: "meili", do: get(client, base, w.facets, nil), twin: func() (op, error) { return meiliTwin(meili, svc, w.facets) }},
		{name: "search: near (geo)", limit: "meili", do: get(client, base, w.geo, nil), twin: func() (op, error) { return meiliTwin(meili, svc, w.geo) }},
		{name: "search: national", limit: "meili", do: get(client, base, w.national, nil), twin: func() (op, error) { return meiliTwin(meili, svc, w.national) }},
		{name: "suggestions", limit: "meili", do: get(client, base, w.suggest, nil), twin: func() (op, error) { return suggestTwin(meili, tg.svc, w.suggest) }},
	}
	only, err := regexp.Compile(cfg.only)
	if err != nil {
		return nil, err
	}
	profileName := "profile page (HTML)"
	if !tg.html {
		profileName = "profile (listing JSON; no HTML page yet)"
	}
	modHeader := func(i int) http.Header {
		slug := modTenants[i%len(modTenants)]
		tok, _ := mods.token(ctx, slug)
		return http.Header{"Authorization": {"Bearer " + tok}}
	}
	var modPaths []string
	for _, slug := range modTenants {
		modPaths = append(modPaths, "/r/"+slug+"/api/v1/moderation/queue")
	}
	bare := func() (op, error) { return get(client, tg.bareBase, w.profiles, browserHeader), nil }
	kinds = append(kinds,
		loadKind{name: profileName, limit: "bare Fiber page (same bytes)", do: get(client, base, w.profiles, browserHeader), twin: bare, prime: w.profiles, base: base},
		loadKind{name: "listing JSON", do: get(client, base, w.listings, nil)},
		loadKind{name: "moderation queue (signed in)", do: get(client, base, modPaths, modHeader)})
	return slices.DeleteFunc(kinds, func(k loadKind) bool { return !only.MatchString(k.name) }), nil
}

// measure drives each kind, then its limit at once, so both meet the same
// weather on this shared machine, while the pending approvals run.
func measure(ctx context.Context, cfg config, e *env, srv *server, mods *moderators, kinds []loadKind, pending []pendingRef, rep *report) error {
	warm := min(time.Second, cfg.d/10)
	serverPID := srv.pid()
	sample := func() cpuUse { return sampleCPU(serverPID, e.dbName) }
	runs := 0
	for _, k := range kinds {
		runs += map[bool]int{true: 2, false: 1}[k.twin != nil]
	}
	// Approvals run throughout, spread evenly, so that the indexing they
	// cause weighs on each kind and on its limit alike.
	appr := make(chan *approvalResult, 1)
	actx, cancelApprovals := context.WithCancel(ctx)
	defer cancelApprovals()
	go func() {
		appr <- approve(actx, httpClient(2), srv.base, e, mods, pending, time.Duration(runs)*(warm+cfg.d)*19/20)
	}()
	for _, k := range kinds {
		if len(k.prime) > 0 {
			start := time.Now()
			if err := prime(ctx, httpClient(cfg.c), k.base, k.prime, cfg.c); err != nil {
				return err
			}
			logf("visited the %d pages of %s once, in %s", len(k.prime), k.name, time.Since(start).Round(time.Millisecond))
		}
		logf("load: %s (C=%d, %s)", k.name, cfg.c, cfg.d)
		rep.add(drive(ctx, k.name, cfg.c, warm, cfg.d, k.do, sample), "")
		if err := srv.alive(); err != nil {
			return err
		}
		if k.twin == nil {
			continue
		}
		prepared := time.Now()
		twin, err := k.twin()
		if err != nil {
			return err
		}
		logf("limit of %s prepared in %s", k.name, time.Since(prepared).Round(time.Millisecond))
		name := "↳ Meilisearch direct, same queries"
		if k.limit != "meili" {
			name = "↳ " + k.limit
		}
		logf("limit: %s", name)
		rep.add(drive(ctx, name, cfg.c, warm, cfg.d, twin, sample), k.name)
	}
	logf("waiting for the last approvals")
	rep.approvals = <-appr
	return nil
}

// finishReport gathers what is measured after the load (indexing task
// times, peak RSS, versions), stops the profile, and prints the table.
func finishReport(ctx context.Context, cfg config, e *env, srv *server, prof *os.File, loadStart time.Time, rep *report) error {
	var err error
	if rep.tasks, err = meiliTaskTimes(ctx, e, loadStart); err != nil {
		return err
	}
	if prof != nil {
		pprof.StopCPUProfile()
		prof.Close()
	}
	if rep.rss, err = srv.peakRSS(); err != nil {
		return err
	}
	rep.inprocess = srv.inproc
	rep.serverWarnings = srv.logs.warnings()
	if v, err := e.meili.VersionWithContext(ctx); err == nil {
		rep.meiliVersion = v.PkgVersion
	}
	rep.goVersion = runtime.Version()
	table := rep.markdown()
	fmt.Println(table)
	if cfg.out != "" {
		if err := os.WriteFile(cfg.out, []byte(table), 0o644); err != nil {
			return err
		}
	}
	if cfg.scale != "" {
		if err := rep.appendScale(cfg.scale); err != nil {
			return err
		}
	}
	if rep.serverWarnings > 0 {
		logf("the server logged %d warnings or errors; the last lines:\n%s", rep.serverWarnings, srv.logs.String())
	}
	return nil
}

// prime visits every path once with c clients.
func prime(ctx context.Context, client *http.Client, base string, paths []string, c int) error {
	visit := get(client, base, paths, nil)
	errs := make(chan error, c)
	for w := 0; w < c; w++ {
		go func() {
			var buf bytes.Buffer
			for i := w; i < len(paths); i += c {
				if err := visit(ctx, i, &buf); err != nil {
					errs <- fmt.Errorf("prime %s: %w", paths[i], err)
					return
				}
			}
			errs <- nil
		}()
	}
	var first error
	for w := 0; w < c; w++ {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}
