package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"katalogpes/tenants"
)

// Stats are the figures of published listings: a region's, or every
// region's with ByTenant. Their dimensions follow the national monitoring of
// the social economy (DOMAIN.md) so that a ROPS can report from the catalog.
type Stats struct {
	Published            int               `json:"published"`
	ByLegalForm          map[string]int    `json:"by_legal_form"`
	ByKind               map[string]int    `json:"by_kind"`
	ByPowiat             map[string]int    `json:"by_powiat"` // 4-digit TERYT code
	PowiatNames          map[string]string `json:"powiat_names"`
	ByCategory           map[string]int    `json:"by_category"`
	ByCertificate        map[string]int    `json:"by_certificate"` // certificates in force today
	SocialEnterprises    int               `json:"social_enterprises"`
	EmployeesTotal       int               `json:"employees_total"`
	EmployeesAtRisk      int               `json:"employees_at_risk"`
	RegistrationsByMonth []MonthCount      `json:"registrations_by_month"`
	PublicationsByMonth  []MonthCount      `json:"publications_by_month"`
	ByTenant             map[string]int    `json:"by_tenant,omitempty"` // national figures only; every region, 0 included
	// Powiat, ByGmina and GminaNames are a powiat's figures only
	// (ComputePowiatStats): every gmina of it, 0 included.
	Powiat     *Unit             `json:"powiat,omitempty"`
	ByGmina    map[string]int    `json:"by_gmina,omitempty"` // 7-digit TERYT code
	GminaNames map[string]string `json:"gmina_names,omitempty"`
}

// MonthCount is one month ("YYYY-MM") of a series.
type MonthCount struct {
	Month string `json:"month"`
	Count int    `json:"count"`
}

// StatsMonths is how many months the monthly series cover, the current one
// included; months without listings count 0, so charts have no gaps.
const StatsMonths = 24

// statsZone is where a month begins and ends: the figures are Polish.
const statsZone = "Europe/Warsaw"

// ComputeStats computes the figures of the context's scope in one query:
// a tenant's published listings, or (tenants.WithAllTenants) everyone's
// plus a count for every tenant. Certificates and the social-enterprise status
// count only while in force today, as the listing page shows them.
func (db *DB) ComputeStats(ctx context.Context) (*Stats, error) {
	var b sqlBuilder
	t, regional := tenants.FromContext(ctx)
	q := db.statsQuery(&b, t, regional, "")
	var rows []statsRow
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &rows, q, b.args...)
	})
	if err != nil {
		return nil, fmt.Errorf("compute stats: %w", err)
	}
	return statsFromRows(rows, regional, false), nil
}

// statsRow is one figure: a dimension, the key within it (a code or a
// month; "" for a single figure), a label for powiats, and the count.
type statsRow struct {
	Dim   string `db:"dim"`
	Key   string `db:"key"`
	Label string `db:"label"`
	N     int    `db:"n"`
}

// statsQuery is the one query of every figure, ordered by dimension and
// key; of t's listings when regional, else of all of them with a count
// per tenant; of one powiat's, gmina by gmina, when powiat is given.
func (db *DB) statsQuery(b *sqlBuilder, t *tenants.Tenant, regional bool, powiat string) string {
	where := []string{"l.status = 'published'"}
	if regional {
		where = append(where, "l.tenant_id = "+b.arg(t.ID))
	}
	places := `SELECT 'powiat', p.code, p.name, count(*) FROM pub JOIN teryt_powiats p ON p.code = pub.powiat_code GROUP BY p.code, p.name`
	if powiat != "" {
		code := b.arg(powiat)
		where = append(where, "g.powiat_code = "+code)
		places = `SELECT 'gmina', gm.code, gm.name, count(pub.gmina_code) FROM teryt_gminas gm
		LEFT JOIN pub ON pub.gmina_code = gm.code WHERE gm.powiat_code = ` + code + ` GROUP BY gm.code, gm.name`
	}
	now := db.now()
	today := b.arg(now.Format("2006-01-02"))
	zone := b.arg(statsZone) + "::text"
	thisMonth := "date_trunc('month', " + b.arg(now) + "::timestamptz AT TIME ZONE " + zone + ")"
	emp := func(field string) string {
		e := "l.data->'employment'"
		return `CASE WHEN jsonb_typeof(` + e + `->'` + field + `') = 'number' THEN (` + e + `->>'` + field + `')::numeric ELSE 0 END`
	}
	q := `
	WITH pub AS (
		SELECT l.tenant_id, l.legal_form, l.kinds, l.categories, g.powiat_code, g.code AS gmina_code,
		       ` + socialEnterpriseExpr(today) + ` AS se,
		       ` + certificatesExpr(today) + ` AS certs,
		       ` + emp("total") + ` AS emp_total,
		       ` + emp("at_risk") + ` AS emp_at_risk,
		       to_char(l.created_at AT TIME ZONE ` + zone + `, 'YYYY-MM') AS created_month,
		       to_char(l.published_at AT TIME ZONE ` + zone + `, 'YYYY-MM') AS published_month
		FROM listings l
		LEFT JOIN teryt_gminas g ON g.code = l.gmina_teryt
		WHERE ` + strings.Join(where, " AND ") + `
	), months AS (
		SELECT to_char(m, 'YYYY-MM') AS month
		FROM generate_series(` + thisMonth + ` - make_interval(months => ` + b.arg(StatsMonths-1) + `::int),
		                     ` + thisMonth + `, interval '1 month') AS m
	)
	SELECT 'published' AS dim, '' AS key, '' AS label, count(*) AS n FROM pub
	UNION ALL SELECT 'social_enterprises', '', '', count(*) FILTER (WHERE se) FROM pub
	UNION ALL SELECT 'employees_total', '', '', coalesce(sum(emp_total), 0)::bigint FROM pub
	UNION ALL SELECT 'employees_at_risk', '', '', coalesce(sum(emp_at_risk), 0)::bigint FROM pub
	UNION ALL SELECT 'legal_form', legal_form, '', count(*) FROM pub WHERE legal_form IS NOT NULL GROUP BY legal_form
	UNION ALL SELECT 'kind', v, '', count(*) FROM pub, unnest(pub.kinds) AS v GROUP BY v
	UNION ALL SELECT 'category', v, '', count(*) FROM pub, unnest(pub.categories) AS v GROUP BY v
	UNION ALL SELECT 'certificate', v, '', count(*) FROM pub, unnest(pub.certs) AS v GROUP BY v
	UNION ALL ` + places + `
	UNION ALL SELECT 'registrations', m.month, '', count(pub.created_month) FROM months m LEFT JOIN pub ON pub.created_month = m.month GROUP BY m.month
	UNION ALL SELECT 'publications', m.month, '', count(pub.published_month) FROM months m LEFT JOIN pub ON pub.published_month = m.month GROUP BY m.month`
	if !regional {
		q += `
	UNION ALL SELECT 'tenant', t.slug, '', count(pub.tenant_id) FROM tenants t LEFT JOIN pub ON pub.tenant_id = t.id GROUP BY t.slug`
	}
	return q + `
	ORDER BY dim, key` // 'YYYY-MM' sorts as time in any collation
}

// statsFromRows files each figure under its dimension; a powiat's
// figures count by gmina instead of by powiat.
func statsFromRows(rows []statsRow, regional, byGmina bool) *Stats {
	s := &Stats{
		ByLegalForm: map[string]int{}, ByKind: map[string]int{}, ByPowiat: map[string]int{},
		PowiatNames: map[string]string{}, ByCategory: map[string]int{}, ByCertificate: map[string]int{},
		RegistrationsByMonth: make([]MonthCount, 0, StatsMonths),
		PublicationsByMonth:  make([]MonthCount, 0, StatsMonths),
	}
	if !regional {
		s.ByTenant = map[string]int{}
	}
	if byGmina {
		s.ByPowiat, s.PowiatNames = nil, nil
		s.ByGmina, s.GminaNames = map[string]int{}, map[string]string{}
	}
	counts := map[string]map[string]int{
		"legal_form": s.ByLegalForm, "kind": s.ByKind, "powiat": s.ByPowiat,
		"category": s.ByCategory, "certificate": s.ByCertificate, "tenant": s.ByTenant,
		"gmina": s.ByGmina,
	}
	scalars := map[string]*int{
		"published": &s.Published, "social_enterprises": &s.SocialEnterprises,
		"employees_total": &s.EmployeesTotal, "employees_at_risk": &s.EmployeesAtRisk,
	}
	for _, r := range rows {
		switch {
		case scalars[r.Dim] != nil:
			*scalars[r.Dim] = r.N
		case r.Dim == "registrations":
			s.RegistrationsByMonth = append(s.RegistrationsByMonth, MonthCount{r.Key, r.N})
		case r.Dim == "publications":
			s.PublicationsByMonth = append(s.PublicationsByMonth, MonthCount{r.Key, r.N})
		default:
			counts[r.Dim][r.Key] = r.N
			switch r.Dim {
			case "powiat":
				s.PowiatNames[r.Key] = r.Label
			case "gmina":
				s.GminaNames[r.Key] = r.Label
			}
		}
	}
	return s
}

// ReportFilter narrows a report to published listings with any of the
// given values in each non-empty field.
type ReportFilter struct {
	LegalForms []string
	Kinds      []string
	Powiats    []string // 4-digit TERYT codes
	Categories []string
}

// ReportRow is one combination of dimension values (in the order the
// dimensions were asked for) and how many published listings have it.
type ReportRow struct {
	Keys  []string `json:"keys"`
	Count int      `json:"count"`
}

// ReportDimensions are the dimensions a report may cross.
var ReportDimensions = []string{"legal_form", "kind", "voivodeship", "powiat", "category", "certificate", "social_enterprise"}

// reportValues gives, per dimension, the values a row of the report's base
// has in it; multi-valued dimensions count a listing once per value. Only
// these fixed strings reach the SQL, never the requested names.
var reportValues = map[string]string{
	"legal_form":        "ARRAY[base.legal_form]",
	"kind":              "base.kinds",
	"voivodeship":       "ARRAY[left(base.powiat, 2)]", // a powiat's code begins with its voivodeship's
	"powiat":            "ARRAY[base.powiat]",
	"category":          "base.categories",
	"certificate":       "base.certs",
	"social_enterprise": "ARRAY[base.se::text]", // "true" | "false", as the search facet
}

// Report counts published listings of the context's scope by one or two
// dimensions, most frequent combinations first.
func (db *DB) Report(ctx context.Context, dims []string, f ReportFilter) ([]ReportRow, error) {
	values, err := reportDimensions(dims)
	if err != nil {
		return nil, err
	}
	if len(values) == 1 {
		values = append(values, "ARRAY[''::text]")
	}
	var b sqlBuilder
	where := []string{"l.status = 'published'"}
	if t, ok := tenants.FromContext(ctx); ok {
		where = append(where, "l.tenant_id = "+b.arg(t.ID))
	}
	where = append(where, listingConditions(&b, f.LegalForms, f.Kinds, f.Powiats, f.Categories)...)
	today := b.arg(db.now().Format("2006-01-02"))
	q := `
	WITH base AS (
		SELECT l.legal_form, l.kinds, l.categories, g.powiat_code AS powiat,
		       coalesce(` + socialEnterpriseExpr(today) + `, false) AS se,
		       ` + certificatesExpr(today) + ` AS certs
		FROM listings l
		LEFT JOIN teryt_gminas g ON g.code = l.gmina_teryt
		WHERE ` + strings.Join(where, " AND ") + `
	)
	SELECT d1.v AS k1, d2.v AS k2, count(*) AS n
	FROM base
	CROSS JOIN LATERAL unnest(` + values[0] + `) AS d1(v)
	CROSS JOIN LATERAL unnest(` + values[1] + `) AS d2(v)
	WHERE d1.v IS NOT NULL AND d2.v IS NOT NULL
	GROUP BY 1, 2
	ORDER BY n DESC, d1.v COLLATE "C", d2.v COLLATE "C"`

	var rows []struct {
		K1 string `db:"k1"`
		K2 string `db:"k2"`
		N  int    `db:"n"`
	}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &rows, q, b.args...)
	})
	if err != nil {
		return nil, fmt.Errorf("report by %s: %w", strings.Join(dims, ", "), err)
	}
	out := make([]ReportRow, len(rows))
	for i, r := range rows {
		keys := []string{r.K1, r.K2}
		out[i] = ReportRow{Keys: keys[:len(dims)], Count: r.N}
	}
	return out, nil
}

// reportDimensions checks the requested dimensions (one or two, known,
// different) and returns their SQL.
func reportDimensions(dims []string) ([]string, error) {
	invalid := Invalid([]FieldError{{Field: "dims", Key: "report.dims", Params: map[string]any{"Max": 2}}})
	if len(dims) < 1 || len(dims) > 2 || len(dims) == 2 && dims[0] == dims[1] {
		return nil, invalid
	}
	out := make([]string, 0, 2)
	for _, d := range dims {
		v, ok := reportValues[d]
		if !ok {
			return nil, invalid
		}
		out = append(out, v)
	}
	return out, nil
}
