package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/lib/pq"

	"katalogpes/store/polish"
)

// MaxGminaMatches bounds a gmina name search: a picker shows a handful.
const MaxGminaMatches = 10

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// FindGminasByName finds up to MaxGminaMatches gminas whose name, folded as
// polish.Fold folds it, starts with q folded or has a word that does:
// "ruda slaska" finds Ruda Śląska, "ruda" also Nowa Ruda. The gminas of
// voivodeship prefer (a region's own; "" for none) come first, then names
// that start with q, then by name.
func (db *DB) FindGminasByName(ctx context.Context, q, prefer string) ([]Gmina, error) {
	folded := likeEscaper.Replace(strings.Join(strings.Fields(polish.Fold(q)), " "))
	list := []Gmina{}
	if folded == "" {
		return list, nil
	}
	err := db.db.SelectContext(ctx, &list, gminaSelect+`
		CROSS JOIN LATERAL (SELECT fold_pl(g.name) AS folded) f
		WHERE f.folded LIKE $1 || '%' OR f.folded LIKE '% ' || $1 || '%' OR f.folded LIKE '%-' || $1 || '%'
		ORDER BY v.code = $2 DESC, f.folded LIKE $1 || '%' DESC, g.name, g.code
		LIMIT $3`, folded, prefer, MaxGminaMatches)
	if err != nil {
		return nil, fmt.Errorf("find gminas named %q: %w", q, err)
	}
	return list, nil
}

// FindGminasByCode names the gminas of codes (7 digits, gminas proper),
// for facets and pickers; codes it does not know are left out.
func (db *DB) FindGminasByCode(ctx context.Context, codes []string) ([]Gmina, error) {
	list := []Gmina{}
	if len(codes) == 0 {
		return list, nil
	}
	err := db.db.SelectContext(ctx, &list, gminaSelect+` WHERE g.code = ANY($1::text[]) ORDER BY g.name, g.code`, pq.Array(codes))
	if err != nil {
		return nil, fmt.Errorf("find gminas %v: %w", codes, err)
	}
	return list, nil
}

// Kind is how people call the gmina: an urban gmina is a town ("miasto");
// the others keep TERC's name ("gmina wiejska", "gmina miejsko-wiejska").
func (g Gmina) Kind() string {
	if strings.HasPrefix(g.KindName, "gmina miejska") {
		return "miasto"
	}
	return g.KindName
}

// Label names the gmina with its kind, which tells apart the town and the
// rural gmina of one name: "Nowa Ruda (miasto)", "Nowa Ruda (gmina wiejska)".
func (g Gmina) Label() string {
	if k := g.Kind(); k != "" {
		return g.Name + " (" + k + ")"
	}
	return g.Name
}
