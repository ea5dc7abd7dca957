package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// LibraryJob is one claimed row of the library's search outbox.
type LibraryJob struct {
	ID       int64  `db:"id"`
	TenantID string `db:"tenant_id"`
	ItemID   string `db:"item_id"`
	Attempts int    `db:"attempts"`
}

// ClaimLibraryBatch leases up to limit due jobs, oldest first, as
// ClaimIndexBatch does for listings (all-tenants scope, SKIP LOCKED).
func (db *DB) ClaimLibraryBatch(ctx context.Context, limit int) ([]LibraryJob, error) {
	var jobs []LibraryJob
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &jobs, `
			UPDATE library_outbox o SET available_at = clock_timestamp() + $2 * interval '1 millisecond'
			FROM (SELECT id FROM library_outbox WHERE available_at <= clock_timestamp()
			      ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) due
			WHERE o.id = due.id
			RETURNING o.id, o.tenant_id, o.item_id, o.attempts`, limit, IndexLease.Milliseconds())
	})
	if err != nil {
		return nil, fmt.Errorf("claim library outbox: %w", err)
	}
	return jobs, nil
}

// CompleteLibraryJobs removes jobs the index has absorbed.
func (db *DB) CompleteLibraryJobs(ctx context.Context, ids []int64) error {
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM library_outbox WHERE id = ANY($1::bigint[])`, pq.Array(ids))
		return err
	})
	if err != nil {
		return fmt.Errorf("complete library outbox jobs: %w", err)
	}
	return nil
}

// RetryLibraryJobs puts jobs back, due after backoff, with the error.
func (db *DB) RetryLibraryJobs(ctx context.Context, ids []int64, errText string, backoff time.Duration) error {
	if len(errText) > 2000 {
		errText = errText[:2000]
	}
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `
			UPDATE library_outbox SET attempts = attempts + 1, last_error = $2,
			       available_at = clock_timestamp() + $3 * interval '1 millisecond'
			WHERE id = ANY($1::bigint[])`, pq.Array(ids), errText, backoff.Milliseconds())
		return err
	})
	if err != nil {
		return fmt.Errorf("retry library outbox jobs: %w", err)
	}
	return nil
}

// LibraryOutboxDepth counts the jobs not yet absorbed (all tenants).
func (db *DB) LibraryOutboxDepth(ctx context.Context) (int, error) {
	var n int
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &n, `SELECT count(*) FROM library_outbox`)
	})
	if err != nil {
		return 0, fmt.Errorf("library outbox depth: %w", err)
	}
	return n, nil
}

// EnqueueAllLibraryItems queues every library item for its region's
// index (all-tenants scope): `katalogpes reindex` rebuilds the library's
// indexes this way, through the worker every serve runs.
func (db *DB) EnqueueAllLibraryItems(ctx context.Context) (int, error) {
	var n int64
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO library_outbox (tenant_id, item_id) SELECT tenant_id, id FROM library_items`)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("queue every library item: %w", err)
	}
	return int(n), nil
}
