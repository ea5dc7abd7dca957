package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"katalogpes/tenants"
)

// RefreshTTL is how long an unused refresh token stays valid.
const RefreshTTL = 30 * 24 * time.Hour

// Session is a login: its refresh token (shown once) and its family, the
// chain of rotations that logout or theft detection revokes whole.
type Session struct {
	Account      *Account
	RefreshToken string
	FamilyID     string
}

var errBadRefresh = &Error{Code: EUnauthorized, Key: "refresh.invalid"}

// StartSession issues the first refresh token of a new family.
func (db *DB) StartSession(ctx context.Context, a *Account) (*Session, error) {
	s := &Session{Account: a, FamilyID: uuid.NewString()}
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		s.RefreshToken, err = insertRefresh(ctx, tx, a, s.FamilyID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

func insertRefresh(ctx context.Context, tx *sqlx.Tx, a *Account, family string) (string, error) {
	token, hash := newToken()
	_, err := tx.ExecContext(ctx, `
		INSERT INTO refresh_tokens (token_hash, tenant_id, account_id, family_id, expires_at)
		VALUES ($1, $2, $3, $4, now() + $5 * interval '1 second')`,
		hash, a.TenantID, a.ID, family, int(RefreshTTL.Seconds()))
	if err != nil {
		return "", fmt.Errorf("store refresh token: %w", err)
	}
	return token, nil
}

// RotateSession trades a refresh token for a new one of the same family. A
// token presented twice means it was stolen (or replayed): the whole family
// is revoked, and that revocation is kept even though the call fails.
func (db *DB) RotateSession(ctx context.Context, token string) (*Session, error) {
	var s *Session
	var reused bool
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		var row struct {
			AccountID string       `db:"account_id"`
			FamilyID  string       `db:"family_id"`
			Expired   bool         `db:"expired"`
			UsedAt    sql.NullTime `db:"used_at"`
			RevokedAt sql.NullTime `db:"revoked_at"`
		}
		// A refresh token is good only where it was issued: a region's
		// token in its region, a platform token on the national hub.
		var issuedIn sql.NullString
		if t, ok := tenants.FromContext(ctx); ok {
			issuedIn = sql.NullString{String: t.ID, Valid: true}
		}
		err := tx.GetContext(ctx, &row, `
			SELECT account_id, family_id, expires_at < now() AS expired, used_at, revoked_at
			FROM refresh_tokens WHERE token_hash = $1 AND tenant_id IS NOT DISTINCT FROM $2::uuid
			FOR UPDATE`, hashToken(token), issuedIn)
		if errors.Is(err, sql.ErrNoRows) {
			return errBadRefresh
		}
		if err != nil {
			return fmt.Errorf("find refresh token: %w", err)
		}
		if row.UsedAt.Valid && !row.RevokedAt.Valid {
			reused = true
			return revokeFamily(ctx, tx, row.FamilyID)
		}
		if row.RevokedAt.Valid || row.Expired {
			return errBadRefresh
		}
		var a Account
		if err := tx.GetContext(ctx, &a, `
			SELECT id, tenant_id, email, name, role, status, password_hash, created_at, verified_at
			FROM accounts WHERE id = $1`, row.AccountID); err != nil {
			return fmt.Errorf("refresh: account: %w", err)
		}
		if a.Status != AccountActive {
			return errBadRefresh
		}
		if _, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1`, hashToken(token)); err != nil {
			return fmt.Errorf("use refresh token: %w", err)
		}
		next, err := insertRefresh(ctx, tx, &a, row.FamilyID)
		if err != nil {
			return err
		}
		s = &Session{Account: &a, RefreshToken: next, FamilyID: row.FamilyID}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if reused {
		return nil, &Error{Code: EUnauthorized, Key: "refresh.reused"}
	}
	return s, nil
}

func revokeFamily(ctx context.Context, tx *sqlx.Tx, family string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL`, family); err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}

func revokeAccountSessions(ctx context.Context, tx *sqlx.Tx, accountID string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET revoked_at = now() WHERE account_id = $1 AND revoked_at IS NULL`, accountID); err != nil {
		return fmt.Errorf("revoke sessions of account: %w", err)
	}
	return nil
}

// EndSession revokes a login's refresh tokens (logout).
func (db *DB) EndSession(ctx context.Context, accountID, familyID string) error {
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		if familyID == "" {
			return revokeAccountSessions(ctx, tx, accountID)
		}
		_, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND account_id = $2 AND revoked_at IS NULL`, familyID, accountID)
		if err != nil {
			return fmt.Errorf("end session: %w", err)
		}
		return nil
	})
}

// SessionActive reports whether a login's refresh family still stands, so
// access tokens of a logged-out or removed session can be refused early.
func (db *DB) SessionActive(ctx context.Context, familyID string) (bool, error) {
	var ok bool
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = $1 AND revoked_at IS NULL)`, familyID)
	})
	return ok, err
}
