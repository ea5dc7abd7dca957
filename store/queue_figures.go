package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"katalogpes/tenants"
)

// decisionActions are the events that end a wait in the queue: each is
// timed from the listing's latest submission (or edit of a published
// listing, which submits a revision) before it.
var decisionActions = []string{ActionApprove, ActionReject, ActionRequestChanges,
	"approve_revision", "reject_revision", "request_changes_revision"}

// DecisionTimes are a region's figures for the queue this (Polish) month:
// how many decisions were made and how long, from submission, the median
// and the 90th-percentile one took.
type DecisionTimes struct {
	Decisions int           `db:"decisions"`
	Median    time.Duration `db:"-"`
	P90       time.Duration `db:"-"`
}

// FindDecisionTimes computes the context's region's DecisionTimes from
// its listings' events; only its staff may read them.
func (db *DB) FindDecisionTimes(ctx context.Context) (*DecisionTimes, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !tenants.PrincipalFrom(ctx).Role.IsStaff() {
		return nil, Errorf(EForbidden, "forbidden")
	}
	var row struct {
		Decisions  int     `db:"decisions"`
		MedianSecs float64 `db:"median_secs"`
		P90Secs    float64 `db:"p90_secs"`
	}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &row, `
			SELECT count(*) AS decisions,
			       coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY secs), 0) AS median_secs,
			       coalesce(percentile_cont(0.9) WITHIN GROUP (ORDER BY secs), 0) AS p90_secs
			FROM (
			  SELECT extract(epoch FROM d.at - s.at) AS secs
			  FROM listing_events d
			  CROSS JOIN LATERAL (
			    SELECT e.at FROM listing_events e
			    WHERE e.listing_id = d.listing_id AND e.action IN ('submit', 'submit_revision', 'revision') AND e.id < d.id
			    ORDER BY e.id DESC LIMIT 1) s
			  WHERE d.tenant_id = $1 AND d.action = ANY($2)
			    AND d.at >= date_trunc('month', $3::timestamptz AT TIME ZONE $4) AT TIME ZONE $4
			) timed`, tid, pq.Array(decisionActions), db.now(), statsZone)
	})
	if err != nil {
		return nil, fmt.Errorf("decision times of %s: %w", tid, err)
	}
	return &DecisionTimes{Decisions: row.Decisions,
		Median: time.Duration(row.MedianSecs * float64(time.Second)),
		P90:    time.Duration(row.P90Secs * float64(time.Second))}, nil
}
