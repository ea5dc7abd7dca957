package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"katalogpes/store/ident"
	"katalogpes/tenants"
)

// FindTenants lists the regions in TERYT order. The tenants table is not
// tenant-owned, so this needs no scope.
func (db *DB) FindTenants(ctx context.Context) ([]tenants.Tenant, error) {
	rows, err := db.db.QueryContext(ctx, `
		SELECT id, slug, teryt, voivodeship, name, city, contact_email, contact_phone, hosts, branding, settings
		FROM tenants ORDER BY teryt`)
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	defer rows.Close()
	var list []tenants.Tenant
	for rows.Next() {
		var t tenants.Tenant
		var branding, settings []byte
		if err := rows.Scan(&t.ID, &t.Slug, &t.TERYT, &t.Voivodeship, &t.Name, &t.City, &t.ContactEmail, &t.ContactPhone,
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
	Contact  *TenantContact
}

// TenantContact is how the public reaches a region's team. Either may be
// empty; what is given must be a valid e-mail and phone number.
type TenantContact struct {
	Email string
	Phone string
}

// Normalize checks the contact as store/ident does a listing's and returns
// it in canonical form (a phone in E.164), or the fields that are wrong.
func (c TenantContact) Normalize() (TenantContact, error) {
	v := &validator{}
	v.ident("contact_email", "email", &c.Email, ident.ValidateEmail)
	v.ident("contact_phone", "phone", &c.Phone, ident.NormalizePhone)
	if len(v.errs) > 0 {
		return c, Invalid(v.errs)
	}
	return c, nil
}

// UpdateTenant changes the context's tenant's branding, settings or
// contact and tells every node (see TenantChannel). A bad contact is a 422
// at its field, and nothing is saved.
func (db *DB) UpdateTenant(ctx context.Context, upd TenantUpdate) error {
	id, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if upd.Contact != nil {
		contact, err := upd.Contact.Normalize()
		if err != nil {
			return err
		}
		upd.Contact = &contact
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
		if upd.Contact != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE tenants SET contact_email = $2, contact_phone = $3 WHERE id = $1`,
				id, upd.Contact.Email, upd.Contact.Phone); err != nil {
				return fmt.Errorf("update tenant contact: %w", err)
			}
		}
		return notifyTenantChanged(ctx, tx, id)
	})
}
