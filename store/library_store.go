package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"katalogpes/tenants"
)

// CreateLibraryItem writes a draft, its history line and its index event
// in one transaction.
func (db *DB) CreateLibraryItem(ctx context.Context, in LibraryInput) (*LibraryItem, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	p, err := libraryWriter(ctx)
	if err != nil {
		return nil, err
	}
	var id string
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		r, err := checkLibrary(ctx, tx, in)
		if err != nil {
			return err
		}
		creator := sql.NullString{String: p.AccountID, Valid: p.AccountID != ""}
		if err := tx.GetContext(ctx, &id, `
			INSERT INTO library_items (tenant_id, kind, status, title, summary, published_on, authors, tags, categories,
			       language, licence, starts_at, ends_at, place_teryt, online_url, registration_url, registration_deadline, created_by)
			VALUES ($1, $2, 'draft', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
			RETURNING id`,
			tid, r.Kind, r.Title, r.Summary, r.PublishedOn, pq.Array(r.Authors), pq.Array(r.Tags), pq.Array(r.Categories),
			r.Language, r.Licence, r.StartsAt, r.EndsAt, r.PlaceTERYT, r.OnlineURL, r.RegistrationURL, r.Deadline, creator); err != nil {
			return fmt.Errorf("insert library item: %w", err)
		}
		if err := setLibraryListings(ctx, tx, tid, id, r.Listings); err != nil {
			return err
		}
		return libraryChanged(ctx, tx, tid, id, p, "create", "", LibraryDraft, nil)
	})
	if err != nil {
		return nil, err
	}
	return db.FindLibraryItem(ctx, id)
}

// UpdateLibraryItem replaces an item's fields with in. Each edit raises the
// item's sequence, so calendars that hold the event replace their copy.
func (db *DB) UpdateLibraryItem(ctx context.Context, id string, in LibraryInput) (*LibraryItem, error) {
	p, cur, err := db.writableLibraryItem(ctx, id)
	if err != nil {
		return nil, err
	}
	before := cur.Input()
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		r, err := checkLibrary(ctx, tx, in)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			UPDATE library_items SET kind = $2, title = $3, summary = $4, published_on = $5, authors = $6, tags = $7,
			       categories = $8, language = $9, licence = $10, starts_at = $11, ends_at = $12, place_teryt = $13,
			       online_url = $14, registration_url = $15, registration_deadline = $16,
			       sequence = sequence + 1, updated_at = clock_timestamp()
			WHERE id = $1 AND status <> 'archived' AND updated_at = $17`,
			id, r.Kind, r.Title, r.Summary, r.PublishedOn, pq.Array(r.Authors), pq.Array(r.Tags), pq.Array(r.Categories),
			r.Language, r.Licence, r.StartsAt, r.EndsAt, r.PlaceTERYT, r.OnlineURL, r.RegistrationURL, r.Deadline, cur.UpdatedAt)
		if err != nil {
			return fmt.Errorf("update library item %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return Errorf(EConflict, "library.changed_meanwhile")
		}
		if err := setLibraryListings(ctx, tx, cur.TenantID(), id, r.Listings); err != nil {
			return err
		}
		return libraryChanged(ctx, tx, cur.TenantID(), id, p, "edit", cur.Status, cur.Status, libraryChangedFields(before, in))
	})
	if err != nil {
		return nil, err
	}
	return db.FindLibraryItem(ctx, id)
}

// PublishLibraryItem makes a draft public; publishing a published item
// changes nothing.
func (db *DB) PublishLibraryItem(ctx context.Context, id string) (*LibraryItem, error) {
	return db.moveLibraryItem(ctx, id, "publish", LibraryPublished)
}

// ArchiveLibraryItem takes an item from the public (DELETE); its history stays.
func (db *DB) ArchiveLibraryItem(ctx context.Context, id string) (*LibraryItem, error) {
	return db.moveLibraryItem(ctx, id, "archive", LibraryArchived)
}

func (db *DB) moveLibraryItem(ctx context.Context, id, action, to string) (*LibraryItem, error) {
	p, err := libraryWriter(ctx)
	if err != nil {
		return nil, err
	}
	cur, err := db.FindLibraryItem(ctx, id)
	if err != nil {
		return nil, err
	}
	if cur.Status == to {
		return cur, nil
	}
	if cur.Status == LibraryArchived {
		return nil, Errorf(EConflict, "library.archived")
	}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE library_items SET status = $2, updated_at = clock_timestamp(), sequence = sequence + 1,
			       published_at = CASE WHEN $2 = 'published' THEN coalesce(published_at, clock_timestamp()) ELSE published_at END
			WHERE id = $1 AND status = $3`, id, to, cur.Status)
		if err != nil {
			return fmt.Errorf("%s library item %s: %w", action, id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return Errorf(EConflict, "library.changed_meanwhile")
		}
		return libraryChanged(ctx, tx, cur.TenantID(), id, p, action, cur.Status, to, nil)
	})
	if err != nil {
		return nil, err
	}
	return db.FindLibraryItem(ctx, id)
}

// writableLibraryItem is an item the acting person may change now: the
// region's staff, an item not archived.
func (db *DB) writableLibraryItem(ctx context.Context, id string) (tenants.Principal, *LibraryItem, error) {
	p, err := libraryWriter(ctx)
	if err != nil {
		return p, nil, err
	}
	cur, err := db.FindLibraryItem(ctx, id)
	if err != nil {
		return p, nil, err
	}
	if cur.Status == LibraryArchived {
		return p, nil, Errorf(EConflict, "library.archived")
	}
	return p, cur, nil
}

// libraryWriter is the acting person, when they may write the library:
// the region's staff (the routes check it too).
func libraryWriter(ctx context.Context) (tenants.Principal, error) {
	p := tenants.PrincipalFrom(ctx)
	if !p.Can(tenants.PermLibrary) {
		return p, Errorf(EForbidden, "forbidden")
	}
	return p, nil
}

// setLibraryListings replaces the listings an item names.
func setLibraryListings(ctx context.Context, tx *sqlx.Tx, tid, id string, listings []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM library_item_listings WHERE item_id = $1`, id); err != nil {
		return fmt.Errorf("unlink listings of %s: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO library_item_listings (tenant_id, item_id, listing_id)
		SELECT $1, $2, unnest($3::uuid[])`, tid, id, pq.Array(listings)); err != nil {
		return fmt.Errorf("link listings of %s: %w", id, err)
	}
	return nil
}

// libraryChanged writes the history line and the index event of a change.
func libraryChanged(ctx context.Context, tx *sqlx.Tx, tid, id string, p tenants.Principal, action, from, to string, fields []string) error {
	actor := sql.NullString{String: p.AccountID, Valid: p.AccountID != ""}
	name := p.Name
	if name == "" {
		name = "system"
	}
	if fields == nil {
		fields = []string{}
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO library_item_events (tenant_id, item_id, actor_id, actor_name, action, from_status, to_status, fields)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, tid, id, actor, name, action, from, to, pq.Array(fields)); err != nil {
		return fmt.Errorf("write library history of %s: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO library_outbox (tenant_id, item_id) VALUES ($1, $2)`, tid, id); err != nil {
		return fmt.Errorf("queue library item %s for the index: %w", id, err)
	}
	return nil
}

// libraryChangedFields names the fields an edit changed, for the history.
func libraryChangedFields(a, b LibraryInput) []string {
	var out []string
	add := func(name string, same bool) {
		if !same {
			out = append(out, name)
		}
	}
	add("kind", a.Kind == b.Kind)
	add("title", a.Title == b.Title)
	add("summary", a.Summary == b.Summary)
	add("published_on", a.PublishedOn == b.PublishedOn)
	add("authors", slices.Equal(a.Authors, b.Authors))
	add("tags", slices.Equal(a.Tags, b.Tags))
	add("categories", slices.Equal(a.Categories, b.Categories))
	add("listings", slices.Equal(a.Listings, b.Listings))
	add("language", a.Language == b.Language)
	add("licence", a.Licence == b.Licence)
	ea, eb := LibraryEventInput{}, LibraryEventInput{}
	if a.Event != nil {
		ea = *a.Event
	}
	if b.Event != nil {
		eb = *b.Event
	}
	add("event", ea == eb)
	return out
}

// LibraryHistoryLine is one line of an item's history.
type LibraryHistoryLine struct {
	At         sql.NullTime   `json:"-" db:"at"`
	When       string         `json:"at" db:"-"`
	ActorName  string         `json:"actor_name" db:"actor_name"`
	Action     string         `json:"action" db:"action"`
	FromStatus string         `json:"from_status" db:"from_status"`
	ToStatus   string         `json:"to_status" db:"to_status"`
	Fields     pq.StringArray `json:"fields" db:"fields"`
}

// FindLibraryHistory is an item's history, oldest first.
func (db *DB) FindLibraryHistory(ctx context.Context, id string) ([]LibraryHistoryLine, error) {
	var out []LibraryHistoryLine
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &out, `
			SELECT at, actor_name, action, from_status, to_status, fields
			FROM library_item_events WHERE item_id = $1 ORDER BY id`, id)
	})
	if err != nil {
		return nil, fmt.Errorf("library history of %s: %w", id, err)
	}
	for i := range out {
		out[i].When = out[i].At.Time.UTC().Format("2006-01-02T15:04:05Z")
	}
	return out, nil
}
