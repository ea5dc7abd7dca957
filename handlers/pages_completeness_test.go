package handlers_test

import (
	"strings"
	"testing"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

func TestTheDeskAndTheFormSayWhatWouldRaiseCompleteness(t *testing.T) {
	s := newTestServer(t)
	email, principal := s.account("slaskie", tenants.RoleEnterprise)
	ctx := storetest.Ctx(t, s.db, "slaskie", principal)
	d := pageListing("Spółdzielnia Socjalna Pełna Para", "5260250274")
	d.Contact.Website = ""
	l, err := s.db.CreateListing(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	w := s.web()
	w.signIn("slaskie", email)
	// The listing lacks the logo, the employment figures and the website.
	desk := w.get("/r/slaskie/moje").expect(t, 200)
	desk.contains(t, "Co podniesie kompletność wpisu:",
		`<a href="/r/slaskie/moje/`+l.ID+`#f-employment-total">Podaj dane o zatrudnieniu</a>: +10`,
		`<a href="/r/slaskie/moje/`+l.ID+`#f-contact-website">Dodaj stronę internetową</a>: +5`,
		"<li>Dodaj logo: +5</li>")
	if strings.Contains(desk.Body, "Dodaj opis") {
		t.Fatal("the description is there, yet hinted")
	}
	form := w.get("/r/slaskie/moje/"+l.ID).expect(t, 200)
	form.contains(t, `<a href="#f-employment-total">Podaj dane o zatrudnieniu</a>: +10`, `id="f-employment-total"`, `id="f-contact-website"`)
	w.get("/r/slaskie/moje/"+l.ID+"?lang=en").expect(t, 200).contains(t, `Give the employment figures</a>: +10`)

	// Filled, the hint goes.
	d.Employment = &store.Employment{Total: 5, AtRisk: 2, AsOf: "2025-01-01"}
	if _, err := s.db.UpdateListing(ctx, l.ID, store.ListingChanges(l.ListingData, d)); err != nil {
		t.Fatal(err)
	}
	desk = w.get("/r/slaskie/moje").expect(t, 200)
	if strings.Contains(desk.Body, "f-employment-total") || !strings.Contains(desk.Body, "f-contact-website") {
		t.Fatalf("after filling the employment: %s", desk.Body)
	}
}
