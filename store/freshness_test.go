package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// superuser is a connection that row-level security does not filter, to
// arrange and inspect what the store may not.
func superuser(t *testing.T, db *storetest.DB) *sql.DB {
	t.Helper()
	raw, err := sql.Open("postgres", db.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

func exec(t *testing.T, raw *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := raw.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// ownedListing publishes (with mod; only creates, without) a listing of a
// new owner of its own in slug (slaskie or malopolskie) and returns the listing's id, the owner's e-mail and context.
func ownedListing(t *testing.T, db *storetest.DB, slug, name string, mod context.Context) (id, email string, owner context.Context) {
	t.Helper()
	base := storetest.Ctx(t, db, slug, tenants.Principal{})
	email = storetest.Unique("wlasciciel@example.org")
	a, err := db.CreateAccount(base, store.NewAccount{Email: email, Name: "Właściciel " + name, Password: "dobre-haslo-123", Role: tenants.RoleEnterprise, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	owner = tenants.WithPrincipal(base, tenants.Principal{AccountID: a.ID, Name: a.Name, Role: tenants.RoleEnterprise})
	d := validListing(name)
	d.NIP = ""
	if slug == "malopolskie" {
		d.Address = store.Address{Street: "Rynek 1", City: "Kraków", PostalCode: "30-001", GminaTERYT: "1261011"}
	}
	l, err := db.CreateListing(owner, d)
	if err != nil {
		t.Fatal(err)
	}
	if mod != nil {
		if _, err := db.SubmitListing(owner, l.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Moderate(mod, l.ID, store.ActionApprove, ""); err != nil {
			t.Fatal(err)
		}
	}
	return l.ID, email, owner
}

func mailCount(t *testing.T, raw *sql.DB, to string) int {
	t.Helper()
	var n int
	if err := raw.QueryRow(`SELECT count(*) FROM mail_outbox WHERE to_email = $1`, to).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func reminderMail(r store.Reminder) store.Mail {
	return store.Mail{Subject: "Czy dane są aktualne: " + r.ListingName, Body: r.TenantSlug + "/" + r.ListingID}
}

// The acceptance test: two reminder workers side by side send each stale
// listing's owner one mail per period, none to anyone else.
func TestStaleOwnersGetOneReminderPerPeriodWithTwoWorkers(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	raw := superuser(t, db)
	mod := staffCtx(t, db, "slaskie", tenants.RoleModerator)
	modM := staffCtx(t, db, "malopolskie", tenants.RoleModerator)

	var staleIDs, staleEmails []string
	for i := 0; i < 16; i++ {
		slug, m := "slaskie", mod
		if i%4 == 3 {
			slug, m = "malopolskie", modM
		}
		id, email, _ := ownedListing(t, db, slug, fmt.Sprintf("Nieaktualny %02d", i), m)
		staleIDs, staleEmails = append(staleIDs, id), append(staleEmails, email)
	}
	_, freshEmail, _ := ownedListing(t, db, "slaskie", "Świeży", mod)
	remindedID, remindedEmail, _ := ownedListing(t, db, "slaskie", "Niedawno przypomniany", mod)
	draftID, draftEmail, _ := ownedListing(t, db, "slaskie", "Szkic", nil)
	exec(t, raw, `UPDATE listings SET confirmed_at = now() - interval '400 days' WHERE id = ANY($1::uuid[])`,
		pq.Array(append(staleIDs, remindedID, draftID)))
	exec(t, raw, `UPDATE listings SET reminded_at = now() - interval '10 days' WHERE id = $1`, remindedID)

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.RunReminders(ctx, store.RemindersConfig{Every: 5 * time.Millisecond, Batch: 2, Compose: reminderMail,
				Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				t.Errorf("reminders: %v", err)
			}
		}()
	}
	time.Sleep(400 * time.Millisecond)
	cancel()
	wg.Wait()

	for i, email := range staleEmails {
		if n := mailCount(t, raw, email); n != 1 {
			t.Errorf("the owner of stale listing %d got %d reminders, want 1", i, n)
		}
	}
	for what, email := range map[string]string{"fresh": freshEmail, "recently reminded": remindedEmail, "draft": draftEmail} {
		if n := mailCount(t, raw, email); n != 0 {
			t.Errorf("the owner of the %s listing got %d reminders, want none", what, n)
		}
	}
	var unmarked int
	if err := raw.QueryRow(`SELECT count(*) FROM listings WHERE id = ANY($1::uuid[]) AND (reminded_at IS NULL OR reminded_at < now() - interval '1 minute')`,
		pq.Array(staleIDs)).Scan(&unmarked); err != nil || unmarked != 0 {
		t.Fatalf("%d stale listings not marked reminded (%v)", unmarked, err)
	}

	// The next period: one more, and only for the listing whose period ran out.
	exec(t, raw, `UPDATE listings SET reminded_at = now() - interval '31 days' WHERE id = $1`, staleIDs[0])
	all := tenants.WithAllTenants(context.Background())
	if n, err := db.RemindStale(all, 100, reminderMail); err != nil || n != 1 {
		t.Fatalf("next period: %d reminders (%v), want 1", n, err)
	}
	if n := mailCount(t, raw, staleEmails[0]); n != 2 {
		t.Fatalf("after a period the owner has %d reminders, want 2", n)
	}
	if n, err := db.RemindStale(all, 100, reminderMail); err != nil || n != 0 {
		t.Fatalf("a second round in the same period sent %d (%v)", n, err)
	}
}

func TestStaleListingsOldestFirstForStaffAndConfirmMakesFresh(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	raw := superuser(t, db)
	mod := staffCtx(t, db, "slaskie", tenants.RoleModerator)
	older, _, owner := ownedListing(t, db, "slaskie", "Najstarszy", mod)
	old, _, _ := ownedListing(t, db, "slaskie", "Stary", mod)
	ownedListing(t, db, "slaskie", "Świeży", mod)
	other, _, _ := ownedListing(t, db, "malopolskie", "Inny region", staffCtx(t, db, "malopolskie", tenants.RoleModerator))
	exec(t, raw, `UPDATE listings SET confirmed_at = now() - interval '500 days' WHERE id = $1`, older)
	exec(t, raw, `UPDATE listings SET confirmed_at = now() - interval '380 days', reminded_at = now() WHERE id = ANY($1::uuid[])`, pq.Array([]string{old, other}))

	list, total, err := db.FindStaleListings(mod, store.StaleFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if total != 2 || len(list) != 2 || list[0].ID != older || list[1].ID != old || !list[0].Stale || list[1].RemindedAt == nil {
		t.Fatalf("stale: total %d, %+v", total, list)
	}
	if page, total, err := db.FindStaleListings(mod, store.StaleFilter{Page: 2, PerPage: 1}); err != nil || total != 2 || len(page) != 1 || page[0].ID != old {
		t.Fatalf("second page: %d of %d (%v)", len(page), total, err)
	}
	if _, _, err := db.FindStaleListings(owner, store.StaleFilter{}); store.ErrorCode(err) != store.EForbidden {
		t.Fatalf("an enterprise reads the stale list: %v", err)
	}

	l, err := db.ConfirmListing(owner, older)
	if err != nil {
		t.Fatal(err)
	}
	if l.Stale || time.Since(l.ConfirmedAt) > time.Minute {
		t.Fatalf("confirmed listing still stale: %v", l.ConfirmedAt)
	}
	h, err := db.FindListingEvents(owner, older)
	if err != nil || h[len(h)-1].Action != "confirm" {
		t.Fatalf("history %+v (%v)", h, err)
	}
	if list, total, _ := db.FindStaleListings(mod, store.StaleFilter{}); total != 1 || list[0].ID != old {
		t.Fatalf("after confirming: %d stale", total)
	}
	// Somebody else's listing, a draft, another region's: no.
	_, _, stranger := ownedListing(t, db, "slaskie", "Obcy", mod)
	if _, err := db.ConfirmListing(stranger, old); store.ErrorCode(err) != store.EForbidden {
		t.Fatalf("a stranger confirmed: %v", err)
	}
	draft, _, draftOwner := ownedListing(t, db, "slaskie", "Szkic", nil)
	if _, err := db.ConfirmListing(draftOwner, draft); store.ErrorCode(err) != store.EConflict {
		t.Fatalf("a draft confirmed: %v", err)
	}
	if _, err := db.ConfirmListing(owner, other); store.ErrorCode(err) != store.ENotFound {
		t.Fatalf("another region's listing: %v", err)
	}
}
