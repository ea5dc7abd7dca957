package store

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// UnfilteredAccountEmails reads accounts without a tenant filter: only
// row-level security stands between it and other tenants' rows.
func (db *DB) UnfilteredAccountEmails(ctx context.Context) ([]string, error) {
	var emails []string
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &emails, `SELECT email FROM accounts ORDER BY email`)
	})
	return emails, err
}

// ActsAsSuperuser reports whether the pool's current role could bypass RLS.
func (db *DB) ActsAsSuperuser(ctx context.Context) (bool, error) {
	var bypass bool
	err := db.db.GetContext(ctx, &bypass, `SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user`)
	return bypass, err
}

// ImportRowByRow makes imports write each row in its own transaction, the
// way a chunk the database refused is written, until restore is called.
func ImportRowByRow() (restore func()) {
	importRowByRow = true
	return func() { importRowByRow = false }
}

// LimitPool caps the pool at n open connections, as a busy server would
// find it: a write that needs a second connection then waits for itself.
func (db *DB) LimitPool(n int) { db.db.SetMaxOpenConns(n) }
