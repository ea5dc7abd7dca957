package store

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/jmoiron/sqlx"

	"katalogpes/tenants"
)

// ListingUpdate is an edit of a listing: new values, in Data, for the
// fields Fields names (as the API names them: name, address…). The other
// fields keep what the listing has when the edit lands, so two edits of
// different fields both stand.
type ListingUpdate struct {
	Data   ListingData
	Fields []string
}

// ListingChanges is the update that turns before into after: the fields
// where the two differ.
func ListingChanges(before, after ListingData) ListingUpdate {
	return ListingUpdate{Data: after, Fields: changedFields(before, after)}
}

// listingFieldIndex maps a field's API name to its place in ListingData.
var listingFieldIndex = func() map[string]int {
	t := reflect.TypeOf(ListingData{})
	m := make(map[string]int, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		m[name] = i
	}
	return m
}()

// applyTo returns base with the update's fields set. The result shares no
// slices or pointers with base or the update: validation normalises it in
// place, and base is still compared against afterwards.
func (u ListingUpdate) applyTo(base ListingData) (ListingData, error) {
	next := base
	dst, src := reflect.ValueOf(&next).Elem(), reflect.ValueOf(u.Data)
	for _, f := range u.Fields {
		i, ok := listingFieldIndex[f]
		if !ok {
			return base, fmt.Errorf("update listing: no field %q", f)
		}
		dst.Field(i).Set(src.Field(i))
	}
	raw, err := json.Marshal(next)
	if err != nil {
		return base, fmt.Errorf("encode listing: %w", err)
	}
	var out ListingData
	if err := json.Unmarshal(raw, &out); err != nil {
		return base, fmt.Errorf("copy listing: %w", err)
	}
	return out, nil
}

// CreateListing registers a draft owned by the signed-in account.
func (db *DB) CreateListing(ctx context.Context, d ListingData) (*Listing, error) {
	t, ok := tenants.FromContext(ctx)
	if !ok {
		return nil, ErrNoScope
	}
	p := tenants.PrincipalFrom(ctx)
	if !p.Authenticated() {
		return nil, Errorf(EUnauthorized, "auth.required")
	}
	var id string
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		if err := checkListing(ctx, tx, &d, t, ""); err != nil {
			return err
		}
		data, _ := json.Marshal(d)
		if err := tx.GetContext(ctx, &id, `
			INSERT INTO listings (tenant_id, owner_id, status, data) VALUES ($1, $2, 'draft', $3) RETURNING id`,
			t.ID, p.AccountID, data); err != nil {
			return fmt.Errorf("insert listing: %w", err)
		}
		return addEvent(ctx, tx, t.ID, id, p, "create", "", StatusDraft, "", changedFields(ListingData{}, d))
	})
	if err != nil {
		return nil, err
	}
	return db.FindListingByID(ctx, id)
}

// checkListing normalises and validates d for tenant t, then refuses a NIP
// or KRS another listing of the tenant already has. It reads through the
// write's own transaction: a write waiting on a second pooled connection
// while it holds the first starves the pool under load.
func checkListing(ctx context.Context, tx *sqlx.Tx, d *ListingData, t *tenants.Tenant, selfID string) error {
	errs := d.normalize()
	// An image from another site is the region's choice (it tells that
	// site who reads the profile); by default listings show none.
	if d.LogoURL != "" && externalImageURL(d.LogoURL) && !t.Settings.ExternalImages {
		errs = append(errs, FieldError{Field: "logo_url", Key: "logo_url.external_not_allowed"})
	}
	more, err := validateInTenant(ctx, tx, d, t.TERYT, t.ID)
	if err != nil {
		return err
	}
	errs = append(errs, more...)
	if len(errs) > 0 {
		return Invalid(errs)
	}
	return checkDuplicates(ctx, tx, d, t.ID, selfID)
}

func checkDuplicates(ctx context.Context, tx *sqlx.Tx, d *ListingData, tenantID, selfID string) error {
	var dups []struct {
		Field   string  `db:"field"`
		ID      string  `db:"id"`
		OwnerID *string `db:"owner_id"`
	}
	err := tx.SelectContext(ctx, &dups, `
		SELECT CASE WHEN nip = $2 THEN 'nip' ELSE 'krs' END AS field, id, owner_id FROM listings
		WHERE tenant_id = $1 AND status <> 'archived' AND id::text <> $4
		  AND ((nip = $2 AND $2 <> '') OR (krs = $3 AND $3 <> ''))
		ORDER BY created_at, id`,
		tenantID, d.NIP, d.KRS, selfID)
	if err != nil {
		return fmt.Errorf("check duplicates: %w", err)
	}
	if len(dups) == 0 {
		return nil
	}
	names := make([]string, 0, len(dups))
	for _, dup := range dups {
		names = append(names, dup.Field)
	}
	var fields []FieldError
	for _, f := range dedupe(names) {
		fields = append(fields, FieldError{Field: f, Key: f + ".duplicate"})
	}
	conflict := &Error{Code: EConflict, Key: fields[0].Key, Fields: fields}
	// One listing with no owner is an import the entity may take over.
	if len(dups) == 1 && dups[0].OwnerID == nil {
		conflict.Claimable = dups[0].ID
	}
	return conflict
}

// UpdateListing applies an edit to the listing's current data (its pending
// revision, if any). Unpublished listings change in place; a published one
// gets a pending revision and stays as it was for the public until a
// moderator accepts the revision.
func (db *DB) UpdateListing(ctx context.Context, id string, u ListingUpdate) (*Listing, error) {
	return db.changeListing(ctx, id, false, func(tx *sqlx.Tx, t *tenants.Tenant, p tenants.Principal, row *listingRow, cur *Listing) error {
		switch row.Status {
		case StatusArchived, StatusSuspended:
			return &Error{Code: EConflict, Key: "listing.locked", Params: map[string]any{"Status": row.Status}}
		}
		base := cur.ListingData
		if cur.Revision != nil {
			base = cur.Revision.Data
		}
		next, err := u.applyTo(base)
		if err != nil {
			return err
		}
		if err := checkListing(ctx, tx, &next, t, id); err != nil {
			return err
		}
		data, _ := json.Marshal(next)
		if row.Status == StatusPublished {
			fields := changedFields(cur.ListingData, next)
			if len(fields) == 0 {
				_, err := tx.ExecContext(ctx, `UPDATE listings SET revision = NULL, revision_status = NULL, revision_reason = '', review_snapshot = NULL WHERE id = $1`, id)
				return err
			}
			if _, err := tx.ExecContext(ctx, `
				UPDATE listings SET revision = $2, revision_status = 'pending', revision_reason = '',
				       revision_submitted_at = now(), updated_at = now()
				WHERE id = $1`, id, data); err != nil {
				return fmt.Errorf("store revision: %w", err)
			}
			if err := addEvent(ctx, tx, t.ID, id, p, "revision", StatusPublished, StatusPublished, "", fields); err != nil {
				return err
			}
			if cur.Revision != nil && cur.Revision.Status == "pending" {
				return nil // already waiting: its moderators were told
			}
			return db.alertStaff(ctx, tx, t.ID, WaitingItem{Kind: WaitingRevision, ListingID: id, ListingName: next.Name})
		}
		fields := changedFields(base, next)
		if len(fields) == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE listings SET data = $2, updated_at = now() WHERE id = $1`, id, data); err != nil {
			return fmt.Errorf("update listing: %w", err)
		}
		return addEvent(ctx, tx, t.ID, id, p, "edit", row.Status, row.Status, "", fields)
	})
}
