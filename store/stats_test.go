package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// statsCatalog is two regions' listings in every state that matters to the
// figures, and a superuser connection that counts them without the store.
type statsCatalog struct {
	db      *storetest.DB
	direct  *sql.DB
	tenants map[string]*tenants.Tenant
}

// neverPublished are values only drafts, pending and suspended listings
// have: no figure may show them.
var neverPublished = []string{"legal_form:kgw", "kind:wtz", "kind:kis", "kind:zaz", "kind:inny",
	"category:remonty", "category:edukacja", "category:pralnia", "category:turystyka", "certificate:inny"}

func seedStatsCatalog(t *testing.T) *statsCatalog {
	t.Helper()
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	direct, err := sql.Open("postgres", db.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { direct.Close() })

	valid := &store.SocialEnterprise{DecisionNo: "12/2024", DecisionDate: "2024-03-01"}
	type seed struct {
		slug, name, state string
		backdate          string // an interval to move created_at back by
		edit              func(d *store.ListingData)
	}
	seeds := []seed{
		{"slaskie", "Spółdzielnia Socjalna Kłos", "published", "", func(d *store.ListingData) {
			d.Categories = []string{"catering", "sprzatanie"}
			d.Employment = &store.Employment{Total: 10, AtRisk: 4, AsOf: "2025-12-31"}
			d.Certificates = []store.Certificate{{Kind: "znak_jakosci_es", ValidUntil: "2099-12-31"}, {Kind: "zakup_prospoleczny", ValidUntil: "2020-01-01"}}
			d.SocialEnterprise = valid
		}},
		{"slaskie", "Fundacja Zielony Dach", "published", "3 months", func(d *store.ListingData) {
			d.LegalForm, d.Kinds, d.Categories = "fundacja", []string{"ngo_gospodarcza", "cis"}, []string{"zielen"}
			d.Address.GminaTERYT, d.Address.City = "2466011", "Gliwice"
			d.Employment = &store.Employment{Total: 5, AtRisk: 1, AsOf: "2025-12-31"}
			d.Certificates = []store.Certificate{{Kind: "zakup_prospoleczny", ValidUntil: "2021-06-30"}}
			d.SocialEnterprise = &store.SocialEnterprise{DecisionNo: "3/2019", DecisionDate: "2019-05-01", WithdrawnAt: "2023-01-15"}
		}},
		{"slaskie", "Stowarzyszenie Razem", "published", "30 months", func(d *store.ListingData) {
			d.LegalForm, d.Kinds = "stowarzyszenie", []string{"ngo_odplatna"}
			d.Address.GminaTERYT, d.Address.City = "2466011", "Gliwice"
			d.Certificates = []store.Certificate{{Kind: "opp"}}
			d.SocialEnterprise = &store.SocialEnterprise{DecisionNo: "1/2018", DecisionDate: "2018-01-10", ValidUntil: "2020-12-31"}
		}},
		{"slaskie", "Fundacja w szkicu", "draft", "", func(d *store.ListingData) {
			d.LegalForm, d.Kinds, d.Categories = "kgw", []string{"wtz"}, []string{"remonty"}
			d.Employment = &store.Employment{Total: 100, AtRisk: 50, AsOf: "2025-12-31"}
			d.Certificates = []store.Certificate{{Kind: "inny"}}
			d.SocialEnterprise = valid
		}},
		{"slaskie", "Klub czekający", "pending", "", func(d *store.ListingData) {
			d.LegalForm, d.Kinds, d.Categories = "kgw", []string{"kis"}, []string{"edukacja"}
			d.Employment = &store.Employment{Total: 40, AtRisk: 20, AsOf: "2025-12-31"}
		}},
		{"slaskie", "Spółdzielnia zawieszona", "suspended", "", func(d *store.ListingData) {
			d.LegalForm, d.Kinds, d.Categories = "spoldzielnia_pracy", []string{"zaz"}, []string{"pralnia"}
			d.Employment = &store.Employment{Total: 7, AtRisk: 7, AsOf: "2025-12-31"}
			d.Certificates = []store.Certificate{{Kind: "inny", ValidUntil: "2099-01-01"}}
			d.SocialEnterprise = valid
		}},
		{"malopolskie", "Krakowska Spółdzielnia Pracy", "published", "", func(d *store.ListingData) {
			d.LegalForm, d.Kinds, d.Categories = "spoldzielnia_pracy", []string{"zpch"}, []string{"catering", "poligrafia"}
			d.Address.GminaTERYT, d.Address.City = "1261011", "Kraków"
			d.Employment = &store.Employment{Total: 20, AtRisk: 8, AsOf: "2025-12-31"}
			d.Certificates = []store.Certificate{{Kind: "zakup_prospoleczny", ValidUntil: "2099-01-01"}}
			d.SocialEnterprise = valid
		}},
		{"malopolskie", "Krakowskie koło w szkicu", "draft", "", func(d *store.ListingData) {
			d.LegalForm, d.Kinds, d.Categories = "kgw", []string{"inny"}, []string{"turystyka"}
			d.Address.GminaTERYT, d.Address.City = "1261011", "Kraków"
		}},
	}
	type pair struct{ owner, mod context.Context }
	people := map[string]pair{}
	for _, slug := range []string{"slaskie", "malopolskie"} {
		o, m := actors(t, db, slug)
		people[slug] = pair{o, m}
	}
	for _, s := range seeds {
		d := validListing(s.name)
		d.NIP = ""
		s.edit(&d)
		owner, mod := people[s.slug].owner, people[s.slug].mod
		l, err := db.CreateListing(owner, d)
		if err != nil {
			t.Fatalf("create %s: %v", s.name, err)
		}
		steps := map[string][]func() (*store.Listing, error){
			"draft":     nil,
			"pending":   {func() (*store.Listing, error) { return db.SubmitListing(owner, l.ID) }},
			"published": {func() (*store.Listing, error) { return db.SubmitListing(owner, l.ID) }, func() (*store.Listing, error) { return db.Moderate(mod, l.ID, store.ActionApprove, "") }},
			"suspended": {func() (*store.Listing, error) { return db.SubmitListing(owner, l.ID) }, func() (*store.Listing, error) { return db.Moderate(mod, l.ID, store.ActionApprove, "") },
				func() (*store.Listing, error) { return db.Moderate(mod, l.ID, store.ActionSuspend, "Nieaktualne dane") }},
		}[s.state]
		for _, step := range steps {
			if _, err := step(); err != nil {
				t.Fatalf("%s to %s: %v", s.name, s.state, err)
			}
		}
		if s.backdate != "" {
			if _, err := direct.Exec(`UPDATE listings SET created_at = now() - $2::interval WHERE id = $1`, l.ID, s.backdate); err != nil {
				t.Fatal(err)
			}
		}
	}
	return &statsCatalog{db: db, direct: direct, tenants: storetest.Tenants(t, db)}
}

// directStats counts what Stats should say with plain queries on the
// listings' data, for one tenant id or ("") all of them.
func directStats(t *testing.T, conn *sql.DB, tenantID string) *store.Stats {
	t.Helper()
	const scope = `l.status = 'published' AND ($1 = '' OR l.tenant_id::text = $1)`
	query := func(q string, scan func(r *sql.Rows) error) {
		r, err := conn.Query(q, tenantID)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer r.Close()
		for r.Next() {
			if err := scan(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
	}
	counts := func(q string) map[string]int {
		m := map[string]int{}
		query(q, func(r *sql.Rows) error {
			var key string
			var n int
			err := r.Scan(&key, &n)
			m[key] = n
			return err
		})
		return m
	}
	scalar := func(q string) int {
		var n int
		if err := conn.QueryRow(q, tenantID).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	s := &store.Stats{
		Published:   scalar(`SELECT count(*) FROM listings l WHERE ` + scope),
		ByLegalForm: counts(`SELECT l.data->>'legal_form', count(*) FROM listings l WHERE ` + scope + ` GROUP BY 1`),
		ByKind:      counts(`SELECT k, count(*) FROM listings l, jsonb_array_elements_text(l.data->'kinds') k WHERE ` + scope + ` GROUP BY 1`),
		ByCategory:  counts(`SELECT c, count(*) FROM listings l, jsonb_array_elements_text(l.data->'categories') c WHERE ` + scope + ` GROUP BY 1`),
		ByCertificate: counts(`SELECT c->>'kind', count(DISTINCT l.id) FROM listings l,
			jsonb_array_elements(CASE WHEN jsonb_typeof(l.data->'certificates') = 'array' THEN l.data->'certificates' ELSE '[]' END) c
			WHERE ` + scope + ` AND (coalesce(c->>'valid_until', '') = '' OR (c->>'valid_until')::date >= current_date) GROUP BY 1`),
		SocialEnterprises: scalar(`SELECT count(*) FROM listings l WHERE ` + scope + `
			AND jsonb_typeof(l.data->'social_enterprise') = 'object'
			AND coalesce(nullif(l.data->'social_enterprise'->>'withdrawn_at', ''), '9999-12-31')::date > current_date
			AND coalesce(nullif(l.data->'social_enterprise'->>'valid_until', ''), '9999-12-31')::date >= current_date`),
		EmployeesTotal:  scalar(`SELECT coalesce(sum((l.data->'employment'->>'total')::int), 0) FROM listings l WHERE ` + scope),
		EmployeesAtRisk: scalar(`SELECT coalesce(sum((l.data->'employment'->>'at_risk')::int), 0) FROM listings l WHERE ` + scope),
		ByPowiat:        map[string]int{},
		PowiatNames:     map[string]string{},
	}
	// A gmina's TERYT code begins with its powiat's.
	query(`SELECT p.code, p.name, count(*) FROM listings l
		JOIN teryt_powiats p ON p.code = left(l.data->'address'->>'gmina_teryt', 4) WHERE `+scope+` GROUP BY 1, 2`,
		func(r *sql.Rows) error {
			var code, name string
			var n int
			err := r.Scan(&code, &name, &n)
			s.ByPowiat[code], s.PowiatNames[code] = n, name
			return err
		})
	var thisMonth string
	if err := conn.QueryRow(`SELECT to_char(now() AT TIME ZONE 'Europe/Warsaw', 'YYYY-MM')`).Scan(&thisMonth); err != nil {
		t.Fatal(err)
	}
	series := func(column string) []store.MonthCount {
		byMonth := counts(`SELECT to_char(l.` + column + ` AT TIME ZONE 'Europe/Warsaw', 'YYYY-MM'), count(*) FROM listings l WHERE ` + scope + ` GROUP BY 1`)
		last, err := time.Parse("2006-01", thisMonth)
		if err != nil {
			t.Fatal(err)
		}
		var out []store.MonthCount
		for i := store.StatsMonths - 1; i >= 0; i-- {
			m := last.AddDate(0, -i, 0).Format("2006-01")
			out = append(out, store.MonthCount{Month: m, Count: byMonth[m]})
		}
		return out
	}
	s.RegistrationsByMonth = series("created_at")
	s.PublicationsByMonth = series("published_at")
	if tenantID == "" {
		s.ByTenant = counts(`SELECT t.slug, count(l.id) FROM tenants t
			LEFT JOIN listings l ON l.tenant_id = t.id AND l.status = 'published' AND $1 = '' GROUP BY 1`)
	}
	return s
}

// statsKeys lists the values a figure shows, as dimension:value.
func statsKeys(s *store.Stats) map[string]bool {
	out := map[string]bool{}
	for dim, m := range map[string]map[string]int{"legal_form": s.ByLegalForm, "kind": s.ByKind, "powiat": s.ByPowiat,
		"category": s.ByCategory, "certificate": s.ByCertificate} {
		for k := range m {
			out[dim+":"+k] = true
		}
	}
	return out
}

func sumMonths(ms []store.MonthCount) int {
	n := 0
	for _, m := range ms {
		n += m.Count
	}
	return n
}

func TestStatsCountOnlyPublishedListingsOfTheScope(t *testing.T) {
	c := seedStatsCatalog(t)
	ctx := context.Background()
	cases := []struct {
		name          string
		ctx           context.Context
		tenantID      string
		published     int
		social        int
		employees     [2]int // total, at risk
		certificates  map[string]int
		powiats       map[string]int
		registrations int // in the last 24 months: one listing is older
		byTenant      map[string]int
		absent        []string // other regions' values
	}{
		{
			name: "a region counts its own published listings", ctx: tenants.NewContext(ctx, c.tenants["slaskie"]), tenantID: c.tenants["slaskie"].ID,
			published: 3, social: 1, employees: [2]int{15, 5},
			certificates: map[string]int{"znak_jakosci_es": 1, "opp": 1}, powiats: map[string]int{"2469": 1, "2466": 2}, registrations: 2,
			absent: []string{"kind:zpch", "category:poligrafia", "powiat:1261", "legal_form:spoldzielnia_pracy", "certificate:zakup_prospoleczny"},
		},
		{
			name: "another region never sees the first one's listings", ctx: tenants.NewContext(ctx, c.tenants["malopolskie"]), tenantID: c.tenants["malopolskie"].ID,
			published: 1, social: 1, employees: [2]int{20, 8},
			certificates: map[string]int{"zakup_prospoleczny": 1}, powiats: map[string]int{"1261": 1}, registrations: 1,
			absent: []string{"kind:spoldzielnia_socjalna", "kind:cis", "category:zielen", "powiat:2469", "powiat:2466", "legal_form:fundacja"},
		},
		{
			name: "the nation adds up every region, with a count per region", ctx: tenants.WithAllTenants(ctx),
			published: 4, social: 2, employees: [2]int{35, 13},
			certificates: map[string]int{"znak_jakosci_es": 1, "opp": 1, "zakup_prospoleczny": 1}, powiats: map[string]int{"2469": 1, "2466": 2, "1261": 1}, registrations: 3,
			byTenant: map[string]int{"slaskie": 3, "malopolskie": 1},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.db.ComputeStats(tc.ctx)
			if err != nil {
				t.Fatal(err)
			}
			if want := directStats(t, c.direct, tc.tenantID); !reflect.DeepEqual(got, want) {
				t.Fatalf("stats differ from a direct count:\n got %+v\nwant %+v", got, want)
			}
			if got.Published != tc.published || got.SocialEnterprises != tc.social ||
				got.EmployeesTotal != tc.employees[0] || got.EmployeesAtRisk != tc.employees[1] {
				t.Fatalf("published %d, social enterprises %d, employees %d/%d; want %d, %d, %d/%d", got.Published, got.SocialEnterprises,
					got.EmployeesTotal, got.EmployeesAtRisk, tc.published, tc.social, tc.employees[0], tc.employees[1])
			}
			if !reflect.DeepEqual(got.ByCertificate, tc.certificates) || !reflect.DeepEqual(got.ByPowiat, tc.powiats) {
				t.Fatalf("certificates %v, powiats %v; want %v, %v", got.ByCertificate, got.ByPowiat, tc.certificates, tc.powiats)
			}
			if len(got.RegistrationsByMonth) != store.StatsMonths || sumMonths(got.RegistrationsByMonth) != tc.registrations ||
				sumMonths(got.PublicationsByMonth) != tc.published {
				t.Fatalf("monthly series: %d months, %d registrations, %d publications; want %d, %d, %d", len(got.RegistrationsByMonth),
					sumMonths(got.RegistrationsByMonth), sumMonths(got.PublicationsByMonth), store.StatsMonths, tc.registrations, tc.published)
			}
			for tenant, n := range tc.byTenant {
				if got.ByTenant[tenant] != n {
					t.Fatalf("by tenant %v, want %s: %d", got.ByTenant, tenant, n)
				}
			}
			if tc.byTenant == nil && got.ByTenant != nil {
				t.Fatalf("a region's stats carry by_tenant: %v", got.ByTenant)
			}
			keys := statsKeys(got)
			for _, v := range append(tc.absent, neverPublished...) {
				if keys[v] {
					t.Fatalf("stats show %s, which no published listing of the scope has", v)
				}
			}
		})
	}
}

func TestStatsOfAnEmptyCatalogAreZeroesNotNulls(t *testing.T) {
	db := storetest.New(t)
	ctx := context.Background()
	region, err := db.ComputeStats(tenants.NewContext(ctx, storetest.Tenants(t, db)["slaskie"]))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(region)
	for _, want := range []string{`"published":0`, `"by_legal_form":{}`, `"by_kind":{}`, `"by_powiat":{}`, `"powiat_names":{}`,
		`"by_category":{}`, `"by_certificate":{}`, `"employees_total":0`} {
		if !strings.Contains(string(raw), want) {
			t.Fatalf("%s lacks %s", raw, want)
		}
	}
	if strings.Contains(string(raw), "by_tenant") || len(region.RegistrationsByMonth) != store.StatsMonths || region.PublicationsByMonth[0].Count != 0 {
		t.Fatalf("a region's empty stats: %s", raw)
	}
	nation, err := db.ComputeStats(tenants.WithAllTenants(ctx))
	if err != nil {
		t.Fatal(err)
	}
	if len(nation.ByTenant) != 16 || nation.ByTenant["slaskie"] != 0 {
		t.Fatalf("national stats list every region, 0 included: %v", nation.ByTenant)
	}
	if _, err := db.ComputeStats(ctx); !errors.Is(err, store.ErrNoScope) {
		t.Fatalf("stats without a scope: %v, want ErrNoScope", err)
	}
}

func TestStatsReportCrossesTwoDimensions(t *testing.T) {
	c := seedStatsCatalog(t)
	ctx := context.Background()
	slaskie, all := tenants.NewContext(ctx, c.tenants["slaskie"]), tenants.WithAllTenants(ctx)
	row := func(n int, keys ...string) store.ReportRow { return store.ReportRow{Keys: keys, Count: n} }
	cases := []struct {
		name   string
		ctx    context.Context
		dims   []string
		filter store.ReportFilter
		want   []store.ReportRow
	}{
		{"category by social enterprise in force, most frequent first", all, []string{"category", "social_enterprise"}, store.ReportFilter{},
			[]store.ReportRow{row(2, "catering", "true"), row(1, "catering", "false"), row(1, "poligrafia", "true"), row(1, "sprzatanie", "true"), row(1, "zielen", "false")}},
		{"a region's report leaves out other regions and unpublished listings", slaskie, []string{"legal_form", "kind"}, store.ReportFilter{},
			[]store.ReportRow{row(1, "fundacja", "cis"), row(1, "fundacja", "ngo_gospodarcza"), row(1, "spoldzielnia_socjalna", "spoldzielnia_socjalna"), row(1, "stowarzyszenie", "ngo_odplatna")}},
		{"a legal form filter narrows before counting, expired certificates left out", all, []string{"powiat", "certificate"},
			store.ReportFilter{LegalForms: []string{"spoldzielnia_socjalna", "spoldzielnia_pracy"}},
			[]store.ReportRow{row(1, "1261", "zakup_prospoleczny"), row(1, "2469", "znak_jakosci_es")}},
		{"one dimension within a powiat", slaskie, []string{"category"}, store.ReportFilter{Powiats: []string{"2466"}},
			[]store.ReportRow{row(1, "catering"), row(1, "zielen")}},
		{"kind and category filters both apply", all, []string{"legal_form"},
			store.ReportFilter{Kinds: []string{"ngo_gospodarcza", "zpch"}, Categories: []string{"catering", "zielen"}},
			[]store.ReportRow{row(1, "fundacja"), row(1, "spoldzielnia_pracy")}},
		{"nothing matches", all, []string{"kind"}, store.ReportFilter{Kinds: []string{"wtz"}}, []store.ReportRow{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.db.Report(tc.ctx, tc.dims, tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("report = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestStatsReportRefusesUnknownDimensions(t *testing.T) {
	db := storetest.New(t)
	ctx := tenants.WithAllTenants(context.Background())
	for _, dims := range [][]string{nil, {"nip"}, {"kind", "kind"}, {"kind", "category", "powiat"}, {"legal_form; DROP TABLE listings"}} {
		_, err := db.Report(ctx, dims, store.ReportFilter{})
		if store.ErrorCode(err) != store.EInvalid || fieldKeys(err)["dims"] == "" {
			t.Fatalf("dims %q: %v, want an invalid dims field", dims, err)
		}
	}
}
