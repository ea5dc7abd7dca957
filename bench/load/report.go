package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

func getJSON(ctx context.Context, client *http.Client, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d %.300s", url, resp.StatusCode, b)
	}
	return json.Unmarshal(b, v)
}

func copyBody(w io.Writer, resp *http.Response) (int64, error) {
	defer resp.Body.Close()
	return io.Copy(w, resp.Body)
}

// row is a measured kind and, for a limit, the kind it bounds.
type row struct {
	res    *result
	limits string
}

// report gathers the run's figures and prints them as Markdown.
type report struct {
	cfg                        config
	started                    time.Time
	imported, importSkipped    int
	importTook, searchableTook time.Duration
	importCPU                  perRequest // ms of the whole import → searchable (one "request")
	enriched                   int
	enrichTook                 time.Duration
	rows                       []row
	approvals, idleApprovals   *approvalResult
	need                       *needResult
	tasks                      *taskTimes
	rss                        int64
	inprocess, profileHTML     bool
	serverWarnings             int
	meiliVersion, goVersion    string
}

func (r *report) add(res *result, limits string) {
	r.rows = append(r.rows, row{res, limits})
	for _, s := range res.samples {
		logf("%s: error: %s", res.name, s)
	}
	c := res.cpu
	logf("%s: %d requests, %.0f/s, p50 %s p95 %s p99 %s, %d errors; CPU ms/request: server %.2f, Meilisearch %.2f, PostgreSQL %.2f, load %.2f, other %.2f",
		res.name, res.n, res.rps(), ms(res.pct(50)), ms(res.pct(95)), ms(res.pct(99)), res.errs, c.server, c.meili, c.postgres, c.client, c.other)
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64)
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// limitOf finds the measured limit of a kind.
func (r *report) limitOf(name string) *result {
	for _, x := range r.rows {
		if x.limits == name {
			return x.res
		}
	}
	return nil
}

func (r *report) byName(name string) *result {
	for _, x := range r.rows {
		if x.limits == "" && x.res.name == name {
			return x.res
		}
	}
	return nil
}

func memTotal() string {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return fmt.Sprintf("%.1f GiB", kb/(1<<20))
		}
	}
	return "?"
}

// linef writes one line of the report.
type linef func(format string, args ...any)

// markdown is the report: the run, loading, each kind beside its limit,
// approvals and memory, and the targets met or not.
func (r *report) markdown() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	r.writeRun(p)
	r.writeLoading(p)
	r.writeKinds(p)
	p("| other | figure |")
	p("|---|---|")
	approvals := r.writeApprovals(p)
	r.writeNeed(p)
	r.writeRSS(p)
	r.writeTargets(p, approvals)
	return b.String()
}

// writeRun says what ran where: sizes, machine, versions, command.
func (r *report) writeRun(p linef) {
	where := "a child process, `katalogpes serve`"
	if r.inprocess {
		where = "in the load generator's process (-inprocess)"
	}
	p("### Katalog PES under load: %s listings, %d clients, %s per kind", thousands(r.cfg.n), r.cfg.c, r.cfg.d)
	p("")
	p("Run %s; machine: %d cores, %s memory; %s; Meilisearch %s; the server ran as %s.",
		r.started.UTC().Format("2006-01-02 15:04 MST"), runtime.NumCPU(), memTotal(), r.goVersion, r.meiliVersion, where)
	if r.cfg.command != "" {
		p("Command: `%s`", r.cfg.command)
	}
	p("")
}

// writeLoading is the import and bulk-change figures.
func (r *report) writeLoading(p linef) {
	p("| loading | figure |")
	p("|---|---|")
	p("| import (validated, written, queued) | %s rows in %.1f s = **%s rows/s** (%d skipped) |", thousands(r.imported),
		r.importTook.Seconds(), thousands(int(float64(r.imported)/r.importTook.Seconds())), r.importSkipped)
	p("| import → searchable (from the import's start) | **%.1f s** |", r.searchableTook.Seconds())
	p("| … CPU s of it: importer (the load generator, in-process) · server · Meilisearch · PostgreSQL · other | %s |", r.importCPU.seconds())
	p("| %s listings changed in bulk (offers, areas, certificates) → searchable | %.1f s |", thousands(r.enriched), r.enrichTook.Seconds())
	p("")
}

// seconds is an import's CPU by party (importer · server · Meilisearch ·
// PostgreSQL · other), in seconds.
func (c perRequest) seconds() string {
	return fmt.Sprintf("%.1f · %.1f · %.1f · %.1f · %.1f", c.client/1000, c.server/1000, c.meili/1000, c.postgres/1000, c.other/1000)
}

// writeKinds is the table of each kind, then the limit measured for it.
func (r *report) writeKinds(p linef) {
	p("| kind (closed loop, %d clients, %s) | requests | req/s | p50 ms | p95 ms | p99 ms | errors | vs its limit: p95 · req/s | CPU ms per request: server · Meilisearch · PostgreSQL · load generator · other |", r.cfg.c, r.cfg.d)
	p("|---|---:|---:|---:|---:|---:|---:|---|---|")
	line := func(res *result, ratio string) {
		c := res.cpu
		p("| %s | %s | %.0f | %s | %s | %s | %d | %s | %.2f · %.2f · %.2f · %.2f · %.2f |", res.name, thousands(res.n), res.rps(),
			ms(res.pct(50)), ms(res.pct(95)), ms(res.pct(99)), res.errs, ratio, c.server, c.meili, c.postgres, c.client, c.other)
	}
	// Each kind, then the limit measured for it.
	for _, x := range r.rows {
		if x.limits != "" {
			continue
		}
		ratio := ""
		l := r.limitOf(x.res.name)
		if l != nil && l.pct(95) > 0 && l.rps() > 0 {
			ratio = fmt.Sprintf("%.2f× · %.0f%%", float64(x.res.pct(95))/float64(l.pct(95)), 100*x.res.rps()/l.rps())
		}
		line(x.res, ratio)
		if l != nil {
			line(l, "")
		}
	}
	p("")
}

// writeApprovals is approval → searchable under load, split by what ran
// meanwhile, beside the same with no load; it returns every approval of
// the load, nil when none ran.
func (r *report) writeApprovals(p linef) *approvalResult {
	a := r.approvals
	if a == nil {
		return nil
	}
	// Meilisearch indexes on the CPU its searches want: tell apart the
	// approvals made while searches ran from those made during pages.
	searching := func(t time.Time) bool {
		for _, x := range r.rows {
			if !t.Before(x.res.from) && t.Before(x.res.until) {
				return strings.HasPrefix(x.res.name, "search") || x.res.name == "suggestions" || strings.HasPrefix(x.res.name, "↳ Meili")
			}
		}
		return false
	}
	during, other := a.split(searching)
	all, _ := a.split(func(time.Time) bool { return true })
	all.fails = a.fails
	p("| approval (API) → searchable (Meilisearch), %d approvals spread over the load | p50 %s ms, p95 **%s ms**, max %s ms, %d failed |",
		len(a.lat)+a.fails, ms(all.pct(50)), ms(all.pct(95)), ms(all.pct(100)), a.fails)
	p("| … of which while searches ran (%d) · while pages ran (%d) | p50 %s · %s ms, p95 %s · %s ms |",
		len(during.lat), len(other.lat), ms(during.pct(50)), ms(other.pct(50)), ms(during.pct(95)), ms(other.pct(95)))
	if t := r.tasks; t != nil && t.n > 0 {
		w, ap := &result{lat: t.wait}, &result{lat: t.apply}
		p("| … of which Meilisearch's own one-document tasks (%d): queued · processing | p50 %s · %s ms, p95 %s · %s ms |",
			t.n, ms(w.pct(50)), ms(ap.pct(50)), ms(w.pct(95)), ms(ap.pct(95)))
	}
	if i := r.idleApprovals; i != nil {
		idle, _ := i.split(func(time.Time) bool { return true })
		p("| ↳ limit: the same with no load (%d approvals, one after another) | p50 %s ms, p95 %s ms, %d failed |",
			len(idle.lat), ms(idle.pct(50)), ms(idle.pct(95)), i.fails)
	}
	return all
}

// writeNeed is publish → last mail queued for the benchmark's need.
func (r *report) writeNeed(p linef) {
	n := r.need
	if n == nil {
		return
	}
	p("| need published → matched and its last mail queued (the server's needs worker, no load) | **%.1f s**: %d listings matched of %d generated that fit (the region's limit %d), %d mails |",
		n.total.Seconds(), n.matched, n.fit, needMatchLimit, n.mailed)
	p("| … of which until the worker took it (woken by the commit's notice) · matching and queueing the mails | %.1f s · %s ms |", n.wait.Seconds(), ms(n.work))
}

// writeRSS is the server's peak memory, closing the "other" table.
func (r *report) writeRSS(p linef) {
	rssHow := "VmHWM of the child process"
	if r.inprocess {
		rssHow = "VmHWM of the whole process, load generator included"
	}
	p("| server peak RSS | **%.0f MB** (%s) |", float64(r.rss)/(1<<20), rssHow)
	p("")
}

// writeTargets is the targets (issue 17) against this run; a is
// every approval of the load, nil when none ran. A kind this run did not
// measure says so instead of "no".
func (r *report) writeTargets(p linef, a *approvalResult) {
	p("| target (100,000 listings, 32 clients) | this run | met |")
	p("|---|---|---|")
	scale := ""
	if r.cfg.n != 100000 || r.cfg.c != 32 {
		scale = fmt.Sprintf(" (at %s listings, %d clients)", thousands(r.cfg.n), r.cfg.c)
	}
	regional := r.searchRatios("search: words", "search: facet filters", "search: near (geo)")
	national := r.searchRatios("search: national")
	if regional.kinds > 0 {
		p("| regional search p95 ≤ 1.1 × Meilisearch direct | worst %.2f×%s | %s |", regional.p95, scale, yes(regional.p95 <= 1.1))
		p("| regional search throughput ≥ 90%% of Meilisearch direct | worst %.0f%%%s | %s |", 100*regional.rps, scale, yes(regional.rps >= 0.9))
		if r.inprocess {
			// The server's CPU is counted with the load generator's then.
			p("| server CPU ≤ 0.5 ms per regional search | not measured (-inprocess) | n/a |")
		} else {
			p("| server CPU ≤ 0.5 ms per regional search | worst %.2f ms%s | %s |", regional.serverMs, scale, yes(regional.serverMs <= 0.5))
		}
	}
	if national.kinds > 0 {
		// Refused searches answer fast: a kind with errors is not met, whatever its p95.
		p("| national search p95 ≤ 1.2 × Meilisearch direct | %.2f× · %.0f%% of its throughput · %d errors%s | %s |",
			national.p95, 100*national.rps, national.errs, scale, yes(national.p95 <= 1.2 && national.errs == 0))
	}
	if errs := regional.errs + national.errs; regional.kinds+national.kinds > 0 {
		p("| search: 0 errors | %d | %s |", errs, yes(errs == 0))
	}
	for _, x := range r.rows {
		if !strings.HasPrefix(x.res.name, "↳ bare") {
			continue
		}
		if pr := r.byName(x.limits); pr != nil && x.res.rps() > 0 {
			share := pr.rps() / x.res.rps()
			p("| profile page throughput ≥ 50%% of a bare Fiber page | %.0f%%%s | %s |", 100*share, map[bool]string{true: "", false: " (JSON: no HTML page yet)"}[r.profileHTML], yes(share >= 0.5))
		}
	}
	if a != nil {
		p("| approval → searchable p95 ≤ 500 ms under load | %s ms | %s |", ms(a.pct(95)), yes(a.fails == 0 && a.pct(95) <= 500*time.Millisecond))
	}
	perK := r.searchableTook.Seconds() * 100000 / float64(max(r.imported, 1))
	if r.imported == 100000 {
		p("| import of 100,000 rows → searchable ≤ 30 s | %.1f s | %s |", r.searchableTook.Seconds(), yes(r.searchableTook <= 30*time.Second))
	} else {
		p("| import of 100,000 rows → searchable ≤ 30 s | %.1f s for %s rows (%.0f s per 100,000 at this rate) | see bench-full |",
			r.searchableTook.Seconds(), thousands(r.imported), perK)
	}
	if r.inprocess {
		p("| server peak RSS ≤ 100 MB | not measured (-inprocess: the load generator's memory too) | n/a |")
	} else {
		p("| server peak RSS ≤ 100 MB | %.1f MB | %s |", float64(r.rss)/(1<<20), yes(r.rss <= 100<<20))
	}
}

// searchRatio is the worst of some search kinds against their limits:
// p95 and throughput as ratios to Meilisearch direct, the server's CPU
// per request, and their errors; kinds counts those measured.
type searchRatio struct {
	p95, rps, serverMs float64
	errs, kinds        int
}

func (r *report) searchRatios(names ...string) searchRatio {
	w := searchRatio{rps: 1}
	for _, name := range names {
		res, l := r.byName(name), r.limitOf(name)
		if res == nil || l == nil || l.pct(95) == 0 || l.rps() == 0 {
			continue
		}
		w.kinds++
		w.p95 = max(w.p95, float64(res.pct(95))/float64(l.pct(95)))
		w.rps = min(w.rps, res.rps()/l.rps())
		w.serverMs = max(w.serverMs, res.cpu.server)
		w.errs += res.errs
	}
	return w
}

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}
