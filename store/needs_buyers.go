package store

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"katalogpes/store/ident"
	"katalogpes/tenants"
)

// Institution is the body a buyer acts for: a gmina office, a powiat, a
// municipal company, a firm (DOMAIN.md, "Buyers and their needs").
type Institution struct {
	Name  string `json:"name"`
	NIP   string `json:"nip"`
	TERYT string `json:"teryt"` // the gmina of its seat
}

// Buyer is a buyer account with its institution and where its
// confirmation stands.
type Buyer struct {
	AccountID      string     `db:"account_id" json:"id"`
	Email          string     `db:"email" json:"email"`
	PersonName     string     `db:"person_name" json:"person_name"`
	Name           string     `db:"name" json:"name"`
	NIP            string     `db:"nip" json:"nip"`
	TERYT          string     `db:"teryt" json:"teryt"`
	PlaceName      string     `db:"place_name" json:"place_name"`
	ConfirmedAt    *time.Time `db:"confirmed_at" json:"confirmed_at,omitempty"`
	ConfirmedHow   *string    `db:"confirmed_how" json:"confirmed_how,omitempty"`
	RejectedReason string     `db:"rejected_reason" json:"rejected_reason,omitempty"`
	CreatedAt      time.Time  `db:"created_at" json:"created_at"`
	Lang           string     `db:"lang" json:"-"`
}

// Confirmed reports whether the buyer may publish.
func (b *Buyer) Confirmed() bool { return b.ConfirmedAt != nil }

const buyerSelect = `
	SELECT b.account_id, a.email, a.name AS person_name, b.name, b.nip, b.teryt, coalesce(g.name, '') AS place_name,
	       b.confirmed_at, b.confirmed_how, b.rejected_reason, b.created_at, a.lang
	FROM buyer_institutions b
	JOIN accounts a ON a.id = b.account_id
	LEFT JOIN teryt_gminas g ON g.code = b.teryt`

// DomainMatches reports whether the e-mail's domain fits a pattern of
// the region's list: * stands for one or more letters, digits, dots or
// dashes (um.*.pl fits um.katowice.pl, *.gov.pl fits mrips.gov.pl).
func DomainMatches(pattern, email string) bool {
	_, domain, ok := strings.Cut(strings.ToLower(strings.TrimSpace(email)), "@")
	if !ok || domain == "" {
		return false
	}
	parts := strings.Split(strings.ToLower(pattern), "*")
	for i := range parts {
		parts[i] = regexp.QuoteMeta(parts[i])
	}
	re, err := regexp.Compile(`^` + strings.Join(parts, `[a-z0-9.-]+`) + `$`)
	return err == nil && re.MatchString(domain)
}

var domainPatternRe = regexp.MustCompile(`^[a-z0-9*][a-z0-9*.-]*\.[a-z]{2,}$`)

// validate normalises an institution; its seat must be a gmina of the
// tenant's voivodeship.
func (in *Institution) validate(ctx context.Context, db *DB, t *tenants.Tenant) []FieldError {
	v := &validator{}
	v.text("institution.name", &in.Name, maxName, true)
	if strings.TrimSpace(in.NIP) == "" {
		v.add("institution.nip", "required")
	} else {
		v.ident("institution.nip", "nip", &in.NIP, ident.NormalizeNIP)
	}
	in.TERYT = strings.TrimSpace(in.TERYT)
	switch {
	case in.TERYT == "":
		v.add("institution.teryt", "required")
	case !gminaShapeRe.MatchString(in.TERYT) || !strings.HasPrefix(in.TERYT, t.TERYT):
		v.add("institution.teryt", "buyer.teryt_region")
	default:
		if g, err := db.FindGmina(tenants.WithAllTenants(ctx), in.TERYT); err != nil {
			v.add("institution.teryt", "buyer.teryt_region")
		} else {
			in.TERYT = g.Code
		}
	}
	return v.errs
}

// RegisterBuyer creates an unverified buyer account with its institution
// and queues the verification mail, all or nothing. A domain on the
// region's list confirms the buyer at once: the verified mailbox proves it.
func (db *DB) RegisterBuyer(ctx context.Context, n NewAccount, in Institution, mail MailFunc) (*Account, error) {
	t, ok := tenants.FromContext(ctx)
	if !ok {
		return nil, ErrNoScope
	}
	n.Role, n.Active = tenants.RoleBuyer, false
	errs := in.validate(ctx, db, t)
	return db.createAccountWith(ctx, n, func(tx *sqlx.Tx, a *Account) error {
		var patterns []string
		if err := tx.SelectContext(ctx, &patterns, `SELECT pattern FROM buyer_domains WHERE tenant_id = $1`, t.ID); err != nil {
			return fmt.Errorf("read public-sector domains: %w", err)
		}
		how := sql.NullString{}
		for _, p := range patterns {
			if DomainMatches(p, a.Email) {
				how = sql.NullString{String: "domain", Valid: true}
			}
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO buyer_institutions (account_id, tenant_id, name, nip, teryt, confirmed_at, confirmed_how)
			VALUES ($1, $2, $3, $4, $5, CASE WHEN $6::text IS NOT NULL THEN now() END, $6)`,
			a.ID, t.ID, in.Name, in.NIP, in.TERYT, how)
		if err != nil {
			return fmt.Errorf("save institution of %s: %w", a.ID, err)
		}
		if how.Valid {
			return nil
		}
		return db.alertBuyer(ctx, tx, t.ID, BuyerAlert{Institution: in, BuyerEmail: a.Email, BuyerName: a.Name})
	}, mail, errs...)
}

// BuyerAlert is the mail to one of a region's staff about a buyer who
// registered and waits for a moderator to confirm it.
type BuyerAlert struct {
	Recipient
	Institution Institution
	BuyerEmail  string
	BuyerName   string
}

// alertBuyer queues the mail about a waiting buyer for each of the
// region's staff: buyers are in no digest, so this is how staff learn of
// them; nothing without WithStaffAlerts' buyers.
func (db *DB) alertBuyer(ctx context.Context, tx *sqlx.Tx, tenantID string, b BuyerAlert) error {
	if db.buyerAlert == nil {
		return nil
	}
	var to []Recipient
	if err := tx.SelectContext(ctx, &to, recipientSelect+` AND a.tenant_id = $1 ORDER BY a.id`, tenantID); err != nil {
		return fmt.Errorf("find staff to tell of a buyer: %w", err)
	}
	for _, r := range to {
		b.Recipient = r
		m := db.buyerAlert(b)
		m.To = r.Email
		if err := enqueueMail(ctx, tx, sql.NullString{String: tenantID, Valid: true}, m); err != nil {
			return err
		}
	}
	return nil
}

// FindBuyer reads a buyer of the context's tenant.
func (db *DB) FindBuyer(ctx context.Context, accountID string) (*Buyer, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !ValidID(accountID) {
		return nil, ErrNotFound
	}
	var b Buyer
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &b, buyerSelect+` WHERE b.tenant_id = $1 AND b.account_id = $2`, tid, accountID)
	})
	if err != nil {
		return nil, notFound(err, "find buyer "+accountID)
	}
	return &b, nil
}

// FindOwnBuyer is the signed-in buyer's institution.
func (db *DB) FindOwnBuyer(ctx context.Context) (*Buyer, error) {
	p := tenants.PrincipalFrom(ctx)
	if p.Role != tenants.RoleBuyer {
		return nil, Errorf(EForbidden, "need.buyer_only")
	}
	return db.FindBuyer(ctx, p.AccountID)
}

// FindWaitingBuyers lists the region's buyers no one has confirmed yet,
// oldest first, for moderators.
func (db *DB) FindWaitingBuyers(ctx context.Context) ([]Buyer, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !tenants.PrincipalFrom(ctx).Can(tenants.PermNeedsModerate) {
		return nil, Errorf(EForbidden, "forbidden")
	}
	list := []Buyer{}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &list, buyerSelect+` WHERE b.tenant_id = $1 AND b.confirmed_at IS NULL
			AND a.status IN ('active', 'unverified') ORDER BY b.created_at, b.account_id`, tid)
	})
	if err != nil {
		return nil, fmt.Errorf("waiting buyers: %w", err)
	}
	return list, nil
}

// DecideBuyer confirms a buyer (it may publish from now on) or records
// why not; the buyer is told by mail (compose writes it, in its language).
func (db *DB) DecideBuyer(ctx context.Context, accountID string, confirm bool, reason string, compose func(Buyer) Mail) (*Buyer, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	p := tenants.PrincipalFrom(ctx)
	if !p.Can(tenants.PermNeedsModerate) {
		return nil, Errorf(EForbidden, "forbidden")
	}
	if !ValidID(accountID) {
		return nil, ErrNotFound
	}
	v := &validator{}
	v.text("reason", &reason, 2000, !confirm)
	if len(v.errs) > 0 {
		return nil, Invalid(v.errs)
	}
	var b Buyer
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE buyer_institutions SET confirmed_at = CASE WHEN $3 THEN now() END,
			       confirmed_how = CASE WHEN $3 THEN 'moderator' END, confirmed_by = $4, rejected_reason = $5
			WHERE tenant_id = $1 AND account_id = $2 AND confirmed_at IS NULL`, tid, accountID, confirm, p.AccountID, reason)
		if err != nil {
			return fmt.Errorf("decide buyer %s: %w", accountID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return Errorf(EConflict, "buyer.decided")
		}
		if err := tx.GetContext(ctx, &b, buyerSelect+` WHERE b.account_id = $1`, accountID); err != nil {
			return fmt.Errorf("read buyer %s: %w", accountID, err)
		}
		m := compose(b)
		m.To = b.Email
		return enqueueMail(ctx, tx, sql.NullString{String: tid, Valid: true}, m)
	})
	if err != nil {
		return nil, err
	}
	return &b, nil
}

// NeedSettings are a region's switches for needs.
type NeedSettings struct {
	PublishUnreviewed bool     `db:"skip_review" json:"skip_review"`
	MatchLimit        int      `db:"match_limit" json:"match_limit"`
	WeeklyCap         int      `db:"weekly_cap" json:"weekly_cap"`
	Domains           []string `db:"-" json:"public_sector_domains"`
}

// FindNeedSettings reads the region's settings and domain list.
func (db *DB) FindNeedSettings(ctx context.Context) (*NeedSettings, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	var s NeedSettings
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &s, `SELECT skip_review, match_limit, weekly_cap FROM need_settings WHERE tenant_id = $1`, tid); err != nil {
			return notFound(err, "need settings")
		}
		return tx.SelectContext(ctx, &s.Domains, `SELECT pattern FROM buyer_domains WHERE tenant_id = $1 ORDER BY pattern`, tid)
	})
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// UpdateNeedSettings replaces the region's settings and its list of
// public-sector domains (admin).
func (db *DB) UpdateNeedSettings(ctx context.Context, s NeedSettings) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !tenants.PrincipalFrom(ctx).Can(tenants.PermAdmin) {
		return Errorf(EForbidden, "forbidden")
	}
	v := &validator{}
	if s.MatchLimit < 1 || s.MatchLimit > 500 {
		v.add("match_limit", "need.range", "Max", 500)
	}
	if s.WeeklyCap < 1 || s.WeeklyCap > 100 {
		v.add("weekly_cap", "need.range", "Max", 100)
	}
	var domains []string
	for _, d := range s.Domains {
		d = strings.ToLower(strings.TrimSpace(d))
		if d == "" {
			continue
		}
		if !domainPatternRe.MatchString(d) || len(d) > 100 {
			v.add("public_sector_domains", "buyer.domain_pattern", "Pattern", d)
			continue
		}
		domains = append(domains, d)
	}
	if len(domains) > 200 {
		v.add("public_sector_domains", "too_many")
	}
	if len(v.errs) > 0 {
		return Invalid(v.errs)
	}
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE need_settings SET skip_review = $2, match_limit = $3, weekly_cap = $4 WHERE tenant_id = $1`,
			tid, s.PublishUnreviewed, s.MatchLimit, s.WeeklyCap); err != nil {
			return fmt.Errorf("save need settings: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM buyer_domains WHERE tenant_id = $1 AND NOT (pattern = ANY($2::text[]))`, tid, pq.Array(domains)); err != nil {
			return fmt.Errorf("drop domains: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO buyer_domains (tenant_id, pattern) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`, tid, pq.Array(domains))
		if err != nil {
			return fmt.Errorf("save domains: %w", err)
		}
		return nil
	})
}
