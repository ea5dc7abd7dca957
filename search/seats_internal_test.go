package search

import (
	"slices"
	"testing"

	"katalogpes/store"
)

// A listing is seated in one voivodeship, so a national search filtered
// by powiat or gmina asks only the indexes of the voivodeships those codes
// lie in; each facet's own count is asked without its own filter, as
// disjunctive faceting wants, so it still reads every index the other
// seat filter leaves.
func TestANationalSearchAsksOnlyTheIndexesItsSeatFiltersLeave(t *testing.T) {
	svc, err := New(Config{URL: "http://127.0.0.1:1"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	indexes := []regionIndex{{"listings_dolnoslaskie", "02"}, {"listings_malopolskie", "12"}, {"listings_slaskie", "24"}, {"listings_new", ""}}
	asked := func(q Query) (page []string, counts map[string][]string) {
		t.Helper()
		q = q.normalized()
		p, cs := svc.federatedRequests(q, indexes, []string{q.Q})
		if p == nil {
			return nil, nil
		}
		counts = map[string][]string{}
		for _, r := range p.Queries {
			page = append(page, r.IndexUID)
		}
		for _, c := range cs {
			var facet string
			var list []string
			for index, attrs := range c.Federation.FacetsByIndex {
				facet = attrs[0]
				list = append(list, index)
			}
			slices.Sort(list)
			counts[facet] = list
		}
		return page, counts
	}

	all := []string{"listings_dolnoslaskie", "listings_malopolskie", "listings_slaskie", "listings_new"}
	if page, _ := asked(Query{Q: "catering", ListingFilter: store.ListingFilter{Kinds: []string{"cis"}}}); !slices.Equal(page, all) {
		t.Errorf("no seat filter: page asks %v, want every index", page)
	}
	page, counts := asked(Query{Q: "catering", ListingFilter: store.ListingFilter{Powiats: []string{"2469", "1261"}}})
	if want := []string{"listings_malopolskie", "listings_slaskie", "listings_new"}; !slices.Equal(page, want) {
		t.Errorf("powiats of two voivodeships: page asks %v, want %v", page, want)
	}
	if got := counts["powiat"]; len(got) != len(all) {
		t.Errorf("the powiat facet's own count asks %v, want every index (its filter is left out)", got)
	}
	page, counts = asked(Query{ListingFilter: store.ListingFilter{Powiats: []string{"2469"}, Gminas: []string{"1261011"}}})
	if want := []string{"listings_new"}; !slices.Equal(page, want) {
		t.Errorf("a powiat of one voivodeship and a gmina of another: page asks %v, want only the index of unknown voivodeship", page)
	}
	if want := []string{"listings_malopolskie", "listings_new"}; !slices.Equal(counts["powiat"], want) {
		t.Errorf("the powiat count under the gmina filter asks %v, want %v", counts["powiat"], want)
	}
	if want := []string{"listings_new", "listings_slaskie"}; !slices.Equal(counts["gmina"], want) {
		t.Errorf("the gmina count under the powiat filter asks %v, want %v", counts["gmina"], want)
	}
	if p, cs := svc.federatedRequests(Query{ListingFilter: store.ListingFilter{Powiats: []string{"2469"}, Gminas: []string{"1261011"}}, Page: 1, PerPage: 20},
		indexes[:3], []string{""}); p != nil || cs != nil {
		t.Errorf("seat filters no index can answer: page %v, counts %v, want nothing to ask", p, cs)
	}
}

// The listings a radius leaves out are shown as a count and a list, never
// faceted: their searches ask Meilisearch for no facet counts, which are
// most of a search's work.
func TestTheUnlocatedSearchesCountNoFacets(t *testing.T) {
	svc, err := New(Config{URL: "http://127.0.0.1:1"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	q := Query{Tenant: "slaskie", Q: "catering", ListingFilter: store.ListingFilter{Kinds: []string{"cis"}}}.normalized()
	if reqs, _ := svc.requests(q); len(reqs) != 2 || len(reqs[0].Facets) == 0 {
		t.Fatalf("a search with a kind filter: %d requests, facets %v; want the page with facets and the kind's count", len(reqs), reqs[0].Facets)
	}
	q.withoutFacets = true
	if reqs, _ := svc.requests(q); len(reqs) != 1 || len(reqs[0].Facets) != 0 {
		t.Errorf("without facets: %d requests, facets %v; want the page alone", len(reqs), reqs[0].Facets)
	}
	indexes := []regionIndex{{"listings_slaskie", "24"}, {"listings_opolskie", "16"}}
	q.Tenant = ""
	if page, counts := svc.federatedRequests(q, indexes, []string{q.Q}); len(counts) != 0 || len(page.Federation.FacetsByIndex["listings_slaskie"]) != 0 {
		t.Errorf("nationally without facets: %d counts, facets %v; want none", len(counts), page.Federation.FacetsByIndex)
	}
}
