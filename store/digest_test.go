package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// digestMail writes what the digest holds plainly, for the test to read.
func digestMail(d store.Digest) store.Mail {
	var b strings.Builder
	for _, k := range []string{store.WaitingSubmission, store.WaitingRevision, store.WaitingClaim, store.WaitingReport} {
		fmt.Fprintf(&b, "%s=%d\n", k, d.Counts[k])
	}
	for _, it := range d.Items {
		fmt.Fprintf(&b, "%s: %s\n", it.Kind, it.ListingName)
	}
	return store.Mail{Subject: "Czeka: " + d.TenantName, Body: b.String()}
}

func emailOf(t *testing.T, raw *sql.DB, ctx context.Context) string {
	t.Helper()
	var email string
	if err := raw.QueryRow(`SELECT email FROM accounts WHERE id = $1`, tenants.PrincipalFrom(ctx).AccountID).Scan(&email); err != nil {
		t.Fatal(err)
	}
	return email
}

// waitingFixture leaves one of each kind waiting in slaskie: a new
// submission, a revision, a claim for a moderator and an open report.
func waitingFixture(t *testing.T, db *storetest.DB, raw *sql.DB, mod context.Context) {
	t.Helper()
	fresh, _, owner := ownedListing(t, db, "slaskie", "Nowa Spółdzielnia", nil)
	if _, err := db.SubmitListing(owner, fresh); err != nil {
		t.Fatal(err)
	}
	revised, _, owner2 := ownedListing(t, db, "slaskie", "Zmieniona Fundacja", mod)
	d := validListing("Zmieniona Fundacja")
	d.NIP, d.Description = "", "Nowy opis działalności."
	if _, err := db.UpdateListing(owner2, revised, store.ListingUpdate{Data: d, Fields: []string{"description"}}); err != nil {
		t.Fatal(err)
	}
	imported, _, _ := ownedListing(t, db, "slaskie", "Importowane Stowarzyszenie", mod)
	exec(t, raw, `UPDATE listings SET owner_id = NULL, data = jsonb_set(data, '{contact,email}', '""') WHERE id = $1`, imported)
	claimant := staffCtx(t, db, "slaskie", tenants.RoleEnterprise)
	if _, err := db.StartClaim(claimant, imported, "Jestem prezesem.", nil); err != nil {
		t.Fatal(err)
	}
	public := storetest.Ctx(t, db, "slaskie", tenants.Principal{})
	if _, err := db.CreateListingReport(public, store.NewListingReport{ListingID: revised, Body: "Telefon nie odpowiada."},
		func(store.ListingReport) store.Mail { return store.Mail{} }); err != nil {
		t.Fatal(err)
	}
}

func TestDailyDigestListsWhatWaitsOncePerPersonAcrossWorkers(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	raw := superuser(t, db)
	mod := staffCtx(t, db, "slaskie", tenants.RoleModerator)
	adm := staffCtx(t, db, "slaskie", tenants.RoleAdmin)
	elsewhere := staffCtx(t, db, "malopolskie", tenants.RoleModerator)
	waitingFixture(t, db, raw, mod)

	all := tenants.WithAllTenants(context.Background())
	var wg sync.WaitGroup
	sent := make([]int, 2)
	for i := range sent {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := db.SendDailyDigests(all, 100, digestMail)
			if err != nil {
				t.Error(err)
			}
			sent[i] = n
		}()
	}
	wg.Wait()
	if sent[0]+sent[1] != 2 {
		t.Fatalf("two workers queued %v digests, want 2 in all (the two staff of slaskie)", sent)
	}
	if n, err := db.SendDailyDigests(all, 100, digestMail); err != nil || n != 0 {
		t.Fatalf("a second round the same day queued %d (%v), want 0", n, err)
	}
	for _, ctx := range []context.Context{mod, adm} {
		to := emailOf(t, raw, ctx)
		if n := mailCount(t, raw, to); n != 1 {
			t.Fatalf("%s got %d digests, want 1", to, n)
		}
		var body string
		if err := raw.QueryRow(`SELECT body FROM mail_outbox WHERE to_email = $1`, to).Scan(&body); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"submission=1", "revision=1", "claim=1", "report=1",
			"submission: Nowa Spółdzielnia", "revision: Zmieniona Fundacja", "claim: Importowane Stowarzyszenie", "report: Zmieniona Fundacja"} {
			if !strings.Contains(body, want) {
				t.Errorf("digest to %s lacks %q:\n%s", to, want, body)
			}
		}
	}
	if n := mailCount(t, raw, emailOf(t, raw, elsewhere)); n != 0 {
		t.Fatalf("a moderator of a region with nothing waiting got %d digests", n)
	}
}

func TestImmediateMailGoesOnlyToStaffWhoOptedIn(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	raw := superuser(t, db)
	on := staffCtx(t, db, "slaskie", tenants.RoleModerator)
	off := staffCtx(t, db, "slaskie", tenants.RoleModerator)
	if err := db.SetNotifyImmediately(on, true); err != nil {
		t.Fatal(err)
	}
	if got, err := db.NotifyImmediately(on); err != nil || !got {
		t.Fatalf("setting reads %v (%v), want on", got, err)
	}
	if got, _ := db.NotifyImmediately(off); got {
		t.Fatal("a moderator who did not opt in reads on")
	}
	alerting := db.WithStaffAlerts(func(a store.StaffAlert) store.Mail {
		return store.Mail{Subject: a.Kind + ": " + a.ListingName, Body: a.TenantSlug + "/" + a.ListingID}
	}, nil)
	id, _, owner := ownedListing(t, db, "slaskie", "Pilna Spółdzielnia", nil)
	if _, err := alerting.SubmitListing(owner, id); err != nil {
		t.Fatal(err)
	}
	var subject string
	if err := raw.QueryRow(`SELECT subject FROM mail_outbox WHERE to_email = $1`, emailOf(t, raw, on)).Scan(&subject); err != nil {
		t.Fatalf("the moderator who opted in got no mail: %v", err)
	}
	if subject != "submission: Pilna Spółdzielnia" {
		t.Fatalf("alert subject %q", subject)
	}
	if n := mailCount(t, raw, emailOf(t, raw, off)); n != 0 {
		t.Fatalf("the moderator who did not opt in got %d mails", n)
	}
	if err := db.SetNotifyImmediately(on, false); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.NotifyImmediately(on); got {
		t.Fatal("turning it off did not stick")
	}
}

// percentile is percentile_cont: linear between the nearest ranks.
func percentile(sorted []time.Duration, p float64) time.Duration {
	pos := p * float64(len(sorted)-1)
	lo := int(pos)
	if lo+1 >= len(sorted) {
		return sorted[lo]
	}
	return sorted[lo] + time.Duration((pos-float64(lo))*float64(sorted[lo+1]-sorted[lo]))
}

func TestDecisionTimesAreMedianAndP90OfThisMonth(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	raw := superuser(t, db)
	mod := staffCtx(t, db, "slaskie", tenants.RoleModerator)
	durations := []time.Duration{time.Hour, 10 * time.Hour, 2 * time.Hour}
	actions := []string{store.ActionApprove, store.ActionReject, store.ActionRequestChanges}
	decide := func(name, action string, submitted, decided string) {
		id, _, owner := ownedListing(t, db, "slaskie", name, nil)
		if _, err := db.SubmitListing(owner, id); err != nil {
			t.Fatal(err)
		}
		reason := "Proszę uzupełnić."
		if _, err := db.Moderate(mod, id, action, reason); err != nil {
			t.Fatal(err)
		}
		exec(t, raw, `UPDATE listing_events SET at = `+submitted+` WHERE listing_id = $1 AND action = 'submit'`, id)
		exec(t, raw, `UPDATE listing_events SET at = `+decided+` WHERE listing_id = $1 AND action = $2`, id, action)
	}
	for i, d := range durations {
		decide(fmt.Sprintf("Podmiot %d", i), actions[i], fmt.Sprintf("now() - interval '%d seconds'", int(d.Seconds())), "now()")
	}
	// Last month's decision does not count.
	decide("Dawny Podmiot", store.ActionApprove,
		"date_trunc('month', now() AT TIME ZONE 'Europe/Warsaw') AT TIME ZONE 'Europe/Warsaw' - interval '300 hours'",
		"date_trunc('month', now() AT TIME ZONE 'Europe/Warsaw') AT TIME ZONE 'Europe/Warsaw' - interval '1 hour'")

	got, err := db.FindDecisionTimes(mod)
	if err != nil {
		t.Fatal(err)
	}
	sorted := append([]time.Duration(nil), durations...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	want := store.DecisionTimes{Decisions: 3, Median: percentile(sorted, 0.5), P90: percentile(sorted, 0.9)}
	near := func(a, b time.Duration) bool { d := a - b; return d > -time.Second && d < time.Second }
	if got.Decisions != want.Decisions || !near(got.Median, want.Median) || !near(got.P90, want.P90) {
		t.Fatalf("decision times %+v, want %+v", *got, want)
	}
	if _, err := db.FindDecisionTimes(staffCtx(t, db, "slaskie", tenants.RoleEnterprise)); err == nil {
		t.Fatal("an enterprise read the queue's figures")
	}
}
