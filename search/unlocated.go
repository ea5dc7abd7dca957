package search

import (
	"context"
	"fmt"
)

// Unlocated reports, for a search within a radius, the listings it could
// not place: they match every other filter but have no point on the map.
// Count is all of them; Hits (at most MaxUnlocatedHits, AreaTotal in all)
// are those whose seat or service area is in Area, the searched place.
type Unlocated struct {
	Count     int      `json:"count"`
	Area      []string `json:"area,omitempty"`
	AreaTotal int      `json:"area_total"`
	Hits      []Hit    `json:"hits"`
}

// MaxUnlocatedHits bounds the listings without a point shown after the
// located ones: the search's page is about distance.
const MaxUnlocatedHits = 20

// unlocated finds what a radius search leaves out. The searched place is
// the query's own gmina, serves or powiat filters when it has any (they
// already narrow the count); else the gmina of the nearest located hit,
// standing in for the gmina of the point (TERYT has no shapes to ask).
// No located hit and no filter: only the count.
func (s *Service) unlocated(ctx context.Context, q Query, located []Hit) (*Unlocated, error) {
	u := q
	u.Near, u.RadiusKm, u.Sort, u.withoutGeo, u.withoutFacets = nil, 0, "", true, true
	u.Page, u.PerPage = 1, MaxUnlocatedHits
	all, err := s.Search(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("listings without a point: %w", err)
	}
	out := &Unlocated{Count: all.Total, Hits: []Hit{}}
	switch area := placeOf(q, located); {
	case len(area) == 0:
	case len(q.Gminas)+len(q.Serves)+len(q.Powiats) > 0:
		out.Area, out.AreaTotal, out.Hits = area, all.Total, all.Hits
	default:
		u.Serves = area
		near, err := s.Search(ctx, u)
		if err != nil {
			return nil, fmt.Errorf("listings without a point in %v: %w", area, err)
		}
		out.Area, out.AreaTotal, out.Hits = area, near.Total, near.Hits
	}
	return out, nil
}

// placeOf is the searched place: the query's gminas, serves and powiats,
// else the seat gmina of the nearest located hit.
func placeOf(q Query, located []Hit) []string {
	var area []string
	for _, list := range [][]string{q.Gminas, q.Serves, q.Powiats} {
		for _, code := range list {
			area = appendNew(area, code)
		}
	}
	if len(area) > 0 {
		return area
	}
	var nearest *Hit
	for i, h := range located {
		if h.DistanceKm != nil && h.Gmina.Code != "" && (nearest == nil || *h.DistanceKm < *nearest.DistanceKm) {
			nearest = &located[i]
		}
	}
	if nearest == nil {
		return nil
	}
	return []string{nearest.Gmina.Code}
}
