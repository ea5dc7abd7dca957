package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"katalogpes/tenants"
)

// importChunkSize is how many rows share one transaction. A row costs no
// round trip of its own: a chunk is matched in one query, validated in Go
// and written in four statements, so a large register loads in seconds.
const importChunkSize = 500

// importItem is one row waiting in a chunk: a decoded row, or a line the
// reader could not parse (in is nil, fields says why).
type importItem struct {
	row    int
	in     *decodedRow
	fields []FieldError
}

// importBook answers validation's questions from memory: the TERYT register
// and the tenant's categories, read once per import (see places).
type importBook struct {
	gminas     map[string]Gmina // gmina and part codes → the gmina proper
	codes      map[string]bool  // every voivodeship, powiat, gmina and part code
	categories map[string]bool
}

func (b *importBook) gmina(_ context.Context, code string) (Gmina, error) {
	if g, ok := b.gminas[code]; ok {
		return g, nil
	}
	return Gmina{}, &Error{Code: ENotFound, Key: "teryt.unknown", Err: fmt.Errorf("gmina %s", code)}
}

func (b *importBook) unknownCodes(_ context.Context, codes []string) ([]string, error) {
	var out []string
	for _, c := range codes {
		if !b.codes[c] {
			out = append(out, c)
		}
	}
	return out, nil
}

func (b *importBook) categoryCodes(context.Context, string) (map[string]bool, error) {
	return b.categories, nil
}

// loadImportBook reads the register and the tenant's category codes.
func (db *DB) loadImportBook(ctx context.Context, tenantID string) (*importBook, error) {
	b := &importBook{gminas: map[string]Gmina{}, codes: map[string]bool{}}
	var gminas []Gmina
	if err := db.db.SelectContext(ctx, &gminas, gminaSelect); err != nil {
		return nil, fmt.Errorf("load gminas: %w", err)
	}
	for _, g := range gminas {
		b.gminas[g.Code] = g
	}
	var parts []struct {
		Code  string `db:"code"`
		Gmina string `db:"gmina_code"`
	}
	if err := db.db.SelectContext(ctx, &parts, `SELECT code, gmina_code FROM teryt_gmina_parts`); err != nil {
		return nil, fmt.Errorf("load gmina parts: %w", err)
	}
	for _, p := range parts {
		if g, ok := b.gminas[p.Gmina]; ok {
			b.gminas[p.Code] = g
		}
	}
	var codes []string
	if err := db.db.SelectContext(ctx, &codes, `
		SELECT code FROM teryt_voivodeships UNION ALL SELECT code FROM teryt_powiats
		UNION ALL SELECT code FROM teryt_gminas UNION ALL SELECT code FROM teryt_gmina_parts`); err != nil {
		return nil, fmt.Errorf("load TERYT codes: %w", err)
	}
	for _, c := range codes {
		b.codes[c] = true
	}
	cats, err := db.categoryCodes(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	b.categories = cats
	return b, nil
}

// chunkListing is a listing as a chunk sees it: as read (locked) at the
// chunk's start, then as the chunk's earlier rows left it.
type chunkListing struct {
	id, status, nip, krs string
	data                 []byte
	created, dirty       bool
}

// chunkEvent is the audit line, and the outbox row, of one written row.
type chunkEvent struct {
	listingID, from, to string
	fields              []string
}

// importChunk imports items in one transaction and gives each its outcome
// and field errors, exactly as importing them one by one in order would:
// every row sees what the rows before it did. A row that is invalid writes
// nothing. Should the database refuse a write the checks here could not
// foresee (a listing written meanwhile by someone else), the chunk is
// rolled back and its rows are imported one by one, each on its own.
func (db *DB) importChunk(ctx context.Context, t *tenants.Tenant, p tenants.Principal, items []importItem, book *importBook, mode importMode) ([]rowOutcome, [][]FieldError, error) {
	if !importRowByRow {
		var outcomes []rowOutcome
		var fields [][]FieldError
		var stored []storedRow
		err := db.tx(ctx, func(tx *sqlx.Tx) error {
			var err error
			outcomes, fields, stored, err = db.importChunkTx(ctx, tx, t, p, items, book)
			if err != nil {
				return err
			}
			return mode.commit()
		})
		if errors.Is(err, errDryRun) {
			err = nil
		}
		if err == nil {
			for _, s := range stored {
				mode.heard(s.row, s.updates, &s.data)
			}
		}
		var se *Error
		if err == nil || !errors.As(err, &se) || se.Code != EInvalid && se.Code != EConflict || ctx.Err() != nil {
			return outcomes, fields, err
		}
	}
	outcomes, fields := make([]rowOutcome, len(items)), make([][]FieldError, len(items))
	for i, it := range items {
		if it.in == nil {
			fields[i] = it.fields
			continue
		}
		var err error
		if outcomes[i], fields[i], err = db.importRow(ctx, t, p, it.in, mode); err != nil {
			return nil, nil, fmt.Errorf("import row %d: %w", it.row, err)
		}
	}
	return outcomes, fields, nil
}

// importRowByRow makes every chunk take the slow path, for the test that
// holds both paths to the same results.
var importRowByRow = false

// storedRow is a row a chunk wrote, as written.
type storedRow struct {
	row     int
	updates bool
	data    ListingData
}

func (db *DB) importChunkTx(ctx context.Context, tx *sqlx.Tx, t *tenants.Tenant, p tenants.Principal, items []importItem, book *importBook) ([]rowOutcome, [][]FieldError, []storedRow, error) {
	outcomes, fields := make([]rowOutcome, len(items)), make([][]FieldError, len(items))
	var stored []storedRow
	seen, err := lockChunkListings(ctx, tx, t.ID, items)
	if err != nil {
		return nil, nil, nil, err
	}
	var events []chunkEvent
	for i, it := range items {
		if it.in == nil {
			fields[i] = it.fields
			continue
		}
		in := it.in
		cur := matchListing(seen, in.nip, in.krs)
		curID, curStatus, curData := "", "", []byte(nil)
		if cur != nil {
			curID, curStatus, curData = cur.id, cur.status, cur.data
		}
		before, next, err := decodeMatched(curID, curData)
		if err != nil {
			return nil, nil, nil, err
		}
		rowFields := in.apply(&next)
		rowFields, err = mergeCheck(rowFields, checkInChunk(ctx, &next, t, curID, book, seen))
		if err != nil {
			return nil, nil, nil, err
		}
		if len(rowFields) > 0 {
			fields[i] = rowFields
			continue
		}
		data, err := encodeImported(&next)
		if err != nil {
			return nil, nil, nil, err
		}
		if cur == nil {
			cur = &chunkListing{id: uuid.NewString(), status: StatusPublished, created: true}
			seen = append(seen, cur)
			events = append(events, chunkEvent{cur.id, "", StatusPublished, changedFields(ListingData{}, next)})
			outcomes[i] = rowInserted
		} else {
			to := importedStatus(curStatus)
			changed := changedFields(before, next)
			if len(changed) == 0 && to == curStatus {
				continue
			}
			cur.status, cur.dirty = to, true
			events = append(events, chunkEvent{cur.id, curStatus, to, changed})
			outcomes[i] = rowUpdated
		}
		cur.data, cur.nip, cur.krs = data, next.NIP, next.KRS
		stored = append(stored, storedRow{it.row, outcomes[i] == rowUpdated, next})
	}
	return outcomes, fields, stored, writeChunk(ctx, tx, t.ID, p, seen, events)
}

// lockChunkListings reads every listing a chunk's row may match or collide
// with, locked as importRow locks the one it matches.
func lockChunkListings(ctx context.Context, tx *sqlx.Tx, tenantID string, items []importItem) ([]*chunkListing, error) {
	var nips, krss []string
	for _, it := range items {
		if it.in != nil && it.in.nip != "" {
			nips = append(nips, it.in.nip)
		}
		if it.in != nil && it.in.krs != "" {
			krss = append(krss, it.in.krs)
		}
	}
	var rows []struct {
		ID     string `db:"id"`
		Status string `db:"status"`
		NIP    string `db:"nip"`
		KRS    string `db:"krs"`
		Data   []byte `db:"data"`
	}
	if len(nips)+len(krss) > 0 {
		if err := tx.SelectContext(ctx, &rows, `
			SELECT id, status, coalesce(nip, '') AS nip, coalesce(krs, '') AS krs, data FROM listings
			WHERE tenant_id = $1 AND status <> 'archived' AND (nip = ANY($2) OR krs = ANY($3))
			ORDER BY created_at FOR UPDATE`, tenantID, pq.Array(nips), pq.Array(krss)); err != nil {
			return nil, fmt.Errorf("match listings: %w", err)
		}
	}
	seen := make([]*chunkListing, 0, len(rows)+len(items))
	for _, r := range rows {
		seen = append(seen, &chunkListing{id: r.ID, status: r.Status, nip: r.NIP, krs: r.KRS, data: r.Data})
	}
	return seen, nil
}

// matchListing finds the listing importRow would: by NIP, else by KRS
// where the row or the listing has no NIP.
func matchListing(seen []*chunkListing, nip, krs string) *chunkListing {
	var byKRS *chunkListing
	for _, l := range seen {
		if nip != "" && l.nip == nip {
			return l
		}
		if byKRS == nil && krs != "" && l.krs == krs && (l.nip == "" || nip == "") {
			byKRS = l
		}
	}
	return byKRS
}

// checkInChunk is checkListing with the register in memory and the
// duplicates looked up among the chunk's listings: any listing holding a
// NIP or KRS of the chunk's rows was read at its start, and a listing's
// own NIP or KRS (kept when a row leaves the cell empty) is unique.
func checkInChunk(ctx context.Context, d *ListingData, t *tenants.Tenant, selfID string, book *importBook, seen []*chunkListing) error {
	errs := d.normalize()
	more, err := validatePlaces(ctx, d, t.TERYT, t.ID, book)
	if err != nil {
		return err
	}
	if errs = append(errs, more...); len(errs) > 0 {
		return Invalid(errs)
	}
	var nip, krs bool
	for _, l := range seen {
		if l.id == selfID {
			continue
		}
		nip = nip || d.NIP != "" && l.nip == d.NIP
		krs = krs || d.KRS != "" && l.krs == d.KRS
	}
	var dups []FieldError
	if nip {
		dups = append(dups, FieldError{Field: "nip", Key: "nip.duplicate"})
	}
	if krs {
		dups = append(dups, FieldError{Field: "krs", Key: "krs.duplicate"})
	}
	if len(dups) > 0 {
		return &Error{Code: EConflict, Key: dups[0].Key, Fields: dups}
	}
	return nil
}

// writeChunk writes what a chunk's rows decided: new listings, changed
// ones (as the last row touching each left it), then an audit line and an
// outbox row per written row, in row order.
func writeChunk(ctx context.Context, tx *sqlx.Tx, tenantID string, p tenants.Principal, seen []*chunkListing, events []chunkEvent) error {
	if len(events) == 0 {
		return nil
	}
	verifiedBy := sql.NullString{String: p.AccountID, Valid: p.AccountID != ""}
	var newIDs, newData, ids, data, statuses []string
	for _, l := range seen {
		switch {
		case l.created:
			newIDs, newData = append(newIDs, l.id), append(newData, string(l.data))
		case l.dirty:
			ids, data, statuses = append(ids, l.id), append(data, string(l.data)), append(statuses, l.status)
		}
	}
	if len(newIDs) > 0 {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO listings (id, tenant_id, owner_id, status, data, published_at, verified_at, verified_by, confirmed_at)
			SELECT u.id, $1, NULL, 'published', u.data::jsonb, now(), now(), $2, now()
			FROM unnest($3::uuid[], $4::text[]) AS u(id, data)`,
			tenantID, verifiedBy, pq.Array(newIDs), pq.Array(newData)); err != nil {
			return fmt.Errorf("insert %d listings: %w", len(newIDs), err)
		}
	}
	if len(ids) > 0 {
		if _, err := tx.ExecContext(ctx, `
			UPDATE listings l SET data = u.data::jsonb, status = u.status,
			       status_reason = CASE WHEN u.status = 'suspended' THEN l.status_reason ELSE '' END,
			       published_at = coalesce(l.published_at, now()), verified_at = now(), verified_by = $2,
			       confirmed_at = now(), updated_at = now()
			FROM unnest($3::uuid[], $4::text[], $5::text[]) AS u(id, data, status)
			WHERE l.id = u.id AND l.tenant_id = $1`,
			tenantID, verifiedBy, pq.Array(ids), pq.Array(data), pq.Array(statuses)); err != nil {
			return fmt.Errorf("update %d listings: %w", len(ids), err)
		}
	}
	actor, name, role := eventActor(p)
	evIDs, from, to, changed := make([]string, len(events)), make([]string, len(events)), make([]string, len(events)), make([]string, len(events))
	for i, e := range events {
		evIDs[i], from[i], to[i], changed[i] = e.listingID, e.from, e.to, strings.Join(e.fields, ",")
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO listing_events (tenant_id, listing_id, actor_id, actor_name, actor_role, action, from_status, to_status, reason, fields)
		SELECT $1, u.id, $2, $3, $4, 'import', u.from_status, u.to_status, '',
		       CASE WHEN u.fields = '' THEN '{}'::text[] ELSE string_to_array(u.fields, ',') END
		FROM unnest($5::uuid[], $6::text[], $7::text[], $8::text[]) WITH ORDINALITY AS u(id, from_status, to_status, fields, n)
		ORDER BY u.n`,
		tenantID, actor, name, role, pq.Array(evIDs), pq.Array(from), pq.Array(to), pq.Array(changed)); err != nil {
		return fmt.Errorf("write %d listing events: %w", len(events), err)
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO search_outbox (tenant_id, listing_id)
		SELECT $1, u.id FROM unnest($2::uuid[]) WITH ORDINALITY AS u(id, n) ORDER BY u.n`,
		tenantID, pq.Array(evIDs)); err != nil {
		return fmt.Errorf("enqueue %d search updates: %w", len(events), err)
	}
	return nil
}

// eventActor names the principal in the audit log as addEvent does.
func eventActor(p tenants.Principal) (sql.NullString, string, string) {
	name, role := p.Name, string(p.Role)
	if name == "" {
		name = role
	}
	if name == "" {
		name = "system"
	}
	if role == "" {
		role = "system"
	}
	return sql.NullString{String: p.AccountID, Valid: p.AccountID != ""}, name, role
}
