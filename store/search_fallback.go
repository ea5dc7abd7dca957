package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"katalogpes/tenants"
)

// FallbackQuery is a public search answered by PostgreSQL while Meilisearch
// cannot be reached. It mirrors the search package's query (store must not
// import search); the tenant comes from the context: a tenant, or the
// all-tenants scope for the national hub. Codes are expected normalised
// (gmina parts resolved to their gmina, serves as 7-digit gmina codes).
type FallbackQuery struct {
	Q string
	ListingFilter
	Sort          string // relevance | name | updated | distance
	Page, PerPage int
	// Facets asks for facet counts; suggestions do without.
	Facets bool
	// WithoutGeo keeps the listings without a point: what a radius leaves out.
	WithoutGeo bool
	// anyWords relaxes the query: any of its words, most first.
	anyWords bool
}

// ListingFilter narrows published listings: any of the values within one
// filter, every filter given. Search, its PostgreSQL fallback and exports
// share it.
type ListingFilter struct {
	LegalForms        []string
	Kinds             []string
	Powiats           []string
	Gminas            []string
	Serves            []string
	Categories        []string
	Certificates      []string
	SocialEnterprise  bool
	ReservedContracts bool
	// AtRiskMin, when set (30–100), asks for at least that percentage of
	// employees at risk of exclusion by figures at most 12 months old.
	AtRiskMin int
	// PSPreference asks for social enterprises whose status is in force.
	PSPreference bool
	Near         *Geo
	RadiusKm     float64
}

// FallbackHit is one found listing, with its distance when near was given.
type FallbackHit struct {
	Listing    *Listing
	DistanceKm *float64
}

// FallbackResult is a page of hits, the total, and facet counts, keyed like
// the search API: legal_form, kind, powiat, gmina, category, certificate,
// social_enterprise, and tenant when searching all tenants.
type FallbackResult struct {
	Hits   []FallbackHit
	Total  int
	Facets map[string]map[string]int
	// Relaxed says all words together found nothing: the hits match some
	// of the words, those matching most first.
	Relaxed bool
}

// fallbackFacets are the filters counted disjunctively: each facet's counts
// apply every active filter except its own, as the Meilisearch path does.
var fallbackFacets = []struct {
	name, from, value string
}{
	{"legal_form", "base", "legal_form"},
	{"kind", "base, unnest(base.kinds) AS v(value)", "v.value"},
	{"powiat", "base", "powiat"},
	{"gmina", "base", "gmina"},
	{"category", "base, unnest(base.categories) AS v(value)", "v.value"},
	{"certificate", "base, unnest(base.certs) AS v(value)", "v.value"},
	{"social_enterprise", "base", "se::text"},
}

// FallbackSearch answers a search from PostgreSQL: words by full text
// (prefixes) or trigram word similarity on text folded with fold_pl on both
// sides (so "lodz" finds "Łódź" and small typos are forgiven), published
// listings only, the same filters and disjunctive facets as the index.
func (db *DB) FallbackSearch(ctx context.Context, q FallbackQuery) (*FallbackResult, error) {
	if q.PerPage <= 0 {
		q.PerPage = 20
	}
	if q.Page <= 0 {
		q.Page = 1
	}
	plan := db.planFallback(ctx, q)
	found, err := db.runFallback(ctx, plan)
	if err == nil && found.total() == 0 && len(fallbackWords(q.Q)) >= 2 {
		q.anyWords = true
		plan = db.planFallback(ctx, q)
		found, err = db.runFallback(ctx, plan)
	}
	if err != nil {
		return nil, fmt.Errorf("fallback search: %w", err)
	}
	listings, err := db.toListings(found.listings, false)
	if err != nil {
		return nil, err
	}
	res := &FallbackResult{Hits: fallbackHits(found.hits, listings), Relaxed: q.anyWords && found.total() > 0}
	if q.Facets {
		res.Facets = emptyFallbackFacets(plan.national)
	}
	for _, c := range found.counts {
		if c.Facet == "" {
			res.Total = c.N
			continue
		}
		if c.Value != "" {
			res.Facets[c.Facet][c.Value] = c.N
		}
	}
	return res, nil
}

// fallbackPlan is the SQL of one fallback search: a page of hits and the
// counts (total, then facets), both over the same base CTE and arguments.
type fallbackPlan struct {
	hitsSQL, countSQL string
	args              []any
	countArgs         int // the leading args the counts use
	national          bool
}

// planFallback builds the hits and counts queries for q.
func (db *DB) planFallback(ctx context.Context, q FallbackQuery) fallbackPlan {
	var b sqlBuilder
	cte, national := db.fallbackBase(ctx, q, &b)
	conds := fallbackFacetConditions(q, &b)
	all := facetFilter(conds, "")
	countArgs := len(b.args) // LIMIT and OFFSET belong to the hits alone
	hitsSQL := cte + ` SELECT id, dist FROM base WHERE ` + all + ` ORDER BY ` + fallbackOrder(q.Sort, hasWords(q.Q)) + `, id
		LIMIT ` + b.arg(q.PerPage) + ` OFFSET ` + b.arg(int64(q.Page-1)*int64(q.PerPage))
	return fallbackPlan{
		hitsSQL:   hitsSQL,
		countSQL:  cte + " " + fallbackCounts(conds, q.Facets, national),
		args:      b.args,
		countArgs: countArgs,
		national:  national,
	}
}

// fallbackBase is the CTE "base" of published listings matching the words,
// tenant, gminas, service area, employment and status filters and radius, with what
// the facet filters, ranking and sorting need; national is true when
// searching all tenants.
func (db *DB) fallbackBase(ctx context.Context, q FallbackQuery, b *sqlBuilder) (cte string, national bool) {
	national = true
	var where []string
	if t, ok := tenants.FromContext(ctx); ok {
		national = false
		where = append(where, "l.tenant_id = "+b.arg(t.ID))
	}
	today := b.arg(db.now().Format("2006-01-02"))
	words := hasWords(q.Q)
	qArg := b.arg(q.Q)
	switch {
	case words && q.anyWords:
		where = append(where, fallbackMatched+` > 0`)
	case words:
		// A fuzzy match must still match every word, one by one.
		where = append(where, `(v.tsv @@ qq.tsq OR (qq.fq <% f.ftext AND `+fallbackMatched+` = `+fallbackWordCount+`))`)
	}
	if q.WithoutGeo {
		where = append(where, "jsonb_typeof(l.data->'geo') IS DISTINCT FROM 'object'")
	}
	if len(q.Serves) > 0 {
		where = append(where, servesCondition(b, q.Serves))
	}
	where = append(where, eligibilityConditions(b, q.ListingFilter, func() string { return today })...)
	distExpr := "NULL::float8"
	if q.Near != nil {
		distExpr = haversineExpr(b.arg(q.Near.Lat), b.arg(q.Near.Lng))
		if q.RadiusKm > 0 {
			where = append(where, "d.dist <= "+b.arg(q.RadiusKm))
		}
	}
	rank := "0::float8"
	if words {
		rank = `ts_rank(v.tsv, qq.tsq) + 2 * word_similarity(qq.fq, fold_pl(l.name)) + word_similarity(qq.fq, f.ftext)`
		if q.anyWords {
			rank = `10 * ` + fallbackMatched + ` + ` + rank // most words first
		}
	}
	where = append(where, "l.status = 'published'")
	return fallbackCTE(qArg, today, rank, distExpr, where), national
}

// fallbackCTE is the base CTE: the query folded and as prefix tsquery (qq),
// then each listing with its folded searchable text (name, city, gmina,
// powiat, categories, offers), rank, distance and facet values.
func fallbackCTE(qArg, today, rank, distExpr string, where []string) string {
	return `
	WITH qq AS (
		SELECT fold_pl(` + qArg + `::text) AS fq,
		       to_tsquery('simple', coalesce((SELECT string_agg(quote_literal(w) || ':*', ' & ')
		                                      FROM regexp_split_to_table(fold_pl(` + qArg + `::text), '[^[:alnum:]]+') AS w
		                                      WHERE w <> ''), '')) AS tsq
	), base AS (
		SELECT l.id, t.slug AS tenant, l.legal_form, l.kinds, l.categories, coalesce(g.powiat_code, '') AS powiat,
		       coalesce(l.gmina_teryt, '') AS gmina,
		       l.updated_at, fold_pl(l.name) AS sort_name, d.dist, ` + rank + ` AS rank,
		       ` + socialEnterpriseExpr(today) + ` AS se,
		       ` + certificatesExpr(today) + ` AS certs
		FROM listings l
		JOIN tenants t ON t.id = l.tenant_id
		LEFT JOIN teryt_gminas g ON g.code = l.gmina_teryt
		LEFT JOIN teryt_powiats p ON p.code = g.powiat_code
		CROSS JOIN qq
		CROSS JOIN LATERAL (SELECT l.search_text || ' ' || fold_pl(concat_ws(' ',
			l.data->'address'->>'city', g.name, p.name, replace(array_to_string(l.categories, ' '), '_', ' '),
			(SELECT string_agg(o->>'title', ' ') FROM jsonb_array_elements(` + jsonArray("l.data->'offers'") + `) AS o),
			(SELECT string_agg(c.name_pl, ' ') FROM categories c WHERE c.tenant_id = l.tenant_id AND c.code = ANY(l.categories))
		)) AS ftext) f
		CROSS JOIN LATERAL (SELECT to_tsvector('simple', f.ftext) AS tsv) v
		CROSS JOIN LATERAL (SELECT ` + distExpr + ` AS dist) d
		WHERE ` + strings.Join(where, " AND ") + `
	)`
}

// fallbackFacetConditions are the filters facets are counted over, on the
// base CTE, by facet name.
func fallbackFacetConditions(q FallbackQuery, b *sqlBuilder) map[string]string {
	conds := map[string]string{}
	if len(q.LegalForms) > 0 {
		conds["legal_form"] = "legal_form = ANY(" + b.arg(pq.Array(q.LegalForms)) + "::text[])"
	}
	if len(q.Kinds) > 0 {
		conds["kind"] = "kinds && " + b.arg(pq.Array(q.Kinds)) + "::text[]"
	}
	if len(q.Powiats) > 0 {
		conds["powiat"] = "powiat = ANY(" + b.arg(pq.Array(q.Powiats)) + "::text[])"
	}
	if len(q.Gminas) > 0 {
		conds["gmina"] = "gmina = ANY(" + b.arg(pq.Array(q.Gminas)) + "::text[])"
	}
	if len(q.Categories) > 0 {
		conds["category"] = "categories && " + b.arg(pq.Array(q.Categories)) + "::text[]"
	}
	if len(q.Certificates) > 0 {
		conds["certificate"] = "certs && " + b.arg(pq.Array(q.Certificates)) + "::text[]"
	}
	if q.SocialEnterprise {
		conds["social_enterprise"] = "se"
	}
	return conds
}

// facetFilter joins every facet condition but skip's ("" for all of them).
func facetFilter(conds map[string]string, skip string) string {
	parts := []string{"true"}
	for _, f := range fallbackFacets {
		if c, ok := conds[f.name]; ok && f.name != skip {
			parts = append(parts, c)
		}
	}
	return strings.Join(parts, " AND ")
}

// fallbackOrder is the ORDER BY for a sort; by default the most relevant
// first when there are words, else the most recently updated.
func fallbackOrder(sort string, words bool) string {
	order := map[string]string{
		"name":     "sort_name ASC",
		"updated":  "updated_at DESC",
		"distance": "dist ASC NULLS LAST",
	}[sort]
	if order == "" {
		order = "updated_at DESC"
		if words {
			order = "rank DESC"
		}
	}
	return order
}

// fallbackCounts is the total (facet "") and, when asked for, each facet's
// counts under every other facet's filter, and per tenant when national.
func fallbackCounts(conds map[string]string, facets, national bool) string {
	all := facetFilter(conds, "")
	counts := []string{`SELECT '' AS facet, '' AS value, count(*) AS n FROM base WHERE ` + all}
	if facets {
		for _, f := range fallbackFacets {
			counts = append(counts, `SELECT '`+f.name+`', `+f.value+`, count(*) FROM `+f.from+` WHERE `+facetFilter(conds, f.name)+` GROUP BY 2`)
		}
		if national {
			counts = append(counts, `SELECT 'tenant', tenant, count(*) FROM base WHERE `+all+` GROUP BY 2`)
		}
	}
	return strings.Join(counts, " UNION ALL ")
}

// fallbackFound is what the fallback queries returned: the page's ids with
// distances, the counts, and the page's listings (in no particular order).
type fallbackFound struct {
	hits     []fallbackHitRow
	counts   []fallbackCountRow
	listings []listingRow
}

// fallbackHitRow is one hit of the page: a listing id and its distance.
type fallbackHitRow struct {
	ID   string   `db:"id"`
	Dist *float64 `db:"dist"`
}

// fallbackCountRow is one count: the total when Facet is "".
type fallbackCountRow struct {
	Facet string `db:"facet"`
	Value string `db:"value"`
	N     int    `db:"n"`
}

// runFallback runs a plan in one read transaction.
func (db *DB) runFallback(ctx context.Context, plan fallbackPlan) (*fallbackFound, error) {
	var found fallbackFound
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.SelectContext(ctx, &found.hits, plan.hitsSQL, plan.args...); err != nil {
			return fmt.Errorf("hits: %w", err)
		}
		if err := tx.SelectContext(ctx, &found.counts, plan.countSQL, plan.args[:plan.countArgs]...); err != nil {
			return fmt.Errorf("facets: %w", err)
		}
		if len(found.hits) == 0 {
			return nil
		}
		ids := make([]string, len(found.hits))
		for i, h := range found.hits {
			ids[i] = h.ID
		}
		return tx.SelectContext(ctx, &found.listings, listingSelect+` WHERE l.id = ANY($1::uuid[])`, pq.Array(ids))
	})
	if err != nil {
		return nil, err
	}
	return &found, nil
}

// fallbackHits puts the found listings in the hits' order, with distances;
// a listing gone since the hits query is left out.
func fallbackHits(hits []fallbackHitRow, listings []*Listing) []FallbackHit {
	byID := make(map[string]*Listing, len(listings))
	for _, l := range listings {
		byID[l.ID] = l
	}
	out := make([]FallbackHit, 0, len(hits))
	for _, h := range hits {
		if l, ok := byID[h.ID]; ok {
			out = append(out, FallbackHit{Listing: l, DistanceKm: h.Dist})
		}
	}
	return out
}

// emptyFallbackFacets has every facet present, even with no counts.
func emptyFallbackFacets(national bool) map[string]map[string]int {
	facets := map[string]map[string]int{}
	for _, f := range fallbackFacets {
		facets[f.name] = map[string]int{}
	}
	if national {
		facets["tenant"] = map[string]int{}
	}
	return facets
}

// sqlBuilder numbers parameters so dynamic SQL never holds input.
type sqlBuilder struct{ args []any }

// listingConditions are the filters that exports and reports share, on
// listings l joined with their gmina g: any of the values within a filter,
// every filter given.
func listingConditions(b *sqlBuilder, legalForms, kinds, powiats, categories []string) []string {
	var where []string
	if len(legalForms) > 0 {
		where = append(where, "l.legal_form = ANY("+b.arg(pq.Array(legalForms))+"::text[])")
	}
	if len(kinds) > 0 {
		where = append(where, "l.kinds && "+b.arg(pq.Array(kinds))+"::text[]")
	}
	if len(powiats) > 0 {
		where = append(where, "g.powiat_code = ANY("+b.arg(pq.Array(powiats))+"::text[])")
	}
	if len(categories) > 0 {
		where = append(where, "l.categories && "+b.arg(pq.Array(categories))+"::text[]")
	}
	return where
}

func (b *sqlBuilder) arg(v any) string {
	b.args = append(b.args, v)
	return "$" + strconv.Itoa(len(b.args))
}

// hasWords reports whether q has anything to search for.
func hasWords(q string) bool {
	for _, r := range q {
		if r > ' ' && !strings.ContainsRune(`!"#$%&'()*+,-./:;<=>?@[\]^_{|}~`, r) {
			return true
		}
	}
	return false
}

// jsonArray guards jsonb_array_elements against a null or missing field.
func jsonArray(expr string) string {
	return `CASE WHEN jsonb_typeof(` + expr + `) = 'array' THEN ` + expr + ` ELSE '[]'::jsonb END`
}

// socialEnterpriseExpr is ListingData.IsSocialEnterprise in SQL.
func socialEnterpriseExpr(today string) string {
	se := "l.data->'social_enterprise'"
	return `(jsonb_typeof(` + se + `) = 'object'
		AND NOT (coalesce(` + se + `->>'withdrawn_at', '') <> '' AND (` + se + `->>'withdrawn_at') COLLATE "C" <= ` + today + `)
		AND (coalesce(` + se + `->>'valid_until', '') = '' OR (` + se + `->>'valid_until') COLLATE "C" >= ` + today + `))`
}

// certificatesExpr lists the kinds of certificates in force, once each,
// as ListingData.ValidCertificates does.
func certificatesExpr(today string) string {
	return `ARRAY(SELECT DISTINCT c->>'kind' FROM jsonb_array_elements(` + jsonArray("l.data->'certificates'") + `) AS c
		WHERE coalesce(c->>'valid_until', '') = '' OR (c->>'valid_until') COLLATE "C" >= ` + today + `)`
}

// servesCondition finds listings whose service area covers any of the
// gminas: the whole country, their voivodeship or powiat, the gmina itself
// (a listed part of a gmina counts as the gmina), or their seat. A radius
// service area is not resolved to gminas: such listings match by seat only.
func servesCondition(b *sqlBuilder, gminas []string) string {
	var powiats, voivs []string
	for _, g := range gminas {
		if len(g) == 7 {
			powiats = append(powiats, g[:4])
			voivs = append(voivs, g[:2])
		}
	}
	gArg := b.arg(pq.Array(gminas))
	area := "l.data->'service_area'"
	return `(` + area + `->>'scope' = 'country'
		OR l.gmina_teryt = ANY(` + gArg + `::text[])
		OR EXISTS (SELECT 1 FROM jsonb_array_elements_text(` + jsonArray(area+"->'teryt'") + `) AS e(code)
		           LEFT JOIN teryt_gmina_parts gp ON gp.code = e.code
		           WHERE coalesce(gp.gmina_code, e.code) = ANY(` + gArg + `::text[])
		              OR e.code = ANY(` + b.arg(pq.Array(powiats)) + `::text[])
		              OR e.code = ANY(` + b.arg(pq.Array(voivs)) + `::text[])))`
}

// haversineExpr is the great-circle distance in km from the listing's
// point to (lat, lng); NULL for listings without a point.
func haversineExpr(lat, lng string) string {
	la := "(l.data->'geo'->>'lat')::float8"
	ln := "(l.data->'geo'->>'lng')::float8"
	return `CASE WHEN jsonb_typeof(l.data->'geo') = 'object' THEN
		2 * 6371.0088 * asin(sqrt(power(sin(radians((` + la + ` - ` + lat + `::float8) / 2)), 2)
		+ cos(radians(` + lat + `::float8)) * cos(radians(` + la + `)) * power(sin(radians((` + ln + ` - ` + lng + `::float8) / 2)), 2)))
		END`
}
