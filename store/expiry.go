package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"katalogpes/tenants"
)

// CertificateNoticeBefore is how long before a certificate lapses its
// owner is mailed.
const CertificateNoticeBefore = 30 * 24 * time.Hour

// Warning is a note about a listing's data that does not stop a save: a
// status or certificate date already past, say. Code names the message.
type Warning struct {
	Field string `json:"field"`
	Code  string `json:"code"`
}

// DateWarnings notes the expiry dates already past on now's date: the
// social-enterprise status's and each certificate's. A decision date in
// the past is normal and not noted.
func (d *ListingData) DateWarnings(now time.Time) []Warning {
	today := now.Format("2006-01-02")
	var out []Warning
	if se := d.SocialEnterprise; se != nil && se.ValidUntil != "" && se.ValidUntil < today {
		out = append(out, Warning{Field: "social_enterprise.valid_until", Code: "date.past"})
	}
	for i, c := range d.Certificates {
		if c.ValidUntil != "" && c.ValidUntil < today {
			out = append(out, Warning{Field: "certificates[" + strconv.Itoa(i) + "].valid_until", Code: "date.past"})
		}
	}
	return out
}

// CertificateView is a certificate as a profile shows it: a lapsed one
// stays, marked Expired, rather than vanishing.
type CertificateView struct {
	Certificate
	Expired bool
}

// CertificatesAsOf lists every certificate, each marked whether it has
// lapsed by now's date. Badges and the certificate filter use
// ValidCertificates, which leaves the lapsed ones out.
func (d *ListingData) CertificatesAsOf(now time.Time) []CertificateView {
	today := now.Format("2006-01-02")
	out := make([]CertificateView, 0, len(d.Certificates))
	for _, c := range d.Certificates {
		out = append(out, CertificateView{Certificate: c, Expired: c.ValidUntil != "" && c.ValidUntil < today})
	}
	return out
}

// CertificateExpiry is what a mail about a lapsing certificate is about.
type CertificateExpiry struct {
	ListingID   string `db:"id"`
	ListingName string `db:"name"`
	TenantID    string `db:"tenant_id"`
	TenantSlug  string `db:"tenant_slug"`
	TenantName  string `db:"tenant_name"`
	OwnerEmail  string `db:"owner_email"`
	OwnerName   string `db:"owner_name"`
	Lang        string `db:"lang"`
	Kind        string `db:"kind"`
	ValidUntil  string `db:"valid_until"`
}

// RemindExpiringCertificates mails the owner of each published listing
// whose certificate lapses within CertificateNoticeBefore, once per
// certificate and date, up to limit, and returns how many it queued. The
// sent-marker (certificate_reminders) is written with the mail in one
// transaction and its key is unique, so workers on several nodes mail
// once: a second worker skips locked listings and finds the marker.
func (db *DB) RemindExpiringCertificates(ctx context.Context, limit int, compose func(CertificateExpiry) Mail) (int, error) {
	now := db.now()
	today, until := now.Format("2006-01-02"), now.Add(CertificateNoticeBefore).Format("2006-01-02")
	sent := 0
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		var due []CertificateExpiry
		err := tx.SelectContext(ctx, &due, `
			SELECT l.id, coalesce(l.name, '') AS name, l.tenant_id, t.slug AS tenant_slug, t.name AS tenant_name,
			       a.email AS owner_email, a.name AS owner_name, a.lang, c->>'kind' AS kind, c->>'valid_until' AS valid_until
			FROM listings l
			JOIN accounts a ON a.id = l.owner_id
			JOIN tenants t ON t.id = l.tenant_id
			CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(l.data->'certificates') = 'array'
			                                        THEN l.data->'certificates' ELSE '[]'::jsonb END) AS c
			WHERE l.status = 'published' AND a.status = 'active'
			  AND c->>'valid_until' ~ '^\d{4}-\d{2}-\d{2}$' AND c->>'valid_until' >= $1 AND c->>'valid_until' <= $2
			  AND NOT EXISTS (SELECT 1 FROM certificate_reminders r
			                  WHERE r.listing_id = l.id AND r.kind = c->>'kind' AND r.valid_until = (c->>'valid_until')::date)
			ORDER BY c->>'valid_until', l.id
			LIMIT $3
			FOR UPDATE OF l SKIP LOCKED`, today, until, limit)
		if err != nil {
			return err
		}
		for _, e := range due {
			ok, err := markCertificateReminded(ctx, tx, e)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			m := compose(e)
			m.To = e.OwnerEmail
			if err := enqueueMail(ctx, tx, sql.NullString{String: e.TenantID, Valid: true}, m); err != nil {
				return err
			}
			sent++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("remind owners of lapsing certificates: %w", err)
	}
	return sent, nil
}

// markCertificateReminded writes the sent-marker; false when another
// worker's marker is already there (the insert waits for its commit).
func markCertificateReminded(ctx context.Context, tx *sqlx.Tx, e CertificateExpiry) (bool, error) {
	res, err := tx.ExecContext(ctx, `
		INSERT INTO certificate_reminders (tenant_id, listing_id, kind, valid_until) VALUES ($1, $2, $3, $4)
		ON CONFLICT DO NOTHING`, e.TenantID, e.ListingID, e.Kind, e.ValidUntil)
	if err != nil {
		return false, fmt.Errorf("mark certificate of %s reminded: %w", e.ListingID, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// CertificateRemindersConfig paces RunCertificateReminders.
type CertificateRemindersConfig struct {
	// Every is the pause between rounds (default an hour).
	Every time.Duration
	// Batch is how many certificates one transaction handles (default 100).
	Batch   int
	Compose func(CertificateExpiry) Mail
	Log     *slog.Logger
}

// RunCertificateReminders mails owners of lapsing certificates every
// cfg.Every until ctx ends, across all tenants; safe beside the same job
// on other nodes.
func (db *DB) RunCertificateReminders(ctx context.Context, cfg CertificateRemindersConfig) error {
	if cfg.Compose == nil {
		return errors.New("run certificate reminders: no Compose")
	}
	cfg.Every, cfg.Batch, cfg.Log = roundDefaults(cfg.Every, cfg.Batch, cfg.Log)
	return runRounds(tenants.WithAllTenants(ctx), cfg.Every, cfg.Batch, cfg.Log, "certificate reminders",
		func(ctx context.Context) (int, error) {
			return db.RemindExpiringCertificates(ctx, cfg.Batch, cfg.Compose)
		})
}

// runRounds runs round every pause until ctx ends; a round that did a
// whole batch is run again at once.
func runRounds(ctx context.Context, every time.Duration, batch int, log *slog.Logger, what string, round func(context.Context) (int, error)) error {
	for {
		for {
			n, err := round(ctx)
			if err != nil {
				if ctx.Err() == nil {
					log.Error(what, "err", err)
				}
				break
			}
			if n > 0 {
				log.Info(what+" queued", "count", n)
			}
			if n < batch {
				break
			}
		}
		t := time.NewTimer(every)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}
