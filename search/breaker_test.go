package search_test

import (
	"errors"
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

// A Meilisearch that is answering searches is alive, only busy: a late
// search waits for its answer instead of falling back to PostgreSQL, which
// under load costs the shared CPU more than the answer. At 32 national
// searches at once the fallbacks took the cores Meilisearch needed, made
// every search late, and most were refused as busy. Past the late
// deadline the search is refused as busy, still without the fallback.
func TestALateAnswerFromAMeilisearchThatAnswersIsWaitedFor(t *testing.T) {
	e := newEnv(t)
	var delay atomic.Int64
	svc := e.behindFront(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/multi-search" {
			return false
		}
		select {
		case <-time.After(time.Duration(delay.Load())):
			return false
		case <-r.Context().Done():
			return true
		}
	})
	q := search.Query{Tenant: "slaskie", Q: "klos"}
	if res := e.search(svc, q); res.Degraded || res.Total != 1 {
		t.Fatalf("on time: degraded %v, total %d", res.Degraded, res.Total)
	}
	delay.Store(int64(2500 * time.Millisecond)) // past the search's deadline
	if res := e.search(svc, q); res.Degraded || res.Total != 1 {
		t.Fatalf("late, from a Meilisearch that just answered: degraded %v, total %d; want its one hit", res.Degraded, res.Total)
	}
	delay.Store(int64(8 * time.Second)) // past the late deadline too
	res, err := svc.Search(t.Context(), q)
	if !errors.Is(err, search.ErrLate) {
		t.Fatalf("past the late deadline: %+v, %v; want ErrLate and no fallback", res, err)
	}
}

// behindFront publishes one listing (Kłos, in slaskie) and gives a service
// that reaches the real Meilisearch through a local front: intercept sees
// each request first and answers it itself when it returns true.
func (e *env) behindFront(intercept func(w http.ResponseWriter, r *http.Request) bool) *search.Service {
	e.t.Helper()
	return e.service(e.front(intercept))
}

// front publishes Kłos as behindFront does and gives the front's URL.
func (e *env) front(intercept func(w http.ResponseWriter, r *http.Request) bool) string {
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
	return front.URL
}
