package search_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"katalogpes/search"
	"katalogpes/store"
)

func TestParseQueryRefusesBadInput(t *testing.T) {
	cases := []struct {
		name, query, field, key string
	}{
		{"per_page too big", "per_page=101", "per_page", "per_page.range"},
		{"per_page zero", "per_page=0", "per_page", "per_page.range"},
		{"per_page not a number", "per_page=ten", "per_page", "per_page.range"},
		{"page zero", "page=0", "page", "page.range"},
		{"page negative", "page=-3", "page", "page.range"},
		{"page past the limit", "page=1001", "page", "page.range"},
		{"page past int64", "page=99999999999999999999", "page", "page.range"},
		{"near one number", "near=50.1", "near", "near.invalid"},
		{"near words", "near=here,there", "near", "near.invalid"},
		{"near off the globe", "near=91,19", "near", "near.invalid"},
		{"radius without near", "radius_km=5", "radius_km", "radius_km.requires_near"},
		{"radius negative", "near=50,19&radius_km=-1", "radius_km", "radius_km.range"},
		{"radius huge", "near=50,19&radius_km=5000", "radius_km", "radius_km.range"},
		{"unknown legal form", "legal_form=cis&legal_form=sekta", "legal_form", "legal_form.unknown"},
		{"unknown kind", "kind=xyz", "kind", "kind.unknown"},
		{"unknown certificate", "certificate=iso9001", "certificate", "certificate.unknown"},
		{"powiat of 3 digits", "powiat=246", "powiat", "powiat.invalid"},
		{"powiat with letters", "powiat=24a9", "powiat", "powiat.invalid"},
		{"gmina of 6 digits", "gmina=246901", "gmina", "gmina.invalid"},
		{"serves a powiat", "serves=2469", "serves", "serves.invalid"},
		{"unknown sort", "sort=price", "sort", "sort.unknown"},
		{"distance without near", "sort=distance", "sort", "sort.requires_near"},
		{"category with spaces", "category=a%20b", "category", "category.invalid"},
		{"flag not a boolean", "social_enterprise=maybe", "social_enterprise", "boolean.invalid"},
		{"at_risk_min below the legal minimum", "at_risk_min=29", "at_risk_min", "at_risk_min.range"},
		{"at_risk_min over 100", "at_risk_min=101", "at_risk_min", "at_risk_min.range"},
		{"at_risk_min not a number", "at_risk_min=half", "at_risk_min", "at_risk_min.range"},
		{"ps_preference not a boolean", "ps_preference=tak", "ps_preference", "boolean.invalid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := url.ParseQuery(c.query)
			if err != nil {
				t.Fatal(err)
			}
			_, err = search.ParseQuery(v)
			var se *store.Error
			if !errors.As(err, &se) || se.Code != store.EInvalid {
				t.Fatalf("err = %v, want a validation error", err)
			}
			for _, f := range se.Fields {
				if f.Field == c.field && f.Key == c.key {
					return
				}
			}
			t.Fatalf("fields %+v, want %s: %s", se.Fields, c.field, c.key)
		})
	}
}

func TestParseQueryReadsTheAPIsParameters(t *testing.T) {
	v, _ := url.ParseQuery("q=%20catering%20%20krak%C3%B3w%20&legal_form=kgw&legal_form=fundacja,stowarzyszenie&kind=wtz&powiat=2469" +
		"&gmina=1261029&serves=0201044&category=catering&certificate=opp&social_enterprise=true&reserved_contracts=1" +
		"&at_risk_min=45&ps_preference=true&near=50.06,19.94&radius_km=12.5&sort=distance&page=3&per_page=50&tenant=slaskie")
	q, err := search.ParseQuery(v)
	if err != nil {
		t.Fatal(err)
	}
	if q.Tenant != "" {
		t.Errorf("tenant %q taken from the query string", q.Tenant)
	}
	if q.Q != "catering kraków" || strings.Join(q.LegalForms, ",") != "kgw,fundacja,stowarzyszenie" || q.Kinds[0] != "wtz" ||
		q.Powiats[0] != "2469" || q.Gminas[0] != "1261011" || q.Serves[0] != "0201043" || q.Categories[0] != "catering" ||
		q.Certificates[0] != "opp" || !q.SocialEnterprise || !q.ReservedContracts || q.Near == nil || q.Near.Lat != 50.06 ||
		q.RadiusKm != 12.5 || q.Sort != "distance" || q.Page != 3 || q.PerPage != 50 || q.AtRiskMin != 45 || !q.PSPreference {
		t.Errorf("parsed %+v", q)
	}
	long := strings.Repeat("ą", 250)
	q, err = search.ParseQuery(url.Values{"q": {long}})
	if err != nil || len([]rune(q.Q)) != search.MaxQueryLen {
		t.Errorf("a long q: %d characters (%v), want it cut to %d", len([]rune(q.Q)), err, search.MaxQueryLen)
	}
	q, err = search.ParseQuery(url.Values{})
	if err != nil || q.Page != 1 || q.PerPage != search.DefaultPerPage {
		t.Errorf("defaults: %+v (%v)", q, err)
	}
}

func TestBuildDocumentCarriesWhatSearchFiltersOn(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	d := search.BuildDocument(sampleListing(), now)
	if d.NameFolded != "spoldzielnia socjalna klos" || d.Tenant != "slaskie" || d.Powiat != "2469" {
		t.Errorf("document %+v", d)
	}
	if strings.Join(d.Certificates, ",") != "opp" {
		t.Errorf("certificates %v, want only the valid one", d.Certificates)
	}
	if !d.SocialEnterprise || !d.ReservedContractsEligible || !d.PSPreferenceEligible || d.AtRiskShare != 40 || d.AtRiskLapsesOn != 20260331 {
		t.Errorf("social enterprise %v, reserved %v, ps preference %v, at risk %d%% until %d", d.SocialEnterprise, d.ReservedContractsEligible,
			d.PSPreferenceEligible, d.AtRiskShare, d.AtRiskLapsesOn)
	}
	// Built a year on, the same listing is no longer eligible: the
	// builder reads the figures as of its now, not the listing's flags.
	if later := search.BuildDocument(sampleListing(), now.AddDate(1, 0, 0)); later.ReservedContractsEligible || later.AtRiskLapsesOn != 20260331 {
		t.Errorf("a year on: reserved %v, lapses %d", later.ReservedContractsEligible, later.AtRiskLapsesOn)
	}
	if strings.Join(d.ServesGminas, ",") != "2469011,1261011" || len(d.ServesPowiats) != 0 || d.ServesCountry {
		t.Errorf("serves %v %v %v", d.ServesGminas, d.ServesPowiats, d.ServesCountry)
	}
	if d.Geo == nil || d.Geo.Lat != 50.26 || d.UpdatedAt != now.Add(-time.Hour).Unix() {
		t.Errorf("geo %v, updated %d", d.Geo, d.UpdatedAt)
	}
}

func sampleListing() *store.Listing {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	return &store.Listing{
		ID: "7b0c4a52-4e52-4d8e-9c1f-2d3e4f5a6b7c", Tenant: "slaskie", Status: store.StatusPublished,
		ListingData: store.ListingData{
			Name: "Spółdzielnia Socjalna Kłos", LegalForm: "spoldzielnia_socjalna", Kinds: []string{"spoldzielnia_socjalna"},
			NIP: "5260250274", Description: strings.Repeat("Catering, obsługa przyjęć i sprzątanie biur w Katowicach. ", 20),
			Categories:       []string{"catering", "sprzatanie"},
			Offers:           []store.Offer{{Title: "Obiady dla szkół"}, {Title: "Sprzątanie biur"}},
			Address:          store.Address{City: "Katowice", PostalCode: "40-001", GminaTERYT: "2469011"},
			Geo:              &store.Geo{Lat: 50.26, Lng: 19.02},
			ServiceArea:      store.ServiceArea{Scope: "gminas", TERYT: []string{"1261029"}},
			SocialEnterprise: &store.SocialEnterprise{DecisionNo: "1/2024", DecisionDate: "2024-01-01"},
			Certificates:     []store.Certificate{{Kind: "opp"}, {Kind: "zakup_prospoleczny", ValidUntil: "2024-12-31"}},
			Employment:       &store.Employment{Total: 10, AtRisk: 4, AsOf: "2025-03-31"},
		},
		Voivodeship: store.Unit{Code: "24", Name: "śląskie"}, Powiat: store.Unit{Code: "2469", Name: "Katowice"},
		Gmina: store.Unit{Code: "2469011", Name: "Katowice"}, ReservedContractsEligible: true,
		UpdatedAt: now.Add(-time.Hour),
	}
}

func BenchmarkBuildDocument(b *testing.B) {
	l := sampleListing()
	l.ServiceArea = store.ServiceArea{Scope: "powiats", TERYT: []string{"2466", "2469", "2470"}}
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		_ = search.BuildDocument(l, now)
	}
}

// BenchmarkParseQuery measures a search request from its URL parameters
// to the Meilisearch multi-search it becomes.
func BenchmarkParseQuery(b *testing.B) {
	v, _ := url.ParseQuery("q=sp%C3%B3%C5%82dzielnia+socjalna+katowice&legal_form=spoldzielnia_socjalna&legal_form=fundacja" +
		"&kind=cis&powiat=2469&category=catering&social_enterprise=true&near=50.26,19.02&radius_km=20&page=2&per_page=20")
	svc, err := search.New(search.Config{URL: "http://127.0.0.1:1", Prefix: "bench_"}, nil, quietLog())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		q, err := search.ParseQuery(v)
		if err != nil {
			b.Fatal(err)
		}
		if n := svc.BuildRequests(q); n != 6 { // hits, and five facets with their own filter lifted
			b.Fatalf("%d requests", n)
		}
	}
}
