package search_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"katalogpes/search"
	"katalogpes/store"
)

// A Meilisearch failing with 5xx trips the breaker: searches then go to
// PostgreSQL without calling it, and once it is back they return to it on
// their own.
func TestTheBreakerSparesAFailingMeilisearchAndRecovers(t *testing.T) {
	e := newEnv(t)
	var down atomic.Bool
	var calls atomic.Int64
	svc := e.behindFront(func(w http.ResponseWriter, r *http.Request) bool {
		calls.Add(1)
		if down.Load() {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return true
		}
		return false
	})
	q := search.Query{Tenant: "slaskie", Q: "klos"}
	if res := e.search(svc, q); res.Degraded || res.Total != 1 {
		t.Fatalf("through the proxy: degraded %v, total %d", res.Degraded, res.Total)
	}

	down.Store(true)
	for i := 0; i < 3; i++ {
		if res := e.search(svc, q); !res.Degraded || res.Total != 1 {
			t.Fatalf("Meilisearch failing: degraded %v, total %d; want the fallback's answer", res.Degraded, res.Total)
		}
	}
	before := calls.Load()
	for i := 0; i < 5; i++ {
		if res := e.search(svc, q); !res.Degraded {
			t.Fatal("an open breaker let a search through")
		}
	}
	if n := calls.Load() - before; n != 0 {
		t.Fatalf("%d calls reached Meilisearch with the breaker open, want none", n)
	}

	down.Store(false)
	took := eventually(t, 10*time.Second, "searches back on Meilisearch", func() bool {
		return !e.search(svc, q).Degraded
	})
	t.Logf("back on Meilisearch after %s", took)
}

// A Meilisearch that answers slower than a search may wait (under load)
// is not down: each late search falls back, but the breaker stays closed,
// so the next search goes to Meilisearch again instead of every search
// going to the costlier PostgreSQL fallback for the breaker's open time.
func TestASlowMeilisearchDoesNotTripTheBreaker(t *testing.T) {
	e := newEnv(t)
	var slowNow atomic.Bool
	svc := e.behindFront(func(w http.ResponseWriter, r *http.Request) bool {
		if slowNow.Load() {
			select {
			case <-time.After(3 * time.Second): // past the search's deadline
			case <-r.Context().Done():
				return true
			}
		}
		return false
	})
	q := search.Query{Tenant: "slaskie", Q: "klos"}

	slowNow.Store(true)
	for i := 0; i < 4; i++ { // past the breaker's threshold
		if res := e.search(svc, q); !res.Degraded || res.Total != 1 {
			t.Fatalf("a late answer: degraded %v, total %d; want the fallback's answer", res.Degraded, res.Total)
		}
	}
	slowNow.Store(false)
	if res := e.search(svc, q); res.Degraded {
		t.Fatal("after slow answers the next search went to PostgreSQL: the breaker opened")
	}
}

// behindFront publishes one listing (Kłos, in slaskie) and gives a service
// that reaches the real Meilisearch through a local front: intercept sees
// each request first and answers it itself when it returns true.
func (e *env) behindFront(intercept func(w http.ResponseWriter, r *http.Request) bool) *search.Service {
	e.t.Helper()
	startWorker(e.t, e.svc)
	e.pub.Publish("slaskie", store.ListingData{Name: "Spółdzielnia Socjalna Kłos", Address: katowice})
	e.waitIndexed(1)
	target, _ := url.Parse(e.url)
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !intercept(w, r) {
			proxy.ServeHTTP(w, r)
		}
	}))
	e.t.Cleanup(front.Close)
	return e.service(front.URL)
}
