package search_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"katalogpes/search"
	"katalogpes/store"
	"katalogpes/store/storetest"
)

// meiliEnv reads where the test Meilisearch is; a missing one fails.
func meiliEnv(t testing.TB) (url, key string) {
	t.Helper()
	url, key = os.Getenv("MEILI_URL"), os.Getenv("MEILI_MASTER_KEY")
	if url == "" {
		t.Fatal("MEILI_URL is not set: run the tests with `make test` or scripts/with-services.sh, which start Meilisearch")
	}
	return url, key
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// env is one test's world: a fresh database with TERYT, a service on its
// own index (deleted at the end), and a way to publish listings.
type env struct {
	t    testing.TB
	db   *storetest.DB
	svc  *search.Service
	url  string
	key  string
	idx  string
	pub  *storetest.Publisher
	stop []func()
}

func newEnv(t testing.TB) *env {
	t.Helper()
	url, key := meiliEnv(t)
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	e := &env{t: t, db: db, url: url, key: key, idx: "test_" + hex.EncodeToString(b)}
	e.svc = e.service(url)
	t.Cleanup(func() { dropIndexes(e.svc) })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := e.svc.EnsureSettings(ctx); err != nil {
		t.Fatalf("ensure settings: %v", err)
	}
	e.pub = storetest.NewPublisher(t, db)
	return e
}

// service builds a Service on the env's index at url (a dead one for
// degraded-mode tests).
func (e *env) service(url string) *search.Service {
	s, err := search.New(search.Config{URL: url, MasterKey: e.key, Prefix: e.idx + "_"}, e.db.DB, quietLog())
	if err != nil {
		e.t.Fatalf("new search service: %v", err)
	}
	return s
}

// dropIndexes removes the test's indexes and the search key made for them.
func dropIndexes(svc *search.Service) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = svc.DropIndexes(ctx)
}

// startWorker runs svc's outbox worker until the test ends (or the
// returned stop is called) and waits for it to return.
func startWorker(t testing.TB, svc *search.Service) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := svc.RunWorker(ctx); err != nil {
			t.Errorf("worker: %v", err)
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); wg.Wait() }) }
	t.Cleanup(stop)
	return stop
}

// indexWait bounds how long a test waits for Meilisearch to catch up. It
// is generous on purpose: a loaded CI machine queues tasks for seconds, and
// how fast indexing is gets measured by the benchmarks (bench/RESULTS.md),
// not asserted here.
const indexWait = 60 * time.Second

// eventually polls cond until it holds or timeout passes.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		if cond() {
			return time.Since(start)
		}
		if time.Since(start) > timeout {
			t.Fatalf("%s: not within %s", what, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// search runs q and fails the test on error.
func (e *env) search(svc *search.Service, q search.Query) *search.Result {
	e.t.Helper()
	res, err := svc.Search(context.Background(), q)
	if err != nil {
		e.t.Fatalf("search %+v: %v", q, err)
	}
	return res
}

// waitIndexed waits until a national search without words finds n listings.
func (e *env) waitIndexed(n int) {
	e.t.Helper()
	eventually(e.t, indexWait, "listings indexed", func() bool {
		res, err := e.svc.Search(context.Background(), search.Query{PerPage: 1})
		return err == nil && !res.Degraded && res.Total == n
	})
}

func hitNames(res *search.Result) []string {
	out := []string{}
	for _, h := range res.Hits {
		out = append(out, h.Name)
	}
	return out
}

// Places used by the tests.
var (
	katowice = store.Address{City: "Katowice", PostalCode: "40-001", GminaTERYT: "2469011"}
	gliwice  = store.Address{City: "Gliwice", PostalCode: "44-100", GminaTERYT: "2466011"}
	krakow   = store.Address{City: "Kraków", PostalCode: "30-001", GminaTERYT: "1261011"}
	lodz     = store.Address{City: "Łódź", PostalCode: "90-001", GminaTERYT: "1061011"}
)
