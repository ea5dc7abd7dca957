package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"katalogpes/tenants"
)

// Kinds of mail and desk entry about needs an entity gets.
const (
	NoticeNeedMatch   = "need_match"
	NoticeNeedRemind  = "need_remind"
	NoticeNeedOutcome = "need_outcome"
	NoticeNeedPartner = "need_partner"
)

// NeedNotice is what an entity is told about a need: the mail and the
// desk entry are written from it. Tokens carry the one-click links.
type NeedNotice struct {
	Kind              string
	Need              *Need
	ListingID         string
	ListingName       string
	ListingTenantSlug string
	To                string
	Lang              string
	InterestedToken   string
	DeclineToken      string
}

// NeedNoticeFunc writes a notice; its mail's To is set by the store.
type NeedNoticeFunc func(NeedNotice) NoticeMail

// needCandidate is a listing that may hear of a need.
type needCandidate struct {
	ID         string         `db:"id"`
	TenantID   string         `db:"tenant_id"`
	TenantSlug string         `db:"tenant_slug"`
	Name       string         `db:"name"`
	OwnerID    sql.NullString `db:"owner_id"`
	Email      string         `db:"email"`
	Lang       string         `db:"lang"`
	WeeklyCap  int            `db:"weekly_cap"`
	Score      int            `db:"score"`
}

// MatchResult says what one run of the matcher did.
type MatchResult struct {
	NeedID   string
	Notified int
}

// MatchNextNeed takes one queued need (SKIP LOCKED: a need another
// worker holds is left to it), finds its entities and tells each once,
// all in one transaction. It needs the all-tenants scope and returns
// ErrNotFound when nothing waits.
func (db *DB) MatchNextNeed(ctx context.Context, compose NeedNoticeFunc) (*MatchResult, error) {
	if !tenants.AllTenants(ctx) {
		return nil, ErrNoScope
	}
	var res MatchResult
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &res.NeedID, `SELECT need_id FROM need_match_queue
			WHERE done_at IS NULL AND available_at <= now() ORDER BY available_at, need_id LIMIT 1 FOR UPDATE SKIP LOCKED`)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("take a need to match: %w", err)
		}
		var n Need
		if err := tx.GetContext(ctx, &n, needSelect+` WHERE n.id = $1`, res.NeedID); err != nil {
			return fmt.Errorf("read need %s: %w", res.NeedID, err)
		}
		if n.Status == NeedPublished {
			if res.Notified, err = db.matchNeed(ctx, tx, &n, compose); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE need_match_queue SET done_at = now() WHERE need_id = $1`, res.NeedID)
		return err
	})
	if err != nil {
		if res.NeedID != "" && !errors.Is(err, ErrNotFound) {
			db.retryMatch(ctx, res.NeedID, err)
		}
		return nil, err
	}
	return &res, nil
}

// retryMatch puts a need back with a growing delay after a failed run.
func (db *DB) retryMatch(ctx context.Context, needID string, cause error) {
	_ = db.tx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE need_match_queue SET attempts = attempts + 1, last_error = $2,
			available_at = now() + least(interval '1 hour', interval '5 seconds' * power(2, attempts)) WHERE need_id = $1`,
			needID, cause.Error())
		return err
	})
}

// matchNeed tells the best-fitting entities about n, at most the
// region's limit, each under its own region's weekly cap.
func (db *DB) matchNeed(ctx context.Context, tx *sqlx.Tx, n *Need, compose NeedNoticeFunc) (int, error) {
	var limit int
	if err := tx.GetContext(ctx, &limit, `SELECT match_limit FROM need_settings WHERE tenant_id = $1`, n.TenantID); err != nil {
		return 0, fmt.Errorf("read match limit: %w", err)
	}
	var gminas, parts []string
	if err := tx.SelectContext(ctx, &gminas, `SELECT code FROM teryt_gminas WHERE code = ANY($1::text[]) OR powiat_code = ANY($1::text[])`,
		pq.Array([]string(n.Place))); err != nil {
		return 0, fmt.Errorf("expand place of delivery: %w", err)
	}
	if err := tx.SelectContext(ctx, &parts, `SELECT code FROM teryt_gmina_parts WHERE gmina_code = ANY($1::text[])`, pq.Array(gminas)); err != nil {
		return 0, fmt.Errorf("expand place of delivery to parts: %w", err)
	}
	q, args := db.candidateQuery(n, gminas, parts, limit*2)
	var cands []needCandidate
	if err := tx.SelectContext(ctx, &cands, q, args...); err != nil {
		return 0, fmt.Errorf("find entities for need %s: %w", n.ID, err)
	}
	if len(cands) == 0 {
		return 0, nil
	}
	// The weekly cap holds across workers matching other needs: each
	// candidate's count is read again under a lock on it, taken in one
	// order so that two workers never wait on each other in a circle.
	ids := make([]string, len(cands))
	for i, c := range cands {
		ids[i] = c.ID
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('need_cap:' || id)) FROM unnest($1::text[]) AS id ORDER BY id`, pq.Array(ids)); err != nil {
		return 0, fmt.Errorf("lock candidates: %w", err)
	}
	notified := 0
	for _, c := range cands {
		if notified == limit {
			break
		}
		var week int
		if err := tx.GetContext(ctx, &week, `SELECT count(*) FROM need_matches WHERE listing_id = $1 AND notified_at > now() - interval '7 days'`, c.ID); err != nil {
			return 0, fmt.Errorf("count week of %s: %w", c.ID, err)
		}
		if week >= c.WeeklyCap {
			continue
		}
		ok, err := db.notifyMatch(ctx, tx, n, c, compose)
		if err != nil {
			return 0, err
		}
		if ok {
			notified++
		}
	}
	return notified, nil
}

// candidateQuery finds published listings that fit n, best first: the
// need's region, or others only when asked; categories shared; a service
// area covering the place; the kind's condition; not muted; under the cap.
func (db *DB) candidateQuery(n *Need, gminas, parts []string, limit int) (string, []any) {
	b := &sqlBuilder{}
	today := func() string { return b.arg(db.now().Format(dateLayout)) }
	cats := b.arg(pq.Array([]string(n.Categories)))
	where := []string{
		"l.status = 'published'",
		"(l.tenant_id = " + b.arg(n.TenantID) + " OR " + b.arg(n.IncludeOtherRegions) + "::boolean)",
		"l.categories && " + cats + "::text[]",
		areaCovers(b, gminas, parts),
		"NOT EXISTS (SELECT 1 FROM need_mutes mu WHERE mu.listing_id = l.id AND mu.category = ANY(" + cats + "::text[]))",
		"NOT EXISTS (SELECT 1 FROM need_matches nm WHERE nm.need_id = " + b.arg(n.ID) + " AND nm.listing_id = l.id)",
		"(SELECT count(*) FROM need_matches w WHERE w.listing_id = l.id AND w.notified_at > now() - interval '7 days') < ns.weekly_cap",
	}
	switch n.Kind {
	case "zastrzezone_94":
		share := MinAtRiskShare
		if n.MinAtRisk != nil {
			share = *n.MinAtRisk
		}
		where = append(where, reservedExpr(today()), atRiskShareAtLeast(b.arg(share)))
	case "ps_130k":
		where = append(where, psPreferenceExpr(today()))
	}
	var powiats, voivs []string
	for _, g := range gminas {
		powiats, voivs = append(powiats, g[:4]), append(voivs, g[:2])
	}
	gArg, pArg, vArg := b.arg(pq.Array(gminas)), b.arg(pq.Array(powiats)), b.arg(pq.Array(voivs))
	score := `(SELECT count(*) FROM unnest(l.categories) c WHERE c = ANY(` + cats + `::text[]))::int * 10
		+ CASE WHEN EXISTS (SELECT 1 FROM categories k, unnest(k.cpv) d, unnest(` + b.arg(pq.Array([]string(n.CPV))) + `::text[]) cp
		                    WHERE k.tenant_id = l.tenant_id AND k.code = ANY(l.categories) AND d <> '' AND cp LIKE d || '%') THEN 5 ELSE 0 END
		+ CASE WHEN l.gmina_teryt = ANY(` + gArg + `::text[]) THEN 6 WHEN left(l.gmina_teryt, 4) = ANY(` + pArg + `::text[]) THEN 3
		       WHEN left(l.gmina_teryt, 2) = ANY(` + vArg + `::text[]) THEN 1 ELSE 0 END
		+ (coalesce(l.data->>'description', '') <> '')::int + (jsonb_array_length(` + jsonArray("l.data->'offers'") + `) > 0)::int
		+ (coalesce(l.data->'contact'->>'email', '') <> '')::int + (coalesce(l.data->>'logo_url', '') <> '')::int
		+ (jsonb_typeof(l.data->'employment') = 'object')::int + (coalesce(l.data->'service_area'->>'scope', '') <> '')::int
		+ CASE WHEN l.confirmed_at > now() - interval '12 months' THEN 3 ELSE 0 END`
	q := `SELECT l.id, l.tenant_id, t.slug AS tenant_slug, coalesce(l.name, '') AS name, l.owner_id,
		       coalesce(CASE WHEN a.status = 'active' THEN a.email END, l.data->'contact'->>'email', '') AS email,
		       coalesce(CASE WHEN a.status = 'active' THEN a.lang END, 'pl') AS lang, ns.weekly_cap, (` + score + `) AS score
		FROM listings l
		JOIN tenants t ON t.id = l.tenant_id
		JOIN need_settings ns ON ns.tenant_id = l.tenant_id
		LEFT JOIN accounts a ON a.id = l.owner_id
		WHERE ` + joinAnd(where) + `
		ORDER BY score DESC, l.confirmed_at DESC, l.id LIMIT ` + strconv.Itoa(limit)
	return q, b.args
}

// areaCovers is servesCondition for the matcher, without a subquery per
// listing: a service area covers the place when it is the country, or it
// lists one of the place's gminas (or their parts), powiats or the
// voivodeship, or the seat is there (a radius matches by seat only).
func areaCovers(b *sqlBuilder, gminas, parts []string) string {
	codes := append(append([]string{}, gminas...), parts...)
	seen := map[string]bool{}
	for _, g := range gminas {
		for _, c := range []string{g[:4], g[:2]} {
			if !seen[c] {
				seen[c] = true
				codes = append(codes, c)
			}
		}
	}
	return `l.data->'service_area'->>'scope' = 'country' OR l.gmina_teryt = ANY(` + b.arg(pq.Array(gminas)) + `::text[])
		OR (jsonb_typeof(l.data->'service_area'->'teryt') = 'array' AND l.data->'service_area'->'teryt' ?| ` + b.arg(pq.Array(codes)) + `::text[])`
}

func joinAnd(list []string) string {
	out := ""
	for i, s := range list {
		if i > 0 {
			out += " AND "
		}
		out += "(" + s + ")"
	}
	return out
}

// notifyMatch records that c heard of n and queues its mail and desk
// entry; false when it had already (another worker got there first).
func (db *DB) notifyMatch(ctx context.Context, tx *sqlx.Tx, n *Need, c needCandidate, compose NeedNoticeFunc) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO need_matches (tenant_id, need_id, listing_id, listing_tenant_id, account_id, score, listing_name)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (need_id, listing_id) DO NOTHING`, n.TenantID, n.ID, c.ID, c.TenantID, c.OwnerID, c.Score, c.Name)
	if err != nil {
		return false, fmt.Errorf("record match of %s: %w", c.ID, err)
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return false, nil
	}
	if c.Email == "" {
		return true, nil // nobody to write to; the buyer still sees the entity
	}
	notice := NeedNotice{Kind: NoticeNeedMatch, Need: n, ListingID: c.ID, ListingName: c.Name, ListingTenantSlug: c.TenantSlug,
		To: c.Email, Lang: c.Lang}
	expires := n.Deadline.Add(24 * time.Hour)
	for action, dst := range map[string]*string{"interested": &notice.InterestedToken, "decline": &notice.DeclineToken} {
		token, hash := newToken()
		if _, err := tx.ExecContext(ctx, `INSERT INTO need_click_tokens (token_hash, tenant_id, need_id, listing_id, action, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, hash, n.TenantID, n.ID, c.ID, action, expires); err != nil {
			return false, fmt.Errorf("store one-click token: %w", err)
		}
		*dst = token
	}
	return true, tellEntity(ctx, tx, notice, c.TenantID, c.OwnerID, compose)
}

// tellEntity queues a notice's mail and, for an entity with an owner's
// account, its desk entry (in the entity's own region).
func tellEntity(ctx context.Context, tx *sqlx.Tx, notice NeedNotice, listingTenant string, owner sql.NullString, compose NeedNoticeFunc) error {
	nm := compose(notice)
	nm.Mail.To = notice.To
	if err := enqueueMail(ctx, tx, sql.NullString{String: listingTenant, Valid: true}, nm.Mail); err != nil {
		return err
	}
	if !owner.Valid {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO notifications (tenant_id, account_id, listing_id, kind, subject, link) VALUES ($1, $2, $3, $4, $5, $6)`,
		listingTenant, owner.String, notice.ListingID, notice.Kind, nm.Mail.Subject, nm.Link); err != nil {
		return fmt.Errorf("add desk entry about need %s: %w", notice.Need.ID, err)
	}
	return nil
}

// ClickResult is what a one-click link did.
type ClickResult struct {
	Action     string `db:"action"`
	NeedID     string `db:"need_id"`
	ListingID  string `db:"listing_id"`
	TenantSlug string `db:"tenant_slug"`
	Title      string `db:"title"`
	Listing    string `db:"listing_name"`
}

// UseNeedClick spends a one-click token: "interested" marks the need
// opened, "decline" records the refusal (with an optional reason). A
// used, expired, altered or unknown token is refused; it needs no sign-in.
func (db *DB) UseNeedClick(ctx context.Context, token, reason string) (*ClickResult, error) {
	t, ok := tenants.FromContext(ctx)
	if !ok {
		return nil, ErrNoScope
	}
	v := &validator{}
	v.text("reason", &reason, 2000, false)
	if len(v.errs) > 0 {
		return nil, Invalid(v.errs)
	}
	var r ClickResult
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &r, `UPDATE need_click_tokens k SET used_at = now()
			FROM needs n, listings l, tenants t
			WHERE k.token_hash = $1 AND k.tenant_id = $2 AND k.used_at IS NULL AND k.expires_at > now()
			  AND n.id = k.need_id AND l.id = k.listing_id AND t.id = n.tenant_id
			RETURNING k.action, k.need_id, k.listing_id, t.slug AS tenant_slug, n.title, coalesce(l.name, '') AS listing_name`,
			hashToken(token), t.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return &Error{Code: EInvalid, Key: "need.click_invalid", Fields: []FieldError{{Field: "token", Key: "need.click_invalid"}}}
		}
		if err != nil {
			return fmt.Errorf("use one-click token: %w", err)
		}
		if r.Action == "decline" {
			_, err = tx.ExecContext(ctx, `UPDATE need_matches SET declined_at = coalesce(declined_at, now()), decline_reason = $3,
				opened_at = coalesce(opened_at, now()) WHERE need_id = $1 AND listing_id = $2`, r.NeedID, r.ListingID, reason)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE need_matches SET opened_at = coalesce(opened_at, now()) WHERE need_id = $1 AND listing_id = $2`,
				r.NeedID, r.ListingID)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// CheckNeedClick says what a one-click token would do, without using it:
// the landing page asks to confirm, so a mail scanner opening the link
// decides nothing.
func (db *DB) CheckNeedClick(ctx context.Context, token string) (*ClickResult, error) {
	t, ok := tenants.FromContext(ctx)
	if !ok {
		return nil, ErrNoScope
	}
	var r ClickResult
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &r, `SELECT k.action, k.need_id, k.listing_id, t.slug AS tenant_slug, n.title, coalesce(l.name, '') AS listing_name
			FROM need_click_tokens k JOIN needs n ON n.id = k.need_id JOIN listings l ON l.id = k.listing_id JOIN tenants t ON t.id = n.tenant_id
			WHERE k.token_hash = $1 AND k.tenant_id = $2 AND k.used_at IS NULL AND k.expires_at > now()`, hashToken(token), t.ID)
	})
	if errors.Is(err, sql.ErrNoRows) || (err != nil && ErrorCode(err) == ENotFound) {
		return nil, &Error{Code: EInvalid, Key: "need.click_invalid", Fields: []FieldError{{Field: "token", Key: "need.click_invalid"}}}
	}
	if err != nil {
		return nil, fmt.Errorf("check one-click token: %w", err)
	}
	return &r, nil
}

// SetNeedMutes replaces the categories whose needs a listing of the
// signed-in owner does not want to hear of.
func (db *DB) SetNeedMutes(ctx context.Context, listingID string, categories []string) error {
	t, p, err := answerer(ctx)
	if err != nil {
		return err
	}
	categories = dedupe(trimAll(categories))
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		if err := ownListing(ctx, tx, t.ID, p.AccountID, listingID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM need_mutes WHERE listing_id = $1`, listingID); err != nil {
			return fmt.Errorf("clear mutes: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO need_mutes (tenant_id, listing_id, category)
			SELECT $1, $2, code FROM categories WHERE tenant_id = $1 AND code = ANY($3::text[])`, t.ID, listingID, pq.Array(categories))
		if err != nil {
			return fmt.Errorf("save mutes: %w", err)
		}
		return nil
	})
}

// FindNeedMutes lists a listing's muted categories.
func (db *DB) FindNeedMutes(ctx context.Context, listingID string) ([]string, error) {
	t, p, err := answerer(ctx)
	if err != nil {
		return nil, err
	}
	list := []string{}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		if err := ownListing(ctx, tx, t.ID, p.AccountID, listingID); err != nil {
			return err
		}
		return tx.SelectContext(ctx, &list, `SELECT category FROM need_mutes WHERE listing_id = $1 ORDER BY category`, listingID)
	})
	return list, err
}
