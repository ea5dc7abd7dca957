package search_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"katalogpes/search"
	"katalogpes/store"
)

// PostgreSQL answers only so many searches at once for a node: the next
// one waits a moment for a slot and is then refused as busy (a 503 the
// handlers translate), instead of queueing on a database already short of
// CPU. The slot frees when the search in it ends.
func TestFallbackSearchesAreBoundedAndTheRestAreRefusedAsBusy(t *testing.T) {
	e := newEnv(t)
	e.pub.Publish("slaskie", store.ListingData{Name: "Spółdzielnia Socjalna Kłos", Address: katowice})
	svc, err := search.New(search.Config{URL: "http://127.0.0.1:1", Prefix: e.idx + "_", FallbackSlots: 1}, e.db.DB, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	q := search.Query{Tenant: "slaskie", Q: "klos"}

	// Hold the one slot: a lock makes the first fallback's read wait.
	super, err := sql.Open("postgres", e.db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer super.Close()
	lock, err := super.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback()
	if _, err := lock.Exec(`LOCK TABLE listings IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	first := make(chan *search.Result, 1)
	go func() {
		res, err := svc.Search(context.Background(), q)
		if err != nil {
			t.Errorf("the search holding the slot: %v", err)
		}
		first <- res
	}()
	eventually(t, 10*time.Second, "the first fallback waiting on the lock", func() bool {
		var n int
		_ = super.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n)
		return n == 1
	})

	_, err = svc.Search(context.Background(), q)
	var se *store.Error
	if !errors.As(err, &se) || se.Code != store.EUnavailable || se.Key != "search.busy" {
		t.Fatalf("a second fallback with the slot taken: err %v, want search.busy (unavailable)", err)
	}
	if _, err := svc.Suggest(context.Background(), "slaskie", "klo"); !errors.Is(err, search.ErrBusy) {
		t.Fatalf("a suggestion with the slot taken: err %v, want ErrBusy", err)
	}

	if err := lock.Rollback(); err != nil {
		t.Fatal(err)
	}
	if res := <-first; res == nil || !res.Degraded || res.Total != 1 {
		t.Fatalf("the search in the slot: %+v, want the fallback's one hit", res)
	}
	if res := e.search(svc, q); !res.Degraded || res.Total != 1 {
		t.Fatalf("with the slot free again: degraded %v, total %d", res.Degraded, res.Total)
	}
}
