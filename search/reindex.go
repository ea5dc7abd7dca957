package search

import (
	"context"
	"fmt"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"katalogpes/tenants"
)

// reindexBatch is how many documents one Meilisearch call carries.
const reindexBatch = 1000

// Reindex rebuilds the listings indexes of the regions named by slugs
// (every region when there are none) from PostgreSQL without interrupting
// search: for each it fills a fresh index <index>_<timestamp> with the
// region's settings and published listings, swaps it with the live one
// atomically, deletes the old one, and queues the region's listings
// changed meanwhile so nothing the worker wrote into the old index during
// the rebuild is lost. progress, when not nil, hears (slug, done, total)
// after each batch.
func (s *Service) Reindex(ctx context.Context, slugs []string, progress func(slug string, done, total int)) error {
	r, err := s.loadRegions(tenants.WithAllTenants(ctx))
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	if len(slugs) == 0 {
		slugs = r.slugs
	}
	for _, slug := range slugs {
		t, ok := r.bySlug[slug]
		if !ok {
			return fmt.Errorf("reindex: no region %q", slug)
		}
		var report func(done, total int)
		if progress != nil {
			report = func(done, total int) { progress(slug, done, total) }
		}
		if err := s.reindexRegion(tenants.NewContext(ctx, t), t, report); err != nil {
			return fmt.Errorf("reindex %s: %w", slug, err)
		}
	}
	s.Notify()
	return nil
}

// reindexRegion rebuilds t's index; ctx is scoped to t, so every read
// (row-level security) sees only t's listings.
func (s *Service) reindexRegion(ctx context.Context, t *tenants.Tenant, progress func(done, total int)) error {
	// Changes from a little before the start are replayed; a clock skew
	// between us and PostgreSQL must not make us miss one.
	since := s.now().Add(-time.Minute)
	live := s.IndexFor(ListingsIndex, t.Slug)
	if err := s.ensureIndex(ctx, live); err != nil {
		return err
	}
	fresh := indexSafe(fmt.Sprintf("%s_%s", live, s.now().UTC().Format("20060102T150405.000")))
	if err := s.applySettings(ctx, fresh, t); err != nil {
		s.dropIndex(ctx, fresh)
		return err
	}
	if err := s.fill(ctx, fresh, progress); err != nil {
		s.dropIndex(ctx, fresh)
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	info, err := s.client.SwapIndexesWithContext(cctx, []*meilisearch.SwapIndexesParams{{Indexes: []string{live, fresh}}})
	if err == nil {
		err = s.waitTask(ctx, info, "swap indexes")
	}
	if err != nil {
		s.dropIndex(ctx, fresh)
		return err
	}
	// After the swap, fresh holds the old documents.
	s.dropIndex(ctx, fresh)
	_, err = s.db.EnqueueChangedSince(ctx, since)
	return err
}

// fill writes every published listing ctx can see into index uid.
func (s *Service) fill(ctx context.Context, uid string, progress func(done, total int)) error {
	total, err := s.db.CountPublishedListings(ctx)
	if err != nil {
		return err
	}
	if progress != nil {
		progress(0, total)
	}
	done, after := 0, ""
	for {
		ids, err := s.db.FindPublishedListingIDs(ctx, after, reindexBatch)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		after = ids[len(ids)-1]
		listings, err := s.db.FindListingsByIDs(ctx, ids)
		if err != nil {
			return err
		}
		docs, _, err := s.documents(ctx, ids, listings)
		if err != nil {
			return err
		}
		// Listings unpublished since we read the ids are simply left out.
		if err := s.write(ctx, uid, docs, nil); err != nil {
			return err
		}
		done += len(docs)
		if progress != nil {
			progress(done, max(total, done))
		}
	}
}

// dropIndex deletes an index we made, best effort (logged, not returned:
// the caller has a better error to report, or none).
func (s *Service) dropIndex(ctx context.Context, uid string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), callTimeout)
	defer cancel()
	info, err := s.client.DeleteIndexWithContext(ctx, uid)
	if err == nil {
		err = s.waitTask(ctx, info, "delete index "+uid)
	}
	if err != nil {
		s.log.Warn("reindex: could not delete an index", "index", uid, "err", err)
	}
}

// indexSafe replaces what an index uid may not hold.
func indexSafe(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			b[i] = '_'
		}
	}
	return string(b)
}
