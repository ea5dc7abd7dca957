// Command load is Katalog PES's load benchmark (issue 7): in a database
// and a Meilisearch index of its own it loads N generated listings through
// the importer, waits until they are searchable, then drives each kind of
// request at concurrency C for D, beside the limits measured in the same
// run (the same searches sent straight to Meilisearch, a bare Fiber page),
// and prints a Markdown table. It talks to loopback only and stops by
// itself. `make bench` runs the small version, `make bench-full` the large.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"katalogpes/search"
	"katalogpes/store"
	"katalogpes/tenants"
)

type config struct {
	n          int
	c          int
	d          time.Duration
	seed       uint64
	terc       string
	bin        string
	inprocess  bool
	cpuprofile string
	out        string
	keep       bool
	importOnly bool
	command    string
	serverLog  string
	only       string
}

func main() {
	var cfg config
	flag.IntVar(&cfg.n, "n", 10000, "listings to generate and import")
	flag.IntVar(&cfg.c, "c", 16, "concurrent clients")
	flag.DurationVar(&cfg.d, "d", 15*time.Second, "measured time per kind of request")
	flag.Uint64Var(&cfg.seed, "seed", 1, "seed of the generated listings and requests")
	flag.StringVar(&cfg.terc, "terc", "", "TERC register (default TERYT_FILE, else ../shared/data/TERC_2020-01-01.csv)")
	flag.StringVar(&cfg.bin, "bin", ".data/bin/katalogpes", "the katalogpes binary to run as `serve`")
	flag.BoolVar(&cfg.inprocess, "inprocess", false, "run the server in this process (for -cpuprofile; RSS then includes the load generator)")
	flag.StringVar(&cfg.cpuprofile, "cpuprofile", "", "write a CPU profile of the load phase (with -inprocess it covers the server)")
	flag.StringVar(&cfg.out, "out", "", "also write the table to this file")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the database and the index afterwards")
	flag.StringVar(&cfg.command, "command", "", "the command line to print with the results")
	flag.StringVar(&cfg.serverLog, "server-log", ".data/bench-server.log", "where the server's log goes (request lines left out)")
	flag.StringVar(&cfg.only, "only", "", "run only the kinds whose name matches this regular expression")
	flag.BoolVar(&cfg.importOnly, "import-only", false, "stop after import → searchable (to study the import)")
	flag.Parse()
	if cfg.terc == "" {
		cfg.terc = os.Getenv("TERYT_FILE")
	}
	if cfg.terc == "" {
		cfg.terc = filepath.Join("..", "shared", "data", "TERC_2020-01-01.csv")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench %s: "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// modTenants have a moderator: their queues are read and their listings
// approved during the run.
var modTenants = []string{"mazowieckie", "slaskie", "malopolskie", "wielkopolskie"}

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

	logf("generating %d listings (seed %d)", cfg.n, cfg.seed)
	g := newGenerator(cfg.seed, places, powiatsOf)
	list := make([]listing, cfg.n)
	for i := range list {
		list[i] = g.next(i)
	}
	files, err := writeRegisters(dir, list)
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
	admins := map[string]tenants.Principal{}
	for voiv := range files {
		slug := e.byTERYT[voiv].Slug
		if admins[slug], _, err = e.account(ctx, slug, tenants.RoleAdmin); err != nil {
			return err
		}
	}
	mods := &moderators{client: httpClient(4), emails: map[string]string{}, tokens: map[string]string{}, at: map[string]time.Time{}}
	owners := map[string]tenants.Principal{}
	for _, slug := range modTenants {
		if _, mods.emails[slug], err = e.account(ctx, slug, tenants.RoleModerator); err != nil {
			return err
		}
		if owners[slug], _, err = e.account(ctx, slug, tenants.RoleEnterprise); err != nil {
			return err
		}
	}

	var prof *os.File
	if cfg.cpuprofile != "" {
		if prof, err = os.Create(cfg.cpuprofile); err != nil {
			return err
		}
	}
	logf("starting the server (%s)", map[bool]string{true: "in this process", false: cfg.bin + " serve"}[cfg.inprocess])
	srv, err := startServer(ctx, e, cfg.bin, cfg.inprocess, dir, cfg.serverLog)
	if err != nil {
		return err
	}
	defer srv.stop()
	mods.base = srv.base
	client := httpClient(cfg.c)

	// Import, region by region, as each region's admin would.
	logf("importing")
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
	if rep.searchableTook, err = waitSearchable(ctx, e, client, srv.base, 20*time.Minute); err != nil {
		return err
	}
	rep.searchableTook += rep.importTook
	logf("searchable %.1f s after the import started", rep.searchableTook.Seconds())
	if cfg.importOnly {
		return nil
	}

	logf("adding offers, service areas and certificates (what a register has no column for)")
	t0 := time.Now()
	if rep.enriched, err = enrich(ctx, e, list); err != nil {
		return err
	}
	if _, err = waitSearchable(ctx, e, client, srv.base, 20*time.Minute); err != nil {
		return err
	}
	rep.enrichTook = time.Since(t0)

	logf("registering listings for the moderators")
	var pending []pendingRef
	byTenant := map[string][]pendingRef{}
	for _, slug := range modTenants {
		refs, err := createPending(ctx, e, g, slug, owners[slug], 35)
		if err != nil {
			return err
		}
		byTenant[slug] = refs
	}
	var idle []pendingRef
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
		if _, err := mods.token(ctx, slug); err != nil {
			return err
		}
	}
	// The limit for approvals: the same, one after another, with nothing
	// else running.
	logf("approving %d listings with no load", len(idle))
	rep.idleApprovals = approve(ctx, httpClient(2), srv.base, e, mods, idle, 0)
	loadStart := time.Now()

	refs, counts, err := publishedRefs(ctx, e)
	if err != nil {
		return err
	}
	page, contentType, html, err := profilePage(ctx, client, srv.base, refs[0])
	if err != nil {
		return err
	}
	rep.profileHTML = html
	bareBase, stopBare, err := startBare(page, contentType)
	if err != nil {
		return err
	}
	defer stopBare()
	w := buildWorkload(cfg.seed, e, places, counts, refs, html)
	svc, err := search.New(search.Config{URL: e.meiliURL, MasterKey: e.meiliKey, Index: e.index}, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	meili := meiliClient(e.meiliURL, e.meiliKey, cfg.c)

	if prof != nil {
		if err := pprof.StartCPUProfile(prof); err != nil {
			return err
		}
	}
	warm := min(time.Second, cfg.d/10)
	serverPID := ""
	if srv.cmd != nil {
		serverPID = strconv.Itoa(srv.cmd.Process.Pid)
	}
	sample := func() cpuUse { return sampleCPU(serverPID, e.dbName) }
	type kind struct {
		name, limit string
		do          op
		twin        func() (op, error)
	}
	kinds := []kind{
		{"search: words", "meili", get(client, srv.base, w.words, nil), func() (op, error) { return meiliTwin(meili, svc, w.words) }},
		{"search: facet filters", "meili", get(client, srv.base, w.facets, nil), func() (op, error) { return meiliTwin(meili, svc, w.facets) }},
		{"search: near (geo)", "meili", get(client, srv.base, w.geo, nil), func() (op, error) { return meiliTwin(meili, svc, w.geo) }},
		{"search: national", "meili", get(client, srv.base, w.national, nil), func() (op, error) { return meiliTwin(meili, svc, w.national) }},
		{"suggestions", "meili", get(client, srv.base, w.suggest, nil), func() (op, error) { return suggestTwin(meili, e.index, w.suggest), nil }},
	}
	only, err := regexp.Compile(cfg.only)
	if err != nil {
		return err
	}
	profileName := "profile page (HTML)"
	if !html {
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
	bare := func() (op, error) { return get(client, bareBase, w.profiles, nil), nil }
	kinds = append(kinds,
		kind{profileName, "bare Fiber page (same bytes)", get(client, srv.base, w.profiles, nil), bare},
		kind{"listing JSON", "", get(client, srv.base, w.listings, nil), nil},
		kind{"moderation queue (signed in)", "", get(client, srv.base, modPaths, modHeader), nil})
	kinds = slices.DeleteFunc(kinds, func(k kind) bool { return !only.MatchString(k.name) })
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
	// Each kind, then its limit at once, so both meet the same weather on
	// this shared machine.
	for _, k := range kinds {
		logf("load: %s (C=%d, %s)", k.name, cfg.c, cfg.d)
		rep.add(drive(ctx, k.name, cfg.c, warm, cfg.d, k.do, sample), "")
		if err := srv.alive(); err != nil {
			return err
		}
		if k.twin == nil {
			continue
		}
		twin, err := k.twin()
		if err != nil {
			return err
		}
		name := "↳ Meilisearch direct, same queries"
		if k.limit != "meili" {
			name = "↳ " + k.limit
		}
		logf("limit: %s", name)
		rep.add(drive(ctx, name, cfg.c, warm, cfg.d, twin, sample), k.name)
	}
	logf("waiting for the last approvals")
	rep.approvals = <-appr
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
	if rep.serverWarnings > 0 {
		logf("the server logged %d warnings or errors; the last lines:\n%s", rep.serverWarnings, srv.logs.String())
	}
	return nil
}

// waitSearchable waits until the outbox is empty and the national search
// counts every published listing; it returns how long that took.
func waitSearchable(ctx context.Context, e *env, client *http.Client, base string, limit time.Duration) (time.Duration, error) {
	start := time.Now()
	want, err := e.count(ctx, `SELECT count(*) FROM listings WHERE status = 'published'`)
	if err != nil {
		return 0, err
	}
	for last := time.Now(); ; {
		depth, err := e.count(ctx, `SELECT count(*) FROM search_outbox`)
		if err != nil {
			return 0, err
		}
		if depth == 0 {
			total, err := searchTotal(ctx, client, base)
			if err != nil {
				return 0, err
			}
			if total == want {
				return time.Since(start), nil
			}
		}
		if time.Since(last) > 10*time.Second {
			logf("… %d changes waiting in the outbox", depth)
			last = time.Now()
		}
		if time.Since(start) > limit {
			return 0, fmt.Errorf("not searchable after %s (outbox depth %d)", limit, depth)
		}
		if !sleepUntil(ctx, time.Now().Add(100*time.Millisecond)) {
			return 0, ctx.Err()
		}
	}
}

func searchTotal(ctx context.Context, client *http.Client, base string) (int, error) {
	var res struct {
		Total    int  `json:"total"`
		Degraded bool `json:"degraded"`
	}
	if err := getJSON(ctx, client, base+"/api/v1/search?per_page=1", &res); err != nil {
		return 0, err
	}
	if res.Degraded {
		return -1, nil
	}
	return res.Total, nil
}

// publishedRefs samples published listings for the profile and listing
// kinds (in an order that does not follow the import) and counts each
// tenant's, to weigh the searches by.
func publishedRefs(ctx context.Context, e *env) ([]publishedRef, map[string]int, error) {
	rows, err := e.super.QueryContext(ctx, `
		SELECT l.id, t.slug FROM listings l JOIN tenants t ON t.id = l.tenant_id
		WHERE l.status = 'published' ORDER BY md5(l.nip || l.id::text) LIMIT 5000`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var refs []publishedRef
	for rows.Next() {
		var r publishedRef
		if err := rows.Scan(&r.id, &r.slug); err != nil {
			return nil, nil, err
		}
		refs = append(refs, r)
	}
	if len(refs) == 0 {
		return nil, nil, errors.New("no published listings")
	}
	counts := map[string]int{}
	crow, err := e.super.QueryContext(ctx, `SELECT t.slug, count(*) FROM listings l JOIN tenants t ON t.id = l.tenant_id WHERE l.status = 'published' GROUP BY t.slug`)
	if err != nil {
		return nil, nil, err
	}
	defer crow.Close()
	for crow.Next() {
		var s string
		var n int
		if err := crow.Scan(&s, &n); err != nil {
			return nil, nil, err
		}
		counts[s] = n
	}
	return refs, counts, crow.Err()
}

// profilePage fetches a listing's public page: the HTML page if the web UI
// serves one at /r/{slug}/podmiot/{id}, else the listing's JSON.
func profilePage(ctx context.Context, client *http.Client, base string, ref publishedRef) ([]byte, string, bool, error) {
	for _, c := range []struct {
		path, accept string
		html         bool
	}{
		{"/r/" + ref.slug + "/podmiot/" + ref.id, "text/html", true},
		{"/r/" + ref.slug + "/api/v1/listings/" + ref.id, "application/json", false},
	} {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+c.path, nil)
		req.Header.Set("Accept", c.accept)
		resp, err := client.Do(req)
		if err != nil {
			return nil, "", false, err
		}
		var buf strings.Builder
		_, err = copyBody(&buf, resp)
		ct := resp.Header.Get("Content-Type")
		if err == nil && resp.StatusCode == http.StatusOK && strings.Contains(ct, strings.Split(c.accept, "/")[1]) {
			return []byte(buf.String()), ct, c.html, nil
		}
	}
	return nil, "", false, fmt.Errorf("no profile page nor listing JSON for %s", ref.id)
}
