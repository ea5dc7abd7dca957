package search

import (
	"context"
	"fmt"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"katalogpes/store"
	"katalogpes/tenants"
)

// Worker pacing: a short idle poll keeps approval-to-searchable well under
// a second even without Notify; failures back off exponentially. Each
// Meilisearch task costs a lot whatever its size (measured on 2 cores:
// 20,000 documents in batches of 500 took 30 s, in batches of 2,000 9 s,
// of 5,000 no less), so a backlog is drained in large batches.
const (
	batchSize    = 2000
	pollInterval = 100 * time.Millisecond
	minBackoff   = time.Second
	maxBackoff   = 30 * time.Second
)

// Notify wakes the worker at once (after a commit that queued work); it
// never blocks.
func (s *Service) Notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// RunWorker drains the search outbox until ctx ends: it claims batches,
// upserts published listings and deletes everything else, waits for
// Meilisearch to apply them, and completes the jobs; on failure the jobs
// come back after an exponential back-off. Several workers (one per app
// node) may run side by side. It returns nil when ctx ends.
func (s *Service) RunWorker(ctx context.Context) error {
	p := &pipeline{s: s}
	return s.drainLoop(ctx, "search outbox", s.wake, pollInterval, p.drain)
}

// drainLoop calls drain until ctx ends: at once again while it claims full
// batches, after poll (or a wake) when it ran dry, after an exponential
// back-off when it failed. The listings' and the library's outboxes share
// it. It returns nil when ctx ends.
func (s *Service) drainLoop(ctx context.Context, what string, wake <-chan struct{}, poll time.Duration, drain func(context.Context) (int, error)) error {
	ctx = tenants.WithAllTenants(ctx)
	failures := 0
	for {
		n, err := drain(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			failures++
			wait := backoff(failures)
			s.log.Warn(what+" batch failed", "err", err, "retry_in", wait)
			if !sleep(ctx, wait) { // a wake does not cut a back-off short
				return nil
			}
			continue
		}
		failures = 0
		if n == batchSize {
			continue // more is waiting
		}
		t := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-wake: // nil: never
			t.Stop()
		case <-t.C:
		}
	}
}

// sleep waits d or until ctx ends; false when it ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// backoff is 1 s, 2 s, 4 s … up to 30 s.
func backoff(failures int) time.Duration {
	d := minBackoff << min(max(failures-1, 0), 5)
	return min(d, maxBackoff)
}

// documents builds the documents of the published listings among ids and
// lists the ids to delete: any other status, or no listing at all.
func (s *Service) documents(ctx context.Context, ids []string, listings []*store.Listing) ([]Document, []string, error) {
	names, err := s.categoryNames(ctx)
	if err != nil {
		return nil, nil, err
	}
	now := s.now()
	published := map[string]bool{}
	docs := make([]Document, 0, len(listings))
	for _, l := range listings {
		if l.Status != store.StatusPublished {
			continue
		}
		d := BuildDocument(l, now)
		d.SetCategoryNames(names[l.TenantID])
		docs = append(docs, d)
		published[l.ID] = true
	}
	var gone []string
	for _, id := range ids {
		if !published[id] {
			gone = append(gone, id)
		}
	}
	return docs, gone, nil
}

// write upserts docs and deletes gone in index uid and waits until
// Meilisearch has applied both.
func (s *Service) write(ctx context.Context, uid string, docs []Document, gone []string) error {
	ctx, cancel := context.WithTimeout(ctx, taskTimeout)
	defer cancel()
	tasks, err := s.queueWrites(ctx, uid, docs, gone)
	if err != nil {
		return err
	}
	return s.waitTasks(ctx, tasks, "index listings")
}

// queueWrites sends the upsert of docs and the deletion of gone to index
// uid, without waiting for Meilisearch to apply them.
func (s *Service) queueWrites(ctx context.Context, uid string, docs []Document, gone []string) ([]*meilisearch.TaskInfo, error) {
	index := s.client.Index(uid)
	var tasks []*meilisearch.TaskInfo
	if len(docs) > 0 {
		info, err := index.AddDocumentsWithContext(ctx, docs, &meilisearch.DocumentOptions{PrimaryKey: ptr("id")})
		if err != nil {
			return nil, fmt.Errorf("add %d documents to %s: %w", len(docs), uid, err)
		}
		tasks = append(tasks, info)
	}
	if len(gone) > 0 {
		info, err := index.DeleteDocumentsWithContext(ctx, gone, nil)
		if err != nil {
			return nil, fmt.Errorf("delete %d documents from %s: %w", len(gone), uid, err)
		}
		tasks = append(tasks, info)
	}
	return tasks, nil
}

// waitTasks waits for every task, in order.
func (s *Service) waitTasks(ctx context.Context, tasks []*meilisearch.TaskInfo, what string) error {
	for _, t := range tasks {
		if err := s.waitTask(ctx, t, what); err != nil {
			return err
		}
	}
	return nil
}
