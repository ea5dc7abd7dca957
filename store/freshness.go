package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"katalogpes/tenants"
)

// ReminderPeriod is how long after a reminder about a stale listing the
// next one may go out.
const ReminderPeriod = 30 * 24 * time.Hour

// StaleListing is a published listing its owner has not confirmed for
// StaleAfter, with when its owner was last reminded.
type StaleListing struct {
	*Listing
	RemindedAt *time.Time `json:"reminded_at"`
}

// StaleFilter pages the stale listings and narrows them to a powiat (its
// four-digit TERYT code), a legal form, or those with (Owner "yes") or
// without ("no") an owner's account.
type StaleFilter struct {
	Page, PerPage int
	Powiat        string
	LegalForm     string
	Owner         string
}

// where is the filter's SQL condition on listings, with its arguments
// after the tenant ($1) and the staleness bound ($2).
func (f StaleFilter) where(tid string, before time.Time) (string, []any) {
	conds := []string{"tenant_id = $1", "status = 'published'", "confirmed_at < $2"}
	args := []any{tid, before}
	if f.Powiat != "" {
		args = append(args, f.Powiat)
		conds = append(conds, fmt.Sprintf("left(gmina_teryt, 4) = $%d", len(args)))
	}
	if f.LegalForm != "" {
		args = append(args, f.LegalForm)
		conds = append(conds, fmt.Sprintf("legal_form = $%d", len(args)))
	}
	switch f.Owner {
	case "yes":
		conds = append(conds, "owner_id IS NOT NULL")
	case "no":
		conds = append(conds, "owner_id IS NULL")
	}
	return strings.Join(conds, " AND "), args
}

// FindStaleListings lists the tenant's stale published listings, the longest
// unconfirmed first, for its staff; with the total.
func (db *DB) FindStaleListings(ctx context.Context, f StaleFilter) ([]StaleListing, int, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, 0, err
	}
	if !tenants.PrincipalFrom(ctx).Role.IsStaff() {
		return nil, 0, Errorf(EForbidden, "forbidden")
	}
	if f.PerPage <= 0 {
		f.PerPage = 50
	}
	if f.Page <= 0 {
		f.Page = 1
	}
	var page []struct {
		ID         string     `db:"id"`
		RemindedAt *time.Time `db:"reminded_at"`
		Total      int        `db:"total"`
	}
	var rows []listingRow
	where, args := f.where(tid, db.now().Add(-StaleAfter))
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		n := len(args)
		err := tx.SelectContext(ctx, &page, fmt.Sprintf(`
			SELECT id, reminded_at, count(*) OVER () AS total FROM listings
			WHERE %s ORDER BY confirmed_at, id LIMIT $%d OFFSET $%d`, where, n+1, n+2),
			append(args, f.PerPage, int64(f.Page-1)*int64(f.PerPage))...)
		if err != nil || len(page) == 0 {
			return err
		}
		ids := make([]string, len(page))
		for i, p := range page {
			ids[i] = p.ID
		}
		return tx.SelectContext(ctx, &rows, listingSelect+` WHERE l.tenant_id = $1 AND l.id = ANY($2::uuid[])`, tid, pq.Array(ids))
	})
	if err != nil {
		return nil, 0, fmt.Errorf("stale listings: %w", err)
	}
	list, err := db.toListings(rows, false)
	if err != nil {
		return nil, 0, err
	}
	byID := make(map[string]*Listing, len(list))
	for _, l := range list {
		byID[l.ID] = l
	}
	out := make([]StaleListing, 0, len(page))
	total := 0
	for _, p := range page {
		total = p.Total
		if l, ok := byID[p.ID]; ok {
			out = append(out, StaleListing{Listing: l, RemindedAt: p.RemindedAt})
		}
	}
	if len(page) == 0 && f.Page > 1 {
		// Past the last page: count alone.
		err = db.tx(ctx, func(tx *sqlx.Tx) error {
			return tx.GetContext(ctx, &total, `SELECT count(*) FROM listings WHERE `+where, args...)
		})
		if err != nil {
			return nil, 0, fmt.Errorf("count stale listings: %w", err)
		}
	}
	return out, total, nil
}

// ConfirmListing records that a published listing is still true: its
// owner's one click (or the tenant's staff, after asking the owner). The
// listing is fresh again and a new reminder period begins.
func (db *DB) ConfirmListing(ctx context.Context, id string) (*Listing, error) {
	t, ok := tenants.FromContext(ctx)
	if !ok {
		return nil, ErrNoScope
	}
	p := tenants.PrincipalFrom(ctx)
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		row, err := lockListing(ctx, tx, t.ID, id, false)
		if err != nil {
			return err
		}
		if row.Status != StatusPublished {
			return errIllegal("confirm", row.Status)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE listings SET confirmed_at = $2, reminded_at = NULL WHERE id = $1`, id, db.now()); err != nil {
			return fmt.Errorf("confirm listing %s: %w", id, err)
		}
		return addEvent(ctx, tx, t.ID, id, p, "confirm", row.Status, row.Status, "", nil)
	})
	if err != nil {
		return nil, err
	}
	return db.FindListingByID(ctx, id)
}

// Reminder is what a reminder mail is about: one stale listing and its
// owner.
type Reminder struct {
	ListingID   string    `db:"id"`
	ListingName string    `db:"name"`
	TenantID    string    `db:"tenant_id"`
	TenantSlug  string    `db:"tenant_slug"`
	TenantName  string    `db:"tenant_name"`
	OwnerEmail  string    `db:"owner_email"`
	OwnerName   string    `db:"owner_name"`
	ConfirmedAt time.Time `db:"confirmed_at"`
	// Lang is the owner's language.
	Lang string `db:"lang"`
}

// RemindStale queues a reminder mail to the owner of each of up to limit
// stale published listings not reminded in the current period, and returns
// how many it queued. Each listing is claimed with FOR UPDATE SKIP LOCKED
// and marked reminded in the same transaction as its mail, so workers on
// several instances never remind twice. compose writes the mail; its To is
// set to the owner's address.
func (db *DB) RemindStale(ctx context.Context, limit int, compose func(Reminder) Mail) (int, error) {
	now := db.now()
	var due []Reminder
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		err := tx.SelectContext(ctx, &due, `
			SELECT l.id, coalesce(l.name, '') AS name, l.tenant_id, t.slug AS tenant_slug, t.name AS tenant_name,
			       a.email AS owner_email, a.name AS owner_name, l.confirmed_at, a.lang
			FROM listings l
			JOIN accounts a ON a.id = l.owner_id
			JOIN tenants t ON t.id = l.tenant_id
			WHERE l.status = 'published' AND a.status = 'active'
			  AND l.confirmed_at < $1 AND (l.reminded_at IS NULL OR l.reminded_at < $2)
			ORDER BY l.confirmed_at, l.id
			LIMIT $3
			FOR UPDATE OF l SKIP LOCKED`, now.Add(-StaleAfter), now.Add(-ReminderPeriod), limit)
		if err != nil || len(due) == 0 {
			return err
		}
		ids := make([]string, len(due))
		for i, r := range due {
			m := compose(r)
			m.To = r.OwnerEmail
			if err := enqueueMail(ctx, tx, sql.NullString{String: r.TenantID, Valid: true}, m); err != nil {
				return err
			}
			ids[i] = r.ListingID
		}
		if _, err = tx.ExecContext(ctx, `UPDATE listings SET reminded_at = $2 WHERE id = ANY($1::uuid[])`, pq.Array(ids), now); err != nil {
			return err
		}
		// The history the stale-listings page shows.
		_, err = tx.ExecContext(ctx, `
			INSERT INTO listing_reminders (tenant_id, listing_id, to_email, sent_at)
			SELECT l.tenant_id, l.id, a.email, $2 FROM listings l JOIN accounts a ON a.id = l.owner_id
			WHERE l.id = ANY($1::uuid[])`, pq.Array(ids), now)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("remind owners of stale listings: %w", err)
	}
	return len(due), nil
}

// roundDefaults fills a mailing job's pace: an hour between rounds, 100
// items a transaction, the default logger.
func roundDefaults(every time.Duration, batch int, log *slog.Logger) (time.Duration, int, *slog.Logger) {
	if every <= 0 {
		every = time.Hour
	}
	if batch <= 0 {
		batch = 100
	}
	if log == nil {
		log = slog.Default()
	}
	return every, batch, log
}

// RemindersConfig paces RunReminders.
type RemindersConfig struct {
	// Every is the pause between rounds (default an hour).
	Every time.Duration
	// Batch is how many listings one transaction reminds (default 100).
	Batch int
	// Compose writes a reminder mail.
	Compose func(Reminder) Mail
	Log     *slog.Logger
}

// RunReminders reminds the owners of stale listings every cfg.Every until
// ctx ends, across all tenants. Any number may run side by side (one per
// app instance): RemindStale never sends a reminder twice in a period.
func (db *DB) RunReminders(ctx context.Context, cfg RemindersConfig) error {
	if cfg.Compose == nil {
		return errors.New("run reminders: no Compose")
	}
	cfg.Every, cfg.Batch, cfg.Log = roundDefaults(cfg.Every, cfg.Batch, cfg.Log)
	return runRounds(tenants.WithAllTenants(ctx), cfg.Every, cfg.Batch, cfg.Log, "stale-listing reminders",
		func(ctx context.Context) (int, error) { return db.RemindStale(ctx, cfg.Batch, cfg.Compose) })
}

// BackdateConfirmation records that listing id's data was last confirmed
// at at: the demo catalog uses it to show stale listings (staff and owners
// only ever confirm now, through ConfirmListing).
func (db *DB) BackdateConfirmation(ctx context.Context, id string, at time.Time) error {
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE listings SET confirmed_at = $2 WHERE id = $1`, id, at)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("backdate the confirmation of listing %s: %w", id, err)
	}
	return nil
}
