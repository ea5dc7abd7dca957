package store

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// ListingOwnership is who owns a listing and whether the public sees it:
// what a route guard needs to tell the owner from everyone else.
type ListingOwnership struct {
	OwnerID   string
	Published bool
}

// FindListingOwnership reads the owner and status of a listing of the
// context's tenant; another tenant's listing is not found.
func (db *DB) FindListingOwnership(ctx context.Context, id string) (ListingOwnership, error) {
	if !ValidID(id) {
		return ListingOwnership{}, ErrNotFound
	}
	tid, err := tenantID(ctx)
	if err != nil {
		return ListingOwnership{}, err
	}
	var row struct {
		OwnerID *string `db:"owner_id"`
		Status  string  `db:"status"`
	}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &row, `SELECT owner_id, status FROM listings WHERE tenant_id = $1 AND id = $2`, tid, id)
	})
	if err != nil {
		return ListingOwnership{}, notFound(err, "find owner of listing "+id)
	}
	o := ListingOwnership{Published: row.Status == StatusPublished}
	if row.OwnerID != nil {
		o.OwnerID = *row.OwnerID
	}
	return o, nil
}
