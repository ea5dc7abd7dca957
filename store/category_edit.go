package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"katalogpes/store/polish"
	"katalogpes/tenants"
)

// CategoryInput is what an admin sets on a category: its names, its CPV
// divisions (two digits each) and, for a subcategory, its parent (only
// top-level categories have children: the taxonomy has two levels).
type CategoryInput struct {
	ParentCode string
	NamePL     string
	NameEN     string
	CPV        []string
}

var (
	cpvDivisionRe = regexp.MustCompile(`^[0-9]{2}$`)
	codeDropRe    = regexp.MustCompile(`[^a-z0-9]+`)
)

// maxCategoryName bounds a category's names.
const maxCategoryName = 100

// normalize trims the input and lists what is wrong with it; an English
// name left empty is the Polish one.
func (in *CategoryInput) normalize() []FieldError {
	v := &validator{}
	in.NamePL, in.NameEN, in.ParentCode = strings.TrimSpace(in.NamePL), strings.TrimSpace(in.NameEN), strings.TrimSpace(in.ParentCode)
	if in.NameEN == "" {
		in.NameEN = in.NamePL
	}
	for _, n := range []struct{ field, val string }{{"name_pl", in.NamePL}, {"name_en", in.NameEN}} {
		switch {
		case n.val == "":
			v.add(n.field, "required")
		case utf8.RuneCountInString(n.val) > maxCategoryName:
			v.add(n.field, "too_long", "Max", maxCategoryName)
		}
	}
	cpv := []string{}
	for _, c := range in.CPV {
		for _, d := range strings.FieldsFunc(c, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
			if !cpvDivisionRe.MatchString(d) {
				v.add("cpv", "cpv.division", "Value", d)
				continue
			}
			if !containsString(cpv, d) {
				cpv = append(cpv, d)
			}
		}
	}
	in.CPV = cpv
	return v.errs
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// categoryCode is a code made of a name: folded, words joined by "_".
func categoryCode(name string) string {
	code := strings.Trim(codeDropRe.ReplaceAllString(polish.Fold(name), "_"), "_")
	if code == "" {
		code = "kategoria"
	}
	if len(code) > 40 {
		code = strings.TrimRight(code[:40], "_")
	}
	return code
}

// adminTenant is the context's tenant, for an admin only.
func adminTenant(ctx context.Context) (*tenants.Tenant, error) {
	t, ok := tenants.FromContext(ctx)
	if !ok {
		return nil, ErrNoScope
	}
	if !tenants.PrincipalFrom(ctx).Can(tenants.PermAdmin) {
		return nil, Errorf(EForbidden, "forbidden")
	}
	return t, nil
}

// CreateCategory adds a category under a code made of its Polish name
// (with a number added when taken) and announces the change to every node.
func (db *DB) CreateCategory(ctx context.Context, in CategoryInput) (*Category, error) {
	t, err := adminTenant(ctx)
	if err != nil {
		return nil, err
	}
	if errs := in.normalize(); len(errs) > 0 {
		return nil, Invalid(errs)
	}
	var c Category
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		// One admin's additions at a time, so two never take one code.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('categories:' || $1))`, t.ID); err != nil {
			return fmt.Errorf("lock categories: %w", err)
		}
		if err := checkParent(ctx, tx, t.ID, "", in.ParentCode); err != nil {
			return err
		}
		code, err := freeCategoryCode(ctx, tx, t.ID, categoryCode(in.NamePL))
		if err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &c, `
			INSERT INTO categories (tenant_id, code, parent_code, name_pl, name_en, cpv, position)
			SELECT $1, $2, NULLIF($3, ''), $4, $5, $6, coalesce(max(position), 0) + 1 FROM categories WHERE tenant_id = $1
			RETURNING code, parent_code, name_pl, name_en, cpv, retired_at`,
			t.ID, code, in.ParentCode, in.NamePL, in.NameEN, pq.Array(in.CPV)); err != nil {
			return fmt.Errorf("insert category %s: %w", code, err)
		}
		return notifyTenantChanged(ctx, tx, t.ID)
	})
	if err != nil {
		return nil, fmt.Errorf("add category %q: %w", in.NamePL, err)
	}
	return &c, nil
}

// freeCategoryCode is base, or base_2, base_3… whichever is free.
func freeCategoryCode(ctx context.Context, tx *sqlx.Tx, tenantID, base string) (string, error) {
	var taken []string
	if err := tx.SelectContext(ctx, &taken, `SELECT code FROM categories WHERE tenant_id = $1 AND (code = $2 OR code LIKE $2 || '\_%')`,
		tenantID, base); err != nil {
		return "", fmt.Errorf("find free category code: %w", err)
	}
	code := base
	for n := 2; containsString(taken, code); n++ {
		code = base + "_" + strconv.Itoa(n)
	}
	return code, nil
}

// checkParent refuses a parent that is unknown, retired, the category
// itself or a subcategory (the taxonomy has two levels).
func checkParent(ctx context.Context, tx *sqlx.Tx, tenantID, self, parent string) error {
	if parent == "" {
		return nil
	}
	var p struct {
		Parent  sql.NullString `db:"parent_code"`
		Retired bool           `db:"retired"`
	}
	err := tx.GetContext(ctx, &p, `SELECT parent_code, retired_at IS NOT NULL AS retired FROM categories WHERE tenant_id = $1 AND code = $2`,
		tenantID, parent)
	switch {
	case errors.Is(err, sql.ErrNoRows), err == nil && (p.Retired || parent == self):
		return Invalid([]FieldError{{Field: "parent_code", Key: "category.unknown"}})
	case err != nil:
		return fmt.Errorf("read parent category %s: %w", parent, err)
	case p.Parent.Valid:
		return Invalid([]FieldError{{Field: "parent_code", Key: "category.too_deep"}})
	}
	if self != "" {
		var children int
		if err := tx.GetContext(ctx, &children, `SELECT count(*) FROM categories WHERE tenant_id = $1 AND parent_code = $2`, tenantID, self); err != nil {
			return fmt.Errorf("count subcategories of %s: %w", self, err)
		}
		if children > 0 {
			return Invalid([]FieldError{{Field: "parent_code", Key: "category.too_deep"}})
		}
	}
	return nil
}

// UpdateCategory renames a category, sets its CPV divisions and its
// parent; its code, which listings hold, stays.
func (db *DB) UpdateCategory(ctx context.Context, code string, in CategoryInput) (*Category, error) {
	t, err := adminTenant(ctx)
	if err != nil {
		return nil, err
	}
	if errs := in.normalize(); len(errs) > 0 {
		return nil, Invalid(errs)
	}
	var c Category
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		if err := checkParent(ctx, tx, t.ID, code, in.ParentCode); err != nil {
			return err
		}
		err := tx.GetContext(ctx, &c, `
			UPDATE categories SET parent_code = NULLIF($3, ''), name_pl = $4, name_en = $5, cpv = $6
			WHERE tenant_id = $1 AND code = $2
			RETURNING code, parent_code, name_pl, name_en, cpv, retired_at`,
			t.ID, code, in.ParentCode, in.NamePL, in.NameEN, pq.Array(in.CPV))
		if err != nil {
			return notFound(err, "update category "+code)
		}
		return notifyTenantChanged(ctx, tx, t.ID)
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// RetireCategory takes a category (and its subcategories) out of new use,
// or, with retire false, back into it (a subcategory only under a parent
// in use). Listings keep the codes they have.
func (db *DB) RetireCategory(ctx context.Context, code string, retire bool) error {
	t, err := adminTenant(ctx)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		var parent sql.NullString
		if err := tx.GetContext(ctx, &parent, `SELECT parent_code FROM categories WHERE tenant_id = $1 AND code = $2 FOR UPDATE`, t.ID, code); err != nil {
			return notFound(err, "read category "+code)
		}
		var err error
		if retire {
			_, err = tx.ExecContext(ctx, `
				UPDATE categories SET retired_at = coalesce(retired_at, $3)
				WHERE tenant_id = $1 AND (code = $2 OR parent_code = $2)`, t.ID, code, db.now())
		} else {
			if parent.Valid {
				if err := checkParent(ctx, tx, t.ID, code, parent.String); err != nil {
					return err
				}
			}
			_, err = tx.ExecContext(ctx, `UPDATE categories SET retired_at = NULL WHERE tenant_id = $1 AND code = $2`, t.ID, code)
		}
		if err != nil {
			return fmt.Errorf("retire category %s: %w", code, err)
		}
		return notifyTenantChanged(ctx, tx, t.ID)
	})
}
