package search

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"katalogpes/store"
	"katalogpes/tenants"
)

// scope gives the store the context it needs for tenant slug: the
// request's own tenant when it matches, the all-tenants scope for the
// national hub. A context that already carries a tenant keeps it: the
// store then scopes to that tenant, which can only narrow a search.
func (s *Service) scope(ctx context.Context, slug string) (context.Context, error) {
	if slug == "" {
		return tenants.WithAllTenants(ctx), nil
	}
	if t, ok := tenants.FromContext(ctx); ok && t.Slug == slug {
		return ctx, nil
	}
	t, err := s.tenantBySlug(ctx, slug)
	if err != nil {
		return nil, fmt.Errorf("tenant %q: %w", slug, err)
	}
	return tenants.NewContext(ctx, t), nil
}

// fallbackWait is how long a search waits for a fallback slot before it
// is refused as busy: within the search deadline a person still waits for.
const fallbackWait = time.Second

// ErrBusy refuses a search when PostgreSQL already answers as many as it
// may (Config.FallbackSlots): a 503 with Retry-After, not a queue that
// grows while the machine is short of CPU.
var ErrBusy = &store.Error{Code: store.EUnavailable, Key: "search.busy", Err: errors.New("every fallback slot is taken")}

// ErrLate refuses a search that a busy Meilisearch did not answer within
// lateTimeout (see call): the same 503 as ErrBusy, without the fallback.
var ErrLate = &store.Error{Code: store.EUnavailable, Key: "search.busy", Err: errors.New("late: Meilisearch answers other searches, not this one in time")}

// fallbackSearch asks PostgreSQL fq for tenant (every tenant for ""), in
// one of the fallback slots, waiting at most fallbackWait for one. Every
// fallback read goes through here, so none escapes the bound.
func (s *Service) fallbackSearch(ctx context.Context, tenant string, fq store.FallbackQuery) (*store.FallbackResult, error) {
	sctx, err := s.scope(ctx, tenant)
	if err != nil {
		return nil, err
	}
	wctx, cancel := context.WithTimeout(ctx, fallbackWait)
	defer cancel()
	if err := s.fallbacks.Acquire(wctx, 1); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, ErrBusy
	}
	defer s.fallbacks.Release(1)
	return s.db.FallbackSearch(sctx, fq)
}

// fallbackQuery is q for store.FallbackSearch. Stop words are dropped as
// Meilisearch drops them.
func fallbackQuery(q Query) store.FallbackQuery {
	return store.FallbackQuery{Q: strings.Join(queryWords(q.Q), " "), ListingFilter: q.ListingFilter,
		Sort: q.Sort, Page: q.Page, PerPage: q.PerPage, WithoutGeo: q.withoutGeo}
}

// searchFallback answers q from PostgreSQL, in the shape of a Meilisearch
// answer, marked Degraded.
func (s *Service) searchFallback(ctx context.Context, q Query) (*Result, error) {
	fq := fallbackQuery(q)
	fq.Facets = !q.withoutFacets
	fr, err := s.fallbackSearch(ctx, q.Tenant, fq)
	if err != nil {
		return nil, err
	}
	res := &Result{Total: fr.Total, Page: q.Page, PerPage: q.PerPage, Degraded: true, Relaxed: fr.Relaxed, Hits: make([]Hit, 0, len(fr.Hits))}
	res.Facets = emptyFacets(q.Tenant == "")
	for name, counts := range fr.Facets {
		if res.Facets[name] != nil {
			res.Facets[name] = counts
		}
	}
	marks := newMarker(queryWords(q.Q))
	now := s.now()
	for _, fh := range fr.Hits {
		d := BuildDocument(fh.Listing, now)
		h := hitFromDocument(&d)
		if fh.DistanceKm != nil {
			h.DistanceKm = ptr(roundKm(*fh.DistanceKm))
		}
		h.Highlight = marks.highlights(d.Name, d.Description)
		res.Hits = append(res.Hits, h)
	}
	return res, nil
}

func hitFromDocument(d *Document) Hit {
	return Hit{
		ID: d.ID, Tenant: d.Tenant, Name: d.Name, LegalForm: d.LegalForm, Kinds: d.Kinds, City: d.City,
		Powiat: store.Unit{Code: d.Powiat, Name: d.PowiatName}, Gmina: store.Unit{Code: d.Gmina, Name: d.GminaName},
		Description: teaser(d.Description), Categories: d.Categories,
		SocialEnterprise: d.SocialEnterprise, ReservedContractsEligible: d.ReservedContractsEligible,
		PSPreferenceEligible: d.PSPreferenceEligible,
	}
}

// suggestFallback offers names from PostgreSQL.
func (s *Service) suggestFallback(ctx context.Context, tenant, q string) ([]string, error) {
	fr, err := s.fallbackSearch(ctx, tenant, store.FallbackQuery{Q: strings.Join(queryWords(q), " "), PerPage: 8})
	if err != nil {
		return nil, fmt.Errorf("suggest: %w", err)
	}
	out := []string{}
	for _, h := range fr.Hits {
		if !contains(out, h.Listing.Name) {
			out = append(out, h.Listing.Name)
		}
	}
	return out, nil
}
