package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Category is one entry of a tenant's taxonomy of offers.
type Category struct {
	Code       string         `db:"code" json:"code"`
	ParentCode *string        `db:"parent_code" json:"parent_code,omitempty"`
	NamePL     string         `db:"name_pl" json:"name_pl"`
	NameEN     string         `db:"name_en" json:"name_en"`
	CPV        pq.StringArray `db:"cpv" json:"cpv"`
	// RetiredAt is set on a category offered for no new use: it stays on
	// the listings that have it.
	RetiredAt *time.Time `db:"retired_at" json:"retired_at,omitempty"`
}

// Retired reports whether the category is offered for no new use.
func (c Category) Retired() bool { return c.RetiredAt != nil }

// FindCategories lists the context's tenant's categories in their order.
func (db *DB) FindCategories(ctx context.Context) ([]Category, error) {
	id, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	var list []Category
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &list, `
			SELECT code, parent_code, name_pl, name_en, cpv, retired_at FROM categories
			WHERE tenant_id = $1 ORDER BY position, name_pl`, id)
	})
	if err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	return list, nil
}

// categoryCodes is the set of a tenant's category codes, read in a
// transaction of its own.
func (db *DB) categoryCodes(ctx context.Context, tenantID string) (map[string]bool, error) {
	var m map[string]bool
	err := db.tx(ctx, func(tx *sqlx.Tx) (err error) {
		m, err = categoryCodesIn(ctx, tx, tenantID)
		return err
	})
	return m, err
}

// categoryCodesIn is categoryCodes within the caller's transaction.
func categoryCodesIn(ctx context.Context, tx *sqlx.Tx, tenantID string) (map[string]bool, error) {
	var codes []string
	if err := tx.SelectContext(ctx, &codes, `SELECT code FROM categories WHERE tenant_id = $1`, tenantID); err != nil {
		return nil, fmt.Errorf("category codes: %w", err)
	}
	m := make(map[string]bool, len(codes))
	for _, c := range codes {
		m[c] = true
	}
	return m, nil
}

func pqStrings(s []string) any { return pq.Array(s) }
