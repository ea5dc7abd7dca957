package store_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// tellInLang writes a notice that shows its language and kind.
func tellInLang(d store.Decision) store.NoticeMail {
	return store.NoticeMail{Mail: store.Mail{Subject: d.Lang + ":" + d.Kind + ":" + d.ListingName, Body: d.Reason},
		Link: "/r/" + d.TenantSlug + "/moje/" + d.ListingID}
}

// englishOwner is an active enterprise account whose language is English.
func englishOwner(t *testing.T, db *storetest.DB, slug string) (context.Context, string) {
	t.Helper()
	base := storetest.Ctx(t, db, slug, tenants.Principal{})
	email := storetest.Unique("owner-en@example.org")
	a, err := db.CreateAccount(base, store.NewAccount{Email: email, Name: "Anne Owner", Password: "dobre-haslo-123",
		Role: tenants.RoleEnterprise, Active: true, Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	return tenants.WithPrincipal(base, tenants.Principal{AccountID: a.ID, Name: a.Name, Role: tenants.RoleEnterprise}), email
}

func TestEveryDecisionTellsTheOwnerOnceInTheirLanguage(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	raw := superuser(t, db)
	owner, email := englishOwner(t, db, "slaskie")
	_, mod := actors(t, db, "slaskie")
	l, err := db.CreateListing(owner, validListing("Spółdzielnia Decyzji"))
	if err != nil {
		t.Fatal(err)
	}
	must := func(_ *store.Listing, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	edit := func(desc string) {
		t.Helper()
		cur, err := db.FindListingByID(owner, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		d := cur.ListingData
		if cur.Revision != nil {
			d = cur.Revision.Data
		}
		d.Description = desc
		must(db.UpdateListing(owner, l.ID, store.ListingUpdate{Data: d, Fields: []string{"description"}}))
	}
	decide := func(action, reason, kind string) {
		t.Helper()
		before := mailCount(t, raw, email)
		must(db.ModerateAndTell(mod, l.ID, action, reason, tellInLang))
		if n := mailCount(t, raw, email); n != before+1 {
			t.Fatalf("%s: %d mails, want %d", action, n, before+1)
		}
		var subject string
		if err := raw.QueryRow(`SELECT subject FROM mail_outbox WHERE to_email = $1 ORDER BY id DESC LIMIT 1`, email).Scan(&subject); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(subject, "en:"+kind+":") {
			t.Fatalf("%s: mail %q, want English of %s", action, subject, kind)
		}
	}
	must(db.SubmitListing(owner, l.ID))
	decide(store.ActionRequestChanges, "Dodaj godziny otwarcia", store.NoticeChangesRequested)
	edit("Catering dla szkół i urzędów, od 7 do 15.")
	must(db.SubmitListing(owner, l.ID))
	decide(store.ActionReject, "Niepełne dane", store.NoticeRejected)
	must(db.SubmitListing(owner, l.ID))
	decide(store.ActionApprove, "", store.NoticeApproved)
	decide(store.ActionSuspend, "Skarga", store.NoticeSuspended)
	decide(store.ActionReinstate, "", store.NoticeReinstated)
	edit("Nowy opis oferty cateringowej.")
	decide(store.ActionApprove, "", store.NoticeRevisionAccepted)
	edit("Jeszcze nowszy opis oferty.")
	decide(store.ActionReject, "Opis nie na temat", store.NoticeRevisionRejected)
	// Refused decisions tell no one; Moderate (the seed's) tells no one.
	if _, err := db.ModerateAndTell(mod, l.ID, store.ActionReinstate, "", tellInLang); store.ErrorCode(err) != store.EConflict {
		t.Fatalf("reinstating a published listing: %v", err)
	}
	must(db.Moderate(mod, l.ID, store.ActionSuspend, "Bez powiadomienia"))
	if n := mailCount(t, raw, email); n != 7 {
		t.Fatalf("%d mails after seven decisions", n)
	}

	list, err := db.FindNotifications(owner, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{store.NoticeRevisionRejected, store.NoticeRevisionAccepted, store.NoticeReinstated, store.NoticeSuspended,
		store.NoticeApproved, store.NoticeRejected, store.NoticeChangesRequested}
	if len(list) != len(want) {
		t.Fatalf("%d notifications, want %d: %+v", len(list), len(want), list)
	}
	for i, n := range list {
		if n.Kind != want[i] || n.Read || !strings.HasPrefix(n.Subject, "en:") || !strings.HasSuffix(n.Link, "/moje/"+l.ID) {
			t.Fatalf("notification %d: %+v, want %s unread", i, n, want[i])
		}
	}
	// Read: by its owner only; others' is not found, also in another region.
	stranger, _ := englishOwner(t, db, "slaskie")
	if err := db.MarkNotificationRead(stranger, list[0].ID); store.ErrorCode(err) != store.ENotFound {
		t.Fatalf("a stranger marked it read: %v", err)
	}
	if err := db.MarkNotificationRead(owner, list[0].ID); err != nil {
		t.Fatal(err)
	}
	if again, _ := db.FindNotifications(owner, 2); len(again) != 2 || !again[0].Read || again[1].Read {
		t.Fatalf("after reading the newest: %+v", again)
	}
	if other, _ := db.FindNotifications(stranger, 0); len(other) != 0 {
		t.Fatalf("a stranger sees %d notifications", len(other))
	}
	otherRegion, _ := englishOwner(t, db, "malopolskie")
	if err := db.MarkNotificationRead(otherRegion, list[1].ID); store.ErrorCode(err) != store.ENotFound {
		t.Fatalf("another region's account marked it: %v", err)
	}
}

func TestTheChosenLanguageIsKeptOnTheAccount(t *testing.T) {
	db := storetest.New(t)
	raw := superuser(t, db)
	owner, email := englishOwner(t, db, "slaskie")
	if err := db.SetAccountLanguage(owner, "pl"); err != nil {
		t.Fatal(err)
	}
	var lang string
	if err := raw.QueryRow(`SELECT lang FROM accounts WHERE email = $1`, email).Scan(&lang); err != nil || lang != "pl" {
		t.Fatalf("lang %q (%v)", lang, err)
	}
}

func TestResubmissionDiffShowsOnlyWhatChangedSinceChangesRequested(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	owner, mod := actors(t, db, "slaskie")
	d := validListing("Spółdzielnia Poprawek")
	l, err := db.CreateListing(owner, d)
	if err != nil {
		t.Fatal(err)
	}
	queued := func() store.QueueItem {
		t.Helper()
		items, err := db.FindModerationQueue(mod)
		if err != nil || len(items) != 1 {
			t.Fatalf("queue %+v (%v)", items, err)
		}
		return items[0]
	}
	if _, err := db.SubmitListing(owner, l.ID); err != nil {
		t.Fatal(err)
	}
	if it := queued(); it.SinceChangesRequested || len(it.Changes) < 5 {
		t.Fatalf("a new listing shows every field: %+v", it.Changes)
	}
	if _, err := db.Moderate(mod, l.ID, store.ActionRequestChanges, "Podaj stronę www"); err != nil {
		t.Fatal(err)
	}
	d.Contact.Website = "https://catering.example.org"
	if _, err := db.UpdateListing(owner, l.ID, store.ListingUpdate{Data: d, Fields: []string{"contact"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SubmitListing(owner, l.ID); err != nil {
		t.Fatal(err)
	}
	it := queued()
	if !it.SinceChangesRequested || len(it.Changes) != 1 || it.Changes[0].Field != "contact" {
		t.Fatalf("diff since changes were requested: %+v", it.Changes)
	}

	// The same for a revision of a published listing.
	if _, err := db.Moderate(mod, l.ID, store.ActionApprove, ""); err != nil {
		t.Fatal(err)
	}
	d.Description = "Catering i obiady domowe."
	d.Name = "Spółdzielnia Poprawek i Obiadów"
	if _, err := db.UpdateListing(owner, l.ID, store.ListingUpdate{Data: d, Fields: []string{"description", "name"}}); err != nil {
		t.Fatal(err)
	}
	if it := queued(); it.SinceChangesRequested || len(it.Changes) != 2 {
		t.Fatalf("a revision shows its changes against the public version: %+v", it.Changes)
	}
	if _, err := db.Moderate(mod, l.ID, store.ActionRequestChanges, "Krótsza nazwa"); err != nil {
		t.Fatal(err)
	}
	d.Name = "Spółdzielnia Obiadów"
	if _, err := db.UpdateListing(owner, l.ID, store.ListingUpdate{Data: d, Fields: []string{"name"}}); err != nil {
		t.Fatal(err)
	}
	if it := queued(); !it.SinceChangesRequested || len(it.Changes) != 1 || it.Changes[0].Field != "name" {
		t.Fatalf("revision diff since changes were requested: %+v", it.Changes)
	}
}

func TestLapsedDatesWarnAndLapsedCertificatesStayMarked(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	owner, _ := actors(t, db, "slaskie")
	d := validListing("Spółdzielnia Dat")
	d.Certificates = []store.Certificate{
		{Kind: "zakup_prospoleczny", Issuer: "ROPS", ValidUntil: "2030-01-31"},
		{Kind: "znak_jakosci_es", Issuer: "Ministerstwo", ValidUntil: "2021-05-31"},
	}
	d.SocialEnterprise = &store.SocialEnterprise{DecisionNo: "PS/1/2019", DecisionDate: "2019-03-01", ValidUntil: "2022-03-01"}
	l, err := db.CreateListing(owner, d)
	if err != nil {
		t.Fatalf("a past date stops nothing: %v", err)
	}
	got := map[string]string{}
	for _, w := range l.Warnings {
		got[w.Field] = w.Code
	}
	if len(got) != 2 || got["certificates[1].valid_until"] != "date.past" || got["social_enterprise.valid_until"] != "date.past" {
		t.Fatalf("warnings %+v", l.Warnings)
	}
	now := time.Now()
	if v := l.ValidCertificates(now); len(v) != 1 || v[0].Kind != "zakup_prospoleczny" {
		t.Fatalf("valid certificates %+v", v)
	}
	if all := l.CertificatesAsOf(now); len(all) != 2 || all[0].Expired || !all[1].Expired {
		t.Fatalf("certificates as of now %+v", all)
	}
}

func certificateMail(e store.CertificateExpiry) store.Mail {
	return store.Mail{Subject: e.Lang + ": " + e.Kind + " wygasa " + e.ValidUntil, Body: e.TenantSlug + "/" + e.ListingID}
}

// Two workers side by side mail each lapsing certificate's owner once.
func TestCertificateLapseMailGoesOutOnceWithTwoWorkers(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	raw := superuser(t, db)
	mod := staffCtx(t, db, "slaskie", tenants.RoleModerator)
	modM := staffCtx(t, db, "malopolskie", tenants.RoleModerator)
	day := func(days int) string { return time.Now().AddDate(0, 0, days).Format("2006-01-02") }
	withCert := func(slug, name, until string, m context.Context) (string, string) {
		id, email, owner := ownedListing(t, db, slug, name, nil)
		cur, err := db.FindListingByID(owner, id)
		if err != nil {
			t.Fatal(err)
		}
		cur.Certificates = []store.Certificate{{Kind: "zakup_prospoleczny", Issuer: "ROPS", ValidUntil: until}}
		if _, err := db.UpdateListing(owner, id, store.ListingUpdate{Data: cur.ListingData, Fields: []string{"certificates"}}); err != nil {
			t.Fatal(err)
		}
		if m != nil {
			if _, err := db.SubmitListing(owner, id); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Moderate(m, id, store.ActionApprove, ""); err != nil {
				t.Fatal(err)
			}
		}
		return id, email
	}
	var due []string
	for i := 0; i < 6; i++ {
		slug, m := "slaskie", mod
		if i%3 == 2 {
			slug, m = "malopolskie", modM
		}
		_, email := withCert(slug, fmt.Sprintf("Certyfikowany %d", i), day(5+i*4), m)
		due = append(due, email)
	}
	_, later := withCert("slaskie", "Ważny długo", day(90), mod)
	_, lapsed := withCert("slaskie", "Już wygasły", day(-3), mod)
	_, draft := withCert("slaskie", "Szkic z certyfikatem", day(10), nil)

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.RunCertificateReminders(ctx, store.CertificateRemindersConfig{Every: 5 * time.Millisecond, Batch: 2,
				Compose: certificateMail, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				t.Errorf("certificate reminders: %v", err)
			}
		}()
	}
	// Until every due owner has a mail (or 20 s: a loaded machine is slow);
	// a second mail to anyone would still be counted below.
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		mailed := 0
		for _, email := range due {
			mailed += min(mailCount(t, raw, email), 1)
		}
		if mailed == len(due) {
			break
		}
	}
	time.Sleep(100 * time.Millisecond) // a few more rounds, to catch a second mail
	cancel()
	wg.Wait()
	for i, email := range due {
		if n := mailCount(t, raw, email); n != 1 {
			t.Errorf("owner %d got %d certificate mails, want 1", i, n)
		}
	}
	for what, email := range map[string]string{"later": later, "lapsed": lapsed, "draft": draft} {
		if n := mailCount(t, raw, email); n != 0 {
			t.Errorf("the %s listing's owner got %d mails", what, n)
		}
	}
	if n, err := db.RemindExpiringCertificates(tenants.WithAllTenants(context.Background()), 100, certificateMail); err != nil || n != 0 {
		t.Fatalf("another round mailed %d (%v)", n, err)
	}
}
