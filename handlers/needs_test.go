package handlers_test

import (
	"os"

	"github.com/meilisearch/meilisearch-go"

	"context"
	"katalogpes/search"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// cleaner publishes a cleaning cooperative owned by a new enterprise
// account (password goodPassword) and returns the listing and the e-mail.
func (s *testServer) cleaner(slug, name, nip, gmina string, total, atRisk int, area store.ServiceArea) (id, email string) {
	s.t.Helper()
	email, owner := s.account(slug, tenants.RoleEnterprise)
	_, mod := s.account(slug, tenants.RoleModerator)
	octx, mctx := storetest.Ctx(s.t, s.db, slug, owner), storetest.Ctx(s.t, s.db, slug, mod)
	l, err := s.db.CreateListing(octx, store.ListingData{Name: name, LegalForm: "spoldzielnia_socjalna", Kinds: []string{"spoldzielnia_socjalna"},
		NIP: nip, Description: "Sprzątanie biur, urzędów i klatek schodowych.", Categories: []string{"sprzatanie"}, ServiceArea: area,
		Address:    store.Address{Street: "ul. Długa 1", PostalCode: "40-001", City: "Katowice", GminaTERYT: gmina},
		Contact:    store.Contact{Email: "kontakt@example.org"},
		Employment: &store.Employment{Total: total, AtRisk: atRisk, AsOf: time.Now().AddDate(0, -1, 0).Format("2006-01-02")}})
	if err != nil {
		s.t.Fatalf("create %s: %v", name, err)
	}
	if _, err := s.db.SubmitListing(octx, l.ID); err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.db.Moderate(mctx, l.ID, store.ActionApprove, ""); err != nil {
		s.t.Fatal(err)
	}
	return l.ID, email
}

// buyerTokens registers a buyer through the API, verifies and signs in.
func (s *testServer) buyerTokens(slug, email string) tokens {
	s.t.Helper()
	s.do("POST", "/r/"+slug+"/api/v1/auth/register", map[string]any{"email": email, "password": goodPassword, "name": "Jan Zamawiający",
		"role": "buyer", "institution": map[string]string{"name": "Urząd Miasta Katowice", "nip": "5260250274", "teryt": "2469011"}}).expect(s.t, 201)
	s.do("POST", "/r/"+slug+"/api/v1/auth/verify", map[string]string{"token": s.mailToken(email)}).expect(s.t, 200)
	var tk tokens
	s.do("POST", "/r/"+slug+"/api/v1/auth/login", map[string]string{"email": email, "password": goodPassword}).expect(s.t, 200).json(s.t, &tk)
	return tk
}

func needBody(kind string) map[string]any {
	b := map[string]any{"title": "Sprzątanie urzędu miasta", "description": "Codzienne sprzątanie budynku urzędu.", "kind": kind,
		"categories": []string{"sprzatanie"}, "place_of_delivery": []string{"2469011"}, "deadline": time.Now().Add(10 * 24 * time.Hour).UTC().Format(time.RFC3339)}
	if kind == "zastrzezone_94" {
		b["min_at_risk"] = 40
	}
	return b
}

var clickRe = regexp.MustCompile(`Nie dotyczy nas: \S+token=([A-Za-z0-9_-]+)`)

func TestNeedsAPI(t *testing.T) {
	s := newTestServer(t)
	api := "/r/slaskie/api/v1"
	buyer := s.buyerTokens("slaskie", storetest.Unique("zamowienia@um.katowice.pl"))
	firm := s.buyerTokens("slaskie", storetest.Unique("biuro@firma.example.org"))

	bad := s.do("POST", api+"/needs", map[string]any{"title": "", "kind": "zastrzezone_94", "cpv": []string{"123"}, "place_of_delivery": []string{"2469011"},
		"deadline": "2001-01-01T00:00:00Z", "min_at_risk": 10}, bearer(buyer.AccessToken)).expect(t, 422).problem(t)
	fields := map[string]bool{}
	for _, e := range bad.Errors {
		fields[e.Field] = true
	}
	for _, f := range []string{"title", "description", "cpv[0]", "deadline", "min_at_risk"} {
		if !fields[f] {
			t.Errorf("no 422 for %s: %+v", f, bad.Errors)
		}
	}
	var draft store.Need
	s.do("POST", api+"/needs", needBody("zapytanie"), bearer(firm.AccessToken)).expect(t, 201).json(t, &draft)
	if draft.Status != "draft" || draft.MinAtRisk != nil {
		t.Fatalf("draft: %+v", draft)
	}
	s.do("POST", api+"/needs/"+draft.ID+"/submit", nil, bearer(firm.AccessToken)).expect(t, 403)
	s.do("GET", api+"/needs/"+draft.ID, nil).expect(t, 404)

	var n store.Need
	s.do("POST", api+"/needs", needBody("zastrzezone_94"), bearer(buyer.AccessToken)).expect(t, 201).json(t, &n)
	s.upload(api+"/needs/"+n.ID+"/attachments", "opis.pdf", []byte("GIF89a not a pdf"), bearer(buyer.AccessToken)).expect(t, 422)
	s.upload(api+"/needs/"+n.ID+"/attachments", "opis.pdf", []byte("%PDF-1.4\n%%EOF\n"), bearer(buyer.AccessToken)).expect(t, 201)
	s.do("POST", api+"/needs/"+n.ID+"/submit", nil, bearer(buyer.AccessToken)).expect(t, 200)
	mod := s.staff("slaskie", tenants.RoleModerator)
	s.do("POST", api+"/moderation/needs/"+n.ID+"/reject", map[string]string{}, bearer(mod.AccessToken)).expect(t, 422)
	s.do("POST", api+"/moderation/needs/"+n.ID+"/approve", nil, bearer(mod.AccessToken)).expect(t, 200)

	good, goodEmail := s.cleaner("slaskie", "Czyste Katowice", "1234563218", "2469011", 10, 4, store.ServiceArea{Scope: "gminas", TERYT: []string{"2469011"}})
	s.cleaner("slaskie", "Za mało zagrożonych", "7740001454", "2469011", 10, 3, store.ServiceArea{Scope: "gminas", TERYT: []string{"2469011"}})
	// Publishing queued the match; nothing was sent in the request.
	if got := len(s.mailsTo(goodEmail)); got != 0 {
		t.Fatalf("%d mails before the worker ran", got)
	}
	s.srv.NeedJobsOnce(context.Background())
	var matches []store.Match
	s.do("GET", api+"/needs/"+n.ID+"/matches", nil, bearer(buyer.AccessToken)).expect(t, 200).json(t, &matches)
	if len(matches) != 1 || matches[0].ListingID != good {
		t.Fatalf("matches: %+v", matches)
	}
	s.do("GET", api+"/needs/"+n.ID+"/matches", nil, bearer(firm.AccessToken)).expect(t, 403)
	token := s.mailMatch(goodEmail, clickRe)
	s.do("POST", api+"/needs/click", map[string]string{"token": token, "reason": "Nie mamy ludzi"}).expect(t, 200)
	s.do("POST", api+"/needs/click", map[string]string{"token": token}).expect(t, 422)
	s.do("POST", api+"/needs/click", map[string]string{"token": strings.ToUpper(token)}).expect(t, 422)

	// The region's needs index: only the open need is found, never the
	// draft, a pending or a withdrawn one.
	var pending, withdrawn store.Need
	s.do("POST", api+"/needs", needBody("zapytanie"), bearer(buyer.AccessToken)).expect(t, 201).json(t, &pending)
	s.do("POST", api+"/needs/"+pending.ID+"/submit", nil, bearer(buyer.AccessToken)).expect(t, 200)
	s.do("POST", api+"/needs", needBody("zapytanie"), bearer(buyer.AccessToken)).expect(t, 201).json(t, &withdrawn)
	s.do("POST", api+"/needs/"+withdrawn.ID+"/submit", nil, bearer(buyer.AccessToken)).expect(t, 200)
	s.do("POST", api+"/moderation/needs/"+withdrawn.ID+"/approve", nil, bearer(mod.AccessToken)).expect(t, 200)
	s.do("POST", api+"/needs/"+withdrawn.ID+"/withdraw", nil, bearer(buyer.AccessToken)).expect(t, 200)
	ctx := tenants.WithAllTenants(context.Background())
	if err := s.svc.DrainNeedIndex(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c := meilisearch.New(os.Getenv("MEILI_URL"), meilisearch.WithAPIKey(os.Getenv("MEILI_MASTER_KEY")))
		_, _ = c.DeleteIndex(s.svc.IndexFor(search.NeedsIndex, "slaskie"))
	})
	var list struct {
		Hits     []store.Need `json:"hits"`
		Total    int          `json:"total"`
		Degraded bool         `json:"degraded"`
	}
	s.do("GET", api+"/needs?q=sprzatanie", nil).expect(t, 200).json(t, &list)
	if list.Degraded || list.Total != 1 || list.Hits[0].ID != n.ID {
		t.Fatalf("public search: %+v", list)
	}
	s.do("GET", "/api/v1/needs?"+url.Values{"kind": {"zastrzezone_94"}}.Encode(), nil).expect(t, 200).json(t, &list)
	if list.Total != 1 {
		t.Fatalf("national list: %+v", list)
	}
	s.do("POST", api+"/needs/"+n.ID+"/close", map[string]any{"outcome": "awarded", "awarded_to": []string{good}, "value_pln": 1000}, bearer(buyer.AccessToken)).expect(t, 422)
	s.do("POST", api+"/needs/"+n.ID+"/close", map[string]any{"outcome": "not_awarded"}, bearer(buyer.AccessToken)).expect(t, 200)
	s.do("GET", "/r/slaskie/zapytania?status=closed", nil).expect(t, 200)
	s.do("GET", "/r/slaskie/zapytania", nil).expect(t, 200)
	s.do("GET", "/zapytania", nil).expect(t, 200)
	s.do("GET", "/r/slaskie/zapytania.atom", nil).expect(t, 200)
	var st store.NeedStats
	s.do("GET", api+"/stats/needs", nil).expect(t, 200).json(t, &st)
	if st.Posted != 1 || st.ByKind["zastrzezone_94"].Posted != 1 || st.Awarded != 0 {
		t.Fatalf("figures: %+v", st)
	}
}

// A buyer whose domain is not on the region's list waits for a
// moderator: the region's staff hear of it at once, each in their
// language, with the page where they confirm buyers; a buyer confirmed by
// its domain gives them no such mail.
func TestNeedWaitingBuyerMailsStaff(t *testing.T) {
	s := newTestServer(t)
	ctx := storetest.Ctx(t, s.db, "slaskie", tenants.Principal{})
	staff := map[string]string{}
	for role, lang := range map[tenants.Role]string{tenants.RoleModerator: "en", tenants.RoleAdmin: "pl"} {
		email := storetest.Unique(string(role) + "@rops.example.org")
		if _, err := s.db.CreateAccount(ctx, store.NewAccount{Email: email, Name: "Ewa", Password: goodPassword, Role: role, Active: true, Lang: lang}); err != nil {
			t.Fatal(err)
		}
		staff[lang] = email
	}
	register := func(email, institution string) {
		s.do("POST", "/r/slaskie/api/v1/auth/register", map[string]any{"email": email, "password": goodPassword, "name": "Jan Zamawiający",
			"role": "buyer", "institution": map[string]string{"name": institution, "nip": "5260250274", "teryt": "2469011"}}).expect(t, 201)
	}
	register(storetest.Unique("zamowienia@um.katowice.pl"), "Urząd Miasta Katowice")
	register(storetest.Unique("przetargi@firma.example.org"), "Firma Budowlana Kowalski")
	link := "http://localhost:8080/r/slaskie/moderacja/zapytania#buyers-h"
	for lang, email := range staff {
		mails := s.mailsTo(email)
		if len(mails) != 1 {
			t.Fatalf("%s staff got %d mails, want 1 (the waiting buyer's only): %+v", lang, len(mails), mails)
		}
		m := mails[0]
		want := map[string]string{"en": "A buyer waits for confirmation", "pl": "Zamawiający czeka na potwierdzenie"}[lang]
		if !strings.Contains(m.Subject, want) || !strings.Contains(m.Subject, "Firma Budowlana Kowalski") || !strings.Contains(m.Body, link) {
			t.Errorf("%s staff mail: %q\n%s", lang, m.Subject, m.Body)
		}
	}
}
