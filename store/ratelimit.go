package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// cleanupOneIn is how often a hit also deletes expired windows: rarely
// enough to cost nothing, often enough that the table stays small.
const cleanupOneIn = 100

// HitRateLimit counts one attempt against key in a fixed window and says
// whether it is within limit; when it is not, retryAfter is the time left
// in the window. The counter is one row updated in one statement, so
// every node and every route naming the same key shares it, and the
// database's clock decides when a window ends. Keys are not a region's
// data, so no tenant scope is needed.
func (db *DB) HitRateLimit(ctx context.Context, key string, limit int, window time.Duration) (allowed bool, retryAfter time.Duration, err error) {
	var hits int
	var left float64
	err = db.db.QueryRowxContext(ctx, `
		INSERT INTO rate_limits AS r (key, window_start, window_ends_at, hits)
		VALUES ($1, now(), now() + make_interval(secs => $2), 1)
		ON CONFLICT (key) DO UPDATE SET
		  window_start   = CASE WHEN r.window_ends_at <= now() THEN now() ELSE r.window_start END,
		  window_ends_at = CASE WHEN r.window_ends_at <= now() THEN now() + make_interval(secs => $2) ELSE r.window_ends_at END,
		  hits           = CASE WHEN r.window_ends_at <= now() THEN 1 ELSE r.hits + 1 END
		RETURNING hits, extract(epoch FROM window_ends_at - now())::float8`,
		key, window.Seconds()).Scan(&hits, &left)
	if err != nil {
		return false, 0, fmt.Errorf("count rate limit %s: %w", key, err)
	}
	if rand.IntN(cleanupOneIn) == 0 {
		if _, err := db.DeleteExpiredRateLimits(ctx); err != nil {
			return false, 0, err
		}
	}
	if hits <= limit {
		return true, 0, nil
	}
	return false, time.Duration(left * float64(time.Second)), nil
}

// RefundRateLimit takes back one attempt counted against key in its
// current window, for an attempt that turned out not to count (a form that
// failed validation).
func (db *DB) RefundRateLimit(ctx context.Context, key string) error {
	_, err := db.db.ExecContext(ctx, `
		UPDATE rate_limits SET hits = hits - 1
		WHERE key = $1 AND hits > 0 AND window_ends_at > now()`, key)
	if err != nil {
		return fmt.Errorf("refund rate limit %s: %w", key, err)
	}
	return nil
}

// DeleteExpiredRateLimits drops the windows that have ended; the next hit
// on such a key starts a new one anyway.
func (db *DB) DeleteExpiredRateLimits(ctx context.Context) (int64, error) {
	res, err := db.db.ExecContext(ctx, `DELETE FROM rate_limits WHERE window_ends_at <= now()`)
	if err != nil {
		return 0, fmt.Errorf("delete expired rate limits: %w", err)
	}
	return res.RowsAffected()
}
