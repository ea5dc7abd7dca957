package store_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

func katowice(city string) store.Address {
	return store.Address{City: city, PostalCode: "40-001", GminaTERYT: "2469011"}
}

func names(res *store.FallbackResult) []string {
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.Listing.Name)
	}
	sort.Strings(out)
	return out
}

func TestFallbackSearchFoldsPolishLettersAndForgivesTypos(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	p := storetest.NewPublisher(t, db)
	p.Publish("slaskie", store.ListingData{Name: "Spółdzielnia Socjalna Kłos", LegalForm: "spoldzielnia_socjalna", Address: katowice("Katowice")})
	p.Publish("slaskie", store.ListingData{Name: "Fundacja Zielony Ogród", Address: katowice("Katowice")})
	p.Publish("lodzkie", store.ListingData{Name: "Pracownia Szycia", Address: store.Address{City: "Łódź", PostalCode: "90-001", GminaTERYT: "1061011"}})
	all := tenants.WithAllTenants(context.Background())
	cases := []struct{ q, want string }{
		{"spoldzielnia socjalna", "Spółdzielnia Socjalna Kłos"},
		{"spółdzelnia", "Spółdzielnia Socjalna Kłos"},
		{"klos", "Spółdzielnia Socjalna Kłos"},
		{"KŁOS", "Spółdzielnia Socjalna Kłos"},
		{"lodz", "Pracownia Szycia"},
		{"ogrod", "Fundacja Zielony Ogród"},
	}
	for _, c := range cases {
		res, err := db.FallbackSearch(all, store.FallbackQuery{Q: c.q})
		if err != nil {
			t.Fatalf("%q: %v", c.q, err)
		}
		if got := names(res); len(got) != 1 || got[0] != c.want || res.Total != 1 {
			t.Errorf("%q found %v (total %d), want only %q", c.q, got, res.Total, c.want)
		}
	}
}

func TestFallbackSearchSeesOnlyPublishedListingsOfItsTenant(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	p := storetest.NewPublisher(t, db)
	p.Publish("slaskie", store.ListingData{Name: "Catering Śląski", Address: katowice("Katowice")})
	p.Publish("malopolskie", store.ListingData{Name: "Catering Krakowski", Address: store.Address{City: "Kraków", PostalCode: "30-001", GminaTERYT: "1261011"}})
	owner, _ := p.Ctxs("slaskie")
	if _, err := db.CreateListing(owner, store.ListingData{Name: "Catering Szkic", LegalForm: "fundacja", Kinds: []string{}, Categories: []string{"catering"}, Address: katowice("Katowice")}); err != nil {
		t.Fatal(err)
	}
	res, err := db.FallbackSearch(storetest.Ctx(t, db, "slaskie", tenants.Principal{}), store.FallbackQuery{Q: "catering", Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(res); len(got) != 1 || got[0] != "Catering Śląski" {
		t.Fatalf("slaskie found %v, want only its published listing", got)
	}
	if _, ok := res.Facets["tenant"]; ok {
		t.Errorf("a tenant search has a tenant facet: %v", res.Facets["tenant"])
	}
	res, err = db.FallbackSearch(tenants.WithAllTenants(context.Background()), store.FallbackQuery{Q: "catering", Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 2 || res.Facets["tenant"]["slaskie"] != 1 || res.Facets["tenant"]["malopolskie"] != 1 {
		t.Fatalf("national: total %d, tenants %v; want one in each region", res.Total, res.Facets["tenant"])
	}
	if _, err := db.FallbackSearch(context.Background(), store.FallbackQuery{Q: "catering"}); err == nil {
		t.Fatal("a search without scope was answered")
	}
}

func TestFallbackFacetsCountEveryFilterButTheirOwn(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	p := storetest.NewPublisher(t, db)
	gliwice := store.Address{City: "Gliwice", PostalCode: "44-100", GminaTERYT: "2466011"}
	p.Publish("slaskie", store.ListingData{Name: "A", LegalForm: "fundacja", Kinds: []string{"cis"}, Address: katowice("Katowice")})
	p.Publish("slaskie", store.ListingData{Name: "B", LegalForm: "fundacja", Kinds: []string{"kis"}, Address: gliwice})
	p.Publish("slaskie", store.ListingData{Name: "C", LegalForm: "stowarzyszenie", Kinds: []string{"cis", "wtz"}, Address: gliwice,
		SocialEnterprise: &store.SocialEnterprise{DecisionNo: "1/2024", DecisionDate: "2024-01-01"}})
	p.Publish("slaskie", store.ListingData{Name: "D", LegalForm: "spoldzielnia_socjalna", Address: gliwice, Categories: []string{"sprzatanie"},
		Employment:   &store.Employment{Total: 10, AtRisk: 4, AsOf: time.Now().AddDate(0, -1, 0).Format("2006-01-02")},
		Certificates: []store.Certificate{{Kind: "opp"}, {Kind: "zakup_prospoleczny", ValidUntil: "2001-01-01"}}})
	ctx := storetest.Ctx(t, db, "slaskie", tenants.Principal{})

	res, err := db.FallbackSearch(ctx, store.FallbackQuery{Facets: true, ListingFilter: store.ListingFilter{LegalForms: []string{"fundacja"}, Powiats: []string{"2466"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(res); fmt.Sprint(got) != "[B]" {
		t.Fatalf("fundacja in Gliwice found %v, want [B]", got)
	}
	want := map[string]map[string]int{
		"legal_form":        {"fundacja": 1, "stowarzyszenie": 1, "spoldzielnia_socjalna": 1}, // Gliwice only
		"powiat":            {"2469": 1, "2466": 1},                                           // fundacje only
		"gmina":             {"2466011": 1},                                                   // both filters
		"kind":              {"kis": 1},
		"category":          {"catering": 1},
		"certificate":       {},
		"social_enterprise": {"false": 1},
	}
	if fmt.Sprint(res.Facets) != fmt.Sprint(want) {
		t.Fatalf("facets\n got %v\nwant %v", res.Facets, want)
	}

	res, err = db.FallbackSearch(ctx, store.FallbackQuery{Facets: true, ListingFilter: store.ListingFilter{Kinds: []string{"cis", "kis"}, SocialEnterprise: true}})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(res); fmt.Sprint(got) != "[C]" {
		t.Fatalf("cis or kis, social enterprise: %v, want [C]", got)
	}
	if got := res.Facets["social_enterprise"]; got["true"] != 1 || got["false"] != 2 {
		t.Fatalf("social_enterprise facet %v, want true:1 false:2", got)
	}
	res, err = db.FallbackSearch(ctx, store.FallbackQuery{Facets: true, ListingFilter: store.ListingFilter{Certificates: []string{"opp"}, ReservedContracts: true}})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(res); fmt.Sprint(got) != "[D]" || fmt.Sprint(res.Facets["certificate"]) != "map[opp:1]" {
		t.Fatalf("opp + reserved: %v, certificates %v; want [D] and only the valid certificate", got, res.Facets["certificate"])
	}
}

func TestFallbackServesAndNear(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	p := storetest.NewPublisher(t, db)
	p.Publish("slaskie", store.ListingData{Name: "Seat Katowice serves Gliwice", Address: katowice("Katowice"),
		Geo: &store.Geo{Lat: 50.26, Lng: 19.02}, ServiceArea: store.ServiceArea{Scope: "gminas", TERYT: []string{"2466011"}}})
	p.Publish("slaskie", store.ListingData{Name: "Whole powiat", Address: katowice("Katowice"),
		Geo: &store.Geo{Lat: 50.30, Lng: 19.10}, ServiceArea: store.ServiceArea{Scope: "powiats", TERYT: []string{"2466"}}})
	p.Publish("slaskie", store.ListingData{Name: "Country", Address: katowice("Katowice"), ServiceArea: store.ServiceArea{Scope: "country"}})
	p.Publish("slaskie", store.ListingData{Name: "Katowice only", Address: katowice("Katowice"), Geo: &store.Geo{Lat: 50.26, Lng: 19.03}})
	ctx := storetest.Ctx(t, db, "slaskie", tenants.Principal{})

	res, err := db.FallbackSearch(ctx, store.FallbackQuery{ListingFilter: store.ListingFilter{Serves: []string{"2466011"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(res); fmt.Sprint(got) != "[Country Seat Katowice serves Gliwice Whole powiat]" {
		t.Fatalf("serves Gliwice: %v", got)
	}
	res, err = db.FallbackSearch(ctx, store.FallbackQuery{Sort: "distance", ListingFilter: store.ListingFilter{Near: &store.Geo{Lat: 50.26, Lng: 19.03}}})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, h := range res.Hits {
		order = append(order, h.Listing.Name)
	}
	if fmt.Sprint(order) != "[Katowice only Seat Katowice serves Gliwice Whole powiat Country]" {
		t.Fatalf("by distance: %v", order)
	}
	if d := res.Hits[1].DistanceKm; d == nil || *d < 0.6 || *d > 0.8 {
		t.Fatalf("distance %v, want about 0.7 km", d)
	}
	res, err = db.FallbackSearch(ctx, store.FallbackQuery{ListingFilter: store.ListingFilter{Near: &store.Geo{Lat: 50.26, Lng: 19.03}, RadiusKm: 2}})
	if err != nil || res.Total != 2 {
		t.Fatalf("within 2 km: %v (%v), want 2", names(res), err)
	}
}

// The outbox lease: a claimed row is invisible to other workers until it is
// completed, released or its lease runs out.
func TestClaimedOutboxRowsAreLeasedToOneWorker(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	p := storetest.NewPublisher(t, db)
	for i := 0; i < 3; i++ {
		p.Publish("slaskie", store.ListingData{Name: fmt.Sprint("L", i), Address: katowice("Katowice")})
	}
	all := tenants.WithAllTenants(context.Background())
	first, err := db.ClaimIndexBatch(all, 2)
	if err != nil || len(first) != 2 {
		t.Fatalf("first claim: %d jobs (%v), want 2", len(first), err)
	}
	second, err := db.ClaimIndexBatch(all, 10)
	if err != nil || len(second) != 1 || second[0].ID == first[0].ID || second[0].ID == first[1].ID {
		t.Fatalf("second claim: %+v (%v), want the one row left", second, err)
	}
	if depth, oldest, err := db.OutboxStats(all); err != nil || depth != 3 || oldest.IsZero() {
		t.Fatalf("stats: %d %v %v, want 3 rows", depth, oldest, err)
	}
	if err := db.CompleteIndexJobs(all, []int64{first[0].ID, first[1].ID}); err != nil {
		t.Fatal(err)
	}
	if err := db.RetryIndexJobs(all, []int64{second[0].ID}, "meilisearch down", 0); err != nil {
		t.Fatal(err)
	}
	again, err := db.ClaimIndexBatch(all, 10)
	if err != nil || len(again) != 1 || again[0].Attempts != 1 {
		t.Fatalf("after retry: %+v (%v), want the row with one attempt", again, err)
	}
	if err := db.RetryIndexJobs(all, []int64{again[0].ID}, "down", time.Hour); err != nil {
		t.Fatal(err)
	}
	if none, err := db.ClaimIndexBatch(all, 10); err != nil || len(none) != 0 {
		t.Fatalf("a row backing off was claimed: %+v (%v)", none, err)
	}
}
