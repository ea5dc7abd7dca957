package search_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/meilisearch/meilisearch-go"

	"katalogpes/search"
	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// setRegionWords saves a region's synonyms and stop words as the admin page
// does, and applies them to its index.
func setRegionWords(e *env, slug string, syn map[string][]string, stop []string) {
	e.t.Helper()
	tn := storetest.Tenants(e.t, e.db)[slug]
	tn.Settings.Synonyms, tn.Settings.StopWords = syn, stop
	if err := e.db.UpdateTenant(tenants.NewContext(context.Background(), tn), store.TenantUpdate{Settings: &tn.Settings}); err != nil {
		e.t.Fatal(err)
	}
	e.svc.ForgetTenants()
	if err := e.svc.EnsureRegionSettings(context.Background(), tn); err != nil {
		e.t.Fatalf("apply %s's settings: %v", slug, err)
	}
}

func TestARegionsSynonymsAndStopWordsChangeOnlyItsOwnResults(t *testing.T) {
	e := newEnv(t)
	startWorker(t, e.svc)
	e.pub.Publish("slaskie", store.ListingData{Name: "Ceramika Śląska", Address: katowice})
	e.pub.Publish("malopolskie", store.ListingData{Name: "Ceramika Krakowska", Address: krakow})
	e.waitIndexed(2)
	for _, slug := range []string{"slaskie", "malopolskie"} {
		if res := e.search(e.svc, search.Query{Tenant: slug, Q: "zdun"}); res.Total != 0 && !res.Relaxed {
			t.Fatalf("%s finds %v for zdun before any synonym", slug, hitNames(res))
		}
	}
	setRegionWords(e, "slaskie", map[string][]string{"zdun": {"ceramika"}}, []string{"artystyczna"})

	cases := []struct {
		tenant, q   string
		want        string
		wantRelaxed bool
	}{
		{"slaskie", "zdun", "[Ceramika Śląska]", false},
		{"malopolskie", "zdun", "[]", false},
		{"", "zdun", "[Ceramika Śląska]", false}, // national: each index its own synonyms
		// Meilisearch reads a query's last word as a prefix and keeps it even
		// when it is a stop word: the stop word comes first here.
		{"slaskie", "artystyczna ceramika", "[Ceramika Śląska]", false},
		{"malopolskie", "artystyczna ceramika", "[Ceramika Krakowska]", true}, // "artystyczna" counts there
	}
	for _, c := range cases {
		res := e.search(e.svc, search.Query{Tenant: c.tenant, Q: c.q})
		if got := fmt.Sprint(hitNames(res)); got != c.want || res.Relaxed != c.wantRelaxed || res.Degraded {
			t.Errorf("%q in %q: %s relaxed=%v degraded=%v, want %s relaxed=%v", c.q, c.tenant, got, res.Relaxed, res.Degraded, c.want, c.wantRelaxed)
		}
	}
}

// Meilisearch computes match positions for every federated query's
// candidates, not only for the merged page: over 16 indexes that was half
// of a national search's cost (bench/RESULTS.md).
func TestANationalSearchAsksNoMatchPositions(t *testing.T) {
	e := newEnv(t)
	_, reqs, err := e.svc.RecordSearch(context.Background(), search.Query{Q: "spoldzielnia"})
	if err != nil {
		t.Fatal(err)
	}
	req := reqs[0]
	if len(req.Queries) < 16 {
		t.Fatalf("national search over %d indexes, want every region's", len(req.Queries))
	}
	for _, q := range req.Queries {
		if q.ShowMatchesPosition {
			t.Fatalf("%s asks for match positions", q.IndexUID)
		}
	}
}

func TestNationalSearchMergesRegionsAndCountsExactly(t *testing.T) {
	e := newEnv(t)
	startWorker(t, e.svc)
	for i := 0; i < 7; i++ {
		e.pub.Publish("slaskie", store.ListingData{Name: fmt.Sprintf("Spółdzielnia Śląska %d", i), Address: katowice})
	}
	for i := 0; i < 5; i++ {
		e.pub.Publish("malopolskie", store.ListingData{Name: fmt.Sprintf("Spółdzielnia Małopolska %d", i), Address: krakow,
			LegalForm: "spoldzielnia_socjalna"})
	}
	e.waitIndexed(12)
	res := e.search(e.svc, search.Query{Q: "spoldzielnia", PerPage: 5, Page: 2, Sort: "name"})
	if res.Total != 12 || len(res.Hits) != 5 {
		t.Fatalf("national page 2: total %d, %d hits, want 12 and 5", res.Total, len(res.Hits))
	}
	// Sorted by name across both regions: Małopolska's five, then Śląska's.
	if got := fmt.Sprint(hitNames(res)); got != "[Spółdzielnia Śląska 0 Spółdzielnia Śląska 1 Spółdzielnia Śląska 2 Spółdzielnia Śląska 3 Spółdzielnia Śląska 4]" {
		t.Errorf("national page 2 by name: %s", got)
	}
	if res.Facets["tenant"]["slaskie"] != 7 || res.Facets["tenant"]["malopolskie"] != 5 {
		t.Errorf("tenant facet %v, want slaskie 7 and malopolskie 5", res.Facets["tenant"])
	}
	// A facet filter narrows the hits; its own counts stay disjunctive.
	res = e.search(e.svc, search.Query{ListingFilter: store.ListingFilter{LegalForms: []string{"spoldzielnia_socjalna"}}})
	if res.Total != 5 || res.Facets["legal_form"]["fundacja"] != 7 || res.Facets["tenant"]["slaskie"] != 0 {
		t.Errorf("national with a legal form: total %d, facets %v", res.Total, res.Facets)
	}
}

// No page or API searches within a facet's values, so no index keeps the
// structures for it: they cost every write (issue 17, approval →
// searchable), also after a reindex builds a fresh index. Proximity is
// kept by attribute, not by word, for the same reason.
func TestTheIndexesKeepNoFacetSearchAndProximityByAttribute(t *testing.T) {
	e := newEnv(t)
	if err := e.svc.Reindex(context.Background(), []string{"opolskie"}, nil); err != nil {
		t.Fatal(err)
	}
	client := meilisearch.New(e.url, meilisearch.WithAPIKey(e.key))
	for _, slug := range []string{"slaskie", "opolskie"} {
		on, err := client.Index(e.svc.IndexFor(search.ListingsIndex, slug)).GetFacetSearch()
		if err != nil || on {
			t.Errorf("%s: facet search %v (%v), want off", slug, on, err)
		}
		precision, err := client.Index(e.svc.IndexFor(search.ListingsIndex, slug)).GetProximityPrecision()
		if err != nil || precision != meilisearch.ByAttribute {
			t.Errorf("%s: proximity precision %q (%v), want byAttribute", slug, precision, err)
		}
	}
}
