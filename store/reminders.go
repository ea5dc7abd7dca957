package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"katalogpes/tenants"
)

// ManualReminderPeriod is how soon after any reminder about a listing
// staff may send another by hand.
const ManualReminderPeriod = 7 * 24 * time.Hour

// ListingReminder is one reminder sent about a listing: when, to whom,
// and by whom (SentBy empty: the automatic job).
type ListingReminder struct {
	ListingID  string    `db:"listing_id" json:"listing_id"`
	ToEmail    string    `db:"to_email" json:"to"`
	SentByName string    `db:"sent_by_name" json:"sent_by,omitempty"`
	SentAt     time.Time `db:"sent_at" json:"sent_at"`
}

// SendReminder asks about a published listing now, on staff's request:
// a mail to its owner (or, with no owner's account, to its contact
// address) through the outbox, recorded in its history. Within
// ManualReminderPeriod of the last reminder it is refused (EConflict
// "reminder.too_soon", Params Next: when one may go).
func (db *DB) SendReminder(ctx context.Context, listingID string, compose func(Reminder) Mail) (*ListingReminder, error) {
	t, ok := tenants.FromContext(ctx)
	if !ok {
		return nil, ErrNoScope
	}
	p := tenants.PrincipalFrom(ctx)
	if !p.Can(tenants.PermModerate) {
		return nil, Errorf(EForbidden, "forbidden")
	}
	now := db.now()
	var rem ListingReminder
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		var r Reminder
		err := tx.GetContext(ctx, &r, `
			SELECT l.id, coalesce(l.name, '') AS name, l.tenant_id, t.slug AS tenant_slug, t.name AS tenant_name,
			       coalesce(CASE WHEN a.status = 'active' THEN a.email END, l.data->'contact'->>'email', '') AS owner_email,
			       coalesce(CASE WHEN a.status = 'active' THEN a.name END, l.name, '') AS owner_name, l.confirmed_at
			FROM listings l
			JOIN tenants t ON t.id = l.tenant_id
			LEFT JOIN accounts a ON a.id = l.owner_id
			WHERE l.tenant_id = $1 AND l.id::text = $2 AND l.status = 'published'
			FOR UPDATE OF l`, t.ID, listingID)
		if err != nil {
			return notFound(err, "read listing "+listingID)
		}
		if r.OwnerEmail == "" {
			return &Error{Code: EConflict, Key: "reminder.no_recipient"}
		}
		var last sql.NullTime
		if err := tx.GetContext(ctx, &last, `SELECT max(sent_at) FROM listing_reminders WHERE tenant_id = $1 AND listing_id = $2`,
			t.ID, r.ListingID); err != nil {
			return fmt.Errorf("last reminder: %w", err)
		}
		if last.Valid && now.Sub(last.Time) < ManualReminderPeriod {
			return &Error{Code: EConflict, Key: "reminder.too_soon", Params: map[string]any{"Next": last.Time.Add(ManualReminderPeriod)}}
		}
		m := compose(r)
		m.To = r.OwnerEmail
		if err := enqueueMail(ctx, tx, sql.NullString{String: t.ID, Valid: true}, m); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE listings SET reminded_at = $2 WHERE id = $1`, r.ListingID, now); err != nil {
			return fmt.Errorf("mark reminded: %w", err)
		}
		sentBy := sql.NullString{String: p.AccountID, Valid: p.AccountID != ""}
		if _, err := tx.ExecContext(ctx, `INSERT INTO listing_reminders (tenant_id, listing_id, to_email, sent_by, sent_at) VALUES ($1, $2, $3, $4, $5)`,
			t.ID, r.ListingID, r.OwnerEmail, sentBy, now); err != nil {
			return fmt.Errorf("record reminder: %w", err)
		}
		rem = ListingReminder{ListingID: r.ListingID, ToEmail: r.OwnerEmail, SentByName: p.Name, SentAt: now}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("remind about listing %s: %w", listingID, err)
	}
	return &rem, nil
}

// FindReminderHistory lists the reminders sent about each of the
// listings, newest first, for the tenant's staff.
func (db *DB) FindReminderHistory(ctx context.Context, listingIDs []string) (map[string][]ListingReminder, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !tenants.PrincipalFrom(ctx).Role.IsStaff() {
		return nil, Errorf(EForbidden, "forbidden")
	}
	var list []ListingReminder
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &list, `
			SELECT r.listing_id, r.to_email, coalesce(a.name, '') AS sent_by_name, r.sent_at
			FROM listing_reminders r LEFT JOIN accounts a ON a.id = r.sent_by
			WHERE r.tenant_id = $1 AND r.listing_id = ANY($2::uuid[])
			ORDER BY r.sent_at DESC, r.id DESC`, tid, pq.Array(listingIDs))
	})
	if err != nil {
		return nil, fmt.Errorf("reminder history: %w", err)
	}
	out := make(map[string][]ListingReminder, len(listingIDs))
	for _, r := range list {
		out[r.ListingID] = append(out[r.ListingID], r)
	}
	return out, nil
}
