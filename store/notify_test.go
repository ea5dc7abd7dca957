package store_test

import (
	"context"
	"database/sql"
	"os"
	"testing"
	"time"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// listen runs db.Listen on channel in the background and returns what it
// hands on; the listener stops when the test ends.
func listen(t *testing.T, db *storetest.DB, channel string) <-chan store.Notice {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	notices := make(chan store.Notice, 16)
	done := make(chan error, 1)
	go func() { done <- db.Listen(ctx, channel, func(n store.Notice) { notices <- n }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("listen: %v", err)
		}
	})
	return notices
}

// nextNotice waits a generous while for the next notice that is not an
// error report, failing the test if none comes.
func nextNotice(t *testing.T, notices <-chan store.Notice) store.Notice {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case n := <-notices:
			if n.Err == nil {
				return n
			}
		case <-deadline:
			t.Fatal("no notice within 5 s")
		}
	}
}

func noNotice(t *testing.T, notices <-chan store.Notice) {
	t.Helper()
	select {
	case n := <-notices:
		t.Fatalf("unexpected notice %+v", n)
	case <-time.After(300 * time.Millisecond):
	}
}

func TestTenantUpdateIsAnnouncedOnCommit(t *testing.T) {
	db := storetest.New(t)
	notices := listen(t, db, store.TenantChannel)
	// Listening starts with word that earlier changes went unheard.
	if n := nextNotice(t, notices); !n.Missed {
		t.Fatalf("first notice %+v, want Missed", n)
	}
	tn := storetest.Tenants(t, db)["slaskie"]
	other := storetest.Tenants(t, db)["malopolskie"]
	ctx := tenants.NewContext(context.Background(), tn)
	if err := db.UpdateTenant(ctx, store.TenantUpdate{Branding: &tenants.Branding{Tagline: "Razem"}}); err != nil {
		t.Fatal(err)
	}
	if n := nextNotice(t, notices); n.Payload != tn.ID || n.Missed {
		t.Fatalf("notice %+v, want the payload %s", n, tn.ID)
	}
	// The other region's row is untouched, and nobody says otherwise.
	if got := storetest.Tenants(t, db)["malopolskie"].Branding.Tagline; got != other.Branding.Tagline {
		t.Fatalf("malopolskie tagline %q", got)
	}
	noNotice(t, notices)
}

func TestRolledBackNotificationIsNeverHeard(t *testing.T) {
	db := storetest.New(t)
	notices := listen(t, db, "test_channel")
	nextNotice(t, notices)
	raw, err := sql.Open("postgres", db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, commit := range []bool{false, true} {
		tx, err := raw.Begin()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(`SELECT pg_notify('test_channel', $1)`, map[bool]string{false: "rolled back", true: "committed"}[commit]); err != nil {
			t.Fatal(err)
		}
		if commit {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := nextNotice(t, notices); n.Payload != "committed" {
		t.Fatalf("notice %+v, want only the committed one", n)
	}
	noNotice(t, notices)
}

func TestListenerReconnectsAndSaysNoticesWereMissed(t *testing.T) {
	db := storetest.New(t)
	notices := listen(t, db, "test_channel")
	nextNotice(t, notices)
	// Cut the listener's connection, as a restart of PostgreSQL or a
	// network fault would.
	admin, err := sql.Open("postgres", os.Getenv("DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var cut int
	if err := admin.QueryRow(`
		SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = $1 AND query LIKE 'LISTEN%'`, db.Name()).Scan(&cut); err != nil {
		t.Fatal(err)
	}
	if cut != 1 {
		t.Fatalf("%d listener connections cut, want 1", cut)
	}
	if n := nextNotice(t, notices); !n.Missed {
		t.Fatalf("notice after reconnecting %+v, want Missed", n)
	}
	raw, err := sql.Open("postgres", db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`SELECT pg_notify('test_channel', 'after')`); err != nil {
		t.Fatal(err)
	}
	if n := nextNotice(t, notices); n.Payload != "after" {
		t.Fatalf("notice %+v, want the one sent after reconnecting", n)
	}
}
