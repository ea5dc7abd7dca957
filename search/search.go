package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"time"

	"github.com/meilisearch/meilisearch-go"
	"github.com/sony/gobreaker/v2"

	"katalogpes/store"
)

// Result is a page of a search, shaped as the API answers it.
type Result struct {
	Hits    []Hit                     `json:"hits"`
	Total   int                       `json:"total"`
	Page    int                       `json:"page"`
	PerPage int                       `json:"per_page"`
	Facets  map[string]map[string]int `json:"facets"`
	// Degraded says PostgreSQL answered because Meilisearch could not.
	Degraded bool `json:"degraded"`
	// Relaxed says every word of q together found nothing, and the hits
	// are the best matches of most of the words.
	Relaxed bool  `json:"relaxed"`
	TookMs  int64 `json:"took_ms"`
	// Unlocated is there when a radius was searched (see Unlocated).
	Unlocated *Unlocated `json:"unlocated,omitempty"`
}

// Hit is one found listing. Powiat and gmina carry code and name, as on a
// listing. Description is cut to a teaser; Highlight holds HTML-escaped
// name and description snippets with the matched words in <mark>.
type Hit struct {
	ID                        string            `json:"id"`
	Tenant                    string            `json:"tenant"`
	Name                      string            `json:"name"`
	LegalForm                 string            `json:"legal_form"`
	Kinds                     []string          `json:"kinds"`
	City                      string            `json:"city"`
	Powiat                    store.Unit        `json:"powiat"`
	Gmina                     store.Unit        `json:"gmina"`
	Description               string            `json:"description"`
	Categories                []string          `json:"categories"`
	SocialEnterprise          bool              `json:"social_enterprise"`
	ReservedContractsEligible bool              `json:"reserved_contracts_eligible"`
	PSPreferenceEligible      bool              `json:"ps_preference_eligible"`
	DistanceKm                *float64          `json:"distance_km,omitempty"`
	Highlight                 map[string]string `json:"highlight,omitempty"`
}

// teaserLen bounds a hit's description, in characters.
const teaserLen = 300

// Search runs q against Meilisearch; if Meilisearch cannot be reached (or
// the circuit breaker says it recently could not) PostgreSQL answers the
// same query and the result says Degraded.
func (s *Service) Search(ctx context.Context, q Query) (*Result, error) {
	start := time.Now()
	q = q.normalized()
	res, err := s.searchIndex(ctx, q)
	if err == nil && res.Total == 0 && len(relaxWords(q.Q)) >= 2 {
		res, err = s.searchRelaxed(ctx, q, res)
	}
	if unavailable(err) && ctx.Err() == nil {
		if !errors.Is(err, gobreaker.ErrOpenState) {
			s.log.WarnContext(ctx, "search degraded to PostgreSQL", "err", err)
		}
		res, err = s.searchFallback(ctx, q)
	}
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	if q.Near != nil && q.RadiusKm > 0 {
		if res.Unlocated, err = s.unlocated(ctx, q, res.Hits); err != nil {
			return nil, err
		}
	}
	res.TookMs = time.Since(start).Milliseconds()
	return res, nil
}

// call runs one read through the circuit breaker with the search
// deadline. A late answer falls back to PostgreSQL, for a Meilisearch that
// hangs. One that answered a search within the last lateTimeout is alive
// and only busy: its search waits lateTimeout for the answer and past that
// is refused as busy (ErrLate), because under load the fallback costs the
// shared CPU more than Meilisearch's answer and made every search after
// it late (bench/RESULTS.md, 2026-12-04).
func (s *Service) call(ctx context.Context, fn func(ctx context.Context) error) error {
	timeout, alive := searchTimeout, time.Since(time.Unix(0, s.answered.Load())) < lateTimeout
	if alive {
		timeout = lateTimeout
	}
	_, err := s.breaker.Execute(func() (struct{}, error) {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		err := fn(ctx)
		if err == nil {
			s.answered.Store(time.Now().UnixNano())
		}
		return struct{}{}, err
	})
	if alive && ctx.Err() == nil && slow(err) {
		return fmt.Errorf("%w: %v", ErrLate, err)
	}
	return err
}

// canceled reports whether err comes from a context being canceled (the
// client's error type does not unwrap its cause).
func canceled(err error) bool {
	return errors.Is(originOf(err), context.Canceled)
}

// slow reports whether err is a search that ran out of its time: the one
// search falls back, but the breaker does not count it. A Meilisearch that
// answers slowly under load is not down, and sending every search to the
// costlier PostgreSQL fallback for the breaker's open time would make the
// load worse, not better.
func slow(err error) bool {
	err = originOf(err)
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return false // no connection at all: down, not slow
	}
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// originOf is the cause inside the client's error type, which does not
// unwrap it.
func originOf(err error) error {
	var me *meilisearch.Error
	if errors.As(err, &me) && me.OriginError != nil {
		return me.OriginError
	}
	return err
}

// searchIndex answers q from Meilisearch: a region's query from its index
// in one multi-search with exact totals, a national one federated over
// every region's index.
func (s *Service) searchIndex(ctx context.Context, q Query) (*Result, error) {
	if q.Tenant == "" {
		return s.searchEither(ctx, q, []string{q.Q})
	}
	reqs, counted := s.requests(q)
	ans, err := s.searchWire(ctx, &meilisearch.MultiSearchRequest{Queries: reqs})
	if err != nil {
		return nil, err
	}
	if len(ans.Results) != len(reqs) {
		return nil, fmt.Errorf("multi-search answered %d results for %d queries", len(ans.Results), len(reqs))
	}
	main := ans.Results[0]
	res := &Result{Total: int(main.TotalHits), Page: q.Page, PerPage: q.PerPage}
	res.Facets = emptyFacets(q.Tenant == "")
	addFacetCounts(res.Facets, main.FacetDistribution)
	for i := range counted {
		addFacetCounts(res.Facets, ans.Results[i+1].FacetDistribution)
	}
	res.Hits = hitsOf(main.Hits, q)
	return res, nil
}

// emptyFacets gives every facet of the API a map, counted or not.
func emptyFacets(national bool) map[string]map[string]int {
	m := map[string]map[string]int{}
	for _, fc := range facets {
		if fc.name != "tenant" || national {
			m[fc.name] = map[string]int{}
		}
	}
	return m
}

// hitDoc is what a Meilisearch hit carries (see retrieved).
type hitDoc struct {
	ID                        string    `json:"id"`
	Tenant                    string    `json:"tenant"`
	Name                      string    `json:"name"`
	LegalForm                 string    `json:"legal_form"`
	Kinds                     []string  `json:"kinds"`
	City                      string    `json:"city"`
	Powiat                    string    `json:"powiat"`
	PowiatName                string    `json:"powiat_name"`
	Gmina                     string    `json:"gmina"`
	GminaName                 string    `json:"gmina_name"`
	Description               string    `json:"description"`
	Categories                []string  `json:"categories"`
	SocialEnterprise          bool      `json:"social_enterprise"`
	ReservedContractsEligible bool      `json:"reserved_contracts_eligible"`
	PSPreferenceEligible      bool      `json:"ps_preference_eligible"`
	Geo                       *GeoPoint `json:"_geo"`
	GeoDistance               *float64  `json:"_geoDistance"`
}

func (d *hitDoc) hit(q Query, marks *marker) Hit {
	h := Hit{
		ID: d.ID, Tenant: d.Tenant, Name: d.Name, LegalForm: d.LegalForm, Kinds: nonNil(d.Kinds),
		City: d.City, Powiat: store.Unit{Code: d.Powiat, Name: d.PowiatName}, Gmina: store.Unit{Code: d.Gmina, Name: d.GminaName},
		Description: teaser(d.Description), Categories: nonNil(d.Categories),
		SocialEnterprise: d.SocialEnterprise, ReservedContractsEligible: d.ReservedContractsEligible,
		PSPreferenceEligible: d.PSPreferenceEligible,
	}
	switch {
	case d.GeoDistance != nil:
		h.DistanceKm = ptr(roundKm(*d.GeoDistance / 1000))
	case q.Near != nil && d.Geo != nil:
		h.DistanceKm = ptr(roundKm(haversineKm(*q.Near, d.Geo)))
	}
	// Meilisearch is asked for no match positions (see requests): the
	// words are marked here with the index's own typo rule.
	h.Highlight = marks.highlights(d.Name, d.Description)
	return h
}

// SuggestSearch is the federated search Suggest sends for q over the
// region's index (or every region's): the load benchmark sends the same.
func (s *Service) SuggestSearch(ctx context.Context, tenant, q string) (*meilisearch.MultiSearchRequest, error) {
	indexes, err := s.listingIndexes(ctx, tenant)
	if err != nil {
		return nil, err
	}
	req := &meilisearch.MultiSearchRequest{Federation: &meilisearch.MultiSearchFederation{Limit: 8}}
	for _, index := range indexes {
		req.Queries = append(req.Queries, &meilisearch.SearchRequest{
			IndexUID:             index,
			Query:                cleanQ(q),
			AttributesToRetrieve: []string{"name"},
			AttributesToSearchOn: []string{"name", "name_folded", "short_name", "short_name_folded"},
			Locales:              []string{"pol"},
		})
	}
	return req, nil
}

// haversineKm is the great-circle distance, as Meilisearch and the
// PostgreSQL fallback compute it.
func haversineKm(a store.Geo, b *GeoPoint) float64 {
	const r = 6371.0088
	rad := math.Pi / 180
	dLat, dLng := (b.Lat-a.Lat)*rad, (b.Lng-a.Lng)*rad
	h := math.Pow(math.Sin(dLat/2), 2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Pow(math.Sin(dLng/2), 2)
	return 2 * r * math.Asin(math.Sqrt(h))
}

// roundKm keeps metres: more is noise.
func roundKm(km float64) float64 { return math.Round(km*1000) / 1000 }

// Suggest offers up to 8 listing names starting with or matching q, for
// a search box; tenant "" suggests across regions.
func (s *Service) Suggest(ctx context.Context, tenant, q string) ([]string, error) {
	q = cleanQ(q)
	out := []string{}
	if !hasWords(q) {
		return out, nil
	}
	req, err := s.SuggestSearch(ctx, tenant, q)
	if err != nil {
		return nil, fmt.Errorf("suggest: %w", err)
	}
	ans, err := s.searchWire(ctx, req)
	if unavailable(err) && ctx.Err() == nil {
		return s.suggestFallback(ctx, tenant, q)
	}
	if err != nil {
		return nil, fmt.Errorf("suggest: %w", err)
	}
	for _, h := range ans.Hits {
		if h.Name != "" && !contains(out, h.Name) {
			out = append(out, h.Name)
		}
	}
	return out, nil
}
