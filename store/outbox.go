package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// IndexJob is one claimed row of the search outbox: a listing whose public
// face changed and must be upserted into or deleted from the index.
type IndexJob struct {
	ID         int64     `db:"id"`
	TenantID   string    `db:"tenant_id"`
	ListingID  string    `db:"listing_id"`
	EnqueuedAt time.Time `db:"enqueued_at"`
	Attempts   int       `db:"attempts"`
}

// IndexLease is how long a claimed job stays invisible to other workers.
// A worker that dies mid-batch leaves its rows to reappear after it; one
// that finishes deletes them. It must outlast the worker's wait for
// Meilisearch.
const IndexLease = 30 * time.Second

// ClaimIndexBatch leases up to limit due jobs, oldest first. It needs the
// all-tenants scope. The lease is committed at once, so no transaction
// stays open while the caller talks to Meilisearch; SKIP LOCKED lets
// several workers claim side by side without waiting for each other.
func (db *DB) ClaimIndexBatch(ctx context.Context, limit int) ([]IndexJob, error) {
	if limit <= 0 {
		return nil, nil
	}
	var jobs []IndexJob
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &jobs, `
			UPDATE search_outbox o SET available_at = clock_timestamp() + $2 * interval '1 millisecond'
			FROM (SELECT id FROM search_outbox
			      WHERE available_at <= clock_timestamp()
			      ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) due
			WHERE o.id = due.id
			RETURNING o.id, o.tenant_id, o.listing_id, o.enqueued_at, o.attempts`,
			limit, IndexLease.Milliseconds())
	})
	if err != nil {
		return nil, fmt.Errorf("claim search outbox: %w", err)
	}
	return jobs, nil
}

// CompleteIndexJobs removes jobs the index has absorbed.
func (db *DB) CompleteIndexJobs(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM search_outbox WHERE id = ANY($1::bigint[])`, pq.Array(ids))
		return err
	})
	if err != nil {
		return fmt.Errorf("complete search outbox jobs: %w", err)
	}
	return nil
}

// RetryIndexJobs puts jobs back after a failure, due again after backoff,
// with the error kept for operators.
func (db *DB) RetryIndexJobs(ctx context.Context, ids []int64, errText string, backoff time.Duration) error {
	if len(ids) == 0 {
		return nil
	}
	if len(errText) > 2000 {
		errText = errText[:2000]
	}
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `
			UPDATE search_outbox SET attempts = attempts + 1, last_error = $2,
			       available_at = clock_timestamp() + $3 * interval '1 millisecond'
			WHERE id = ANY($1::bigint[])`, pq.Array(ids), errText, backoff.Milliseconds())
		return err
	})
	if err != nil {
		return fmt.Errorf("retry search outbox jobs: %w", err)
	}
	return nil
}

// OutboxStats reports the outbox's depth and the enqueue time of its oldest
// row (zero when empty), across all tenants: the figures for metrics.
func (db *DB) OutboxStats(ctx context.Context) (depth int, oldest time.Time, err error) {
	var row struct {
		Depth  int        `db:"depth"`
		Oldest *time.Time `db:"oldest"`
	}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &row, `SELECT count(*) AS depth, min(enqueued_at) AS oldest FROM search_outbox`)
	})
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("search outbox stats: %w", err)
	}
	if row.Oldest != nil {
		oldest = *row.Oldest
	}
	return row.Depth, oldest, nil
}

// FindPublishedListingIDs pages through the ids of published listings in id
// order (keyset pagination: pass the last id seen, "" to start), for a
// full reindex. It reads whatever the context's scope allows.
func (db *DB) FindPublishedListingIDs(ctx context.Context, afterID string, limit int) ([]string, error) {
	if afterID == "" {
		afterID = "00000000-0000-0000-0000-000000000000"
	}
	var ids []string
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &ids, `
			SELECT id FROM listings WHERE status = 'published' AND id > $1::uuid ORDER BY id LIMIT $2`, afterID, limit)
	})
	if err != nil {
		return nil, fmt.Errorf("published listing ids: %w", err)
	}
	return ids, nil
}

// CountPublishedListings counts what a full reindex will write.
func (db *DB) CountPublishedListings(ctx context.Context) (int, error) {
	var n int
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &n, `SELECT count(*) FROM listings WHERE status = 'published'`)
	})
	if err != nil {
		return 0, fmt.Errorf("count published listings: %w", err)
	}
	return n, nil
}

// EnqueueChangedSince queues every listing changed at or after since. A
// reindex calls it after its swap, so that changes the worker wrote into
// the old index while the new one was being filled are not lost.
func (db *DB) EnqueueChangedSince(ctx context.Context, since time.Time) (int, error) {
	var n int64
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO search_outbox (tenant_id, listing_id)
			SELECT tenant_id, id FROM listings WHERE updated_at >= $1`, since)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("enqueue listings changed since %s: %w", since.Format(time.RFC3339), err)
	}
	return int(n), nil
}

// FindCategoryNames maps each tenant's id to its categories' codes and Polish
// names, so search documents can carry words a person types ("ogrodnictwo")
// besides the codes they filter on.
func (db *DB) FindCategoryNames(ctx context.Context) (map[string]map[string]string, error) {
	var rows []struct {
		TenantID string `db:"tenant_id"`
		Code     string `db:"code"`
		Name     string `db:"name_pl"`
	}
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &rows, `SELECT tenant_id, code, name_pl FROM categories`)
	})
	if err != nil {
		return nil, fmt.Errorf("category names: %w", err)
	}
	out := map[string]map[string]string{}
	for _, r := range rows {
		if out[r.TenantID] == nil {
			out[r.TenantID] = map[string]string{}
		}
		out[r.TenantID][r.Code] = r.Name
	}
	return out, nil
}

// ReleaseIndexJobs hands claimed jobs back at once, without counting an
// attempt: a worker that is shutting down must not leave its lease behind.
func (db *DB) ReleaseIndexJobs(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE search_outbox SET available_at = clock_timestamp() WHERE id = ANY($1::bigint[])`, pq.Array(ids))
		return err
	})
	if err != nil {
		return fmt.Errorf("release search outbox jobs: %w", err)
	}
	return nil
}
