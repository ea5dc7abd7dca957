package handlers_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// lookupAnswer is GET …/lookup's answer.
type lookupAnswer struct {
	Found   bool `json:"found"`
	Listing *struct {
		ID           string   `json:"id"`
		Tenant       string   `json:"tenant"`
		Name         string   `json:"name"`
		StatusBadges []string `json:"status_badges"`
	} `json:"listing"`
}

// withRegisters adds a published listing with a REGON and a KRS number
// (and no NIP) to the fixture, and a draft with a NIP of its own.
func (f *pagesFixture) withRegisters(t *testing.T) (published, draft string) {
	d := pageListing("Fundacja Rejestrowa", "")
	d.REGON, d.KRS = "891129301", "4567"
	published = publishAs(t, f.s, f.ownerP, f.modP, d)
	owner := tenants.WithPrincipal(tenants.NewContext(context.Background(), storetest.Tenants(t, f.s.db)["slaskie"]), f.ownerP)
	draft = f.create(owner, pageListing("Szkic Bez Publikacji", "7740001454"))
	return published, draft
}

func TestLookupFindsPublishedListingsByEachIdentifier(t *testing.T) {
	f := newPagesFixture(t)
	withIDs, _ := f.withRegisters(t)
	for _, c := range []struct {
		path, id string
	}{
		{"/r/slaskie/api/v1/lookup?nip=526-025-02-74", f.published},
		{"/api/v1/lookup?nip=PL5260250274", f.published},
		{"/r/slaskie/api/v1/lookup?regon=891129301", withIDs},
		{"/api/v1/lookup?regon=891129301", withIDs},
		{"/r/slaskie/api/v1/lookup?krs=4567", withIDs},
		{"/api/v1/lookup?krs=0000004567", withIDs},
	} {
		var ans lookupAnswer
		f.s.do("GET", c.path, nil).expect(t, 200).json(t, &ans)
		if !ans.Found || ans.Listing == nil || ans.Listing.ID != c.id || ans.Listing.Tenant != "slaskie" {
			t.Fatalf("%s: %+v", c.path, ans)
		}
	}
	var ans lookupAnswer
	f.s.do("GET", "/api/v1/lookup?nip=5260250274", nil).expect(t, 200).json(t, &ans)
	if b := strings.Join(ans.Listing.StatusBadges, ","); b != "social_enterprise,reserved_contracts,ps_preference,zakup_prospoleczny" {
		t.Fatalf("badges %s", b)
	}
	// Another region, an unknown number, a pending listing and a draft: not found.
	for _, path := range []string{"/r/malopolskie/api/v1/lookup?nip=5260250274", "/api/v1/lookup?krs=999",
		"/api/v1/lookup?nip=1234563218", "/r/slaskie/api/v1/lookup?nip=7740001454"} {
		body := string(f.s.do("GET", path, nil).expect(t, 200).Body)
		if strings.TrimSpace(body) != `{"found":false}` {
			t.Fatalf("%s: %s", path, body)
		}
	}
}

func TestLookupRefusesAMalformedIdentifierAtItsField(t *testing.T) {
	s := newTestServer(t)
	for _, c := range []struct {
		path, lang, field, code, message string
	}{
		{"/api/v1/lookup?nip=1234567890", "pl", "nip", "nip.checksum", "cyfrę kontrolną"},
		{"/r/slaskie/api/v1/lookup?nip=1234567890", "en", "nip", "nip.checksum", "check digit"},
		{"/api/v1/lookup?regon=12", "pl", "regon", "regon.format", "9 lub 14"},
		{"/api/v1/lookup", "en", "nip", "lookup.one_identifier", "exactly one"},
		{"/api/v1/lookup?nip=5260250274&krs=1", "pl", "krs", "lookup.one_identifier", "dokładnie jeden"},
	} {
		p := s.do("GET", c.path, nil, header("Accept-Language", c.lang)).expect(t, 422).problem(t)
		if len(p.Errors) != 1 || p.Errors[0].Field != c.field || p.Errors[0].Code != c.code || !strings.Contains(p.Errors[0].Message, c.message) {
			t.Fatalf("%s (%s): %+v", c.path, c.lang, p)
		}
	}
}

func TestLookupPageAnswersWithoutJavaScript(t *testing.T) {
	f := newPagesFixture(t)
	w := f.s.web()
	for _, path := range []string{"/", "/r/slaskie/", "/r/slaskie/szukaj", "/szukaj"} {
		want := "/sprawdz"
		if strings.HasPrefix(path, "/r/") {
			want = "/r/slaskie/sprawdz"
		}
		w.get(path).expect(t, 200).contains(t, `href="`+want+`"`)
	}
	form := w.get("/sprawdz").expect(t, 200)
	checkPage(t, "/sprawdz", "pl", form)
	form.contains(t, `action="/sprawdz"`, `name="kind" value="nip" checked`, `name="value"`)
	// The hub names the region and the badges, and links to the profile.
	q := url.Values{"kind": {"nip"}, "value": {"526 025 02 74"}}
	p := w.get("/sprawdz?" + q.Encode())
	checkPage(t, "/sprawdz", "pl", p)
	p.contains(t, "Znaleziono 1 wpis", "Spółdzielnia Socjalna Zielony Śląsk", "województwo śląskie",
		`href="/r/slaskie/podmiot/`+f.published+`"`, "Przedsiębiorstwo społeczne", "Gotowy do zamówień zastrzeżonych", "Zakup Prospołeczny")
	// In another region: not there, and a way to ask every region.
	p = w.get("/r/malopolskie/sprawdz?" + q.Encode())
	checkPage(t, "/r/malopolskie/sprawdz", "pl", p)
	p.contains(t, "Nie ma takiego podmiotu", `href="/sprawdz?kind=nip&amp;value=526`)
	en := w.get("/r/slaskie/sprawdz?lang=en&" + q.Encode())
	checkPage(t, "/r/slaskie/sprawdz", "en", en)
	en.contains(t, "1 listing found", `href="/r/slaskie/podmiot/`+f.published+`"`)
	// A wrong check digit: 422, the error at the number's field.
	bad := f.s.web().get("/sprawdz?kind=nip&value=1234567890").expect(t, 422)
	bad.contains(t, `id="f-value-err"`, "NIP ma błędną cyfrę kontrolną", `href="#f-value"`, `value="1234567890"`)
}

func TestProfileLinksToTheRegistersOfItsIdentifiers(t *testing.T) {
	f := newPagesFixture(t)
	withIDs, _ := f.withRegisters(t)
	const krs, ceidg, bir, vat = "https://wyszukiwarka-krs.ms.gov.pl/", "https://aplikacja.ceidg.gov.pl/", "https://wyszukiwarkaregon.stat.gov.pl/", "https://www.podatki.gov.pl/wykaz-podatnikow-vat-wyszukiwarka"
	// NIP only: the VAT list and CEIDG, no KRS nor REGON.
	p := f.s.web().get("/r/slaskie/podmiot/"+f.published).expect(t, 200)
	p.contains(t, `href="`+vat+`" rel="noopener external"`, "NIP 5260250274", ceidg, "serwis zewnętrzny")
	for _, absent := range []string{krs, bir} {
		if strings.Contains(p.Body, absent) {
			t.Errorf("a listing without the identifier links to %s", absent)
		}
	}
	// KRS and REGON: those two; no VAT list without a NIP, no CEIDG for a KRS entity.
	p = f.s.web().get("/r/slaskie/podmiot/"+withIDs).expect(t, 200)
	p.contains(t, `href="`+krs+`" rel="noopener external"`, "KRS 0000004567", bir, "REGON 891129301")
	for _, absent := range []string{vat, ceidg} {
		if strings.Contains(p.Body, absent) {
			t.Errorf("a listing without a NIP or with a KRS links to %s", absent)
		}
	}
}
