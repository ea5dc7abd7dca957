package handlers

import (
	"context"
	"errors"
	"time"

	"katalogpes/store"
	"katalogpes/tenants"
)

// NeedJobs runs the needs' background work until ctx ends: matching
// published needs (never in a request), closing needs at their deadline,
// asking for outcomes a week after it, and keeping the needs indexes in
// step. Every node may run it: each job is taken with SKIP LOCKED.
//
// A need queued for matching wakes it at once on every node (a notice on
// commit); the tick catches anything else that fell due.
func (s *Server) NeedJobs(ctx context.Context, every time.Duration) {
	ctx = tenants.WithAllTenants(ctx)
	go s.search.RunNeedIndexer(ctx, every)
	wake := make(chan struct{}, 1)
	go func() {
		err := s.db.ListenNeedMatches(ctx, func(store.Notice) {
			select {
			case wake <- struct{}{}:
			default: // a wake is already pending
			}
		})
		if err != nil && ctx.Err() == nil {
			s.log.Error("needs: listening for queued matches; the tick still runs", "err", err)
		}
	}()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		s.NeedJobsOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-wake:
		}
	}
}

// NeedJobsOnce does what is due now: every queued match, the closings and
// the outcome questions.
func (s *Server) NeedJobsOnce(ctx context.Context) {
	ctx = tenants.WithAllTenants(ctx)
	for ctx.Err() == nil {
		res, err := s.db.MatchNextNeed(ctx, s.mail.NeedNotice)
		if errors.Is(err, store.ErrNotFound) {
			break
		}
		if err != nil {
			s.log.Error("needs: matching failed; it will be retried", "err", err)
			break
		}
		s.log.Info("needs: matched", "need", res.NeedID, "notified", res.Notified)
	}
	if n, err := s.db.CloseDueNeeds(ctx); err != nil {
		s.log.Error("needs: closing at deadline", "err", err)
	} else if n > 0 {
		s.log.Info("needs: closed at deadline", "count", n)
	}
	if _, err := s.db.AskOutcomes(ctx, s.mail.NeedForBuyer, s.mail.NeedNotice); err != nil {
		s.log.Error("needs: outcome questions", "err", err)
	}
}
