package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"katalogpes/tenants"
)

// FindTenants lists the regions in TERYT order. The tenants table is not
// tenant-owned, so this needs no scope.
func (db *DB) FindTenants(ctx context.Context) ([]tenants.Tenant, error) {
	rows, err := db.db.QueryContext(ctx, `
		SELECT id, slug, teryt, voivodeship, name, city, hosts, branding, settings
		FROM tenants ORDER BY teryt`)
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	defer rows.Close()
	var list []tenants.Tenant
	for rows.Next() {
		var t tenants.Tenant
		var branding, settings []byte
		if err := rows.Scan(&t.ID, &t.Slug, &t.TERYT, &t.Voivodeship, &t.Name, &t.City,
			pq.Array(&t.Hosts), &branding, &settings); err != nil {
			return nil, fmt.Errorf("scan tenant: %w", err)
		}
		if err := json.Unmarshal(branding, &t.Branding); err != nil {
			return nil, fmt.Errorf("tenant %s branding: %w", t.Slug, err)
		}
		if err := json.Unmarshal(settings, &t.Settings); err != nil {
			return nil, fmt.Errorf("tenant %s settings: %w", t.Slug, err)
		}
		list = append(list, t)
	}
	return list, rows.Err()
}

// TenantUpdate is what a region's admin may change about the region.
type TenantUpdate struct {
	Branding *tenants.Branding
	Settings *tenants.Settings
}

// UpdateTenant changes the context's tenant's branding or settings and
// tells every node (see TenantChannel).
func (db *DB) UpdateTenant(ctx context.Context, upd TenantUpdate) error {
	id, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		if upd.Branding != nil {
			b, _ := json.Marshal(upd.Branding)
			if _, err := tx.ExecContext(ctx, `UPDATE tenants SET branding = $2 WHERE id = $1`, id, b); err != nil {
				return fmt.Errorf("update tenant branding: %w", err)
			}
		}
		if upd.Settings != nil {
			s, _ := json.Marshal(upd.Settings)
			if _, err := tx.ExecContext(ctx, `UPDATE tenants SET settings = $2 WHERE id = $1`, id, s); err != nil {
				return fmt.Errorf("update tenant settings: %w", err)
			}
		}
		return notifyTenantChanged(ctx, tx, id)
	})
}
