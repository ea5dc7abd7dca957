package store

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/jmoiron/sqlx"

	"katalogpes/tenants"
)

var (
	placeSplitRe = regexp.MustCompile(`[,;\n]+`)
	placeCodeRe  = regexp.MustCompile(`^[0-9]{4}([0-9]{3})?$`)
)

// ResolvePlaces turns what a person typed (gmina or powiat names, or
// TERYT codes, separated by commas) into codes: a name is looked up in the
// tenant's voivodeship, a gmina before a powiat of the same name ("powiat"
// in front names the powiat). gminasOnly refuses powiats (a seat).
// field names the form field the errors are about.
func (db *DB) ResolvePlaces(ctx context.Context, field, text string, gminasOnly bool) ([]string, error) {
	t, ok := tenants.FromContext(ctx)
	if !ok {
		return nil, ErrNoScope
	}
	var codes []string
	v := &validator{}
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		for _, raw := range placeSplitRe.Split(text, -1) {
			name := strings.TrimSpace(raw)
			if name == "" {
				continue
			}
			if placeCodeRe.MatchString(name) {
				codes = append(codes, name)
				continue
			}
			code, err := findPlace(ctx, tx, t.TERYT, name, gminasOnly)
			if err != nil {
				return err
			}
			if code == "" {
				v.add(field, "need.place_name", "Name", name)
				continue
			}
			codes = append(codes, code)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(v.errs) > 0 {
		return nil, Invalid(v.errs)
	}
	return dedupe(codes), nil
}

// findPlace looks one name up; "" when none fits.
func findPlace(ctx context.Context, tx *sqlx.Tx, voiv, name string, gminasOnly bool) (string, error) {
	lower := strings.ToLower(name)
	powiatOnly := strings.HasPrefix(lower, "powiat ")
	if powiatOnly {
		name = strings.TrimSpace(name[len("powiat "):])
	}
	var codes []string
	if !powiatOnly {
		if err := tx.SelectContext(ctx, &codes, `SELECT code FROM teryt_gminas WHERE left(code, 2) = $1 AND lower(name) = lower($2) ORDER BY rodz, code LIMIT 1`,
			voiv, name); err != nil {
			return "", fmt.Errorf("find gmina %q: %w", name, err)
		}
		if len(codes) > 0 || gminasOnly {
			return first(codes), nil
		}
	}
	if err := tx.SelectContext(ctx, &codes, `SELECT code FROM teryt_powiats WHERE voivodeship_code = $1
		AND (lower(name) = lower($2) OR lower(name) = 'powiat ' || lower($2)) ORDER BY code LIMIT 1`, voiv, name); err != nil {
		return "", fmt.Errorf("find powiat %q: %w", name, err)
	}
	return first(codes), nil
}

func first(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[0]
}
