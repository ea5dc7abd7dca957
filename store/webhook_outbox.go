package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"katalogpes/tenants"
)

// The webhook outbox's worker side: due deliveries are claimed with SKIP
// LOCKED (so several nodes share the work and none sends one twice at
// once), sent outside any transaction, and their outcome recorded.

// webhookLease is how long a claimed delivery is another node's: longer
// than a delivery's HTTP timeout.
const webhookLease = time.Minute

// ClaimWebhookDeliveries takes up to limit due deliveries of every region
// and pushes their next attempt past the lease, so a node that dies while
// sending leaves them to be retried.
func (db *DB) ClaimWebhookDeliveries(ctx context.Context, limit int) ([]WebhookDelivery, error) {
	var list []WebhookDelivery
	err := db.tx(tenants.WithAllTenants(ctx), func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &list, `
			WITH due AS (
			  SELECT d.id FROM webhook_deliveries d
			  WHERE d.status = 'pending' AND d.next_attempt_at <= now()
			  ORDER BY d.next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
			UPDATE webhook_deliveries d SET next_attempt_at = now() + make_interval(secs => $2), attempts = d.attempts + 1
			FROM due, webhooks w WHERE d.id = due.id AND w.id = d.webhook_id
			RETURNING d.id, d.webhook_id, w.url, w.secret, d.event, d.payload, d.status, d.attempts, d.next_attempt_at,
			  d.last_status_code, d.last_error, d.created_at, d.delivered_at`, limit, webhookLease.Seconds())
	})
	if err != nil {
		return nil, fmt.Errorf("claim webhook deliveries: %w", err)
	}
	return list, nil
}

// WebhookBackoff is the wait before attempt n+1: 30 s doubling, at most 2 h.
func WebhookBackoff(attempts int) time.Duration {
	d := 30 * time.Second << min(attempts-1, 8)
	return min(d, 2*time.Hour)
}

// RecordWebhookDelivery stores an attempt's outcome: delivered, or
// retried with back-off until WebhookRetryFor after the event, then failed.
func (db *DB) RecordWebhookDelivery(ctx context.Context, d WebhookDelivery, code int, failure string) error {
	var codeArg *int
	if code != 0 {
		codeArg = &code
	}
	err := db.tx(tenants.WithAllTenants(ctx), func(tx *sqlx.Tx) error {
		if failure == "" {
			_, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET status = 'delivered', delivered_at = now(),
				last_status_code = $2, last_error = '' WHERE id = $1`, d.ID, codeArg)
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET last_status_code = $2, last_error = $3,
			next_attempt_at = now() + make_interval(secs => $4),
			status = CASE WHEN now() + make_interval(secs => $4) > created_at + make_interval(secs => $5) THEN 'failed' ELSE 'pending' END
			WHERE id = $1 AND status = 'pending'`, d.ID, codeArg, failure, WebhookBackoff(d.Attempts).Seconds(), WebhookRetryFor.Seconds())
		return err
	})
	if err != nil {
		return fmt.Errorf("record webhook delivery %s: %w", d.ID, err)
	}
	return nil
}

// FindWebhookDeliveries lists the context's tenant's latest deliveries.
func (db *DB) FindWebhookDeliveries(ctx context.Context, limit int) ([]WebhookDelivery, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	list := []WebhookDelivery{}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &list, `
			SELECT d.id, d.webhook_id, w.url, '' AS secret, d.event, d.payload, d.status, d.attempts, d.next_attempt_at,
			  d.last_status_code, d.last_error, d.created_at, d.delivered_at
			FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
			WHERE d.tenant_id = $1 ORDER BY d.created_at DESC, d.id LIMIT $2`, tid, limit)
	})
	if err != nil {
		return nil, fmt.Errorf("list webhook deliveries: %w", err)
	}
	return list, nil
}
