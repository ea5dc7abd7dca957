package search_test

import (
	"slices"
	"testing"

	"katalogpes/search"
	"katalogpes/store"
)

// Relaxed is true only when every word together found nothing and fewer
// words found something; the fallback relaxes the same way.
func TestRelaxedOnlyWhenAllWordsFindNothingAndFewerFindSomething(t *testing.T) {
	e := newEnv(t)
	publishBuyerListings(e)
	pg := e.service("http://127.0.0.1:1") // Meilisearch down: PostgreSQL answers
	cases := []struct {
		q       search.Query
		relaxed bool
		found   string // a listing that must be among the hits, or "" for none at all
	}{
		{search.Query{Q: "sprzątanie biur Katowice"}, true, "Spółdzielnia Socjalna Czysty Dom"},
		{search.Query{Q: "sprzatanie biur katowice", Tenant: "slaskie"}, true, "Spółdzielnia Socjalna Czysty Dom"},
		{search.Query{Q: "sprzątanie biur"}, false, "Spółdzielnia Socjalna Blask"},
		{search.Query{Q: "sprzątanie"}, false, "Spółdzielnia Socjalna Czysty Dom"},
		{search.Query{Q: "żółw morski"}, false, ""}, // no word finds anything
		{search.Query{Q: "żółw"}, false, ""},        // one word: nothing to relax
		{search.Query{Q: "sprzątanie żółw", Tenant: "lubuskie"}, true, "Spółdzielnia Socjalna Porządek"},
		{search.Query{Q: "pralnia Gliwice", ListingFilter: store.ListingFilter{LegalForms: []string{"fundacja"}}}, false, ""},
	}
	for _, c := range cases {
		for _, svc := range []*search.Service{e.svc, pg} {
			res := e.search(svc, c.q)
			names := hitNames(res)
			if res.Relaxed != c.relaxed || (c.found == "") != (res.Total == 0) || c.found != "" && !slices.Contains(names, c.found) {
				t.Errorf("%q in %q (degraded %v): relaxed %v, total %d, hits %v; want relaxed %v and %q found",
					c.q.Q, c.q.Tenant, res.Degraded, res.Relaxed, res.Total, names, c.relaxed, c.found)
			}
		}
	}
	// Facets of a relaxed answer count its hits, each filter lifted for its
	// own facet as usual.
	q := search.Query{Q: "sprzątanie biur Katowice", ListingFilter: store.ListingFilter{LegalForms: []string{"spoldzielnia_socjalna"}}}
	res := e.search(e.svc, q)
	if !res.Relaxed || res.Total != 3 || res.Facets["legal_form"]["spoldzielnia_socjalna"] != 3 || res.Facets["tenant"]["slaskie"] != 2 {
		t.Errorf("relaxed with a filter: relaxed %v, total %d, facets %v", res.Relaxed, res.Total, res.Facets)
	}
	if res.Hits[0].Highlight["name"] == "" && res.Hits[0].Highlight["description"] == "" {
		t.Errorf("relaxed hits carry no highlight: %+v", res.Hits[0])
	}
}
