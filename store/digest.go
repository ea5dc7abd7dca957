package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"

	"katalogpes/tenants"
)

// Kinds of what waits for a region's moderators.
const (
	WaitingSubmission = "submission"
	WaitingRevision   = "revision"
	WaitingClaim      = "claim"
	WaitingReport     = "report"
)

// digestItemsPerKind bounds how many items of each kind a digest names;
// its counts are always whole.
const digestItemsPerKind = 10

// Recipient is a region's moderator or admin whom a mail about the queue
// goes to, in their language.
type Recipient struct {
	AccountID  string `db:"id"`
	Email      string `db:"email"`
	Name       string `db:"name"`
	Lang       string `db:"lang"`
	TenantID   string `db:"tenant_id"`
	TenantSlug string `db:"tenant_slug"`
	TenantName string `db:"tenant_name"`
}

// WaitingItem is one thing waiting for a moderator.
type WaitingItem struct {
	Kind        string    `db:"kind"`
	ListingID   string    `db:"listing_id"`
	ListingName string    `db:"listing_name"`
	Since       time.Time `db:"since"`
}

// Digest is the day's mail to one of a region's staff: how much of each
// kind waits, and the oldest items of each.
type Digest struct {
	Recipient
	Counts map[string]int
	Items  []WaitingItem
}

// Total is how many items wait in all.
func (d *Digest) Total() int {
	n := 0
	for _, c := range d.Counts {
		n += c
	}
	return n
}

// StaffAlert is the immediate mail about one item that just arrived.
type StaffAlert struct {
	Recipient
	WaitingItem
}

// WithStaffAlerts is db whose submissions, claims and reports also mail,
// in their transaction, every staff member of the region who opted in
// (notify_immediately), as compose writes it; and whose buyers waiting
// for confirmation mail every staff member of their region, as buyers
// writes it (nil: no such mail).
func (db *DB) WithStaffAlerts(compose func(StaffAlert) Mail, buyers func(BuyerAlert) Mail) *DB {
	if db == nil {
		return nil // a server built without a database (route tests)
	}
	c := *db
	c.alert, c.buyerAlert = compose, buyers
	return &c
}

const recipientSelect = `
	SELECT a.id, a.email, a.name, a.lang, a.tenant_id, t.slug AS tenant_slug, t.name AS tenant_name
	FROM accounts a JOIN tenants t ON t.id = a.tenant_id
	WHERE a.role IN ('moderator', 'admin') AND a.status = 'active'`

// alertStaff queues the immediate mail about item for each of the
// region's staff who asked for one; nothing without WithStaffAlerts.
func (db *DB) alertStaff(ctx context.Context, tx *sqlx.Tx, tenantID string, item WaitingItem) error {
	if db.alert == nil {
		return nil
	}
	var to []Recipient
	if err := tx.SelectContext(ctx, &to, recipientSelect+` AND a.notify_immediately AND a.tenant_id = $1 ORDER BY a.id`, tenantID); err != nil {
		return fmt.Errorf("find staff to alert: %w", err)
	}
	item.Since = db.now()
	for _, r := range to {
		m := db.alert(StaffAlert{Recipient: r, WaitingItem: item})
		m.To = r.Email
		if err := enqueueMail(ctx, tx, sql.NullString{String: tenantID, Valid: true}, m); err != nil {
			return err
		}
	}
	return nil
}

// NotifyImmediately says whether the signed-in staff member gets a mail
// as each item arrives.
func (db *DB) NotifyImmediately(ctx context.Context) (bool, error) {
	p := tenants.PrincipalFrom(ctx)
	if !p.Role.IsStaff() || p.AccountID == "" {
		return false, Errorf(EForbidden, "forbidden")
	}
	var on bool
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &on, `SELECT notify_immediately FROM accounts WHERE id = $1`, p.AccountID)
	})
	if err != nil {
		return false, notFound(err, "read notification setting")
	}
	return on, nil
}

// SetNotifyImmediately turns the signed-in staff member's immediate mails
// on or off.
func (db *DB) SetNotifyImmediately(ctx context.Context, on bool) error {
	p := tenants.PrincipalFrom(ctx)
	if !p.Role.IsStaff() || p.AccountID == "" {
		return Errorf(EForbidden, "forbidden")
	}
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET notify_immediately = $2 WHERE id = $1`, p.AccountID, on); err != nil {
			return fmt.Errorf("set notification setting of %s: %w", p.AccountID, err)
		}
		return nil
	})
}

// findWaiting lists what waits in a region, oldest first per kind, up to
// digestItemsPerKind of each, with the whole counts.
func findWaiting(ctx context.Context, tx *sqlx.Tx, tenantID string) (map[string]int, []WaitingItem, error) {
	var rows []struct {
		WaitingItem
		Count int `db:"count"`
	}
	err := tx.SelectContext(ctx, &rows, `
		WITH waiting AS (
		  SELECT 'submission' AS kind, id AS listing_id, coalesce(name, '') AS listing_name, submitted_at AS since
		  FROM listings WHERE tenant_id = $1 AND status = 'pending'
		  UNION ALL
		  SELECT 'revision', id, coalesce(name, ''), revision_submitted_at
		  FROM listings WHERE tenant_id = $1 AND status = 'published' AND revision_status = 'pending'
		  UNION ALL
		  SELECT 'claim', c.listing_id, coalesce(l.name, ''), c.created_at
		  FROM listing_claims c JOIN listings l ON l.id = c.listing_id
		  WHERE c.tenant_id = $1 AND c.status = 'pending' AND c.method = 'moderator'
		  UNION ALL
		  SELECT 'report', r.listing_id, coalesce(l.name, ''), r.created_at
		  FROM listing_reports r JOIN listings l ON l.id = r.listing_id
		  WHERE r.tenant_id = $1 AND r.status = 'open'
		), ranked AS (
		  SELECT *, row_number() OVER (PARTITION BY kind ORDER BY since, listing_id) AS n,
		         count(*) OVER (PARTITION BY kind) AS count
		  FROM waiting
		)
		SELECT kind, listing_id, listing_name, coalesce(since, now()) AS since, count FROM ranked
		WHERE n <= $2 ORDER BY kind, since, listing_id`, tenantID, digestItemsPerKind)
	if err != nil {
		return nil, nil, fmt.Errorf("find what waits in %s: %w", tenantID, err)
	}
	counts := map[string]int{WaitingSubmission: 0, WaitingRevision: 0, WaitingClaim: 0, WaitingReport: 0}
	items := make([]WaitingItem, 0, len(rows))
	for _, r := range rows {
		counts[r.Kind] = r.Count
		items = append(items, r.WaitingItem)
	}
	return counts, items, nil
}

// SendDailyDigests mails, once per person and Polish day, each active
// moderator and admin of every region what waits there, up to limit
// people, and returns how many mails it queued; nobody is mailed about an
// empty queue. The sent-marker (moderator_digests) is written with the
// mail in one transaction and its key is unique, so workers on several
// nodes mail once: a second worker's insert waits for the first's commit
// and then does nothing.
func (db *DB) SendDailyDigests(ctx context.Context, limit int, compose func(Digest) Mail) (int, error) {
	day := db.now().In(warsaw).Format("2006-01-02")
	sent := 0
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		var due []Recipient
		if err := tx.SelectContext(ctx, &due, recipientSelect+`
			AND NOT EXISTS (SELECT 1 FROM moderator_digests d WHERE d.account_id = a.id AND d.day = $1)
			ORDER BY a.tenant_id, a.id LIMIT $2`, day, limit); err != nil {
			return fmt.Errorf("find staff due a digest: %w", err)
		}
		waiting := map[string]*Digest{}
		for _, r := range due {
			res, err := tx.ExecContext(ctx, `INSERT INTO moderator_digests (tenant_id, account_id, day) VALUES ($1, $2, $3)
				ON CONFLICT DO NOTHING`, r.TenantID, r.AccountID, day)
			if err != nil {
				return fmt.Errorf("mark digest of %s: %w", r.AccountID, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue
			}
			w, ok := waiting[r.TenantID]
			if !ok {
				counts, items, err := findWaiting(ctx, tx, r.TenantID)
				if err != nil {
					return err
				}
				w = &Digest{Counts: counts, Items: items}
				waiting[r.TenantID] = w
			}
			if w.Total() == 0 {
				continue
			}
			m := compose(Digest{Recipient: r, Counts: w.Counts, Items: w.Items})
			m.To = r.Email
			if err := enqueueMail(ctx, tx, sql.NullString{String: r.TenantID, Valid: true}, m); err != nil {
				return err
			}
			sent++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("send moderators' digests: %w", err)
	}
	return sent, nil
}

// DigestsConfig paces RunDigests.
type DigestsConfig struct {
	// Every is the pause between rounds (default an hour).
	Every time.Duration
	// Hour is the Polish hour from which the day's digests go out.
	Hour    int
	Compose func(Digest) Mail
	Log     *slog.Logger
}

// RunDigests sends the day's digests, from cfg.Hour on, every cfg.Every
// until ctx ends, across all tenants; safe beside the same job on other
// nodes.
func (db *DB) RunDigests(ctx context.Context, cfg DigestsConfig) error {
	if cfg.Compose == nil {
		return errors.New("run digests: no Compose")
	}
	if cfg.Every <= 0 {
		cfg.Every = time.Hour
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	const batch = 100
	return runRounds(tenants.WithAllTenants(ctx), cfg.Every, batch, cfg.Log, "moderators' digests",
		func(ctx context.Context) (int, error) {
			if db.now().In(warsaw).Hour() < cfg.Hour {
				return 0, nil
			}
			return db.SendDailyDigests(ctx, batch, cfg.Compose)
		})
}
