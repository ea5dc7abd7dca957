package store

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"katalogpes/tenants"
)

// Need statuses (DOMAIN.md, "Buyers and their needs").
const (
	NeedDraft     = "draft"
	NeedPending   = "pending"
	NeedPublished = "published"
	NeedRejected  = "rejected"
	NeedWithdrawn = "withdrawn"
	NeedClosed    = "closed"
)

// NeedKinds are the kinds of need; NeedValueBands the value bands (PLN net).
var (
	NeedKinds      = []string{"rozeznanie", "zapytanie", "zastrzezone_94", "ps_130k", "wspolpraca"}
	NeedValueBands = []string{"<50k", "50-130k", "130k-eu", ">eu"}
)

const (
	maxNeedTitle   = 200
	maxNeedText    = 10000
	maxNeedPlaces  = 50
	maxNeedCPV     = 20
	maxNeedCats    = 10
	maxNeedWindow  = 366 * 24 * time.Hour // a deadline at most a year ahead
	needIDListSize = 200
)

var cpvRe = regexp.MustCompile(`^[0-9]{8}-[0-9]$`)

// NeedInput is what a buyer writes (API.md, "Buyers' needs").
type NeedInput struct {
	Title               string    `json:"title"`
	Description         string    `json:"description"`
	Kind                string    `json:"kind"`
	Categories          []string  `json:"categories"`
	CPV                 []string  `json:"cpv"`
	PlaceOfDelivery     []string  `json:"place_of_delivery"`
	Deadline            time.Time `json:"deadline"`
	StartsOn            string    `json:"starts_on"`
	ValueBand           string    `json:"value_band"`
	MinAtRisk           *int      `json:"min_at_risk"`
	IncludeOtherRegions bool      `json:"include_other_regions"`
}

// NeedFile is an attachment as lists show it.
type NeedFile struct {
	ID   string `db:"id" json:"id"`
	Name string `db:"name" json:"name"`
	Size int    `db:"size" json:"size"`
}

// Need is a buyer's need as the API answers it. Buyer's contact fields
// are empty on closed needs: they stay visible as examples only.
type Need struct {
	ID                  string         `db:"id" json:"id"`
	TenantID            string         `db:"tenant_id" json:"-"`
	Tenant              string         `db:"tenant_slug" json:"tenant"`
	BuyerID             string         `db:"buyer_id" json:"-"`
	Status              string         `db:"status" json:"status"`
	StatusReason        string         `db:"status_reason" json:"status_reason,omitempty"`
	Title               string         `db:"title" json:"title"`
	Description         string         `db:"description" json:"description"`
	Kind                string         `db:"kind" json:"kind"`
	Categories          pq.StringArray `db:"categories" json:"categories"`
	CPV                 pq.StringArray `db:"cpv" json:"cpv"`
	Place               pq.StringArray `db:"place" json:"place_of_delivery"`
	PlaceNames          pq.StringArray `db:"place_names" json:"place_names"`
	Deadline            time.Time      `db:"deadline" json:"deadline"`
	StartsOn            *string        `db:"starts_on" json:"starts_on,omitempty"`
	ValueBand           string         `db:"value_band" json:"value_band,omitempty"`
	MinAtRisk           *int           `db:"min_at_risk" json:"min_at_risk,omitempty"`
	IncludeOtherRegions bool           `db:"include_other_regions" json:"include_other_regions"`
	Outcome             *string        `db:"outcome" json:"outcome,omitempty"`
	AwardedTo           pq.StringArray `db:"awarded_to" json:"awarded_to"`
	ValuePLN            *float64       `db:"value_pln" json:"value_pln,omitempty"`
	Institution         string         `db:"institution" json:"institution"`
	BuyerEmail          string         `db:"buyer_email" json:"buyer_email,omitempty"`
	BuyerName           string         `db:"buyer_name" json:"buyer_name,omitempty"`
	CreatedAt           time.Time      `db:"created_at" json:"created_at"`
	PublishedAt         *time.Time     `db:"published_at" json:"published_at,omitempty"`
	ClosedAt            *time.Time     `db:"closed_at" json:"closed_at,omitempty"`
	RemindedAt          *time.Time     `db:"reminded_at" json:"-"`
	Files               []NeedFile     `db:"-" json:"attachments"`
}

// Open reports whether entities may still answer.
func (n *Need) Open() bool { return n.Status == NeedPublished }

// OutcomeCode is the outcome, "" while there is none.
func (n Need) OutcomeCode() string {
	if n.Outcome == nil {
		return ""
	}
	return *n.Outcome
}

// StartDate is the planned start, "" when none was given.
func (n Need) StartDate() string {
	if n.StartsOn == nil {
		return ""
	}
	return *n.StartsOn
}

// Public reports whether anyone may read the need.
func (n *Need) Public() bool { return n.Status == NeedPublished || n.Status == NeedClosed }

const needSelect = `
	SELECT n.id, n.tenant_id, t.slug AS tenant_slug, n.buyer_id, n.status, n.status_reason, n.title, n.description, n.kind,
	       n.categories, n.cpv, n.place,
	       ARRAY(SELECT coalesce(g.name, p.name, c) FROM unnest(n.place) AS c
	             LEFT JOIN teryt_gminas g ON g.code = c LEFT JOIN teryt_powiats p ON p.code = c) AS place_names,
	       n.deadline, to_char(n.starts_on, 'YYYY-MM-DD') AS starts_on, n.value_band, n.min_at_risk, n.include_other_regions,
	       n.outcome, n.awarded_to::text[] AS awarded_to, n.value_pln::float8 AS value_pln,
	       coalesce(b.name, '') AS institution,
	       CASE WHEN n.status = 'closed' THEN '' ELSE a.email END AS buyer_email,
	       CASE WHEN n.status = 'closed' THEN '' ELSE a.name END AS buyer_name,
	       n.created_at, n.published_at, n.closed_at, n.reminded_at
	FROM needs n
	JOIN tenants t ON t.id = n.tenant_id
	JOIN accounts a ON a.id = n.buyer_id
	LEFT JOIN buyer_institutions b ON b.account_id = n.buyer_id`

// normalize checks a need's fields against the region's taxonomy and the
// TERYT register; a CPV code of a mapped division adds its category.
func (in *NeedInput) normalize(ctx context.Context, tx *sqlx.Tx, tenantID string, now time.Time) error {
	v := &validator{}
	v.text("title", &in.Title, maxNeedTitle, true)
	v.text("description", &in.Description, maxNeedText, true)
	if !oneOf(in.Kind, NeedKinds) {
		v.add("kind", "need.kind")
	}
	in.CPV = dedupe(trimAll(in.CPV))
	if len(in.CPV) > maxNeedCPV {
		v.add("cpv", "too_many")
	}
	for i, c := range in.CPV {
		if !cpvRe.MatchString(c) {
			v.add(fmt.Sprintf("cpv[%d]", i), "need.cpv")
		}
	}
	in.Categories = dedupe(trimAll(in.Categories))
	if len(in.Categories) > maxNeedCats {
		v.add("categories", "too_many")
	}
	if err := in.normalizeCategories(ctx, tx, tenantID, v); err != nil {
		return err
	}
	in.PlaceOfDelivery = dedupe(trimAll(in.PlaceOfDelivery))
	switch {
	case len(in.PlaceOfDelivery) == 0:
		v.add("place_of_delivery", "required")
	case len(in.PlaceOfDelivery) > maxNeedPlaces:
		v.add("place_of_delivery", "too_many")
	default:
		var found []string
		if err := tx.SelectContext(ctx, &found, `
			SELECT code FROM teryt_gminas WHERE code = ANY($1::text[])
			UNION SELECT code FROM teryt_powiats WHERE code = ANY($1::text[])`, pq.Array(in.PlaceOfDelivery)); err != nil {
			return fmt.Errorf("check places: %w", err)
		}
		ok := map[string]bool{}
		for _, f := range found {
			ok[f] = true
		}
		for i, c := range in.PlaceOfDelivery {
			if !ok[c] {
				v.add(fmt.Sprintf("place_of_delivery[%d]", i), "need.place")
			}
		}
	}
	switch {
	case in.Deadline.IsZero():
		v.add("deadline", "required")
	case !in.Deadline.After(now):
		v.add("deadline", "need.deadline_past")
	case in.Deadline.After(now.Add(maxNeedWindow)):
		v.add("deadline", "need.deadline_far")
	}
	v.date("starts_on", in.StartsOn, false)
	if in.ValueBand != "" && !oneOf(in.ValueBand, NeedValueBands) {
		v.add("value_band", "need.value_band")
	}
	switch {
	case in.Kind == "zastrzezone_94" && in.MinAtRisk == nil:
		m := MinAtRiskShare
		in.MinAtRisk = &m
	case in.Kind == "zastrzezone_94" && (*in.MinAtRisk < MinAtRiskShare || *in.MinAtRisk > 100):
		v.add("min_at_risk", "need.min_at_risk")
	case in.Kind != "zastrzezone_94" && in.MinAtRisk != nil:
		v.add("min_at_risk", "need.min_at_risk_kind")
	}
	if len(v.errs) > 0 {
		return Invalid(v.errs)
	}
	return nil
}

// normalizeCategories checks the categories against the region's
// taxonomy; a CPV code of a mapped division adds its category.
func (in *NeedInput) normalizeCategories(ctx context.Context, tx *sqlx.Tx, tenantID string, v *validator) error {
	var known []struct {
		Code string         `db:"code"`
		CPV  pq.StringArray `db:"cpv"`
	}
	if err := tx.SelectContext(ctx, &known, `SELECT code, cpv FROM categories WHERE tenant_id = $1 AND retired_at IS NULL`, tenantID); err != nil {
		return fmt.Errorf("read categories: %w", err)
	}
	byCode := map[string]bool{}
	for _, k := range known {
		byCode[k.Code] = true
		for _, c := range in.CPV {
			for _, div := range k.CPV {
				if div != "" && strings.HasPrefix(c, div) {
					in.Categories = append(in.Categories, k.Code)
				}
			}
		}
	}
	in.Categories = dedupe(in.Categories)
	for i, c := range in.Categories {
		if !byCode[c] {
			v.add(fmt.Sprintf("categories[%d]", i), "category.unknown")
		}
	}
	if len(in.Categories) == 0 {
		v.add("categories", "need.categories_required")
	}
	return nil
}

func trimAll(list []string) []string {
	out := make([]string, 0, len(list))
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// buyerCtx is the signed-in buyer in its tenant.
func buyerCtx(ctx context.Context) (*tenants.Tenant, tenants.Principal, error) {
	t, ok := tenants.FromContext(ctx)
	if !ok {
		return nil, tenants.Principal{}, ErrNoScope
	}
	p := tenants.PrincipalFrom(ctx)
	if !p.Can(tenants.PermNeedsPost) {
		return nil, p, Errorf(EForbidden, "need.buyer_only")
	}
	return t, p, nil
}

// CreateNeed saves a buyer's draft.
func (db *DB) CreateNeed(ctx context.Context, in NeedInput) (*Need, error) {
	t, p, err := buyerCtx(ctx)
	if err != nil {
		return nil, err
	}
	var id string
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		if err := in.normalize(ctx, tx, t.ID, db.now()); err != nil {
			return err
		}
		return tx.GetContext(ctx, &id, `
			INSERT INTO needs (tenant_id, buyer_id, status, title, description, kind, categories, cpv, place, deadline,
			                   starts_on, value_band, min_at_risk, include_other_regions)
			VALUES ($1, $2, 'draft', $3, $4, $5, $6, $7, $8, $9, nullif($10, '')::date, $11, $12, $13) RETURNING id`,
			t.ID, p.AccountID, in.Title, in.Description, in.Kind, pq.Array(in.Categories), pq.Array(in.CPV),
			pq.Array(in.PlaceOfDelivery), in.Deadline, in.StartsOn, in.ValueBand, in.MinAtRisk, in.IncludeOtherRegions)
	})
	if err != nil {
		return nil, err
	}
	return db.FindNeed(ctx, id)
}

// UpdateNeed replaces a need's fields while it is not yet public (draft,
// pending, rejected): an edit sends a pending or rejected need back to draft.
func (db *DB) UpdateNeed(ctx context.Context, id string, in NeedInput) (*Need, error) {
	t, p, err := buyerCtx(ctx)
	if err != nil {
		return nil, err
	}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := lockOwnNeed(ctx, tx, t.ID, p.AccountID, id, NeedDraft, NeedPending, NeedRejected); err != nil {
			return err
		}
		if err := in.normalize(ctx, tx, t.ID, db.now()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			UPDATE needs SET status = 'draft', title = $2, description = $3, kind = $4, categories = $5, cpv = $6, place = $7,
			       deadline = $8, starts_on = nullif($9, '')::date, value_band = $10, min_at_risk = $11,
			       include_other_regions = $12, updated_at = now()
			WHERE id = $1`, id, in.Title, in.Description, in.Kind, pq.Array(in.Categories), pq.Array(in.CPV),
			pq.Array(in.PlaceOfDelivery), in.Deadline, in.StartsOn, in.ValueBand, in.MinAtRisk, in.IncludeOtherRegions)
		if err != nil {
			return fmt.Errorf("update need %s: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.FindNeed(ctx, id)
}

// lockOwnNeed locks a need of the buyer in one of the statuses given.
func lockOwnNeed(ctx context.Context, tx *sqlx.Tx, tenantID, buyerID, id string, statuses ...string) (string, error) {
	if !ValidID(id) {
		return "", ErrNotFound
	}
	var status string
	err := tx.GetContext(ctx, &status, `SELECT status FROM needs WHERE tenant_id = $1 AND id = $2 AND buyer_id = $3 FOR UPDATE`,
		tenantID, id, buyerID)
	if err != nil {
		return "", notFound(err, "find own need "+id)
	}
	if len(statuses) > 0 && !oneOf(status, statuses) {
		return status, Errorf(EConflict, "need.transition")
	}
	return status, nil
}

// FindNeed reads a need of the context's tenant: public ones for anyone,
// others for its buyer and the region's staff only (else not found).
func (db *DB) FindNeed(ctx context.Context, id string) (*Need, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !ValidID(id) {
		return nil, ErrNotFound
	}
	p := tenants.PrincipalFrom(ctx)
	var n *Need
	err = db.tx(ctx, func(tx *sqlx.Tx) (err error) {
		n, err = readNeed(ctx, tx, tid, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !n.Public() && n.BuyerID != p.AccountID && !p.Can(tenants.PermNeedsModerate) {
		return nil, ErrNotFound
	}
	return n, nil
}

// readNeed reads a need of a tenant with its attachments, in tx.
func readNeed(ctx context.Context, tx *sqlx.Tx, tenantID, id string) (*Need, error) {
	var n Need
	if err := tx.GetContext(ctx, &n, needSelect+` WHERE n.tenant_id = $1 AND n.id = $2`, tenantID, id); err != nil {
		return nil, notFound(err, "find need "+id)
	}
	n.Files = []NeedFile{}
	return &n, tx.SelectContext(ctx, &n.Files, `SELECT id, name, size FROM need_files WHERE need_id = $1 AND answer_id IS NULL ORDER BY created_at, id`, id)
}

// NeedCounts are a need's figures on the buyer's desk.
type NeedCounts struct {
	Need
	Notified int `db:"notified" json:"notified"`
	Answered int `db:"answered" json:"answered"`
	Declined int `db:"declined" json:"declined"`
}

// FindOwnNeeds lists the signed-in buyer's needs, newest first, with
// their counts.
func (db *DB) FindOwnNeeds(ctx context.Context) ([]NeedCounts, error) {
	t, p, err := buyerCtx(ctx)
	if err != nil {
		return nil, err
	}
	list := []NeedCounts{}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &list, `SELECT x.*,
			(SELECT count(*) FROM need_matches m WHERE m.need_id = x.id) AS notified,
			(SELECT count(*) FROM need_matches m WHERE m.need_id = x.id AND m.answered_at IS NOT NULL) AS answered,
			(SELECT count(*) FROM need_matches m WHERE m.need_id = x.id AND m.declined_at IS NOT NULL) AS declined
			FROM (`+needSelect+` WHERE n.tenant_id = $1 AND n.buyer_id = $2) x ORDER BY x.created_at DESC, x.id LIMIT $3`,
			t.ID, p.AccountID, needIDListSize)
	})
	if err != nil {
		return nil, fmt.Errorf("my needs: %w", err)
	}
	return list, nil
}
