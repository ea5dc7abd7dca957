package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"katalogpes/tenants"
)

// Listing statuses.
const (
	StatusDraft            = "draft"
	StatusPending          = "pending"
	StatusChangesRequested = "changes_requested"
	StatusPublished        = "published"
	StatusRejected         = "rejected"
	StatusSuspended        = "suspended"
	StatusArchived         = "archived"
)

var uuidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ValidID reports whether s can be an id; anything else is not found.
func ValidID(s string) bool { return uuidRe.MatchString(s) }

// listingRow is a listings row joined with its tenant and places.
type listingRow struct {
	ID                  string          `db:"id"`
	TenantID            string          `db:"tenant_id"`
	TenantSlug          string          `db:"tenant_slug"`
	OwnerID             sql.NullString  `db:"owner_id"`
	Status              string          `db:"status"`
	StatusReason        string          `db:"status_reason"`
	Data                json.RawMessage `db:"data"`
	Revision            []byte          `db:"revision"`
	RevisionStatus      sql.NullString  `db:"revision_status"`
	RevisionReason      string          `db:"revision_reason"`
	CreatedAt           time.Time       `db:"created_at"`
	UpdatedAt           time.Time       `db:"updated_at"`
	SubmittedAt         *time.Time      `db:"submitted_at"`
	RevisionSubmittedAt *time.Time      `db:"revision_submitted_at"`
	PublishedAt         *time.Time      `db:"published_at"`
	VerifiedAt          *time.Time      `db:"verified_at"`
	ConfirmedAt         time.Time       `db:"confirmed_at"`
	GminaCode           sql.NullString  `db:"gmina_code"`
	GminaName           sql.NullString  `db:"gmina_name"`
	PowiatCode          sql.NullString  `db:"powiat_code"`
	PowiatName          sql.NullString  `db:"powiat_name"`
	VoivodeshipCode     sql.NullString  `db:"voivodeship_code"`
	VoivodeshipName     sql.NullString  `db:"voivodeship_name"`
}

// listingSelect reads listings with their places; callers add WHERE.
const listingSelect = `
	SELECT l.id, l.tenant_id, t.slug AS tenant_slug, l.owner_id, l.status, l.status_reason, l.data,
	       l.revision, l.revision_status, l.revision_reason, l.created_at, l.updated_at,
	       l.submitted_at, l.revision_submitted_at, l.published_at, l.verified_at, l.confirmed_at,
	       g.code AS gmina_code, g.name AS gmina_name, p.code AS powiat_code, p.name AS powiat_name,
	       v.code AS voivodeship_code, v.name AS voivodeship_name
	FROM listings l
	JOIN tenants t ON t.id = l.tenant_id
	LEFT JOIN teryt_gminas g ON g.code = l.gmina_teryt
	LEFT JOIN teryt_powiats p ON p.code = g.powiat_code
	LEFT JOIN teryt_voivodeships v ON v.code = p.voivodeship_code`

func (r *listingRow) listing(now time.Time, withRevision bool) (*Listing, error) {
	l := &Listing{
		ID: r.ID, Tenant: r.TenantSlug, TenantID: r.TenantID, Status: r.Status, StatusReason: r.StatusReason,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, VerifiedAt: r.VerifiedAt, PublishedAt: r.PublishedAt,
		ConfirmedAt: r.ConfirmedAt, OwnerID: r.OwnerID.String, SubmittedAt: r.SubmittedAt,
		Gmina:       Unit{r.GminaCode.String, r.GminaName.String},
		Powiat:      Unit{r.PowiatCode.String, r.PowiatName.String},
		Voivodeship: Unit{r.VoivodeshipCode.String, r.VoivodeshipName.String},
	}
	if err := json.Unmarshal(r.Data, &l.ListingData); err != nil {
		return nil, fmt.Errorf("decode listing %s: %w", r.ID, err)
	}
	if withRevision && r.RevisionStatus.Valid && len(r.Revision) > 0 {
		rev := &Revision{Status: r.RevisionStatus.String, Reason: r.RevisionReason, SubmittedAt: r.RevisionSubmittedAt}
		if err := json.Unmarshal(r.Revision, &rev.Data); err != nil {
			return nil, fmt.Errorf("decode revision of %s: %w", r.ID, err)
		}
		rev.Fields = changedFields(l.ListingData, rev.Data)
		l.Revision = rev
	}
	l.derive(now)
	if withRevision {
		d := editableData(l)
		l.Warnings = d.DateWarnings(now)
	}
	return l, nil
}

// canSeeAll reports whether p may see any status of a listing owned by owner.
func canSeeAll(p tenants.Principal, owner string) bool {
	return p.Role.IsStaff() || p.Authenticated() && p.AccountID == owner
}

// FindListingByID reads one listing of the context's tenant. The public sees
// published listings only (anything else is not found); the owner and staff
// see any status, with the pending revision.
func (db *DB) FindListingByID(ctx context.Context, id string) (*Listing, error) {
	if !ValidID(id) {
		return nil, ErrNotFound
	}
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	var row listingRow
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &row, listingSelect+` WHERE l.tenant_id = $1 AND l.id = $2`, tid, id)
	})
	if err != nil {
		return nil, notFound(err, "find listing "+id)
	}
	p := tenants.PrincipalFrom(ctx)
	full := canSeeAll(p, row.OwnerID.String)
	if !full && row.Status != StatusPublished {
		return nil, ErrNotFound
	}
	return row.listing(db.now(), full)
}

// FindListingsByIDs reads listings of any status by id across the context's
// scope (a tenant or all tenants): the search worker needs the status to
// know what to delete.
func (db *DB) FindListingsByIDs(ctx context.Context, ids []string) ([]*Listing, error) {
	var rows []listingRow
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &rows, listingSelect+` WHERE l.id = ANY($1::uuid[])`, pq.Array(ids))
	})
	if err != nil {
		return nil, fmt.Errorf("listings by id: %w", err)
	}
	return db.toListings(rows, false)
}

func (db *DB) toListings(rows []listingRow, withRevision bool) ([]*Listing, error) {
	now := db.now()
	out := make([]*Listing, 0, len(rows))
	for i := range rows {
		l, err := rows[i].listing(now, withRevision)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// FindOwnListings lists the signed-in account's listings, any status.
func (db *DB) FindOwnListings(ctx context.Context) ([]*Listing, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	p := tenants.PrincipalFrom(ctx)
	var rows []listingRow
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &rows, listingSelect+`
			WHERE l.tenant_id = $1 AND l.owner_id = $2 ORDER BY l.updated_at DESC`, tid, p.AccountID)
	})
	if err != nil {
		return nil, fmt.Errorf("my listings: %w", err)
	}
	return db.toListings(rows, true)
}

// lockListing reads a listing for update and checks the principal may act
// on it: its owner, or staff of the tenant.
func lockListing(ctx context.Context, tx *sqlx.Tx, tenantID, id string, staffOnly bool) (*listingRow, error) {
	if !ValidID(id) {
		return nil, ErrNotFound
	}
	var row listingRow
	err := tx.GetContext(ctx, &row, listingSelect+` WHERE l.tenant_id = $1 AND l.id = $2 FOR UPDATE OF l`, tenantID, id)
	if err != nil {
		return nil, notFound(err, "lock listing "+id)
	}
	p := tenants.PrincipalFrom(ctx)
	switch {
	case p.Role.IsStaff():
		return &row, nil
	case staffOnly || !p.Authenticated():
		if row.Status != StatusPublished && !p.Authenticated() {
			return nil, ErrNotFound
		}
		return nil, Errorf(EForbidden, "forbidden")
	case p.AccountID != row.OwnerID.String:
		if row.Status != StatusPublished {
			return nil, ErrNotFound
		}
		return nil, Errorf(EForbidden, "listing.not_owner")
	}
	return &row, nil
}

// changeListing runs fn on a listing locked for update, after checking the
// principal may act on it (staffOnly: moderators and admins only), and
// returns the listing as it then reads.
func (db *DB) changeListing(ctx context.Context, id string, staffOnly bool,
	fn func(tx *sqlx.Tx, t *tenants.Tenant, p tenants.Principal, row *listingRow, cur *Listing) error) (*Listing, error) {
	t, ok := tenants.FromContext(ctx)
	if !ok {
		return nil, ErrNoScope
	}
	p := tenants.PrincipalFrom(ctx)
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		row, err := lockListing(ctx, tx, t.ID, id, staffOnly)
		if err != nil {
			return err
		}
		cur, err := row.listing(db.now(), true)
		if err != nil {
			return err
		}
		return fn(tx, t, p, row, cur)
	})
	if err != nil {
		return nil, err
	}
	return db.FindListingByID(ctx, id)
}

// addEvent writes one line of the audit log.
func addEvent(ctx context.Context, tx *sqlx.Tx, tenantID, listingID string, p tenants.Principal, action, from, to, reason string, fields []string) error {
	actor := sql.NullString{String: p.AccountID, Valid: p.AccountID != ""}
	name := p.Name
	if name == "" {
		name = string(p.Role)
	}
	if name == "" {
		name = "system"
	}
	role := string(p.Role)
	if role == "" {
		role = "system"
	}
	if fields == nil {
		fields = []string{}
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO listing_events (tenant_id, listing_id, actor_id, actor_name, actor_role, action, from_status, to_status, reason, fields)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		tenantID, listingID, actor, name, role, action, from, to, reason, pq.Array(fields))
	if err != nil {
		return fmt.Errorf("write listing event: %w", err)
	}
	return nil
}

// enqueueIndex tells the search worker a listing's public face changed.
func enqueueIndex(ctx context.Context, tx *sqlx.Tx, tenantID, listingID string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO search_outbox (tenant_id, listing_id) VALUES ($1, $2)`, tenantID, listingID); err != nil {
		return fmt.Errorf("enqueue search update: %w", err)
	}
	return nil
}

// Event is one line of a listing's history.
type Event struct {
	At        time.Time      `db:"at" json:"at"`
	Actor     string         `db:"actor_name" json:"actor"`
	ActorRole string         `db:"actor_role" json:"actor_role"`
	Action    string         `db:"action" json:"action"`
	From      string         `db:"from_status" json:"from"`
	To        string         `db:"to_status" json:"to"`
	Reason    string         `db:"reason" json:"reason"`
	Fields    pq.StringArray `db:"fields" json:"fields"`
}

// FindListingEvents lists a listing's events, oldest first: for its owner and
// the tenant's staff.
func (db *DB) FindListingEvents(ctx context.Context, id string) ([]Event, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	var events []Event
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := lockListing(ctx, tx, tid, id, false); err != nil {
			return err
		}
		return tx.SelectContext(ctx, &events, `
			SELECT at, actor_name, actor_role, action, from_status, to_status, reason, fields
			FROM listing_events WHERE tenant_id = $1 AND listing_id = $2 ORDER BY id`, tid, id)
	})
	if err != nil {
		return nil, err
	}
	return events, nil
}

var errIllegal = func(action, status string) error {
	return &Error{Code: EConflict, Key: "transition.illegal", Params: map[string]any{"Action": action, "Status": status}}
}
