package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"katalogpes/store/ident"
	"katalogpes/tenants"
)

// Statuses of a report of outdated data.
const (
	ReportOpen   = "open"
	ReportClosed = "closed"
)

// maxReportBody bounds what a reporter writes, in characters.
const maxReportBody = 2000

// ListingReport is the public's word that a listing's data are out of
// date: a ticket in the region's moderators' inbox.
type ListingReport struct {
	ID            string    `db:"id"`
	ListingID     string    `db:"listing_id"`
	ListingName   string    `db:"listing_name"`
	Body          string    `db:"body"`
	ReporterEmail string    `db:"reporter_email"`
	Status        string    `db:"status"`
	CreatedAt     time.Time `db:"created_at"`
}

// NewListingReport is what the report form sends; the e-mail is optional.
type NewListingReport struct {
	ListingID     string
	Body          string
	ReporterEmail string
}

// normalize trims the report and checks it: body required and at most
// 2,000 characters, an e-mail (if any) valid by store/ident.
func (r *NewListingReport) normalize() error {
	v := &validator{}
	v.text("body", &r.Body, maxReportBody, true)
	v.ident("reporter_email", "email", &r.ReporterEmail, ident.ValidateEmail)
	if len(v.errs) > 0 {
		return Invalid(v.errs)
	}
	return nil
}

// CreateListingReport files a report on a published listing of the
// context's region and, in the same transaction, queues the mail that
// compose makes of it (none when its recipient is empty: a region without
// a contact address still has the inbox).
func (db *DB) CreateListingReport(ctx context.Context, r NewListingReport, compose func(ListingReport) Mail) (*ListingReport, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !ValidID(r.ListingID) {
		return nil, ErrNotFound
	}
	if err := r.normalize(); err != nil {
		return nil, err
	}
	var out ListingReport
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &out, `
			INSERT INTO listing_reports (tenant_id, listing_id, body, reporter_email)
			SELECT l.tenant_id, l.id, $3, $4 FROM listings l
			WHERE l.tenant_id = $1 AND l.id = $2 AND l.status = 'published'
			RETURNING id, listing_id, body, reporter_email, status, created_at,
			          (SELECT name FROM listings WHERE id = $2) AS listing_name`,
			tid, r.ListingID, r.Body, r.ReporterEmail)
		if err != nil {
			return notFound(err, "report on listing "+r.ListingID)
		}
		if err := db.alertStaff(ctx, tx, tid, WaitingItem{Kind: WaitingReport, ListingID: out.ListingID, ListingName: out.ListingName}); err != nil {
			return err
		}
		if m := compose(out); m.To != "" {
			return enqueueMail(ctx, tx, sql.NullString{String: tid, Valid: true}, m)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// FindOpenListingReports lists the context's region's open reports, oldest
// first; only its staff may read them.
func (db *DB) FindOpenListingReports(ctx context.Context) ([]ListingReport, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !tenants.PrincipalFrom(ctx).Role.IsStaff() {
		return nil, Errorf(EForbidden, "forbidden")
	}
	list := []ListingReport{}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &list, `
			SELECT r.id, r.listing_id, l.name AS listing_name, r.body, r.reporter_email, r.status, r.created_at
			FROM listing_reports r JOIN listings l ON l.id = r.listing_id
			WHERE r.tenant_id = $1 AND r.status = 'open' ORDER BY r.created_at, r.id`, tid)
	})
	if err != nil {
		return nil, fmt.Errorf("list open reports: %w", err)
	}
	return list, nil
}

// CloseListingReport marks a report of the context's region dealt with;
// closing it again changes nothing. Another region's report is not found.
func (db *DB) CloseListingReport(ctx context.Context, id string) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	p := tenants.PrincipalFrom(ctx)
	if !p.Role.IsStaff() {
		return Errorf(EForbidden, "forbidden")
	}
	if !ValidID(id) {
		return ErrNotFound
	}
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		var closed string
		err := tx.GetContext(ctx, &closed, `
			UPDATE listing_reports
			SET status = 'closed', closed_at = coalesce(closed_at, now()), closed_by = coalesce(closed_by, NULLIF($3, '')::uuid)
			WHERE tenant_id = $1 AND id = $2 RETURNING id`, tid, id, p.AccountID)
		if err != nil {
			return notFound(err, "close report "+id)
		}
		return nil
	})
}
