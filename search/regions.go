package search

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"katalogpes/store"
	"katalogpes/tenants"
)

// regions is what the service knows of the tenants: each has indexes of
// its own, and a national search asks all of them.
type regions struct {
	bySlug map[string]*tenants.Tenant
	byID   map[string]*tenants.Tenant
	slugs  []string // sorted, so national queries list the indexes alike every time
}

// loadRegions reads the tenants once and keeps them until ForgetTenants
// (a tenant changed on some node).
func (s *Service) loadRegions(ctx context.Context) (*regions, error) {
	s.mu.Lock()
	r := s.regions
	s.mu.Unlock()
	if r != nil {
		return r, nil
	}
	list, err := s.db.FindTenants(ctx)
	if err != nil {
		return nil, fmt.Errorf("regions: %w", err)
	}
	r = &regions{bySlug: map[string]*tenants.Tenant{}, byID: map[string]*tenants.Tenant{}}
	for i := range list {
		t := &list[i]
		r.bySlug[t.Slug], r.byID[t.ID] = t, t
		r.slugs = append(r.slugs, t.Slug)
	}
	sort.Strings(r.slugs)
	s.mu.Lock()
	s.regions = r
	s.mu.Unlock()
	return r, nil
}

// tenantBySlug finds a tenant by its slug.
func (s *Service) tenantBySlug(ctx context.Context, slug string) (*tenants.Tenant, error) {
	r, err := s.loadRegions(ctx)
	if err != nil {
		return nil, err
	}
	if t, ok := r.bySlug[slug]; ok {
		return t, nil
	}
	return nil, store.ErrNotFound
}

// regionIndex is a region's listings index and the region's voivodeship
// code, which every listing seated in it shares (powiat and gmina codes
// start with it).
type regionIndex struct {
	uid, voivodeship string
}

// regionIndexes are the indexes a query reads: its region's, or every
// region's for a national query (tenant ""). A region's own index is named
// without its voivodeship: it is asked whatever the filters.
func (s *Service) regionIndexes(ctx context.Context, tenant string) ([]regionIndex, error) {
	if tenant != "" {
		return []regionIndex{{uid: s.IndexFor(ListingsIndex, tenant)}}, nil
	}
	r, err := s.loadRegions(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]regionIndex, len(r.slugs))
	for i, slug := range r.slugs {
		out[i] = regionIndex{uid: s.IndexFor(ListingsIndex, slug), voivodeship: r.bySlug[slug].TERYT}
	}
	return out, nil
}

// listingIndexes are the names of regionIndexes.
func (s *Service) listingIndexes(ctx context.Context, tenant string) ([]string, error) {
	list, err := s.regionIndexes(ctx, tenant)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(list))
	for i, ix := range list {
		out[i] = ix.uid
	}
	return out, nil
}

// seatedWithin are the indexes that can hold a listing passing q's seat
// filters (powiat, gmina), but for the facet except, whose own count is
// asked without it. A listing is seated in one voivodeship, so a seat
// filter rules out every other region's index: a national search for a
// powiat asks one index, not sixteen. An index of unknown voivodeship is
// always asked.
func seatedWithin(indexes []regionIndex, q Query, except string) []string {
	var allowed map[string]bool // nil: no seat filter applies
	narrow := func(codes []string) {
		next := map[string]bool{}
		for _, c := range codes {
			if len(c) >= 2 && (allowed == nil || allowed[c[:2]]) {
				next[c[:2]] = true
			}
		}
		allowed = next
	}
	if except != "powiat" && len(q.Powiats) > 0 {
		narrow(q.Powiats)
	}
	if except != "gmina" && len(q.Gminas) > 0 {
		narrow(q.Gminas)
	}
	out := make([]string, 0, len(indexes))
	for _, ix := range indexes {
		if allowed == nil || ix.voivodeship == "" || allowed[ix.voivodeship] {
			out = append(out, ix.uid)
		}
	}
	return out
}

// DropIndexes deletes every index under the service's prefix and the
// search key of its listings indexes: the cleanup of a test or benchmark
// that made its own. Without a prefix it refuses (that would be
// production's indexes).
func (s *Service) DropIndexes(ctx context.Context) error {
	if s.cfg.Prefix == "" {
		return errors.New("drop indexes: no prefix, refusing to drop every index")
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	list, err := s.client.ListIndexesWithContext(ctx, &meilisearch.IndexesQuery{Limit: 1000})
	if err != nil {
		return fmt.Errorf("drop indexes: %w", err)
	}
	var tasks []*meilisearch.TaskInfo
	for _, idx := range list.Results {
		if strings.HasPrefix(idx.UID, s.cfg.Prefix) {
			info, err := s.client.DeleteIndexWithContext(ctx, idx.UID)
			if err != nil {
				return fmt.Errorf("drop index %s: %w", idx.UID, err)
			}
			tasks = append(tasks, info)
		}
	}
	if _, err := s.client.DeleteKeyWithContext(ctx, keyUID(s.tokenIndexes())); err != nil && !isCode(err, "api_key_not_found") {
		return fmt.Errorf("drop search key: %w", err)
	}
	return s.waitTasks(ctx, tasks, "drop indexes")
}
