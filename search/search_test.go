package search_test

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"katalogpes/search"
	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

func TestPolishWordsAreFoundWithoutPolishLettersAndWithTypos(t *testing.T) {
	e := newEnv(t)
	startWorker(t, e.svc)
	e.pub.Publish("slaskie", store.ListingData{Name: "Spółdzielnia Socjalna Kłos", LegalForm: "spoldzielnia_socjalna", Address: katowice,
		Description: "Catering i obsługa przyjęć w Katowicach."})
	e.pub.Publish("slaskie", store.ListingData{Name: "Fundacja Zielony Ogród", Address: gliwice})
	e.pub.Publish("lodzkie", store.ListingData{Name: "Pracownia Szycia", Address: lodz})
	e.pub.Publish("malopolskie", store.ListingData{Name: "Catering Wawelski", Address: krakow})
	e.pub.Publish("slaskie", store.ListingData{Name: "Centrum Integracji Społecznej", Kinds: []string{"cis"}, Address: gliwice})
	e.waitIndexed(5)
	cases := []struct{ q, want string }{
		{"spoldzielnia socjalna", "Spółdzielnia Socjalna Kłos"},
		{"spółdzelnia", "Spółdzielnia Socjalna Kłos"},
		{"klos", "Spółdzielnia Socjalna Kłos"},
		{"Kłos", "Spółdzielnia Socjalna Kłos"},
		{"lodz", "Pracownia Szycia"},
		{"Łódź", "Pracownia Szycia"},
		{"łodzi", "Pracownia Szycia"}, // a city's locative, by synonym
		{"zielony ogrod", "Fundacja Zielony Ogród"},
		{"catering w krakowie", "Catering Wawelski"}, // a stop word and a locative
		{"cis", "Centrum Integracji Społecznej"},     // an abbreviation, by synonym
	}
	for _, c := range cases {
		res := e.search(e.svc, search.Query{Q: c.q})
		if got := hitNames(res); len(got) != 1 || got[0] != c.want || res.Degraded {
			t.Errorf("%q found %v (degraded %v), want only %q", c.q, got, res.Degraded, c.want)
		}
	}
	res := e.search(e.svc, search.Query{Q: "klos"})
	if got := res.Hits[0].Highlight["name"]; got != "Spółdzielnia Socjalna <mark>Kłos</mark>" {
		t.Errorf("highlight of klos: %q, want the original word marked", got)
	}
	// A typo is marked alike in the region (Meilisearch's match positions)
	// and nationally (marked here, see federatedRequests).
	for _, tenant := range []string{"slaskie", ""} {
		res := e.search(e.svc, search.Query{Tenant: tenant, Q: "spółdzelnia"})
		if got := res.Hits[0].Highlight["name"]; got != "<mark>Spółdzielnia</mark> Socjalna Kłos" {
			t.Errorf("tenant %q: highlight of a typo: %q", tenant, got)
		}
	}
	names, err := e.svc.Suggest(context.Background(), "slaskie", "spoldz")
	if err != nil || len(names) != 1 || names[0] != "Spółdzielnia Socjalna Kłos" {
		t.Errorf("suggest spoldz: %v (%v)", names, err)
	}
}

// facetData publishes listings that differ in every faceted field, in two
// regions.
func facetData(e *env) {
	se := &store.SocialEnterprise{DecisionNo: "1/2024", DecisionDate: "2024-01-01"}
	for i, d := range []struct {
		slug string
		data store.ListingData
	}{
		{"slaskie", store.ListingData{Name: "Catering Alfa", LegalForm: "fundacja", Kinds: []string{"cis"}, Address: katowice, Categories: []string{"catering"}}},
		{"slaskie", store.ListingData{Name: "Catering Beta", LegalForm: "fundacja", Kinds: []string{"kis"}, Address: gliwice, Categories: []string{"catering", "sprzatanie"}, SocialEnterprise: se}},
		{"slaskie", store.ListingData{Name: "Sprzątanie Gamma", LegalForm: "stowarzyszenie", Kinds: []string{"cis", "wtz"}, Address: gliwice, Categories: []string{"sprzatanie"},
			Certificates: []store.Certificate{{Kind: "opp"}, {Kind: "zakup_prospoleczny", ValidUntil: "2001-01-01"}}}},
		{"slaskie", store.ListingData{Name: "Spółdzielnia Delta", LegalForm: "spoldzielnia_socjalna", Address: katowice, Categories: []string{"zielen"}, SocialEnterprise: se,
			Certificates: []store.Certificate{{Kind: "znak_jakosci_es"}}}},
		{"malopolskie", store.ListingData{Name: "Catering Epsilon", LegalForm: "fundacja", Kinds: []string{"cis"}, Address: krakow, Categories: []string{"catering"}}},
		{"malopolskie", store.ListingData{Name: "Pralnia Zeta", LegalForm: "spoldzielnia_socjalna", Kinds: []string{"spoldzielnia_socjalna"}, Address: krakow, Categories: []string{"pralnia"}, SocialEnterprise: se,
			Employment: &store.Employment{Total: 10, AtRisk: 5, AsOf: time.Now().AddDate(0, -2, 0).Format("2006-01-02")}}},
	} {
		d.data.NIP = ""
		d.data.Description = fmt.Sprintf("Podmiot numer %d.", i)
		e.pub.Publish(d.slug, d.data)
	}
}

func TestFacetCountsEqualPostgreSQLs(t *testing.T) {
	e := newEnv(t)
	startWorker(t, e.svc)
	facetData(e)
	e.waitIndexed(6)
	pg := e.service("http://127.0.0.1:1") // Meilisearch unreachable: PostgreSQL answers
	queries := []search.Query{
		{},
		{Tenant: "slaskie"},
		{Q: "catering"},
		{Tenant: "slaskie", ListingFilter: store.ListingFilter{LegalForms: []string{"fundacja"}}},
		{Tenant: "slaskie", ListingFilter: store.ListingFilter{LegalForms: []string{"fundacja"}, Powiats: []string{"2466"}}},
		{ListingFilter: store.ListingFilter{Kinds: []string{"cis", "kis"}, SocialEnterprise: true}},
		{ListingFilter: store.ListingFilter{Categories: []string{"catering", "sprzatanie"}, Certificates: []string{"opp"}}},
		{ListingFilter: store.ListingFilter{ReservedContracts: true}},
		{Tenant: "malopolskie", Q: "pralnia", ListingFilter: store.ListingFilter{SocialEnterprise: true}},
	}
	for _, q := range queries {
		meili, degraded := e.search(e.svc, q), e.search(pg, q)
		if meili.Degraded || !degraded.Degraded {
			t.Fatalf("%+v: degraded %v and %v, want false and true", q, meili.Degraded, degraded.Degraded)
		}
		if !reflect.DeepEqual(meili.Facets, degraded.Facets) {
			t.Errorf("%+v facets\nmeilisearch %v\n postgresql %v", q, meili.Facets, degraded.Facets)
		}
		if a, b := sorted(hitNames(meili)), sorted(hitNames(degraded)); meili.Total != degraded.Total || !reflect.DeepEqual(a, b) {
			t.Errorf("%+v hits\nmeilisearch %d %v\n postgresql %d %v", q, meili.Total, a, degraded.Total, b)
		}
	}
	res := e.search(e.svc, search.Query{Tenant: "slaskie", ListingFilter: store.ListingFilter{LegalForms: []string{"fundacja"}}})
	want := map[string]int{"fundacja": 2, "stowarzyszenie": 1, "spoldzielnia_socjalna": 1}
	if !reflect.DeepEqual(res.Facets["legal_form"], want) {
		t.Errorf("legal_form facet under its own filter: %v, want every form's count %v", res.Facets["legal_form"], want)
	}
	if _, ok := res.Facets["tenant"]; ok {
		t.Errorf("a region's search has a tenant facet")
	}
}

func sorted(s []string) []string { sort.Strings(s); return s }

func TestFiltersCombineAndAcrossFieldsOrWithinOne(t *testing.T) {
	e := newEnv(t)
	startWorker(t, e.svc)
	facetData(e)
	e.waitIndexed(6)
	cases := []struct {
		q    search.Query
		want string
	}{
		{search.Query{ListingFilter: store.ListingFilter{Kinds: []string{"kis", "wtz"}}}, "[Catering Beta Sprzątanie Gamma]"},
		{search.Query{ListingFilter: store.ListingFilter{Kinds: []string{"cis"}, LegalForms: []string{"fundacja"}}}, "[Catering Alfa Catering Epsilon]"},
		{search.Query{Tenant: "slaskie", ListingFilter: store.ListingFilter{Kinds: []string{"cis"}, LegalForms: []string{"fundacja"}}}, "[Catering Alfa]"},
		{search.Query{ListingFilter: store.ListingFilter{Categories: []string{"catering", "zielen"}, SocialEnterprise: true}}, "[Catering Beta Spółdzielnia Delta]"},
		{search.Query{ListingFilter: store.ListingFilter{Powiats: []string{"2466", "1261"}, LegalForms: []string{"spoldzielnia_socjalna", "stowarzyszenie"}}}, "[Pralnia Zeta Sprzątanie Gamma]"},
		{search.Query{ListingFilter: store.ListingFilter{Gminas: []string{"2469011"}, Certificates: []string{"znak_jakosci_es", "zakup_prospoleczny"}}}, "[Spółdzielnia Delta]"},
		{search.Query{ListingFilter: store.ListingFilter{Certificates: []string{"zakup_prospoleczny"}}}, "[]"}, // expired
		{search.Query{Tenant: "malopolskie", ListingFilter: store.ListingFilter{ReservedContracts: true}}, "[Pralnia Zeta]"},
		{search.Query{Q: "catering", ListingFilter: store.ListingFilter{Powiats: []string{"2469"}}}, "[Catering Alfa]"},
	}
	for _, c := range cases {
		res := e.search(e.svc, c.q)
		if got := fmt.Sprint(sorted(hitNames(res))); got != c.want || res.Total != len(res.Hits) {
			t.Errorf("%+v: %s (total %d), want %s", c.q, got, res.Total, c.want)
		}
	}
}

func TestNearSortsByDistanceAndReportsKm(t *testing.T) {
	e := newEnv(t)
	startWorker(t, e.svc)
	e.pub.Publish("slaskie", store.ListingData{Name: "Far", Address: gliwice, Geo: &store.Geo{Lat: 50.29, Lng: 18.67}})
	e.pub.Publish("slaskie", store.ListingData{Name: "Near", Address: katowice, Geo: &store.Geo{Lat: 50.26, Lng: 19.03}})
	e.pub.Publish("slaskie", store.ListingData{Name: "Middle", Address: katowice, Geo: &store.Geo{Lat: 50.30, Lng: 19.10}})
	e.pub.Publish("slaskie", store.ListingData{Name: "Nowhere", Address: katowice})
	e.waitIndexed(4)
	here := &store.Geo{Lat: 50.259, Lng: 19.021}
	for _, svc := range []*search.Service{e.svc, e.service("http://127.0.0.1:1")} {
		res := e.search(svc, search.Query{Tenant: "slaskie", ListingFilter: store.ListingFilter{Near: here}})
		if got := fmt.Sprint(hitNames(res)); !strings.HasPrefix(got, "[Near Middle Far") {
			t.Fatalf("degraded=%v: order %s, want nearest first", res.Degraded, got)
		}
		if d := res.Hits[0].DistanceKm; d == nil || *d < 0.5 || *d > 0.9 {
			t.Errorf("degraded=%v: distance to Near %v, want about 0.7 km", res.Degraded, d)
		}
		if d := res.Hits[2].DistanceKm; d == nil || *d < 24 || *d > 27 {
			t.Errorf("degraded=%v: distance to Far %v, want about 25 km", res.Degraded, d)
		}
		res = e.search(svc, search.Query{Tenant: "slaskie", Sort: "distance", ListingFilter: store.ListingFilter{Near: here, RadiusKm: 10}})
		if got := fmt.Sprint(hitNames(res)); got != "[Near Middle]" {
			t.Errorf("degraded=%v: within 10 km %s, want [Near Middle]", res.Degraded, got)
		}
	}
}

func TestServesFindsListingsSeatedElsewhereWhoseAreaCoversTheGmina(t *testing.T) {
	e := newEnv(t)
	startWorker(t, e.svc)
	e.pub.Publish("slaskie", store.ListingData{Name: "Serves Gliwice", Address: katowice, ServiceArea: store.ServiceArea{Scope: "gminas", TERYT: []string{"2466011"}}})
	e.pub.Publish("slaskie", store.ListingData{Name: "Serves the powiat", Address: katowice, ServiceArea: store.ServiceArea{Scope: "powiats", TERYT: []string{"2466"}}})
	e.pub.Publish("slaskie", store.ListingData{Name: "Serves the voivodeship", Address: katowice, ServiceArea: store.ServiceArea{Scope: "voivodeships", TERYT: []string{"24"}}})
	e.pub.Publish("malopolskie", store.ListingData{Name: "Serves the country", Address: krakow, ServiceArea: store.ServiceArea{Scope: "country"}})
	e.pub.Publish("slaskie", store.ListingData{Name: "Seated in Gliwice", Address: gliwice})
	e.pub.Publish("slaskie", store.ListingData{Name: "Katowice only", Address: katowice})
	e.pub.Publish("malopolskie", store.ListingData{Name: "Kraków only", Address: krakow})
	e.waitIndexed(7)
	want := "[Seated in Gliwice Serves Gliwice Serves the country Serves the powiat Serves the voivodeship]"
	for _, svc := range []*search.Service{e.svc, e.service("http://127.0.0.1:1")} {
		res := e.search(svc, search.Query{ListingFilter: store.ListingFilter{Serves: []string{"2466011"}}})
		if got := fmt.Sprint(sorted(hitNames(res))); got != want {
			t.Errorf("degraded=%v: serves Gliwice %s, want %s", res.Degraded, got, want)
		}
	}
}

func TestAListingOfOneTenantIsNeverFoundThroughAnother(t *testing.T) {
	e := newEnv(t)
	startWorker(t, e.svc)
	e.pub.Publish("slaskie", store.ListingData{Name: "Tajna Spółdzielnia Śląska", Address: katowice})
	e.pub.Publish("malopolskie", store.ListingData{Name: "Jawna Fundacja Małopolska", Address: krakow})
	e.waitIndexed(2)
	for _, svc := range []*search.Service{e.svc, e.service("http://127.0.0.1:1")} {
		if res := e.search(svc, search.Query{Tenant: "malopolskie", Q: "tajna"}); res.Total != 0 {
			t.Errorf("degraded=%v: malopolskie found slaskie's listing: %v", res.Degraded, hitNames(res))
		}
		if res := e.search(svc, search.Query{Tenant: "malopolskie"}); fmt.Sprint(hitNames(res)) != "[Jawna Fundacja Małopolska]" {
			t.Errorf("degraded=%v: malopolskie found %v", res.Degraded, hitNames(res))
		}
	}

	// Straight to Meilisearch with malopolskie's tenant token: it reads
	// malopolskie's index only, whatever filter the browser sends.
	ts := storetest.Tenants(t, e.db)
	token, exp, err := e.svc.TenantToken(ts["malopolskie"], 2*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(exp); d > time.Hour+time.Second || d < 59*time.Minute {
		t.Errorf("token expires in %s, want at most an hour", d)
	}
	browser := meilisearch.New(e.svc.Host(), meilisearch.WithAPIKey(token))
	for _, filter := range []any{nil, `tenant = "slaskie"`, `tenant = "slaskie" OR tenant = "malopolskie"`} {
		res, err := browser.Index(e.svc.IndexFor(search.ListingsIndex, "malopolskie")).Search("", &meilisearch.SearchRequest{Filter: filter, Limit: 100})
		if err != nil {
			t.Fatalf("search with the token (filter %v): %v", filter, err)
		}
		for _, h := range res.Hits {
			var d struct {
				Tenant string `json:"tenant"`
			}
			_ = h.DecodeInto(&d)
			if d.Tenant != "malopolskie" {
				t.Errorf("filter %v: the token found a listing of %q", filter, d.Tenant)
			}
		}
		if filter == nil && len(res.Hits) != 1 {
			t.Errorf("the token found %d listings, want malopolskie's one", len(res.Hits))
		}
	}
	// The token cannot write, nor read another region's index.
	if _, err := browser.Index(e.svc.IndexFor(search.ListingsIndex, "malopolskie")).DeleteAllDocuments(nil); err == nil {
		t.Error("a tenant token deleted documents")
	}
	if res, err := browser.Index(e.svc.IndexFor(search.ListingsIndex, "slaskie")).Search("", &meilisearch.SearchRequest{Limit: 100}); err == nil {
		t.Errorf("malopolskie's token read slaskie's index: %d hits", len(res.Hits))
	}
}

func TestASuspendedListingLeavesSearch(t *testing.T) {
	e := newEnv(t)
	startWorker(t, e.svc)
	id := e.pub.Publish("slaskie", store.ListingData{Name: "Pracownia Krawiecka Igła", Address: katowice})
	took := eventually(t, indexWait, "approved listing searchable", func() bool {
		return e.search(e.svc, search.Query{Tenant: "slaskie", Q: "igla"}).Total == 1
	})
	t.Logf("approval to searchable: %s", took)
	_, mod := e.pub.Ctxs("slaskie")
	if _, err := e.db.Moderate(mod, id, store.ActionSuspend, "Nieaktualne dane"); err != nil {
		t.Fatal(err)
	}
	took = eventually(t, indexWait, "suspended listing gone", func() bool {
		return e.search(e.svc, search.Query{Tenant: "slaskie", Q: "igla"}).Total == 0
	})
	t.Logf("suspension to gone: %s", took)
}

func TestUnreachableMeilisearchDegradesToPostgreSQL(t *testing.T) {
	e := newEnv(t)
	e.pub.Publish("slaskie", store.ListingData{Name: "Spółdzielnia Socjalna Kłos", Address: katowice})
	e.pub.Publish("lodzkie", store.ListingData{Name: "Pracownia Szycia", Address: lodz})
	down := e.service("http://127.0.0.1:1")
	for i := 0; i < 5; i++ { // past the breaker's threshold too
		for q, want := range map[string]string{"spoldzielnia socjalna": "Spółdzielnia Socjalna Kłos", "klos": "Spółdzielnia Socjalna Kłos", "lodz": "Pracownia Szycia"} {
			res := e.search(down, search.Query{Q: q})
			if !res.Degraded || fmt.Sprint(hitNames(res)) != "["+want+"]" {
				t.Fatalf("%q: degraded %v, hits %v; want degraded and %q", q, res.Degraded, hitNames(res), want)
			}
		}
	}
	res := e.search(down, search.Query{Tenant: "slaskie", Q: "klos"})
	if res.Hits[0].Highlight["name"] != "Spółdzielnia Socjalna <mark>Kłos</mark>" {
		t.Errorf("degraded highlight %q", res.Hits[0].Highlight["name"])
	}
	names, err := down.Suggest(context.Background(), "lodzkie", "pracow")
	if err != nil || fmt.Sprint(names) != "[Pracownia Szycia]" {
		t.Errorf("degraded suggest: %v (%v)", names, err)
	}
	if err := down.Healthy(context.Background()); err == nil {
		t.Error("an unreachable Meilisearch is healthy")
	}
	if err := e.svc.Healthy(context.Background()); err != nil {
		t.Errorf("the real Meilisearch is unhealthy: %v", err)
	}
}

func TestTheOutboxWaitsForMeilisearchAndDrainsOnceItIsBack(t *testing.T) {
	e := newEnv(t)
	e.pub.Publish("slaskie", store.ListingData{Name: "Kawiarnia Społeczna Łyżka", Address: katowice})
	e.pub.Publish("malopolskie", store.ListingData{Name: "Ogrodnicy z Krakowa", Address: krakow})
	all := tenants.WithAllTenants(context.Background())

	stop := startWorker(t, e.service("http://127.0.0.1:1"))
	time.Sleep(300 * time.Millisecond)
	stop()
	if depth, _, err := e.db.OutboxStats(all); err != nil || depth != 2 {
		t.Fatalf("outbox after a worker that could not reach Meilisearch: %d rows (%v), want 2", depth, err)
	}

	startWorker(t, e.svc)
	eventually(t, indexWait, "outbox drained and documents searchable", func() bool {
		depth, _, err := e.db.OutboxStats(all)
		res := e.search(e.svc, search.Query{Q: "lyzka"})
		return err == nil && depth == 0 && res.Total == 1 && !res.Degraded
	})
}

func TestReindexWhileSearchingFailsNoSearch(t *testing.T) {
	e := newEnv(t)
	startWorker(t, e.svc)
	for i := 0; i < 30; i++ {
		e.pub.Publish([]string{"slaskie", "malopolskie"}[i%2], store.ListingData{Name: fmt.Sprintf("Spółdzielnia numer %d", i),
			Address: []store.Address{katowice, krakow}[i%2]})
	}
	e.waitIndexed(30)
	done := make(chan struct{})
	errs := make(chan string, 100)
	searches := 0
	go func() {
		defer close(errs)
		for {
			select {
			case <-done:
				return
			default:
			}
			res, err := e.svc.Search(context.Background(), search.Query{Q: "spoldzielnia"})
			searches++
			switch {
			case err != nil:
				errs <- err.Error()
			case res.Degraded || res.Total != 30:
				errs <- fmt.Sprintf("degraded %v, total %d", res.Degraded, res.Total)
			}
		}
	}()
	var calls int
	totals := map[string]int{}
	err := e.svc.Reindex(context.Background(), nil, func(slug string, done, total int) {
		calls++
		totals[slug] = total
	})
	close(done)
	for msg := range errs {
		t.Errorf("a search during the reindex failed: %s", msg)
	}
	if err != nil {
		t.Fatalf("reindex: %v", err)
	}
	if calls < 16+2 || searches == 0 { // each region once, the two with listings again after their batch
		t.Errorf("%d progress calls, %d searches", calls, searches)
	}
	if len(totals) != 16 || totals["slaskie"] != 15 || totals["malopolskie"] != 15 || totals["opolskie"] != 0 {
		t.Errorf("progress totals by region: %v, want 16 regions, 15 in slaskie and malopolskie", totals)
	}
	if res := e.search(e.svc, search.Query{Q: "spoldzielnia"}); res.Total != 30 {
		t.Errorf("after reindex: %d found, want 30", res.Total)
	}
	admin := meilisearch.New(e.url, meilisearch.WithAPIKey(e.key))
	list, err := admin.ListIndexes(&meilisearch.IndexesQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, ix := range list.Results {
		if strings.HasPrefix(ix.UID, e.svc.IndexFor(search.ListingsIndex, "slaskie")+"_") {
			t.Errorf("reindex left index %s behind", ix.UID)
		}
	}
}

func TestReindexOfOneRegionLeavesTheOthersAlone(t *testing.T) {
	e := newEnv(t)
	startWorker(t, e.svc)
	e.pub.Publish("slaskie", store.ListingData{Name: "Spółdzielnia Kowadło", Address: katowice})
	e.pub.Publish("malopolskie", store.ListingData{Name: "Spółdzielnia Młot", Address: krakow})
	e.waitIndexed(2)
	admin := meilisearch.New(e.url, meilisearch.WithAPIKey(e.key))
	before, err := admin.Index(e.svc.IndexFor(search.ListingsIndex, "malopolskie")).FetchInfo()
	if err != nil {
		t.Fatal(err)
	}
	var regions []string
	if err := e.svc.Reindex(context.Background(), []string{"slaskie"}, func(slug string, _, _ int) {
		regions = appendOnce(regions, slug)
	}); err != nil {
		t.Fatalf("reindex slaskie: %v", err)
	}
	if fmt.Sprint(regions) != "[slaskie]" {
		t.Errorf("reindexed %v, want slaskie alone", regions)
	}
	after, err := admin.Index(e.svc.IndexFor(search.ListingsIndex, "malopolskie")).FetchInfo()
	if err != nil {
		t.Fatal(err)
	}
	if !after.CreatedAt.Equal(before.CreatedAt) {
		t.Errorf("malopolskie's index was rebuilt (created %s, before %s)", after.CreatedAt, before.CreatedAt)
	}
	for slug, name := range map[string]string{"slaskie": "Spółdzielnia Kowadło", "malopolskie": "Spółdzielnia Młot"} {
		if res := e.search(e.svc, search.Query{Tenant: slug}); fmt.Sprint(hitNames(res)) != "["+name+"]" {
			t.Errorf("%s after the reindex: %v", slug, hitNames(res))
		}
	}
	if err := e.svc.Reindex(context.Background(), []string{"atlantyda"}, nil); err == nil {
		t.Error("a reindex of an unknown region succeeded")
	}
}

func appendOnce(list []string, s string) []string {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}
