package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"katalogpes/store"
	"katalogpes/store/storetest"
)

// Two pools on one database play two nodes: hit at once, they share one
// counter and let exactly the limit through.
func TestRateLimitIsSharedByEveryNode(t *testing.T) {
	db := storetest.New(t)
	other, err := store.Open(t.Context(), db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var mu sync.Mutex
	var wg sync.WaitGroup
	allowed := 0
	for i := range 30 {
		node := db.DB
		if i%2 == 1 {
			node = other
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, retry, err := node.HitRateLimit(context.Background(), "login:ip:192.0.2.1", 10, time.Minute)
			if err != nil {
				t.Error(err)
				return
			}
			if !ok && (retry <= 0 || retry > time.Minute) {
				t.Errorf("refused with retry after %s, want within the minute", retry)
			}
			mu.Lock()
			defer mu.Unlock()
			if ok {
				allowed++
			}
		}()
	}
	wg.Wait()
	if allowed != 10 {
		t.Fatalf("%d of 30 allowed, want 10", allowed)
	}
	if ok, _, _ := db.HitRateLimit(t.Context(), "login:ip:192.0.2.2", 10, time.Minute); !ok {
		t.Fatal("another key shares the counter")
	}
}

func TestRateLimitWindowEndsAndRefunds(t *testing.T) {
	db := storetest.New(t)
	ctx := t.Context()
	const key = "register:ip:192.0.2.1"
	hit := func() bool {
		t.Helper()
		ok, _, err := db.HitRateLimit(ctx, key, 2, 500*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !hit() || !hit() {
		t.Fatal("the first two hits were refused")
	}
	if err := db.RefundRateLimit(ctx, key); err != nil {
		t.Fatal(err)
	}
	if !hit() {
		t.Fatal("a refunded attempt still counts")
	}
	if hit() {
		t.Fatal("the third counted hit was allowed")
	}
	if _, _, err := db.HitRateLimit(ctx, "password-reset:ip:192.0.2.9", 5, time.Hour); err != nil {
		t.Fatal(err)
	}
	time.Sleep(600 * time.Millisecond)
	if !hit() {
		t.Fatal("a new window still refuses")
	}
	if _, _, err := db.HitRateLimit(ctx, "login:ip:192.0.2.9", 5, 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	n, err := db.DeleteExpiredRateLimits(ctx)
	if err != nil || n != 1 {
		t.Fatalf("deleted %d expired windows (%v), want 1", n, err)
	}
}
