package search

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/meilisearch/meilisearch-go"
)

// LibraryQuery is a search of the library: words, and facets to keep.
type LibraryQuery struct {
	Q        string
	Kind     []string
	Tag      []string
	Category []string
	Year     []int
	From, To *time.Time // events starting in [From, To]
	Limit    int
	Offset   int
}

// LibraryHit is one found item; Snippet is the stretch of its PDF text
// around the words, when they are there.
type LibraryHit struct {
	ID          string   `json:"id"`
	Region      string   `json:"region"`
	Kind        string   `json:"kind"`
	Title       string   `json:"title"`
	Summary     string   `json:"summary"`
	Tags        []string `json:"tags"`
	Year        int      `json:"year"`
	StartsAt    int64    `json:"starts_at,omitempty"`
	PublishedAt int64    `json:"published_at"`
	Snippet     string   `json:"snippet,omitempty"`
}

// LibraryResult is a page of hits, their total and the facet counts.
type LibraryResult struct {
	Hits   []LibraryHit              `json:"hits"`
	Total  int                       `json:"total"`
	Facets map[string]map[string]int `json:"facets"`
}

// quoted is a filter value in Meilisearch's syntax.
func quoted(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// libraryFilter is q's filter: within a facet any value, across facets all.
func libraryFilter(q LibraryQuery) string {
	var and []string
	anyOf := func(attr string, values []string) {
		if len(values) == 0 {
			return
		}
		or := make([]string, len(values))
		for i, v := range values {
			or[i] = attr + " = " + quoted(v)
		}
		and = append(and, "("+strings.Join(or, " OR ")+")")
	}
	anyOf("kind", q.Kind)
	anyOf("tags", q.Tag)
	anyOf("categories", q.Category)
	years := make([]string, len(q.Year))
	for i, y := range q.Year {
		years[i] = strconv.Itoa(y)
	}
	anyOf("year", years)
	if q.From != nil {
		and = append(and, fmt.Sprintf("starts_at >= %d", q.From.Unix()))
	}
	if q.To != nil {
		and = append(and, fmt.Sprintf("starts_at <= %d", q.To.Unix()))
	}
	return strings.Join(and, " AND ")
}

func (q LibraryQuery) request(uid string) *meilisearch.SearchRequest {
	r := &meilisearch.SearchRequest{
		IndexUID:              uid,
		Query:                 q.Q,
		AttributesToRetrieve:  []string{"id", "region", "kind", "title", "summary", "tags", "year", "starts_at", "published_at"},
		AttributesToCrop:      []string{"text"},
		CropLength:            24,
		AttributesToHighlight: []string{"text"},
		HighlightPreTag:       "<mark>",
		HighlightPostTag:      "</mark>",
		Locales:               []string{"pol"},
	}
	if f := libraryFilter(q); f != "" {
		r.Filter = f
	}
	if q.Q == "" {
		r.Sort = []string{"published_at:desc"}
	}
	return r
}

// SearchLibrary searches the library of the regions slugs: one region's
// index, or a federated search over several (the national library). A
// region whose library has no index yet has nothing to find.
func (s *Service) SearchLibrary(ctx context.Context, slugs []string, q LibraryQuery) (*LibraryResult, error) {
	if q.Limit <= 0 || q.Limit > 100 {
		q.Limit = 20
	}
	uids, err := s.libraryIndexes(ctx, slugs)
	if err != nil {
		return nil, err
	}
	res := &LibraryResult{Hits: []LibraryHit{}, Facets: map[string]map[string]int{}}
	if len(uids) == 0 {
		return res, nil
	}
	resp, err := s.libraryCall(ctx, uids, q)
	if err != nil {
		return nil, err
	}
	res.Total = int(resp.EstimatedTotalHits)
	for _, h := range resp.Hits {
		var hit LibraryHit
		if err := h.DecodeInto(&hit); err != nil {
			return nil, fmt.Errorf("library hit: %w", err)
		}
		var f struct {
			Text string `json:"text"`
		}
		if raw, ok := h["_formatted"]; ok {
			_ = json.Unmarshal(raw, &f)
			if q.Q != "" {
				hit.Snippet = f.Text
			}
		}
		res.Hits = append(res.Hits, hit)
	}
	if q.Q == "" && len(uids) > 1 {
		// Without words, the newest first, whatever the index.
		sort.SliceStable(res.Hits, func(i, j int) bool { return res.Hits[i].PublishedAt > res.Hits[j].PublishedAt })
	}
	for name, raw := range resp.FacetDistribution {
		counts := map[string]int{}
		if err := json.Unmarshal(raw, &counts); err != nil {
			return nil, fmt.Errorf("library facets: %w", err)
		}
		res.Facets[name] = counts
	}
	return res, nil
}

// libraryCall sends q to one index, sorted by date when it has no words,
// or federated over several (ranked across them; dates order the page).
func (s *Service) libraryCall(ctx context.Context, uids []string, q LibraryQuery) (*meilisearch.MultiSearchResponse, error) {
	var resp *meilisearch.MultiSearchResponse
	_, err := s.breaker.Execute(func() (struct{}, error) {
		cctx, cancel := context.WithTimeout(ctx, searchTimeout)
		defer cancel()
		if len(uids) == 1 {
			sr := q.request(uids[0])
			sr.Facets, sr.Limit, sr.Offset = libraryFacets, int64(q.Limit), int64(q.Offset)
			one, err := s.client.Index(uids[0]).SearchWithContext(cctx, q.Q, sr)
			if err != nil {
				return struct{}{}, err
			}
			resp = &meilisearch.MultiSearchResponse{Hits: one.Hits, EstimatedTotalHits: one.EstimatedTotalHits}
			if len(one.FacetDistribution) > 0 {
				return struct{}{}, json.Unmarshal(one.FacetDistribution, &resp.FacetDistribution)
			}
			return struct{}{}, nil
		}
		req := &meilisearch.MultiSearchRequest{Federation: &meilisearch.MultiSearchFederation{
			Limit: int64(q.Limit), Offset: int64(q.Offset), FacetsByIndex: map[string][]string{},
			MergeFacets: &meilisearch.MultiSearchFederationMergeFacets{MaxValuesPerFacet: 100},
		}}
		for _, uid := range uids {
			req.Federation.FacetsByIndex[uid] = libraryFacets
			sr := q.request(uid)
			sr.Sort = nil
			req.Queries = append(req.Queries, sr)
		}
		var err error
		resp, err = s.client.MultiSearchWithContext(cctx, req)
		return struct{}{}, err
	})
	if err != nil {
		return nil, fmt.Errorf("library search: %w", err)
	}
	return resp, nil
}

// CountLibrary is how many library items of slugs match words q: the
// catalog's search page offers them.
func (s *Service) CountLibrary(ctx context.Context, slugs []string, q string) (int, error) {
	res, err := s.SearchLibrary(ctx, slugs, LibraryQuery{Q: q, Limit: 1})
	if err != nil {
		return 0, err
	}
	return res.Total, nil
}

// libraryIndexes names the library indexes of slugs that exist.
func (s *Service) libraryIndexes(ctx context.Context, slugs []string) ([]string, error) {
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	list, err := s.client.ListIndexesWithContext(cctx, &meilisearch.IndexesQuery{Limit: 1000})
	if err != nil {
		return nil, fmt.Errorf("list indexes: %w", err)
	}
	have := map[string]bool{}
	for _, ix := range list.Results {
		have[ix.UID] = true
	}
	var out []string
	for _, slug := range slugs {
		if uid := s.IndexFor(LibraryIndex, slug); have[uid] {
			out = append(out, uid)
		}
	}
	return out, nil
}
