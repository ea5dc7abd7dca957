package handlers_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"katalogpes/handlers"
	"katalogpes/tenants"
)

// With Meilisearch down, PostgreSQL answers: the page says so and still
// has its facets, counts, sorting and pages.
func TestSearchPageWithFacetsPagesAndTheDegradedNotice(t *testing.T) {
	s := newTestServerWithMeili(t, "http://127.0.0.1:1", handlers.Config{Development: true, BaseURL: "http://localhost:8080"})
	_, owner := s.account("slaskie", tenants.RoleEnterprise)
	_, mod := s.account("slaskie", tenants.RoleModerator)
	nips := []string{"5260250274", "1234563218", "7010035015", "5213017228", "9540000008", "6770001116"}
	for i := 0; i < 22; i++ {
		d := pageListing(fmt.Sprintf("Catering Śląski nr %02d", i), "")
		if i < len(nips) {
			d.NIP = nips[i]
		}
		if i%2 == 1 {
			d.LegalForm, d.Kinds = "fundacja", []string{"ngo_odplatna"}
		}
		publishAs(t, s, owner, mod, d)
	}
	w := s.web()
	p := w.get("/r/slaskie/szukaj?q=catering").expect(t, 200)
	p.contains(t, "Znaleziono 22 podmioty", "trybie awaryjnym", `id="facet-legal_form-fundacja"`, "fundacja <span class=\"count\">(11)</span>",
		`aria-label="Strony wyników"`, `href="/r/slaskie/szukaj?page=2&amp;q=catering"`, "Następna strona")
	p = w.get("/r/slaskie/szukaj?q=catering&legal_form=fundacja&sort=name").expect(t, 200)
	p.contains(t, "Znaleziono 11 podmiotów", `value="fundacja" checked`, `<option value="name" selected>`, "Wyczyść filtry")
	if strings.Contains(p.Body, "Śląski nr 00") {
		t.Fatal("a filtered-out listing is shown")
	}
	if i, j := strings.Index(p.Body, "Śląski nr 01"), strings.Index(p.Body, "Śląski nr 03"); i < 0 || j < i {
		t.Fatal("not sorted by name")
	}
	// Nothing found: a page that helps.
	p = w.get("/r/slaskie/szukaj?q="+url.QueryEscape("żółw morski")).expect(t, 200)
	p.contains(t, "Znaleziono 0 podmiotów", "Nie znaleźliśmy podmiotów dla zapytania „żółw morski”", "Sprawdź pisownię",
		`href="/szukaj?q=%c5%bc%c3%b3%c5%82w%20morski"`, "Przeglądaj kategorie")
	// A bad parameter is explained, not a crash.
	w.get("/r/slaskie/szukaj?page=zero").expect(t, 422).contains(t, `role="alert"`)
	// In English too.
	w.get("/r/slaskie/szukaj?q=catering&lang=en").expect(t, 200).contains(t, "22 entities found", "fallback mode")
}
