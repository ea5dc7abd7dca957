package search

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/meilisearch/meilisearch-go"
)

// facets maps the API's facet names to the attributes counted, in the
// order the API lists them. tenant is counted in national searches only.
var facets = []struct{ name, attr string }{
	{"legal_form", "legal_form"},
	{"kind", "kinds"},
	{"powiat", "powiat"},
	{"gmina", "gmina"},
	{"category", "categories"},
	{"certificate", "certificates"},
	{"social_enterprise", "social_enterprise"},
	{"tenant", "tenant"},
}

var filterEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// quote makes s a Meilisearch filter string literal.
func quote(s string) string { return `"` + filterEscaper.Replace(s) + `"` }

func anyOf(attr string, values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = quote(v)
	}
	return attr + " IN [" + strings.Join(q, ", ") + "]"
}

// facetFilters are the filters a facet can lift, by facet name.
func facetFilters(q Query) map[string]string {
	f := map[string]string{}
	if len(q.LegalForms) > 0 {
		f["legal_form"] = anyOf("legal_form", q.LegalForms)
	}
	if len(q.Kinds) > 0 {
		f["kind"] = anyOf("kinds", q.Kinds)
	}
	if len(q.Powiats) > 0 {
		f["powiat"] = anyOf("powiat", q.Powiats)
	}
	if len(q.Gminas) > 0 {
		f["gmina"] = anyOf("gmina", q.Gminas)
	}
	if len(q.Categories) > 0 {
		f["category"] = anyOf("categories", q.Categories)
	}
	if len(q.Certificates) > 0 {
		f["certificate"] = anyOf("certificates", q.Certificates)
	}
	if q.SocialEnterprise {
		f["social_enterprise"] = "social_enterprise = true"
	}
	return f
}

// fixedFilters always apply: the filters that have no facet (the region
// is not one of them: each region has an index of its own). now dates the
// employment figures: they stop counting on their own day, whenever the
// document was built.
func fixedFilters(q Query, now time.Time) []string {
	var f []string
	if len(q.Serves) > 0 {
		var powiats, voivs []string
		for _, g := range q.Serves {
			powiats = appendNew(powiats, g[:4])
			voivs = appendNew(voivs, g[:2])
		}
		f = append(f, "(serves_country = true OR "+anyOf("serves_voivodeships", voivs)+" OR "+
			anyOf("serves_powiats", powiats)+" OR "+anyOf("serves_gminas", q.Serves)+")")
	}
	if q.ReservedContracts {
		f = append(f, "reserved_contracts_eligible = true")
	}
	if q.AtRiskMin > 0 {
		f = append(f, "at_risk_share >= "+strconv.Itoa(q.AtRiskMin)+" AND at_risk_lapses_on >= "+strconv.Itoa(dayNumber(now)))
	}
	if q.PSPreference {
		f = append(f, "ps_preference_eligible = true")
	}
	if q.Near != nil && q.RadiusKm > 0 {
		f = append(f, "_geoRadius("+ftoa(q.Near.Lat)+", "+ftoa(q.Near.Lng)+", "+ftoa(q.RadiusKm*1000)+")")
	}
	if q.withoutGeo {
		// _geo takes no EXISTS; a circle wider than the Earth holds every
		// point, so outside it are the listings that have none.
		f = append(f, "NOT _geoRadius(0, 0, 21000000)")
	}
	return f
}

// filterExcept joins every filter of q except the facet filter named skip.
func filterExcept(q Query, fixed []string, byFacet map[string]string, skip string) string {
	parts := append([]string{}, fixed...)
	for _, fc := range facets {
		if c, ok := byFacet[fc.name]; ok && fc.name != skip {
			parts = append(parts, c)
		}
	}
	return strings.Join(parts, " AND ")
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// retrieved are the attributes a hit needs. Not the folded twins: they are
// only searched (Meilisearch would spend time sending them and we reading
// them, on every search).
var retrieved = []string{"id", "tenant", "name", "legal_form", "kinds", "city", "powiat", "powiat_name",
	"gmina", "gmina_name", "description", "categories", "social_enterprise",
	"reserved_contracts_eligible", "ps_preference_eligible", "_geo"}

// requests builds the multi-search for q in its region's index: the page of hits with the facets
// no filter narrows, then per active facet filter one count-only query
// without that filter, so each facet's counts reflect the other filters
// (disjunctive faceting) in one round trip. It returns the facet name each
// extra query counts.
func (s *Service) requests(q Query) ([]*meilisearch.SearchRequest, []string) {
	fixed, byFacet := fixedFilters(q, s.now()), facetFilters(q)
	index := s.IndexFor(ListingsIndex, q.Tenant)
	main := &meilisearch.SearchRequest{
		IndexUID:             index,
		Query:                q.Q,
		Filter:               filterExcept(q, fixed, byFacet, ""),
		Page:                 int64(q.Page),
		HitsPerPage:          ptr(int64(q.PerPage)),
		AttributesToRetrieve: retrieved,
		// No match positions: they are every searchable attribute's, most
		// of an answer's bytes, and cost Meilisearch as much again; the
		// page's hits are marked here (see hitDoc.hit), as nationally.
		MatchingStrategy: meilisearch.All,
		Locales:          []string{"pol"},
		Sort:             sortFor(q),
	}
	var counted []string
	main.Facets, counted = splitFacets(q, byFacet)
	reqs := []*meilisearch.SearchRequest{main}
	for _, name := range counted {
		reqs = append(reqs, &meilisearch.SearchRequest{
			IndexUID: index,
			Query:    q.Q,
			Filter:   filterExcept(q, fixed, byFacet, name),
			Facets:   []string{attrOf(name)},
			// Limit 0 is never sent (omitempty); hitsPerPage 0 is.
			Page:             1,
			HitsPerPage:      ptr(int64(0)),
			MatchingStrategy: meilisearch.All,
			Locales:          []string{"pol"},
		})
	}
	return reqs, counted
}

// splitFacets sorts the facets of q: the attributes the main query counts
// (no filter of theirs is active), and the names of those counted apart;
// none for a query that shows no facets.
func splitFacets(q Query, byFacet map[string]string) (attrs, counted []string) {
	if q.withoutFacets {
		return nil, nil
	}
	for _, fc := range facets {
		if fc.name == "tenant" && q.Tenant != "" {
			continue
		}
		if _, ok := byFacet[fc.name]; !ok {
			attrs = append(attrs, fc.attr)
			continue
		}
		counted = append(counted, fc.name)
	}
	return attrs, counted
}

// RecordSearch runs Search for q and also returns every multi-search it
// sent Meilisearch, in order: the page and its facet counts, the relaxed
// levels when every word together found nothing, the searches for the
// listings a radius leaves out. The load benchmark replays them straight
// to Meilisearch as the limit of the very same work.
func (s *Service) RecordSearch(ctx context.Context, q Query) (*Result, []*meilisearch.MultiSearchRequest, error) {
	rec := &recorder{}
	res, err := s.Search(context.WithValue(ctx, recorderKey{}, rec), q)
	return res, rec.sent, err
}

// recorder collects the multi-searches sent under its context.
type recorder struct {
	mu   sync.Mutex
	sent []*meilisearch.MultiSearchRequest
}

type recorderKey struct{}

// record notes req as sent, if ctx is recording.
func record(ctx context.Context, req *meilisearch.MultiSearchRequest) {
	if rec, ok := ctx.Value(recorderKey{}).(*recorder); ok {
		rec.mu.Lock()
		rec.sent = append(rec.sent, req)
		rec.mu.Unlock()
	}
}

func sortFor(q Query) []string {
	switch q.Sort {
	case "name":
		return []string{"name_folded:asc"}
	case "updated":
		return []string{"updated_at:desc"}
	case "distance":
		if q.Near != nil {
			return []string{"_geoPoint(" + ftoa(q.Near.Lat) + ", " + ftoa(q.Near.Lng) + "):asc"}
		}
	}
	return nil
}

func attrOf(facet string) string {
	for _, fc := range facets {
		if fc.name == facet {
			return fc.attr
		}
	}
	return facet
}

func nameOf(attr string) string {
	for _, fc := range facets {
		if fc.attr == attr {
			return fc.name
		}
	}
	return attr
}

func ptr[T any](v T) *T { return &v }
