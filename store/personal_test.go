package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// person is an enterprise account that has done a bit of everything: it
// registered (a verification mail and token), asked for a new password,
// signed in, had a listing sent back with a reason naming it, published it,
// proposed a revision, and keeps a draft.
type person struct {
	id, email, name string
	ctx             context.Context
	refresh         string
	listings        []string
}

func newPerson(t *testing.T, db *storetest.DB, mod context.Context, name string) *person {
	t.Helper()
	base := storetest.Ctx(t, db, "slaskie", tenants.Principal{})
	p := &person{email: storetest.Unique(strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.org"), name: name}
	var token string
	a, err := db.RegisterAccount(base, store.NewAccount{Email: p.email, Name: name, Password: "dobre-haslo-123"}, func(tok string) store.Mail {
		token = tok
		return store.Mail{To: p.email, Subject: "Potwierdź adres", Body: "Dzień dobry " + name + ", token=" + tok}
	})
	if err != nil {
		t.Fatal(err)
	}
	p.id = a.ID
	if err := db.VerifyEmail(base, token); err != nil {
		t.Fatal(err)
	}
	if err := db.RequestPasswordReset(base, p.email, func(tok string) store.Mail {
		return store.Mail{Subject: "Nowe hasło", Body: "token=" + tok}
	}); err != nil {
		t.Fatal(err)
	}
	a, err = db.Authenticate(base, p.email, "dobre-haslo-123")
	if err != nil {
		t.Fatal(err)
	}
	sess, err := db.StartSession(base, a)
	if err != nil {
		t.Fatal(err)
	}
	p.refresh = sess.RefreshToken
	p.ctx = tenants.WithPrincipal(base, tenants.Principal{AccountID: a.ID, Name: a.Name, Role: a.Role, SessionID: sess.FamilyID})

	d := validListing("Pracownia " + name)
	d.NIP = ""
	d.Contact.Email = p.email
	d.Description = "Prowadzi " + name + ", pisz na " + strings.ToUpper(p.email) + "."
	l, err := db.CreateListing(p.ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	must := func(_ *store.Listing, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.SubmitListing(p.ctx, l.ID))
	must(db.Moderate(mod, l.ID, store.ActionRequestChanges, "Pani "+name+", proszę dodać godziny otwarcia."))
	must(db.SubmitListing(p.ctx, l.ID))
	must(db.Moderate(mod, l.ID, store.ActionApprove, ""))
	must(db.UpdateListing(p.ctx, l.ID, store.ListingUpdate{Data: store.ListingData{ShortName: name}, Fields: []string{"short_name"}}))
	draft := validListing("Szkic " + name)
	draft.NIP = ""
	dl, err := db.CreateListing(p.ctx, draft)
	if err != nil {
		t.Fatal(err)
	}
	p.listings = []string{l.ID, dl.ID}
	return p
}

// findText lists every column of every table holding s (case folded), as
// table.column.
func findText(t *testing.T, raw *sql.DB, s string) []string {
	t.Helper()
	rows, err := raw.Query(`SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'USER-DEFINED')
		ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	var cols [][2]string
	for rows.Next() {
		var tbl, col string
		if err := rows.Scan(&tbl, &col); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, [2]string{tbl, col})
	}
	rows.Close()
	if len(cols) < 20 {
		t.Fatalf("only %d text columns found", len(cols))
	}
	var found []string
	for _, c := range cols {
		var n int
		q := fmt.Sprintf(`SELECT count(*) FROM %q WHERE strpos(lower(%q::text), lower($1)) > 0`, c[0], c[1])
		if err := raw.QueryRow(q, s).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if n > 0 {
			found = append(found, fmt.Sprintf("%s.%s (%d rows)", c[0], c[1], n))
		}
	}
	return found
}

func count(t *testing.T, raw *sql.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := raw.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestPersonalDataHasEverythingHeldAboutTheAccount(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	mod := staffCtx(t, db, "slaskie", tenants.RoleModerator)
	p := newPerson(t, db, mod, "Zofia Przykładowa")
	newPerson(t, db, mod, "Jan Inny")

	d, err := db.FindPersonalData(p.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d.Account.ID != p.id || d.Account.Email != p.email || d.Account.Name != p.name || d.Account.Tenant == nil || *d.Account.Tenant != "slaskie" {
		t.Fatalf("account %+v", d.Account)
	}
	if len(d.Listings) != 2 || d.Listings[0].ID != p.listings[0] || d.Listings[0].Revision == nil {
		t.Fatalf("%d listings, first with revision %v", len(d.Listings), d.Listings[0].Revision)
	}
	// create ×2, submit ×2, revision: the account's own lines only.
	if len(d.Events) != 5 || d.Events[0].ListingID != p.listings[0] || d.Events[0].Action != "create" {
		t.Fatalf("%d events: %+v", len(d.Events), d.Events)
	}
	if len(d.Mail) != 2 || len(d.Sessions) != 1 || len(d.Tokens) != 2 || d.GeneratedAt.IsZero() {
		t.Fatalf("mail %d, sessions %d, tokens %d", len(d.Mail), len(d.Sessions), len(d.Tokens))
	}
	if _, err := db.FindPersonalData(storetest.Ctx(t, db, "slaskie", tenants.Principal{})); store.ErrorCode(err) != store.EUnauthorized {
		t.Fatalf("anonymous personal data: %v", err)
	}
}

// The acceptance test: after erasure neither the account's e-mail nor its
// name is anywhere in the database; the audit log is kept, pseudonymous.
func TestErasedAccountLeavesNoPersonalFieldInAnyTable(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	raw := superuser(t, db)
	mod := staffCtx(t, db, "slaskie", tenants.RoleModerator)
	p := newPerson(t, db, mod, "Zofia Przykładowa")
	other := newPerson(t, db, mod, "Jan Inny")

	for _, s := range []string{p.email, p.name} {
		if found := findText(t, raw, s); len(found) < 3 {
			t.Fatalf("the fixture holds %q in too few places to prove anything: %v", s, found)
		}
	}
	events := count(t, raw, `SELECT count(*) FROM listing_events WHERE listing_id = ANY($1::uuid[]) OR actor_id = $2`, "{"+strings.Join(p.listings, ",")+"}", p.id)
	outbox := count(t, raw, `SELECT count(*) FROM search_outbox`)

	if err := db.EraseAccount(p.ctx); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{p.email, p.name, "Przykładowa", "przykladowa"} {
		if found := findText(t, raw, s); len(found) > 0 {
			t.Errorf("%q is still in %v", s, found)
		}
	}
	// Kept: the audit log (plus the two archivals), under the pseudonym.
	if n := count(t, raw, `SELECT count(*) FROM listing_events WHERE listing_id = ANY($1::uuid[]) OR actor_id = $2`, "{"+strings.Join(p.listings, ",")+"}", p.id); n != events+2 {
		t.Fatalf("%d events after erasure, want %d", n, events+2)
	}
	if n := count(t, raw, `SELECT count(*) FROM listing_events WHERE actor_id = $1 AND actor_name <> $2`, p.id, store.ErasedName); n != 0 {
		t.Fatalf("%d events keep the actor's name", n)
	}
	if n := count(t, raw, `SELECT count(*) FROM listings WHERE owner_id = $1 AND status <> 'archived'`, p.id); n != 0 {
		t.Fatalf("%d listings not archived", n)
	}
	if n := count(t, raw, `SELECT count(*) FROM search_outbox`); n != outbox+2 {
		t.Fatalf("%d outbox rows, want %d: the archived listings leave search", n, outbox+2)
	}
	if n := count(t, raw, `SELECT count(*) FROM accounts WHERE id = $1 AND status = 'deleted' AND email = 'deleted-' || id || '@invalid' AND name = $2`, p.id, store.ErasedName); n != 1 {
		t.Fatal("the account is not marked deleted under its pseudonym")
	}
	if n := count(t, raw, `SELECT count(*) FROM refresh_tokens WHERE account_id = $1`, p.id) + count(t, raw, `SELECT count(*) FROM account_tokens WHERE account_id = $1`, p.id); n != 0 {
		t.Fatalf("%d tokens left", n)
	}
	base := storetest.Ctx(t, db, "slaskie", tenants.Principal{})
	if _, err := db.RotateSession(base, p.refresh); err == nil {
		t.Fatal("the erased account's refresh token still works")
	}
	if _, err := db.Authenticate(base, "deleted-"+p.id+"@invalid", "dobre-haslo-123"); err == nil {
		t.Fatal("the erased account signs in")
	}
	// Nobody else lost anything.
	if n := count(t, raw, `SELECT count(*) FROM mail_outbox WHERE to_email = $1`, other.email); n != 2 {
		t.Fatalf("the other account has %d mails, want 2", n)
	}
	if n := count(t, raw, `SELECT count(*) FROM listings WHERE owner_id = $1 AND status <> 'archived'`, other.id); n != 2 {
		t.Fatalf("the other account has %d listings, want 2", n)
	}
	if err := db.EraseAccount(p.ctx); err != nil {
		t.Fatalf("erasing twice: %v", err)
	}
}
