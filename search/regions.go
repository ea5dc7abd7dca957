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

// listingIndexes are the indexes a query reads: its region's, or every
// region's for a national query (tenant "").
func (s *Service) listingIndexes(ctx context.Context, tenant string) ([]string, error) {
	if tenant != "" {
		return []string{s.IndexFor(ListingsIndex, tenant)}, nil
	}
	r, err := s.loadRegions(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(r.slugs))
	for i, slug := range r.slugs {
		out[i] = s.IndexFor(ListingsIndex, slug)
	}
	return out, nil
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
