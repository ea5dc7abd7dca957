package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"katalogpes/store/registry"
	"katalogpes/tenants"
)

// Verification is what the registries said about a listing at its last
// check. Mismatches and the flag are for the region's staff only.
type Verification struct {
	ListingID  string                     `json:"-"`
	CheckedAt  *time.Time                 `json:"checked_at"`
	Sources    []string                   `json:"sources"`
	Facts      map[string]registry.Entity `json:"facts,omitempty"`
	Mismatches []string                   `json:"mismatches,omitempty"`
	Flags      []string                   `json:"flags"`
	FlagState  string                     `json:"flag_state,omitempty"`
	FlaggedAt  *time.Time                 `json:"flagged_at,omitempty"`
}

type verificationRow struct {
	ListingID  string         `db:"listing_id"`
	CheckedAt  *time.Time     `db:"checked_at"`
	Sources    pq.StringArray `db:"sources"`
	Facts      []byte         `db:"facts"`
	Mismatches pq.StringArray `db:"mismatches"`
	Flag       string         `db:"flag"`
	FlagState  string         `db:"flag_state"`
	FlaggedAt  *time.Time     `db:"flagged_at"`
}

const verificationCols = `v.listing_id, v.checked_at, v.sources, v.facts, v.mismatches, v.flag, v.flag_state, v.flagged_at`

func (r verificationRow) verification() Verification {
	v := Verification{ListingID: r.ListingID, CheckedAt: r.CheckedAt, Sources: r.Sources, Mismatches: r.Mismatches,
		FlagState: r.FlagState, FlaggedAt: r.FlaggedAt, Flags: []string{}}
	_ = json.Unmarshal(r.Facts, &v.Facts)
	if r.Flag != "" {
		v.Flags = append(v.Flags, r.Flag)
	}
	return v
}

// FindVerification returns a listing's last registry check; ENotFound
// when it was never checked.
func (db *DB) FindVerification(ctx context.Context, listingID string) (Verification, error) {
	t, err := tenantID(ctx)
	if err != nil {
		return Verification{}, err
	}
	var row verificationRow
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &row, `SELECT `+verificationCols+` FROM listing_verifications v
			WHERE v.tenant_id = $1 AND v.listing_id::text = $2 AND v.checked_at IS NOT NULL`, t, listingID)
	})
	if err != nil {
		return Verification{}, notFound(err, "verification of "+listingID)
	}
	return row.verification(), nil
}

// FlagMail is what the owner of a flagged listing is told.
type FlagMail struct {
	Lang, To, ListingID, ListingName, TenantSlug, TenantName, Flag string
}

// checked is a listing as the check compares it, with its owner.
type checked struct {
	ID         string `db:"id"`
	TenantID   string `db:"tenant_id"`
	TenantSlug string `db:"tenant_slug"`
	TenantName string `db:"tenant_name"`
	Name       string `db:"name"`
	NIP        string `db:"nip"`
	KRS        string `db:"krs"`
	REGON      string `db:"regon"`
	LegalForm  string `db:"legal_form"`
	Gmina      string `db:"gmina"`
	OwnerEmail string `db:"owner_email"`
	OwnerLang  string `db:"owner_lang"`
}

const checkedSelect = `
	SELECT l.id, l.tenant_id, t.slug AS tenant_slug, t.name AS tenant_name, coalesce(l.name, '') AS name,
	       coalesce(l.nip, '') AS nip, coalesce(l.krs, '') AS krs, coalesce(l.data->>'regon', '') AS regon,
	       coalesce(l.legal_form, '') AS legal_form, coalesce(l.gmina_teryt, '') AS gmina,
	       coalesce(CASE WHEN a.status = 'active' THEN a.email END, '') AS owner_email,
	       coalesce(a.lang, 'pl') AS owner_lang
	FROM listings l
	JOIN tenants t ON t.id = l.tenant_id
	LEFT JOIN accounts a ON a.id = l.owner_id`

// VerifyListing checks one listing of the context's tenant against the
// registries now (staff's "check now") and stores what they said.
func (r *Registries) VerifyListing(ctx context.Context, id string, compose func(FlagMail) Mail) (Verification, error) {
	if !tenants.PrincipalFrom(ctx).Role.IsStaff() {
		return Verification{}, Errorf(EForbidden, "forbidden")
	}
	t, err := tenantID(ctx)
	if err != nil {
		return Verification{}, err
	}
	var l checked
	if err := r.db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &l, checkedSelect+` WHERE l.tenant_id = $1 AND l.id::text = $2`, t, id)
	}); err != nil {
		return Verification{}, notFound(err, "listing "+id)
	}
	if err := r.check(ctx, l, false, compose); err != nil {
		return Verification{}, err
	}
	return r.db.FindVerification(ctx, id)
}

// check asks the registries about l (outside any transaction: they may
// be slow) and writes the result in one. With no registry answering,
// nothing is written: the listing stays due.
func (r *Registries) check(ctx context.Context, l checked, noVAT bool, compose func(FlagMail) Mail) error {
	a, err := r.Look(ctx, RegistryQuery{NIP: l.NIP, KRS: l.KRS, REGON: l.REGON, NoVAT: noVAT})
	if err != nil {
		return err
	}
	facts := map[string]registry.Entity{}
	sources := []string{}
	for _, s := range a.Sources {
		if s.Found && s.Data != nil {
			facts[s.Name] = *s.Data
			sources = append(sources, s.Name)
		}
	}
	if len(sources) == 0 && !anyAnswered(a) {
		return nil
	}
	flag := inactivity(facts)
	mismatches := compare(l, facts, a.Prefill)
	raw, _ := json.Marshal(facts)
	now := r.db.now()
	return r.db.tx(tenants.WithAllTenants(ctx), func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO listing_verifications AS v (listing_id, tenant_id, checked_at, sources, facts, mismatches, flag, flag_state, flagged_at)
			VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, CASE WHEN $7 = '' THEN '' ELSE 'open' END, CASE WHEN $7 = '' THEN NULL ELSE $3::timestamptz END)
			ON CONFLICT (listing_id) DO UPDATE SET checked_at = $3, sources = $4, facts = $5::jsonb, mismatches = $6, flag = $7,
			  flag_state = CASE WHEN $7 = '' THEN '' WHEN v.flag = $7 AND v.flag_state <> '' THEN v.flag_state ELSE 'open' END,
			  flagged_at = CASE WHEN $7 = '' THEN NULL WHEN v.flag = $7 THEN v.flagged_at ELSE $3::timestamptz END,
			  owner_mailed_at = CASE WHEN $7 = '' OR v.flag <> $7 THEN NULL ELSE v.owner_mailed_at END`,
			l.ID, l.TenantID, now, pq.StringArray(sources), string(raw), pq.StringArray(mismatches), flag); err != nil {
			return fmt.Errorf("store verification of %s: %w", l.ID, err)
		}
		if flag == "" || l.OwnerEmail == "" || compose == nil {
			return nil
		}
		// The owner hears of a flag once, however many nights it stays.
		res, err := tx.ExecContext(ctx, `UPDATE listing_verifications SET owner_mailed_at = $2
			WHERE listing_id = $1 AND flag <> '' AND owner_mailed_at IS NULL`, l.ID, now)
		if err != nil {
			return fmt.Errorf("mark owner told: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		m := compose(FlagMail{Lang: l.OwnerLang, To: l.OwnerEmail, ListingID: l.ID, ListingName: l.Name,
			TenantSlug: l.TenantSlug, TenantName: l.TenantName, Flag: flag})
		m.To = l.OwnerEmail
		return enqueueMail(ctx, tx, sql.NullString{String: l.TenantID, Valid: true}, m)
	})
}

func anyAnswered(a RegistryAnswer) bool {
	for _, s := range a.Sources {
		if s.OK {
			return true
		}
	}
	return false
}

// inactivity is the gravest reason the registries give for an entity
// no longer trading: KRS's first, then REGON's.
func inactivity(facts map[string]registry.Entity) string {
	order := []string{"struck_off", "bankrupt", "deleted", "ended", "suspended"}
	best := len(order)
	for _, e := range facts {
		why := e.Inactive()
		for i, o := range order {
			if o == why && i < best {
				best = i
			}
		}
	}
	if best == len(order) {
		return ""
	}
	return order[best]
}

// compare names the listing's fields the registries contradict.
func compare(l checked, facts map[string]registry.Entity, p Prefill) []string {
	out := []string{}
	reg := facts[registry.KRS]
	if reg.Name == "" {
		reg = facts[registry.REGON]
	}
	if reg.Name != "" && foldName(reg.Name) != foldName(l.Name) {
		out = append(out, "name")
	}
	if p.NIP != "" && l.NIP != "" && p.NIP != l.NIP {
		out = append(out, "nip")
	}
	if p.LegalForm != "" && p.LegalForm != "inna" && l.LegalForm != "" && p.LegalForm != l.LegalForm {
		out = append(out, "legal_form")
	}
	if g := facts[registry.REGON].Address.GminaTERYT; len(g) == 7 && len(l.Gmina) == 7 && g[:6] != l.Gmina[:6] {
		out = append(out, "gmina")
	}
	return out
}

// foldName compares names as a person would: case, quotes, punctuation
// and spacing aside.
func foldName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// FindVerifications returns the last checks of the listings ids (of the
// context's tenant) that were ever checked, by listing id.
func (db *DB) FindVerifications(ctx context.Context, ids []string) (map[string]Verification, error) {
	t, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]Verification{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []verificationRow
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &rows, `SELECT `+verificationCols+` FROM listing_verifications v
			WHERE v.tenant_id = $1 AND v.listing_id::text = ANY($2) AND v.checked_at IS NOT NULL`, t, pq.StringArray(ids))
	})
	if err != nil {
		return nil, fmt.Errorf("verifications: %w", err)
	}
	for _, r := range rows {
		out[r.ListingID] = r.verification()
	}
	return out, nil
}
