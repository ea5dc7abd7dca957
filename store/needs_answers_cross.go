package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// Answers across regions: a need open to other regions
// (include_other_regions) reaches listings of other regions; their owners
// answer from their own region's desk, and the answer is written on the
// need, in the need's region. Row-level security keeps each transaction
// in one region, so the transaction moves to the need's region once the
// owner's listing is checked in its own and the match between the two is
// found (the matcher writes across regions the same way, under the
// all-tenants scope, with explicit conditions).

// needRegion finds the region of need needID for the owner accountID of
// region listingTenant: that region, when the need is its own; else the
// region of a need that reached one of the owner's listings (listingID,
// or any of them when it is ""), to which tx then moves. A need of
// another region that reached none of them is not found.
func needRegion(ctx context.Context, tx *sqlx.Tx, listingTenant, accountID, needID, listingID string) (string, error) {
	if !ValidID(needID) {
		return "", ErrNotFound
	}
	var own bool
	if err := tx.GetContext(ctx, &own, `SELECT EXISTS (SELECT 1 FROM needs WHERE tenant_id = $1 AND id = $2)`, listingTenant, needID); err != nil {
		return "", fmt.Errorf("find need %s: %w", needID, err)
	}
	if own {
		return listingTenant, nil
	}
	if err := scopeTx(ctx, tx, ""); err != nil {
		return "", err
	}
	var needTenant string
	err := tx.GetContext(ctx, &needTenant, `SELECT m.tenant_id FROM need_matches m JOIN listings l ON l.id = m.listing_id
		WHERE m.need_id = $1 AND m.listing_tenant_id = $2 AND l.tenant_id = $2 AND l.owner_id = $3 AND ($4 = '' OR l.id::text = $4)
		LIMIT 1`, needID, listingTenant, accountID, listingID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("find the match of need %s: %w", needID, err)
	}
	return needTenant, scopeTx(ctx, tx, needTenant)
}

// FindNeedToAnswer reads a need for the signed-in owner's answer form: a
// need of its region, or one of another region that reached one of its
// listings.
func (db *DB) FindNeedToAnswer(ctx context.Context, needID string) (*Need, error) {
	t, p, err := answerer(ctx)
	if err != nil {
		return nil, err
	}
	var n *Need
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		needTenant, err := needRegion(ctx, tx, t.ID, p.AccountID, needID, "")
		if err != nil {
			return err
		}
		n, err = readNeed(ctx, tx, needTenant, needID)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !n.Public() {
		return nil, ErrNotFound
	}
	return n, nil
}
