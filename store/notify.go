package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// TenantChannel is where a change to a tenant's row (branding, settings,
// categories) is announced, with the tenant's id as the payload, so every
// node reloads what it keeps of tenants.
const TenantChannel = "tenant_changed"

// A Notice is what Listen hands on: a notification's Payload; or Missed,
// when notifications may have been lost (the listener has just connected or
// reconnected), so whoever keeps copies must reload all of them; or Err,
// why the connection was lost or could not be made (Listen keeps trying).
type Notice struct {
	Payload string
	Missed  bool
	Err     error
}

// Listen hands every notification on channel to fn, one at a time, until
// ctx ends. It starts with a Missed notice once listening, since anything
// committed before then was not heard. A lost connection is re-established
// with back-off, followed by another Missed notice.
func (db *DB) Listen(ctx context.Context, channel string, fn func(Notice)) error {
	problems := make(chan error, 8)
	l := pq.NewListener(db.dsn, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		if err != nil {
			select {
			case problems <- fmt.Errorf("listen on %s: %s: %w", channel, ev, err):
			default: // a burst of failures says no more than its first
			}
		}
	})
	defer l.Close()
	// Listen waits for a connection; closing the listener ends the wait.
	stop := context.AfterFunc(ctx, func() { l.Close() })
	defer stop()
	if err := l.Listen(channel); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("listen on %s: %w", channel, err)
	}
	fn(Notice{Missed: true})
	// A connection that died silently is found only by using it.
	ping := time.NewTicker(30 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case n, ok := <-l.Notify:
			switch {
			case !ok:
				return nil
			case n == nil:
				fn(Notice{Missed: true})
			default:
				fn(Notice{Payload: n.Extra})
			}
		case err := <-problems:
			fn(Notice{Err: err})
		case <-ping.C:
			go l.Ping() //nolint:errcheck // a failed ping shows as a lost connection
		}
	}
}

// ListenTenantChanges is Listen on TenantChannel: the payload is the id of
// the tenant that changed.
func (db *DB) ListenTenantChanges(ctx context.Context, fn func(Notice)) error {
	return db.Listen(ctx, TenantChannel, fn)
}

// notifyTenantChanged announces a change to a tenant within the
// transaction that makes it, so the notice goes out on commit and never
// for a change rolled back.
func notifyTenantChanged(ctx context.Context, tx *sqlx.Tx, tenantID string) error {
	if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, TenantChannel, tenantID); err != nil {
		return fmt.Errorf("announce change to tenant %s: %w", tenantID, err)
	}
	return nil
}

// ListingChannel is where every change to listings is announced on commit
// (a trigger of migration 00040): the payload is the tenant's id, then,
// when few rows changed, a space and their ids separated by commas.
const ListingChannel = "listing_changed"

// A ListingChange is one ListingChannel payload: the tenant, and the ids
// of the listings that changed; no ids means any of the tenant's may have.
type ListingChange struct {
	TenantID string
	IDs      []string
}

// ParseListingChange reads a ListingChannel payload.
func ParseListingChange(payload string) ListingChange {
	tenant, ids, ok := strings.Cut(payload, " ")
	ch := ListingChange{TenantID: tenant}
	if ok && ids != "" {
		ch.IDs = strings.Split(ids, ",")
	}
	return ch
}

// ListenListingChanges is Listen on ListingChannel.
func (db *DB) ListenListingChanges(ctx context.Context, fn func(Notice)) error {
	return db.Listen(ctx, ListingChannel, fn)
}

// NeedMatchChannel announces, on commit, that a need was queued for
// matching (a trigger of migration 00042); the payload is empty.
const NeedMatchChannel = "need_match_queued"

// ListenNeedMatches is Listen on NeedMatchChannel.
func (db *DB) ListenNeedMatches(ctx context.Context, fn func(Notice)) error {
	return db.Listen(ctx, NeedMatchChannel, fn)
}
