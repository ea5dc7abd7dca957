// Package store is the PostgreSQL side of Katalog PES: the domain types next
// to their SQL, through sqlx and lib/pq. Every query runs in a transaction
// scoped to the tenant found in the context (row-level security backs the
// explicit tenant filters). It imports tenants (types) and nothing else of
// ours; search and handlers build on it.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the PostgreSQL driver

	"katalogpes/tenants"
)

// AppRole is the NOLOGIN role every pooled connection acts as: no
// superuser, no BYPASSRLS, owns no table, so row-level security holds.
const AppRole = "katalogpes_app"

// ErrNoScope is returned when a context names neither a tenant nor the
// all-tenants scope: the store refuses to guess.
var ErrNoScope = errors.New("store: context has no tenant")

// DB is the application's handle on PostgreSQL.
type DB struct {
	db  *sqlx.DB
	dsn string // for the connections Listen holds outside the pool
	now func() time.Time
	// alert writes the immediate mail to staff about a new item; nil:
	// none (see WithStaffAlerts).
	alert func(StaffAlert) Mail
	// buyerAlert writes the mail to staff about a buyer waiting for
	// confirmation; nil: none (see WithStaffAlerts).
	buyerAlert func(BuyerAlert) Mail
}

// Open connects as the application role (see AppRole).
func Open(ctx context.Context, databaseURL string) (*DB, error) {
	dsn, err := WithRole(databaseURL, AppRole)
	if err != nil {
		return nil, err
	}
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db.SetMaxOpenConns(40)
	db.SetMaxIdleConns(40)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return &DB{db: db, dsn: dsn, now: time.Now}, nil
}

// WithRole makes every connection of a DSN act as role, through the
// startup option `-c role=…` that lib/pq passes on.
func WithRole(databaseURL, role string) (string, error) {
	if strings.HasPrefix(databaseURL, "postgres://") || strings.HasPrefix(databaseURL, "postgresql://") {
		u, err := url.Parse(databaseURL)
		if err != nil {
			return "", fmt.Errorf("parse DATABASE_URL: %w", err)
		}
		q := u.Query()
		q.Set("options", strings.TrimSpace(q.Get("options")+" -c role="+role))
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	return databaseURL + " options='-c role=" + role + "'", nil
}

// Close closes the pool.
func (db *DB) Close() error { return db.db.Close() }

// Ping checks the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.db.PingContext(ctx) }

// PoolStats exposes the pool's figures for metrics.
func (db *DB) PoolStats() sql.DBStats { return db.db.Stats() }

// tx runs fn in a transaction scoped to the context's tenant (or to all
// tenants, when the context says so). set_config(…, true) is local to the
// transaction, so nothing leaks to the next user of the pooled connection.
func (db *DB) tx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tenantID := "" // every tenant, when the context says so
	if t, ok := tenants.FromContext(ctx); ok {
		tenantID = t.ID
	} else if !tenants.AllTenants(ctx) {
		return ErrNoScope
	}
	tx, err := db.db.BeginTxx(ctx, nil)
	if err != nil {
		return translate(fmt.Errorf("begin transaction: %w", err))
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := scopeTx(ctx, tx, tenantID); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return translate(err)
	}
	if err := tx.Commit(); err != nil {
		return translate(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// scopeTx moves tx to one tenant, or to every tenant when tenantID is "".
// set_config(…, true) is local to the transaction.
func scopeTx(ctx context.Context, tx *sqlx.Tx, tenantID string) error {
	all := ""
	if tenantID == "" {
		all = "on"
	}
	if _, err := tx.ExecContext(ctx, `SELECT set_config('app.tenant_id', $1, true), set_config('app.all_tenants', $2, true)`, tenantID, all); err != nil {
		return fmt.Errorf("scope transaction: %w", err)
	}
	return nil
}

// tenantID returns the context's tenant id or refuses.
func tenantID(ctx context.Context) (string, error) {
	t, ok := tenants.FromContext(ctx)
	if !ok {
		return "", ErrNoScope
	}
	return t.ID, nil
}

// notFound turns sql.ErrNoRows into our not-found error.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return &Error{Code: ENotFound, Key: "not_found", Err: fmt.Errorf("%s: %w", what, err)}
	}
	return fmt.Errorf("%s: %w", what, err)
}
