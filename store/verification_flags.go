package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/jmoiron/sqlx"

	"katalogpes/tenants"
)

// VerificationFlag is a listing the registries say no longer trades as
// listed, waiting for a moderator.
type VerificationFlag struct {
	Verification
	Name   string `json:"name"`
	Status string `json:"status"`
}

// Flags the nightly check raises.
var VerificationFlags = []string{"struck_off", "bankrupt", "deleted", "ended", "suspended"}

// FindVerificationFlags lists the region's flagged listings (flag "" for
// every kind) that wait for a decision, oldest first.
func (db *DB) FindVerificationFlags(ctx context.Context, flag string) ([]VerificationFlag, error) {
	if !tenants.PrincipalFrom(ctx).Can(tenants.PermModerate) {
		return nil, Errorf(EForbidden, "forbidden")
	}
	t, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if flag != "" && !slices.Contains(VerificationFlags, flag) {
		return nil, Invalid([]FieldError{{Field: "flag", Key: "registry.flag_unknown"}})
	}
	var rows []struct {
		verificationRow
		Name   string `db:"name"`
		Status string `db:"status"`
	}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &rows, `SELECT `+verificationCols+`, coalesce(l.name, '') AS name, l.status
			FROM listing_verifications v JOIN listings l ON l.id = v.listing_id
			WHERE v.tenant_id = $1 AND v.flag_state IN ('open', 'asked') AND ($2 = '' OR v.flag = $2)
			ORDER BY v.flagged_at, v.listing_id`, t, flag)
	})
	if err != nil {
		return nil, fmt.Errorf("verification flags: %w", err)
	}
	out := make([]VerificationFlag, 0, len(rows))
	for _, r := range rows {
		out = append(out, VerificationFlag{Verification: r.verification(), Name: r.Name, Status: r.Status})
	}
	return out, nil
}

// What a moderator decides about a flag.
const (
	FlagDismiss = "dismissed" // the registry is wrong or the listing is fine
	FlagAsk     = "asked"     // the owner is asked to explain or update
	FlagSuspend = "suspended" // the listing was suspended (by ModerateAndTell)
)

// DecideVerificationFlag records a moderator's decision on an open flag;
// asking mails the owner (compose), in the same transaction.
func (db *DB) DecideVerificationFlag(ctx context.Context, listingID, decision string, compose func(FlagMail) Mail) error {
	p := tenants.PrincipalFrom(ctx)
	if !p.Can(tenants.PermModerate) {
		return Errorf(EForbidden, "forbidden")
	}
	if !slices.Contains([]string{FlagDismiss, FlagAsk, FlagSuspend}, decision) {
		return Invalid([]FieldError{{Field: "action", Key: "registry.action_unknown"}})
	}
	t, ok := tenants.FromContext(ctx)
	if !ok {
		return ErrNoScope
	}
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		var l struct {
			checked
			Flag string `db:"flag"`
		}
		err := tx.GetContext(ctx, &l, `SELECT c.*, v.flag FROM (`+checkedSelect+`) c
			JOIN listing_verifications v ON v.listing_id = c.id
			WHERE v.tenant_id = $1 AND v.listing_id::text = $2 AND v.flag_state IN ('open', 'asked')
			FOR UPDATE OF v`, t.ID, listingID)
		if err != nil {
			return notFound(err, "open flag of "+listingID)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE listing_verifications SET flag_state = $2, decided_by = $3 WHERE listing_id = $1`,
			l.ID, decision, sql.NullString{String: p.AccountID, Valid: p.AccountID != ""}); err != nil {
			return fmt.Errorf("decide flag of %s: %w", l.ID, err)
		}
		if decision != FlagAsk {
			return nil
		}
		if l.OwnerEmail == "" {
			return &Error{Code: EConflict, Key: "registry.no_owner"}
		}
		m := compose(FlagMail{Lang: l.OwnerLang, To: l.OwnerEmail, ListingID: l.ID, ListingName: l.Name,
			TenantSlug: l.TenantSlug, TenantName: l.TenantName, Flag: l.Flag})
		m.To = l.OwnerEmail
		return enqueueMail(ctx, tx, sql.NullString{String: l.TenantID, Valid: true}, m)
	})
}
