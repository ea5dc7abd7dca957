package store_test

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"
	"time"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// needFixture is a database with TERYT, a confirmed buyer in śląskie and
// a publisher of listings.
type needFixture struct {
	t     *testing.T
	db    *storetest.DB
	pub   *storetest.Publisher
	buyer context.Context
	all   context.Context
}

func newNeedFixture(t *testing.T) *needFixture {
	t.Helper()
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	f := &needFixture{t: t, db: db, pub: storetest.NewPublisher(t, db), all: tenants.WithAllTenants(context.Background())}
	f.buyer = f.newBuyer("slaskie", storetest.Unique("zamowienia@um.katowice.pl"))
	return f
}

// newBuyer registers a buyer of a region and returns its context.
func (f *needFixture) newBuyer(slug, email string) context.Context {
	f.t.Helper()
	ctx := storetest.Ctx(f.t, f.db, slug, tenants.Principal{})
	a, err := f.db.RegisterBuyer(ctx, store.NewAccount{Email: email, Name: "Jan Zamawiający", Password: "correct horse battery staple"},
		store.Institution{Name: "Urząd Miasta Katowice", NIP: "5260250274", TERYT: "2469011"}, func(string) store.Mail { return store.Mail{To: email, Subject: "v", Body: "v"} })
	if err != nil {
		f.t.Fatalf("register buyer %s: %v", email, err)
	}
	return storetest.Ctx(f.t, f.db, slug, tenants.Principal{AccountID: a.ID, Name: a.Name, Role: tenants.RoleBuyer})
}

// cleaner publishes a cleaning cooperative of a region with an at-risk
// share and a service area.
func (f *needFixture) cleaner(slug, name, nip, gmina string, total, atRisk int, area store.ServiceArea) string {
	f.t.Helper()
	return f.pub.Publish(slug, store.ListingData{
		Name: name, LegalForm: "spoldzielnia_socjalna", Kinds: []string{"spoldzielnia_socjalna"}, NIP: nip,
		Categories: []string{"sprzatanie"}, ServiceArea: area,
		Address:    store.Address{Street: "ul. Długa 1", PostalCode: "40-001", City: "X", GminaTERYT: gmina},
		Employment: &store.Employment{Total: total, AtRisk: atRisk, AsOf: time.Now().AddDate(0, -1, 0).Format("2006-01-02")},
	})
}

func (f *needFixture) need(kind string, minShare *int, other bool) *store.Need {
	f.t.Helper()
	n, err := f.db.CreateNeed(f.buyer, store.NeedInput{Title: storetest.Unique("Sprzątanie urzędu @"), Description: "Sprzątanie budynków urzędu miasta.",
		Kind: kind, Categories: []string{"sprzatanie"}, PlaceOfDelivery: []string{"2469011"}, Deadline: time.Now().Add(14 * 24 * time.Hour),
		MinAtRisk: minShare, IncludeOtherRegions: other})
	if err != nil {
		f.t.Fatalf("create need: %v", err)
	}
	return n
}

// publish submits and approves a need.
func (f *needFixture) publish(n *store.Need) {
	f.t.Helper()
	if _, err := f.db.SubmitNeed(f.buyer, n.ID); err != nil {
		f.t.Fatalf("submit: %v", err)
	}
	_, mod := f.pub.Ctxs("slaskie")
	modCtx := tenants.WithPrincipal(mod, tenants.Principal{AccountID: tenants.PrincipalFrom(mod).AccountID, Role: tenants.RoleModerator})
	if _, err := f.db.ModerateNeed(modCtx, n.ID, true, "", func(store.NeedDecision) store.Mail { return store.Mail{Subject: "ok", Body: "ok"} }); err != nil {
		f.t.Fatalf("approve: %v", err)
	}
}

func noticeMail(n store.NeedNotice) store.NoticeMail {
	return store.NoticeMail{Mail: store.Mail{Subject: "Zapytanie " + n.Need.Title, Body: "tak " + n.InterestedToken + " nie " + n.DeclineToken}, Link: "/x"}
}

// matched drains the queue and returns the listing ids a need reached.
func (f *needFixture) matched(needID string) map[string]bool {
	f.t.Helper()
	for {
		_, err := f.db.MatchNextNeed(f.all, noticeMail)
		if errors.Is(err, store.ErrNotFound) {
			break
		}
		if err != nil {
			f.t.Fatalf("match: %v", err)
		}
	}
	list, err := f.db.FindNeedMatches(f.buyer, needID)
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string]bool{}
	for _, m := range list {
		out[m.ListingID] = true
	}
	return out
}

func TestNeedUnconfirmedBuyerCannotPublish(t *testing.T) {
	f := newNeedFixture(t)
	other := f.newBuyer("slaskie", storetest.Unique("biuro@firma-sprzatajaca.example.org"))
	n, err := f.db.CreateNeed(other, store.NeedInput{Title: "Sprzątanie", Description: "Opis", Kind: "zapytanie",
		Categories: []string{"sprzatanie"}, PlaceOfDelivery: []string{"2469"}, Deadline: time.Now().Add(48 * time.Hour)})
	if err != nil {
		t.Fatalf("an unconfirmed buyer drafts: %v", err)
	}
	if _, err := f.db.SubmitNeed(other, n.ID); store.ErrorCode(err) != store.EForbidden {
		t.Fatalf("unconfirmed submit: %v, want forbidden", err)
	}
	b, err := f.db.FindOwnBuyer(f.buyer)
	if err != nil || !b.Confirmed() || *b.ConfirmedHow != "domain" {
		t.Fatalf("um.katowice.pl is confirmed by its domain: %+v %v", b, err)
	}
}

func TestNeedValidation(t *testing.T) {
	f := newNeedFixture(t)
	low := 20
	_, err := f.db.CreateNeed(f.buyer, store.NeedInput{Title: "", Kind: "zastrzezone_94", CPV: []string{"9091", "90910000-9"},
		PlaceOfDelivery: []string{"9999999"}, Deadline: time.Now().Add(-time.Hour), MinAtRisk: &low, ValueBand: "huge"})
	var se *store.Error
	if !errors.As(err, &se) || se.Code != store.EInvalid {
		t.Fatalf("want 422, got %v", err)
	}
	want := map[string]bool{"title": true, "description": true, "cpv[0]": true, "place_of_delivery[0]": true, "deadline": true, "min_at_risk": true, "value_band": true}
	for _, fe := range se.Fields {
		delete(want, fe.Field)
	}
	if len(want) > 0 {
		t.Errorf("fields not reported: %v (got %+v)", want, se.Fields)
	}
	// A CPV code of a mapped division (90: cleaning) selects its category.
	n, err := f.db.CreateNeed(f.buyer, store.NeedInput{Title: "Sprzątanie", Description: "Opis", Kind: "zapytanie", CPV: []string{"90910000-9"},
		PlaceOfDelivery: []string{"2469011"}, Deadline: time.Now().Add(48 * time.Hour)})
	if err != nil || len(n.Categories) != 1 || n.Categories[0] != "sprzatanie" {
		t.Fatalf("cpv → category: %+v %v", n, err)
	}
}

func TestNeedAttachmentMustBePDF(t *testing.T) {
	f := newNeedFixture(t)
	n := f.need("zapytanie", nil, false)
	if _, err := f.db.AddNeedFile(f.buyer, n.ID, "opis.pdf", []byte("<html>not a pdf</html>")); store.ErrorCode(err) != store.EInvalid {
		t.Fatalf("html as pdf: %v", err)
	}
	if _, err := f.db.AddNeedFile(f.buyer, n.ID, "big.pdf", append([]byte("%PDF-1.4\n"), make([]byte, store.MaxNeedFileSize)...)); store.ErrorCode(err) != store.EInvalid {
		t.Fatalf("11 MB pdf: %v", err)
	}
	for i := 0; i < store.MaxNeedFiles; i++ {
		if _, err := f.db.AddNeedFile(f.buyer, n.ID, "opis.pdf", []byte("%PDF-1.4\n%%EOF")); err != nil {
			t.Fatalf("pdf %d: %v", i, err)
		}
	}
	if _, err := f.db.AddNeedFile(f.buyer, n.ID, "four.pdf", []byte("%PDF-1.4\n%%EOF")); store.ErrorCode(err) != store.EInvalid {
		t.Fatalf("a fourth file: %v", err)
	}
}

func TestNeedMatchingRules(t *testing.T) {
	f := newNeedFixture(t)
	serveKatowice := store.ServiceArea{Scope: "gminas", TERYT: []string{"2469011"}}
	good := f.cleaner("slaskie", "Czysty Śląsk", "1234563218", "2469011", 10, 5, serveKatowice)
	low := f.cleaner("slaskie", "Za mało", "5260250274", "2469011", 10, 3, serveKatowice)
	far := f.cleaner("slaskie", "Daleko", "7740001454", "2466011", 10, 5, store.ServiceArea{Scope: "gminas", TERYT: []string{"2466011"}})
	krakowServes := f.cleaner("malopolskie", "Kraków dla Katowic", "1132191233", "1261011", 10, 5, store.ServiceArea{Scope: "voivodeships", TERYT: []string{"24"}})
	krakowOnly := f.cleaner("malopolskie", "Tylko Kraków", "5213017228", "1261011", 10, 5, store.ServiceArea{Scope: "gminas", TERYT: []string{"1261011"}})

	share := 40
	n := f.need("zastrzezone_94", &share, false)
	f.publish(n)
	got := f.matched(n.ID)
	if !got[good] || got[low] || got[far] || got[krakowServes] || got[krakowOnly] || len(got) != 1 {
		t.Fatalf("region only, 40%% share: %v (want only %s)", got, good)
	}
	other := f.need("zastrzezone_94", &share, true)
	f.publish(other)
	got = f.matched(other.ID)
	if !got[good] || !got[krakowServes] || got[krakowOnly] || got[low] || len(got) != 2 {
		t.Fatalf("with other regions: %v (good %s, krakowServes %s)", got, good, krakowServes)
	}
}

func TestNeedWeeklyCapAndTwoWorkers(t *testing.T) {
	f := newNeedFixture(t)
	id := f.cleaner("slaskie", "Czysty Śląsk", "1234563218", "2469011", 10, 5, store.ServiceArea{Scope: "country"})
	var needs []*store.Need
	for i := 0; i < 7; i++ {
		n := f.need("zapytanie", nil, false)
		f.publish(n)
		needs = append(needs, n)
	}
	// Several workers at once: SKIP LOCKED hands each need to one.
	var wg sync.WaitGroup
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if _, err := f.db.MatchNextNeed(f.all, noticeMail); err != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	reached := 0
	for _, n := range needs {
		if f.matched(n.ID)[id] {
			reached++
		}
	}
	if reached != 5 {
		t.Fatalf("the entity heard of %d needs this week, want the cap of 5", reached)
	}
	raw, err := sql.Open("postgres", f.db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var mails, distinct int
	if err := raw.QueryRow(`SELECT count(*), count(DISTINCT subject) FROM mail_outbox WHERE subject LIKE 'Zapytanie %'`).Scan(&mails, &distinct); err != nil {
		t.Fatal(err)
	}
	if mails != 5 {
		t.Fatalf("%d mails to the entity, want 5 (one per need, never twice)", mails)
	}
}

func TestNeedOneClickLinks(t *testing.T) {
	f := newNeedFixture(t)
	id := f.cleaner("slaskie", "Czysty Śląsk", "1234563218", "2469011", 10, 5, store.ServiceArea{Scope: "country"})
	n := f.need("zapytanie", nil, false)
	f.publish(n)
	var decline, interested string
	compose := func(x store.NeedNotice) store.NoticeMail {
		decline, interested = x.DeclineToken, x.InterestedToken
		return noticeMail(x)
	}
	if _, err := f.db.MatchNextNeed(f.all, compose); err != nil {
		t.Fatal(err)
	}
	region := storetest.Ctx(t, f.db, "slaskie", tenants.Principal{})
	if _, err := f.db.UseNeedClick(region, decline[:len(decline)-1]+"x", ""); store.ErrorCode(err) != store.EInvalid {
		t.Fatalf("an altered token: %v", err)
	}
	other := storetest.Ctx(t, f.db, "malopolskie", tenants.Principal{})
	if _, err := f.db.UseNeedClick(other, decline, ""); store.ErrorCode(err) != store.EInvalid {
		t.Fatalf("a token on another region: %v", err)
	}
	r, err := f.db.UseNeedClick(region, decline, "Nie sprzątamy urzędów")
	if err != nil || r.ListingID != id || r.NeedID != n.ID {
		t.Fatalf("decline: %+v %v", r, err)
	}
	if _, err := f.db.UseNeedClick(region, decline, ""); store.ErrorCode(err) != store.EInvalid {
		t.Fatalf("a reused token: %v", err)
	}
	raw, err := sql.Open("postgres", f.db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE need_click_tokens SET expires_at = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.UseNeedClick(region, interested, ""); store.ErrorCode(err) != store.EInvalid {
		t.Fatalf("an expired token: %v", err)
	}
	ms, _ := f.db.FindNeedMatches(f.buyer, n.ID)
	if len(ms) != 1 || ms[0].DeclinedAt == nil || ms[0].DeclineReason != "Nie sprzątamy urzędów" {
		t.Fatalf("tracking after decline: %+v", ms)
	}
}

func TestNeedSearchShowsOnlyPublic(t *testing.T) {
	f := newNeedFixture(t)
	draft := f.need("zapytanie", nil, false)
	pending := f.need("zapytanie", nil, false)
	if _, err := f.db.SubmitNeed(f.buyer, pending.ID); err != nil {
		t.Fatal(err)
	}
	withdrawn := f.need("zapytanie", nil, false)
	f.publish(withdrawn)
	if _, err := f.db.WithdrawNeed(f.buyer, withdrawn.ID); err != nil {
		t.Fatal(err)
	}
	open := f.need("zapytanie", nil, false)
	f.publish(open)
	region := storetest.Ctx(t, f.db, "slaskie", tenants.Principal{})
	for _, ctx := range []context.Context{region, f.all} {
		list, total, err := f.db.FindPublicNeeds(ctx, store.NeedFilter{})
		if err != nil || total != 1 || list[0].ID != open.ID {
			t.Fatalf("public needs: %d %v (draft %s)", total, err, draft.ID)
		}
	}
	if _, err := f.db.FindNeed(region, draft.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the public reads a draft: %v", err)
	}
}
