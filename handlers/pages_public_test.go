package handlers_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"katalogpes/handlers/view"
	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// pagesFixture is a region with a published listing, a listing waiting
// for review, its owner and the region's staff.
type pagesFixture struct {
	s                       *testServer
	owner, moderator, admin string
	published, pending      string
	ownerP, modP            tenants.Principal
}

func newPagesFixture(t *testing.T) *pagesFixture {
	s := newTestServer(t)
	f := &pagesFixture{s: s}
	f.owner, f.ownerP = s.account("slaskie", tenants.RoleEnterprise)
	f.moderator, f.modP = s.account("slaskie", tenants.RoleModerator)
	f.admin, _ = s.account("slaskie", tenants.RoleAdmin)
	tn := storetest.Tenants(t, s.db)["slaskie"]
	owner := tenants.WithPrincipal(tenants.NewContext(context.Background(), tn), f.ownerP)
	mod := tenants.WithPrincipal(tenants.NewContext(context.Background(), tn), f.modP)
	published := pageListing("Spółdzielnia Socjalna Zielony Śląsk", "5260250274")
	published.Employment = &store.Employment{Total: 10, AtRisk: 4, AsOf: time.Now().AddDate(0, -2, 0).Format("2006-01-02")}
	f.published = f.create(owner, published)
	if _, err := s.db.SubmitListing(owner, f.published); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Moderate(mod, f.published, store.ActionApprove, ""); err != nil {
		t.Fatal(err)
	}
	f.pending = f.create(owner, pageListing("Fundacja Łączy Nas", "1234563218"))
	if _, err := s.db.SubmitListing(owner, f.pending); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *pagesFixture) create(ctx context.Context, d store.ListingData) string {
	f.s.t.Helper()
	l, err := f.s.db.CreateListing(ctx, d)
	if err != nil {
		f.s.t.Fatal(err)
	}
	return l.ID
}

// Inline scripts, styles and event handlers would break under the CSP.
var inlineRe = regexp.MustCompile(`(?i)<script(?:\s+type="application/ld\+json")?>[^<]|\sstyle="|\son[a-z]+="`)

// An untranslated key renders as itself.
var keyRe = regexp.MustCompile(`\bui\.[a-z_]+\.[a-z_.]+`)

func checkPage(t *testing.T, path, lang string, p htmlPage) {
	t.Helper()
	if p.Status != 200 {
		t.Fatalf("%s (%s): status %d: %.2000s", path, lang, p.Status, p.Body)
	}
	if ct := p.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("%s: content type %q", path, ct)
	}
	if !strings.Contains(p.Body, `<html lang="`+lang+`">`) {
		t.Errorf("%s: no lang=%s on <html>", path, lang)
	}
	for _, landmark := range []string{"<header", "<nav", `<main id="main"`, "<footer", `href="#main"`} {
		if !strings.Contains(p.Body, landmark) {
			t.Errorf("%s: lacks %s", path, landmark)
		}
	}
	for _, m := range inlineRe.FindAllString(p.Body, -1) {
		if !strings.HasPrefix(strings.ToLower(m), `<script type="application/ld+json">`) {
			t.Errorf("%s: inline code or style the CSP refuses: %q", path, m)
		}
	}
	if m := keyRe.FindString(p.Body); m != "" {
		t.Errorf("%s (%s): untranslated message %q", path, lang, m)
	}
}

func TestEveryPageAnswersInPolishAndEnglish(t *testing.T) {
	f := newPagesFixture(t)
	anon := []string{
		"/", "/szukaj", "/szukaj?q=catering", "/deklaracja-dostepnosci",
		"/r/slaskie/", "/r/slaskie/szukaj", "/r/slaskie/szukaj?q=catering&legal_form=fundacja&sort=name",
		"/r/slaskie/szukaj?q=xyzzyqq", "/r/slaskie/podmiot/" + f.published,
		"/r/slaskie/rejestracja", "/r/slaskie/logowanie", "/r/slaskie/przypomnij-haslo",
		"/r/slaskie/nowe-haslo?token=abc", "/r/slaskie/deklaracja-dostepnosci",
	}
	owner := []string{"/r/slaskie/moje", "/r/slaskie/moje/nowy", "/r/slaskie/moje/" + f.published,
		"/r/slaskie/moje/" + f.pending, "/r/slaskie/moje/" + f.published + "/historia", "/r/slaskie/podmiot/" + f.pending}
	staff := []string{"/r/slaskie/moderacja", "/r/slaskie/podmiot/" + f.published, "/r/slaskie/moje/" + f.pending + "/historia",
		"/r/slaskie/admin/wyglad", "/r/slaskie/admin/synonimy"}
	for _, lang := range []string{"pl", "en"} {
		w := f.s.web()
		for _, path := range anon {
			checkPage(t, path, lang, w.get(withLang(path, lang)))
		}
		w.signIn("slaskie", f.owner)
		for _, path := range owner {
			checkPage(t, path, lang, w.get(withLang(path, lang)))
		}
		a := f.s.web()
		a.signIn("slaskie", f.admin)
		for _, path := range staff {
			checkPage(t, path, lang, a.get(withLang(path, lang)))
		}
	}
}

func withLang(path, lang string) string {
	if strings.Contains(path, "?") {
		return path + "&lang=" + lang
	}
	return path + "?lang=" + lang
}

func TestLanguageIsRememberedInACookie(t *testing.T) {
	s := newTestServer(t)
	w := s.web()
	w.get("/r/slaskie/?lang=en").expect(t, 200).contains(t, `<html lang="en">`, "Skip to content")
	w.get("/r/slaskie/szukaj").expect(t, 200).contains(t, `<html lang="en">`)
	w.get("/r/slaskie/?lang=pl").expect(t, 200).contains(t, `<html lang="pl">`, "Przejdź do treści")
}

func TestHubLinksEveryRegion(t *testing.T) {
	s := newTestServer(t)
	p := s.web().get("/").expect(t, 200)
	for _, slug := range []string{"dolnoslaskie", "kujawsko-pomorskie", "lubelskie", "lubuskie", "lodzkie", "malopolskie",
		"mazowieckie", "opolskie", "podkarpackie", "podlaskie", "pomorskie", "slaskie", "swietokrzyskie",
		"warminsko-mazurskie", "wielkopolskie", "zachodniopomorskie"} {
		p.contains(t, `href="/r/`+slug+`/"`)
	}
	p.contains(t, `action="/szukaj"`, `name="q"`)
}

func TestRegionHomeShowsItsCentreAndFigures(t *testing.T) {
	f := newPagesFixture(t)
	p := f.s.web().get("/r/slaskie/").expect(t, 200)
	p.contains(t, "Regionalny Ośrodek Polityki Społecznej", `action="/r/slaskie/szukaj"`, `name="q"`,
		`href="/r/slaskie/szukaj?category=catering"`, "Catering i gastronomia")
	// One published listing, one social enterprise.
	if !regexp.MustCompile(`Opublikowane podmioty: <strong>1</strong>`).MatchString(p.Body) {
		t.Fatalf("figures missing: %s", p.Body)
	}
}

func TestProfileShowsBadgesMapAndStructuredData(t *testing.T) {
	f := newPagesFixture(t)
	p := f.s.web().get("/r/slaskie/podmiot/"+f.published).expect(t, 200)
	p.contains(t, "Spółdzielnia Socjalna Zielony Śląsk", "Przedsiębiorstwo społeczne", "decyzja nr PS/1/2024 z 1 marca 2024",
		"Gotowy do zamówień zastrzeżonych", "podstawa: spółdzielnia socjalna, 40% zatrudnionych",
		"ważne do "+view.FormatDate("pl", store.FiguresLapseOn(time.Now().AddDate(0, -2, 0)).Format("2006-01-02")),
		"Preferencja PS (zamówienia do 130 tys. zł)", "decyzja nr PS/1/2024);", "Zakup Prospołeczny", "ważny do 31 grudnia 2099",
		"https://www.openstreetmap.org/?mlat=50.25990&amp;mlon=19.02160", "Dane potwierdzone", `href="/r/slaskie/podmiot/`+f.published+`/zglos"`,
		"Obiady dla szkół", "gmina Katowice")
	m := regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`).FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatal("no JSON-LD")
	}
	var ld map[string]any
	if err := json.Unmarshal([]byte(m[1]), &ld); err != nil {
		t.Fatalf("JSON-LD %q: %v", m[1], err)
	}
	if ld["@type"] != "Organization" || ld["name"] != "Spółdzielnia Socjalna Zielony Śląsk" || ld["taxID"] != "5260250274" {
		t.Fatalf("JSON-LD %v", ld)
	}
	// Not published: the public does not see it.
	f.s.web().get("/r/slaskie/podmiot/"+f.pending).expect(t, 404)
}

func TestARegionsOwnHostServesItsPages(t *testing.T) {
	s := newTestServer(t)
	w := s.web()
	onHost := func(path string) htmlPage {
		req := httptest.NewRequest("GET", path, nil)
		req.Host = "slaskie.katalog.test"
		return w.send(req)
	}
	p := onHost("/").expect(t, 200)
	p.contains(t, "Regionalny Ośrodek Polityki Społecznej Województwa Śląskiego", `action="/szukaj"`, `href="/rejestracja"`)
	onHost("/szukaj?q=catering").expect(t, 200).contains(t, "Wyszukiwarka podmiotów", `action="/szukaj"`)
	onHost("/logowanie").expect(t, 200).contains(t, `action="/logowanie"`)
}

func TestErrorsArePagesForPeople(t *testing.T) {
	s := newTestServer(t)
	w := s.web()
	p := w.get("/r/slaskie/podmiot/00000000-0000-0000-0000-000000000000").expect(t, 404)
	p.contains(t, `<html lang="pl">`, "Nie znaleziono", `<main id="main"`, "Wróć na stronę główną")
	w.get("/r/atlantyda/").expect(t, 404).contains(t, "Nie ma takiego regionu")
	w.get("/r/slaskie/nie-ma-takiej-strony?lang=en").expect(t, 404).contains(t, `<html lang="en">`, "Not Found")
	// The API keeps answering problems.
	r := s.do("GET", "/r/slaskie/api/v1/listings/00000000-0000-0000-0000-000000000000", nil).expect(t, 404)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("API error as %s", r.Header.Get("Content-Type"))
	}
}
