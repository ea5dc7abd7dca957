package search

import (
	"context"
	"fmt"
	"strings"

	"github.com/meilisearch/meilisearch-go"

	"katalogpes/store/polish"
)

// A relaxed search answers a query whose words together find nothing with
// the best matches of most of its words: first every choice of all words
// but one, then of all but two, and so on, each choice a query of its own
// that must match all of its words; the first level that finds anything is
// the answer, its queries merged by one federated multi-search (Meilisearch
// ranks them together and counts each listing once). The matching
// strategies "last" and "frequency" would not do: they drop words by
// position or rarity, so "sprzątanie biur Katowice" would keep "biur" and
// lose the city.

// maxRelaxWords bounds the words chosen from: 6 words make at most 20
// queries on one level (6 choose 3).
const maxRelaxWords = 6

// relaxWords are the words of q a relaxed search chooses from, as typed:
// stop words left out, each word once, the first maxRelaxWords.
func relaxWords(q string) []string {
	var words, seen []string
	for _, w := range strings.FieldsFunc(q, notWordRune) {
		f := polish.Fold(w)
		if contains(stopWords, f) || contains(seen, f) {
			continue
		}
		seen = append(seen, f)
		words = append(words, w)
		if len(words) == maxRelaxWords {
			break
		}
	}
	return words
}

// choose lists every choice of k of words, in their order, as queries.
func choose(words []string, k int) []string {
	var out []string
	var pick func(from int, chosen []string)
	pick = func(from int, chosen []string) {
		if len(chosen) == k {
			out = append(out, strings.Join(chosen, " "))
			return
		}
		for i := from; i <= len(words)-(k-len(chosen)); i++ {
			pick(i+1, append(chosen[:len(chosen):len(chosen)], words[i]))
		}
	}
	pick(0, nil)
	return out
}

// searchRelaxed answers q with fewer of its words, level by level; when no
// level finds anything the exact (empty) answer stands.
func (s *Service) searchRelaxed(ctx context.Context, q Query, exact *Result) (*Result, error) {
	words := relaxWords(q.Q)
	for k := len(words) - 1; k >= 1; k-- {
		res, err := s.searchEither(ctx, q, choose(words, k))
		if err != nil {
			return nil, fmt.Errorf("relaxed search: %w", err)
		}
		if res.Total > 0 {
			res.Relaxed = true
			return res, nil
		}
	}
	return exact, nil
}

// searchEither finds the listings matching any of texts in the indexes q
// reads (its region's, or every region's): the page, and the facets
// counted disjunctively as searchIndex counts them, one federated
// multi-search per facet whose filter is active. A national search is
// this with one text.
func (s *Service) searchEither(ctx context.Context, q Query, texts []string) (*Result, error) {
	indexes, err := s.regionIndexes(ctx, q.Tenant)
	if err != nil {
		return nil, err
	}
	page, counts := s.federatedRequests(q, indexes, texts)
	res := &Result{Page: q.Page, PerPage: q.PerPage, Facets: emptyFacets(q.Tenant == ""), Hits: []Hit{}}
	if page == nil {
		return res, nil // the seat filters rule out every index
	}
	ans, err := s.searchWire(ctx, page)
	if err != nil {
		return nil, err
	}
	res.Total = int(ans.EstimatedTotalHits)
	addFacetCounts(res.Facets, ans.FacetDistribution)
	if res.Hits = hitsOf(ans.Hits, q); res.Total == 0 {
		return res, nil
	}
	for _, req := range counts {
		ans, err := s.searchWire(ctx, req)
		if err != nil {
			return nil, err
		}
		addFacetCounts(res.Facets, ans.FacetDistribution)
	}
	return res, nil
}

// federatedRequests are the federated multi-searches of q over indexes:
// the page of hits with the facets no active filter narrows, and per
// active facet filter one count under every filter but its own
// (disjunctive faceting). Each asks only the indexes its seat filters
// leave (seatedWithin); a page no index can answer is nil, and so is
// every count then.
func (s *Service) federatedRequests(q Query, indexes []regionIndex, texts []string) (page *meilisearch.MultiSearchRequest, counts []*meilisearch.MultiSearchRequest) {
	fixed, byFacet := fixedFilters(q, s.now()), facetFilters(q)
	attrs, counted := splitFacets(q, byFacet)
	pageIndexes := seatedWithin(indexes, q, "")
	if len(pageIndexes) == 0 {
		return nil, nil
	}
	page = s.federated(pageIndexes, texts, filterExcept(q, fixed, byFacet, ""), attrs)
	page.Federation.Offset, page.Federation.Limit = int64(q.Page-1)*int64(q.PerPage), int64(q.PerPage)
	for _, r := range page.Queries {
		// No match positions: Meilisearch would compute them for every
		// query's candidates before merging; the page's hits are marked
		// here instead (see hitDoc.hit).
		r.AttributesToRetrieve, r.Sort = retrieved, sortFor(q)
	}
	for _, name := range counted {
		within := seatedWithin(indexes, q, name)
		if len(within) == 0 {
			continue
		}
		req := s.federated(within, texts, filterExcept(q, fixed, byFacet, name), []string{attrOf(name)})
		req.Federation.Limit = 1 // 0 is never sent (omitempty)
		counts = append(counts, req)
	}
	return page, counts
}

// federated is a federated multi-search of every text in every index
// under filter, counting facets attrs; each query retrieves only ids
// unless the caller asks more.
func (s *Service) federated(indexes, texts []string, filter string, attrs []string) *meilisearch.MultiSearchRequest {
	req := &meilisearch.MultiSearchRequest{Federation: &meilisearch.MultiSearchFederation{
		FacetsByIndex: map[string][]string{},
		MergeFacets:   &meilisearch.MultiSearchFederationMergeFacets{MaxValuesPerFacet: maxFacetValues},
	}}
	for _, index := range indexes {
		req.Federation.FacetsByIndex[index] = attrs
		for _, text := range texts {
			req.Queries = append(req.Queries, &meilisearch.SearchRequest{
				IndexUID:             index,
				Query:                text,
				Filter:               filter,
				AttributesToRetrieve: []string{"id"},
				MatchingStrategy:     meilisearch.All,
				Locales:              []string{"pol"},
			})
		}
	}
	return req
}
