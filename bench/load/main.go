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
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
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
	scale      string
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
	flag.StringVar(&cfg.scale, "scale", "", "also append the run's summary (p95, CPU per request) to this file, for -scale-table")
	scaleFile := flag.String("scale-table", "", "print the runs of a -scale file as one table, and do nothing else")
	flag.Parse()
	if *scaleFile != "" {
		table, err := scaleTable(*scaleFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		fmt.Print(table)
		return
	}
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
func profilePage(ctx context.Context, client *http.Client, base string, ref publishedRef) (samplePage, error) {
	for _, c := range []struct {
		path, accept string
		html         bool
	}{
		{"/r/" + ref.slug + "/podmiot/" + ref.id, "text/html", true},
		{"/r/" + ref.slug + "/api/v1/listings/" + ref.id, "application/json", false},
	} {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+c.path, nil)
		req.Header = browserHeader(0)
		req.Header.Set("Accept", c.accept)
		resp, err := client.Do(req)
		if err != nil {
			return samplePage{}, err
		}
		var buf strings.Builder
		_, err = copyBody(&buf, resp)
		ct := resp.Header.Get("Content-Type")
		if err == nil && resp.StatusCode == http.StatusOK && strings.Contains(ct, strings.Split(c.accept, "/")[1]) {
			return samplePage{body: []byte(buf.String()), contentType: ct, encoding: resp.Header.Get("Content-Encoding"), html: c.html}, nil
		}
	}
	return samplePage{}, fmt.Errorf("no profile page nor listing JSON for %s", ref.id)
}

// samplePage is a page as the server sent it, compressed as it was.
type samplePage struct {
	body                  []byte
	contentType, encoding string
	html                  bool
}

// browserHeader is what a browser sends with every page it asks for that
// matters to the server's work: it takes gzip. The transport then hands
// the body over as it came, so the load generator does not unzip either.
func browserHeader(int) http.Header {
	return http.Header{"Accept-Encoding": {"gzip"}}
}
