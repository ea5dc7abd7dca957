package search

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"katalogpes/store"
)

// pipelineDepth is how many outbox batches are with Meilisearch at once.
// A task costs about 0.4 s whatever its size (bench/RESULTS.md): while
// Meilisearch indexes one batch the worker claims, builds and queues the
// next, and tasks queued behind one another for the same index are
// applied together, paying that cost once. The worker holds one batch's
// documents at a time; Meilisearch holds the queued ones.
const pipelineDepth = 3

// pipeline is the listings worker's state between drains: the batches
// queued in Meilisearch and not yet known to be applied, oldest first.
type pipeline struct {
	s      *Service
	queued []queuedBatch
}

// queuedBatch is a claimed batch whose writes are queued in Meilisearch.
type queuedBatch struct {
	ids      []int64
	attempts int
	claimed  time.Time
	tasks    []*meilisearch.TaskInfo
}

// drain claims and queues one batch, then completes the oldest batches:
// while the pipeline is full, and all of them when the outbox ran dry or
// something failed (so a back-off or an idle wait never leaves batches
// unfinished). It says how many jobs it claimed.
func (p *pipeline) drain(ctx context.Context) (int, error) {
	n, err := p.push(ctx)
	for len(p.queued) > 0 && (len(p.queued) >= pipelineDepth || n < batchSize || err != nil) {
		err = errors.Join(err, p.finishOldest(ctx))
	}
	return n, err
}

// push claims a batch and queues its writes; a batch that cannot be
// queued goes back to the outbox at once.
func (p *pipeline) push(ctx context.Context) (int, error) {
	jobs, err := p.s.db.ClaimIndexBatch(ctx, batchSize)
	if err != nil || len(jobs) == 0 {
		return 0, err
	}
	b := queuedBatch{ids: make([]int64, len(jobs)), claimed: time.Now()}
	for i, j := range jobs {
		b.ids[i] = j.ID
		b.attempts = max(b.attempts, j.Attempts)
	}
	qctx, cancel := context.WithDeadline(ctx, b.claimed.Add(taskTimeout))
	defer cancel()
	if b.tasks, err = p.s.queueJobs(qctx, jobs); err != nil {
		return len(jobs), p.giveBack(ctx, b, err)
	}
	p.queued = append(p.queued, b)
	return len(jobs), nil
}

// finishOldest waits until Meilisearch applied the oldest batch and
// completes its jobs, or gives them back. One deadline from the claim on:
// the batch is done well before its outbox lease runs out.
func (p *pipeline) finishOldest(ctx context.Context) error {
	b := p.queued[0]
	p.queued = p.queued[1:]
	wctx, cancel := context.WithDeadline(ctx, b.claimed.Add(taskTimeout))
	defer cancel()
	if err := p.s.waitTasks(wctx, b.tasks, "index listings"); err != nil {
		return p.giveBack(ctx, b, err)
	}
	return p.s.db.CompleteIndexJobs(ctx, b.ids)
}

// giveBack returns a batch's jobs to the outbox after err: at once when
// we are being stopped, else after a back-off. A context without cancel,
// so the lease does not outlive us.
func (p *pipeline) giveBack(ctx context.Context, b queuedBatch, err error) error {
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if ctx.Err() != nil {
		return errors.Join(err, p.s.db.ReleaseIndexJobs(bg, b.ids))
	}
	return errors.Join(err, p.s.db.RetryIndexJobs(bg, b.ids, err.Error(), backoff(b.attempts+1)))
}

// queueJobs queues the writes that bring the regions' indexes in line with
// the listings of jobs, without waiting for Meilisearch to apply them:
// each job names its tenant, so a listing deleted meanwhile is still taken
// out of the right index.
func (s *Service) queueJobs(ctx context.Context, jobs []store.IndexJob) ([]*meilisearch.TaskInfo, error) {
	r, err := s.loadRegions(ctx)
	if err != nil {
		return nil, err
	}
	idsByTenant := map[string][]string{}
	var order []string
	for _, j := range jobs {
		if _, seen := idsByTenant[j.TenantID]; !seen {
			order = append(order, j.TenantID)
		}
		idsByTenant[j.TenantID] = appendNew(idsByTenant[j.TenantID], j.ListingID) // one listing, many edits: once
	}
	var tasks []*meilisearch.TaskInfo
	for _, tenantID := range order {
		t, ok := r.byID[tenantID]
		if !ok {
			return nil, fmt.Errorf("index listings: tenant %s unknown", tenantID)
		}
		ids := idsByTenant[tenantID]
		listings, err := s.db.FindListingsByIDs(ctx, ids)
		if err != nil {
			return nil, err
		}
		docs, gone, err := s.documents(ctx, ids, listings)
		if err != nil {
			return nil, err
		}
		queued, err := s.queueWrites(ctx, s.IndexFor(ListingsIndex, t.Slug), docs, gone)
		if err != nil {
			return nil, err
		}
		tasks = append(tasks, queued...)
	}
	return tasks, nil
}
