package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"katalogpes/tenants"
)

// Kinds of notification a moderation decision sends its listing's owner.
const (
	NoticeApproved         = "approved"
	NoticeChangesRequested = "changes_requested"
	NoticeRejected         = "rejected"
	NoticeSuspended        = "suspended"
	NoticeReinstated       = "reinstated"
	NoticeRevisionAccepted = "revision_accepted"
	NoticeRevisionRejected = "revision_rejected"
)

// Decision is what a moderator decided about a listing, addressed to its
// owner: what the owner's mail and notification are written from.
type Decision struct {
	Kind        string
	ListingID   string
	ListingName string
	Reason      string
	TenantSlug  string
	TenantName  string
	OwnerEmail  string
	OwnerName   string
	// Lang is the owner's language (accounts.lang).
	Lang string
}

// NoticeMail is what a person is told: the mail, and the page it points to
// (the notification on the desk links there too).
type NoticeMail struct {
	Mail Mail
	Link string
}

// DecisionNotice writes the notice of a decision; its mail's To is set to
// the owner's address.
type DecisionNotice func(Decision) NoticeMail

// Notification is one line of a person's notifications.
type Notification struct {
	ID      string    `db:"id" json:"id"`
	Kind    string    `db:"kind" json:"kind"`
	At      time.Time `db:"at" json:"at"`
	Read    bool      `db:"read" json:"read"`
	Subject string    `db:"subject" json:"subject"`
	Link    string    `db:"link" json:"link"`
}

// listingOwner is who a decision about a listing goes to.
type listingOwner struct {
	Email  string `db:"email"`
	Name   string `db:"name"`
	Lang   string `db:"lang"`
	Status string `db:"status"`
}

// tellOwner mails a decision to the listing's owner and adds it to their
// notifications, in the decision's transaction: the owner hears of every
// decision exactly once, and of none that did not happen. A listing
// without an owner (imported) or one whose owner left tells no one.
func tellOwner(ctx context.Context, tx *sqlx.Tx, t *tenants.Tenant, row *listingRow, d Decision, tell DecisionNotice) error {
	if tell == nil || !row.OwnerID.Valid {
		return nil
	}
	var o listingOwner
	err := tx.GetContext(ctx, &o, `SELECT email, name, lang, status FROM accounts WHERE id = $1`, row.OwnerID.String)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read owner of listing %s: %w", row.ID, err)
	}
	if o.Status == AccountDeleted || o.Status == AccountDisabled {
		return nil
	}
	d.ListingID, d.TenantSlug, d.TenantName = row.ID, t.Slug, t.Name
	d.OwnerEmail, d.OwnerName, d.Lang = o.Email, o.Name, o.Lang
	n := tell(d)
	n.Mail.To = o.Email
	if err := enqueueMail(ctx, tx, sql.NullString{String: t.ID, Valid: true}, n.Mail); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO notifications (tenant_id, account_id, listing_id, kind, subject, link) VALUES ($1, $2, $3, $4, $5, $6)`,
		t.ID, row.OwnerID.String, row.ID, d.Kind, n.Mail.Subject, n.Link); err != nil {
		return fmt.Errorf("add notification about listing %s: %w", row.ID, err)
	}
	return nil
}

// FindNotifications lists the signed-in account's notifications in the
// context's tenant, newest first, at most limit.
func (db *DB) FindNotifications(ctx context.Context, limit int) ([]Notification, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	p := tenants.PrincipalFrom(ctx)
	if !p.Authenticated() {
		return nil, Errorf(EUnauthorized, "auth.required")
	}
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	list := []Notification{}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &list, `
			SELECT id, kind, at, read_at IS NOT NULL AS read, subject, link FROM notifications
			WHERE tenant_id = $1 AND account_id = $2 ORDER BY at DESC, id LIMIT $3`, tid, p.AccountID, limit)
	})
	if err != nil {
		return nil, fmt.Errorf("my notifications: %w", err)
	}
	return list, nil
}

// MarkNotificationRead marks one of the signed-in account's notifications
// read; someone else's is not found.
func (db *DB) MarkNotificationRead(ctx context.Context, id string) error {
	if !ValidID(id) {
		return ErrNotFound
	}
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	p := tenants.PrincipalFrom(ctx)
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE notifications SET read_at = coalesce(read_at, now())
			WHERE tenant_id = $1 AND account_id = $2 AND id = $3`, tid, p.AccountID, id)
		if err != nil {
			return fmt.Errorf("mark notification %s read: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
}

// SetAccountLanguage remembers the language the signed-in person chose,
// for the mail they get from now on. lang is "pl" or "en".
func (db *DB) SetAccountLanguage(ctx context.Context, lang string) error {
	p := tenants.PrincipalFrom(ctx)
	if !p.Authenticated() || (lang != "pl" && lang != "en") {
		return nil
	}
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET lang = $2 WHERE id = $1 AND lang <> $2`, p.AccountID, lang); err != nil {
			return fmt.Errorf("set language of account %s: %w", p.AccountID, err)
		}
		return nil
	})
}
