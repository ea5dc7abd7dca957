package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"katalogpes/tenants"
)

// ComputePowiatStats computes the figures of one powiat's published
// listings of the context's scope, with a count for each of its gminas in
// place of the count by powiat. The powiat must exist and, in a region,
// lie in the region's voivodeship.
func (db *DB) ComputePowiatStats(ctx context.Context, powiat string) (*Stats, error) {
	t, regional := tenants.FromContext(ctx)
	var unit struct {
		Name            string `db:"name"`
		VoivodeshipCode string `db:"voivodeship_code"`
	}
	err := db.db.GetContext(ctx, &unit, `SELECT name, voivodeship_code FROM teryt_powiats WHERE code = $1`, powiat)
	if errors.Is(err, sql.ErrNoRows) || err == nil && regional && unit.VoivodeshipCode != t.TERYT {
		return nil, Invalid([]FieldError{{Field: "powiat", Key: "stats.powiat", Params: map[string]any{"Code": powiat}}})
	}
	if err != nil {
		return nil, fmt.Errorf("find powiat %s for stats: %w", powiat, err)
	}
	var b sqlBuilder
	q := db.statsQuery(&b, t, regional, powiat)
	var rows []statsRow
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &rows, q, b.args...)
	})
	if err != nil {
		return nil, fmt.Errorf("compute stats of powiat %s: %w", powiat, err)
	}
	st := statsFromRows(rows, regional, true)
	st.Powiat = &Unit{Code: powiat, Name: unit.Name}
	return st, nil
}
