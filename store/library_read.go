package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// libraryColumns are an item's columns with its region's slug and its
// place's gmina name.
const libraryColumns = `i.id, i.tenant_id, t.slug, i.kind, i.status, i.title, i.summary, i.published_on::text AS published_on,
	i.authors, i.tags, i.categories, i.language, i.licence, i.starts_at, i.ends_at, i.place_teryt, g.name AS place_name,
	i.online_url, i.registration_url, i.registration_deadline, i.cover_file_id IS NOT NULL AS has_cover, i.sequence,
	i.created_at, i.updated_at, i.published_at
	FROM library_items i JOIN tenants t ON t.id = i.tenant_id LEFT JOIN teryt_gminas g ON g.code = i.place_teryt`

type libraryItemRow struct {
	ID              string         `db:"id"`
	TenantID        string         `db:"tenant_id"`
	Slug            string         `db:"slug"`
	Kind            string         `db:"kind"`
	Status          string         `db:"status"`
	Title           string         `db:"title"`
	Summary         string         `db:"summary"`
	PublishedOn     sql.NullString `db:"published_on"`
	Authors         pq.StringArray `db:"authors"`
	Tags            pq.StringArray `db:"tags"`
	Categories      pq.StringArray `db:"categories"`
	Language        string         `db:"language"`
	Licence         string         `db:"licence"`
	StartsAt        sql.NullTime   `db:"starts_at"`
	EndsAt          sql.NullTime   `db:"ends_at"`
	PlaceTERYT      sql.NullString `db:"place_teryt"`
	PlaceName       sql.NullString `db:"place_name"`
	OnlineURL       string         `db:"online_url"`
	RegistrationURL string         `db:"registration_url"`
	Deadline        sql.NullTime   `db:"registration_deadline"`
	HasCover        bool           `db:"has_cover"`
	Sequence        int            `db:"sequence"`
	CreatedAt       time.Time      `db:"created_at"`
	UpdatedAt       time.Time      `db:"updated_at"`
	PublishedAt     sql.NullTime   `db:"published_at"`
}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time
	return &v
}

func (r *libraryItemRow) item() *LibraryItem {
	it := &LibraryItem{ID: r.ID, Region: r.Slug, Kind: r.Kind, Status: r.Status, Title: r.Title, Summary: r.Summary,
		PublishedOn: r.PublishedOn.String, Authors: nonNil(r.Authors), Tags: nonNil(r.Tags), Categories: nonNil(r.Categories),
		Language: r.Language, Licence: r.Licence, Listings: []LinkedListing{}, Files: []LibraryFile{}, HasCover: r.HasCover,
		Sequence: r.Sequence, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, PublishedAt: nullTime(r.PublishedAt), tenantID: r.TenantID}
	if r.StartsAt.Valid {
		it.Event = &LibraryEvent{StartsAt: r.StartsAt.Time, EndsAt: nullTime(r.EndsAt), PlaceTERYT: r.PlaceTERYT.String,
			PlaceName: r.PlaceName.String, OnlineURL: r.OnlineURL, RegistrationURL: r.RegistrationURL, RegistrationDeadline: nullTime(r.Deadline)}
	}
	return it
}

func nonNil(a []string) []string {
	if a == nil {
		return []string{}
	}
	return a
}

// FindLibraryItem is one item of the context's region, in any status
// (the handlers show the public only published ones), with its files and
// the listings it names.
func (db *DB) FindLibraryItem(ctx context.Context, id string) (*LibraryItem, error) {
	if !uuidRe.MatchString(id) {
		return nil, ErrNotFound
	}
	var it *LibraryItem
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		var r libraryItemRow
		if err := tx.GetContext(ctx, &r, `SELECT `+libraryColumns+` WHERE i.id = $1`, id); err != nil {
			return notFound(err, "library item "+id)
		}
		it = r.item()
		if err := tx.SelectContext(ctx, &it.Files, `
			SELECT name, content_type, size, text_status, created_at FROM library_files
			WHERE item_id = $1 ORDER BY created_at, name`, id); err != nil {
			return fmt.Errorf("files of library item %s: %w", id, err)
		}
		if err := tx.SelectContext(ctx, &it.Listings, `
			SELECT l.id, l.name FROM library_item_listings x JOIN listings l ON l.id = x.listing_id
			WHERE x.item_id = $1 ORDER BY l.name`, id); err != nil {
			return fmt.Errorf("listings of library item %s: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return it, nil
}

// LibraryFilter chooses items for a list page: the region's (or, on the
// hub, every region's) items of a status, kind and tag.
type LibraryFilter struct {
	Status string // "" is published
	Kind   string
	Tag    string
	// Events keeps the items with a time: "upcoming" (not ended, soonest
	// first) or "past" (latest first); "" is every item, newest first.
	Events string
	Limit  int
	Offset int
}

// FindLibraryItems lists items without their files and listings.
func (db *DB) FindLibraryItems(ctx context.Context, f LibraryFilter) ([]*LibraryItem, error) {
	if f.Status == "" {
		f.Status = LibraryPublished
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	where := []string{"i.status = $1"}
	args := []any{f.Status}
	if f.Kind != "" {
		args = append(args, f.Kind)
		where = append(where, fmt.Sprintf("i.kind = $%d", len(args)))
	}
	if f.Tag != "" {
		args = append(args, f.Tag)
		where = append(where, fmt.Sprintf("$%d = ANY(i.tags)", len(args)))
	}
	order := "coalesce(i.published_at, i.updated_at) DESC, i.id"
	switch f.Events {
	case "upcoming":
		where = append(where, "coalesce(i.ends_at, i.starts_at) >= now()")
		order = "i.starts_at, i.id"
	case "past":
		where = append(where, "coalesce(i.ends_at, i.starts_at) < now()")
		order = "i.starts_at DESC, i.id"
	case "all":
		where = append(where, "i.starts_at IS NOT NULL")
		order = "i.starts_at, i.id"
	}
	args = append(args, f.Limit, f.Offset)
	q := `SELECT ` + libraryColumns + ` WHERE ` + strings.Join(where, " AND ") +
		fmt.Sprintf(" ORDER BY %s LIMIT $%d OFFSET $%d", order, len(args)-1, len(args))
	var rows []libraryItemRow
	if err := db.tx(ctx, func(tx *sqlx.Tx) error { return tx.SelectContext(ctx, &rows, q, args...) }); err != nil {
		return nil, fmt.Errorf("library items: %w", err)
	}
	out := make([]*LibraryItem, len(rows))
	for i := range rows {
		out[i] = rows[i].item()
	}
	return out, nil
}

// FindLibraryItemsForListing lists the published items that name a
// listing, newest first: the listing's profile shows them.
func (db *DB) FindLibraryItemsForListing(ctx context.Context, listingID string) ([]*LibraryItem, error) {
	if !uuidRe.MatchString(listingID) {
		return nil, nil
	}
	var rows []libraryItemRow
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &rows, `SELECT `+libraryColumns+`
			JOIN library_item_listings x ON x.item_id = i.id
			WHERE x.listing_id = $1 AND i.status = 'published'
			ORDER BY coalesce(i.starts_at, i.published_at) DESC LIMIT 20`, listingID)
	})
	if err != nil {
		return nil, fmt.Errorf("library items of listing %s: %w", listingID, err)
	}
	out := make([]*LibraryItem, len(rows))
	for i := range rows {
		out[i] = rows[i].item()
	}
	return out, nil
}

// FindLibraryTexts returns the extracted text of each item's PDFs, for
// the index (item id → text).
func (db *DB) FindLibraryTexts(ctx context.Context, ids []string) (map[string]string, error) {
	var rows []struct {
		ItemID string `db:"item_id"`
		Text   string `db:"text"`
	}
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &rows, `
			SELECT item_id, string_agg(text, E'\n' ORDER BY created_at) AS text FROM library_files
			WHERE item_id = ANY($1::uuid[]) GROUP BY item_id`, pq.Array(ids))
	})
	if err != nil {
		return nil, fmt.Errorf("library texts: %w", err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.ItemID] = r.Text
	}
	return out, nil
}

// FindLibraryItemsByIDs reads items in any region the context allows (the
// index worker's all-tenants scope), with their files.
func (db *DB) FindLibraryItemsByIDs(ctx context.Context, ids []string) ([]*LibraryItem, error) {
	var rows []libraryItemRow
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &rows, `SELECT `+libraryColumns+` WHERE i.id = ANY($1::uuid[])`, pq.Array(ids))
	})
	if err != nil {
		return nil, fmt.Errorf("library items by id: %w", err)
	}
	out := make([]*LibraryItem, len(rows))
	for i := range rows {
		out[i] = rows[i].item()
	}
	return out, nil
}
