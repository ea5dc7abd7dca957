package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"katalogpes/tenants"
)

type rowOutcome int

const (
	rowSkipped rowOutcome = iota
	rowInserted
	rowUpdated
)

// rowRejected rolls a row's transaction back with the row's field errors.
type rowRejected struct{ fields []FieldError }

func (e *rowRejected) Error() string { return Invalid(e.fields).Error() }

// importRow writes one row in one transaction: the matched listing is
// locked while the row is merged into it, validated and written.
func (db *DB) importRow(ctx context.Context, t *tenants.Tenant, p tenants.Principal, in *decodedRow, mode importMode) (rowOutcome, []FieldError, error) {
	var outcome rowOutcome
	var stored ListingData
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if outcome, err = db.importRowTx(ctx, tx, t, p, in, &stored); err != nil {
			return err
		}
		return mode.commit()
	})
	var rej *rowRejected
	var se *Error
	switch {
	case err == nil || errors.Is(err, errDryRun):
		if outcome != rowSkipped {
			mode.heard(in.row, outcome == rowUpdated, &stored)
		}
		return outcome, nil, nil
	case errors.As(err, &rej):
		return rowSkipped, rej.fields, nil
	case errors.As(err, &se) && (se.Code == EInvalid || se.Code == EConflict):
		// A unique index caught what the duplicate check could not see yet.
		fields := se.Fields
		if len(fields) == 0 {
			fields = []FieldError{{Key: se.Key, Params: se.Params}}
		}
		return rowSkipped, fields, nil
	}
	return rowSkipped, nil, err
}

// lockedListing is the listing a row matched, locked by its transaction.
type lockedListing struct {
	ID     string `db:"id"`
	Status string `db:"status"`
	Data   []byte `db:"data"`
}

func (db *DB) importRowTx(ctx context.Context, tx *sqlx.Tx, t *tenants.Tenant, p tenants.Principal, in *decodedRow, stored *ListingData) (rowOutcome, error) {
	var cur lockedListing
	// By NIP, else by KRS where one side has no NIP: a KRS shared by
	// two different NIPs is a conflict to report, not a match.
	if in.nip != "" || in.krs != "" {
		err := tx.GetContext(ctx, &cur, `
			SELECT id, status, data FROM listings
			WHERE tenant_id = $1 AND status <> 'archived'
			  AND ((nip = $2 AND $2 <> '') OR (krs = $3 AND $3 <> '' AND (nip IS NULL OR $2 = '')))
			ORDER BY coalesce(nip = $2, false) DESC, created_at
			LIMIT 1 FOR UPDATE`, t.ID, in.nip, in.krs)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return rowSkipped, fmt.Errorf("match listing: %w", err)
		}
	}
	before, next, err := decodeMatched(cur.ID, cur.Data)
	if err != nil {
		return rowSkipped, err
	}
	fields := in.apply(&next)
	fields, err = mergeCheck(fields, checkListing(ctx, tx, &next, t, cur.ID))
	if err != nil {
		return rowSkipped, err
	}
	if len(fields) > 0 {
		return rowSkipped, &rowRejected{fields}
	}
	data, err := encodeImported(&next)
	if err != nil {
		return rowSkipped, err
	}
	*stored = next
	verifiedBy := sql.NullString{String: p.AccountID, Valid: p.AccountID != ""}
	if cur.ID == "" {
		if err := tx.GetContext(ctx, &cur.ID, `
			INSERT INTO listings (tenant_id, owner_id, status, data, published_at, verified_at, verified_by, confirmed_at)
			VALUES ($1, NULL, 'published', $2, now(), now(), $3, now()) RETURNING id`,
			t.ID, data, verifiedBy); err != nil {
			return rowSkipped, fmt.Errorf("insert listing: %w", err)
		}
		if err := addEvent(ctx, tx, t.ID, cur.ID, p, "import", "", StatusPublished, "", changedFields(ListingData{}, next)); err != nil {
			return rowSkipped, err
		}
		return rowInserted, enqueueIndex(ctx, tx, t.ID, cur.ID)
	}
	to := importedStatus(cur.Status)
	changed := changedFields(before, next)
	if len(changed) == 0 && to == cur.Status {
		return rowSkipped, nil
	}
	if _, err := tx.ExecContext(ctx, `
		UPDATE listings SET data = $2, status = $3::text,
		       status_reason = CASE WHEN $3::text = 'suspended' THEN status_reason ELSE '' END,
		       published_at = coalesce(published_at, now()), verified_at = now(), verified_by = $4,
		       confirmed_at = now(), updated_at = now()
		WHERE id = $1`, cur.ID, data, to, verifiedBy); err != nil {
		return rowSkipped, fmt.Errorf("update listing %s: %w", cur.ID, err)
	}
	if err := addEvent(ctx, tx, t.ID, cur.ID, p, "import", cur.Status, to, "", changed); err != nil {
		return rowSkipped, err
	}
	return rowUpdated, enqueueIndex(ctx, tx, t.ID, cur.ID)
}

// decodeMatched decodes the matched listing's document twice: one to
// compare against, one to merge into (they share no slices or pointers).
// With no match (id "") both are empty.
func decodeMatched(id string, raw []byte) (before, next ListingData, err error) {
	if id == "" {
		return before, next, nil
	}
	if err := json.Unmarshal(raw, &before); err != nil {
		return before, next, fmt.Errorf("decode listing %s: %w", id, err)
	}
	_ = json.Unmarshal(raw, &next)
	return before, next, nil
}

// encodeImported encodes a row's listing for the data column.
func encodeImported(d *ListingData) ([]byte, error) {
	// jsonb_text_array (migration 00001) fails on a JSON null.
	if d.Kinds == nil {
		d.Kinds = []string{}
	}
	if d.Categories == nil {
		d.Categories = []string{}
	}
	data, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("encode listing: %w", err)
	}
	return data, nil
}

// importedStatus is the status an imported row leaves a listing in: a
// suspension is a moderator's decision the register does not undo.
func importedStatus(cur string) string {
	if cur == StatusSuspended {
		return StatusSuspended
	}
	return StatusPublished
}

// mergeCheck adds the validation's field errors to the row's own, leaving
// out those on a field the row already reported (an undecodable cell
// fails its checks too), repeats, and echoes of a bad gmina.
func mergeCheck(fields []FieldError, err error) ([]FieldError, error) {
	if err == nil {
		return fields, nil
	}
	var se *Error
	if !errors.As(err, &se) || se.Code != EInvalid && se.Code != EConflict {
		return nil, err
	}
	seen := map[string]bool{}
	for _, f := range fields {
		seen[f.Field] = true
	}
	gmina := seen["address.gmina_teryt"]
	for _, f := range se.Fields {
		gmina = gmina || f.Field == "address.gmina_teryt"
	}
	for _, f := range se.Fields {
		// The file has no service area: the one derived from a bad gmina
		// only repeats the gmina's error.
		if gmina && strings.HasPrefix(f.Field, "service_area.") {
			continue
		}
		if !seen[f.Field] {
			seen[f.Field] = true
			fields = append(fields, f)
		}
	}
	if len(se.Fields) == 0 {
		fields = append(fields, FieldError{Key: se.Key, Params: se.Params})
	}
	return fields, nil
}
