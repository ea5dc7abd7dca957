package store_test

// Tests of store/export.go (store/export_test.go is the package's
// export-for-tests file).

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// exportNIP is the seq-th valid NIP of a run reserved for these tests.
func exportNIP(seq int) string {
	w := []int{6, 5, 7, 2, 3, 4, 5, 6, 7}
	for p := 777000000 + seq*3; ; p++ {
		d := fmt.Sprintf("%09d", p)
		s := 0
		for i := range w {
			s += int(d[i]-'0') * w[i]
		}
		if s%11 != 10 {
			return d + fmt.Sprint(s%11)
		}
	}
}

// seedExportCatalog publishes listings that differ in every filter's
// dimension, in two regions, plus a draft that no export may show.
func seedExportCatalog(t *testing.T) *storetest.DB {
	t.Helper()
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	p := storetest.NewPublisher(t, db)
	gliwice := store.Address{Street: "ul. Zwycięstwa 1", City: "Gliwice", PostalCode: "44-100", GminaTERYT: "2466011"}
	krakow := store.Address{Street: "Rynek 1", City: "Kraków", PostalCode: "30-001", GminaTERYT: "1261011"}
	for i := 0; i < 24; i++ {
		d := store.ListingData{
			Name: fmt.Sprintf("Podmiot %02d", i), NIP: exportNIP(i), Address: katowice("Katowice"),
			Description: "Opis, z przecinkiem; średnikiem i \"cudzysłowem\".\nDruga linia.",
			Contact:     store.Contact{Email: fmt.Sprintf("biuro%d@example.org", i), Phone: "600 100 2" + fmt.Sprintf("%02d", i), Website: "https://example.org"},
		}
		switch i % 3 {
		case 0:
			d.LegalForm, d.Kinds = "spoldzielnia_socjalna", []string{"spoldzielnia_socjalna"}
		case 1:
			d.LegalForm, d.Kinds = "fundacja", []string{"cis", "ngo_gospodarcza"}
		case 2:
			d.LegalForm, d.Kinds = "stowarzyszenie", []string{"kis"}
		}
		if i%4 == 0 {
			d.Address = gliwice
		}
		if i%2 == 0 {
			d.Categories = []string{"catering", "sprzatanie"}
		} else {
			d.Categories = []string{"sprzatanie"}
		}
		if i%5 == 0 {
			d.Certificates = []store.Certificate{{Kind: "znak_jakosci_es", Issuer: "ROPS", ValidUntil: "2099-12-31"}}
		}
		if i%5 == 1 {
			d.Certificates = []store.Certificate{{Kind: "znak_jakosci_es", ValidUntil: "2020-01-01"}}
		}
		if i%6 == 0 {
			d.SocialEnterprise = &store.SocialEnterprise{DecisionNo: fmt.Sprintf("PS/%d/2024", i), DecisionDate: "2024-03-01"}
		}
		if i%7 == 0 {
			d.Employment = &store.Employment{Total: 10, AtRisk: 4, AsOf: time.Now().AddDate(0, -1, 0).Format("2006-01-02")}
		}
		if i%3 == 1 {
			d.Geo = &store.Geo{Lat: 50.26 + float64(i)/100, Lng: 19.02}
			d.FoundedYear = 2000 + i
		}
		if i == 5 {
			d.ServiceArea = store.ServiceArea{Scope: "country"}
		}
		p.Publish("slaskie", d)
	}
	for i := 0; i < 5; i++ {
		p.Publish("malopolskie", store.ListingData{Name: fmt.Sprintf("Małopolska %d", i), NIP: exportNIP(100 + i), Address: krakow,
			LegalForm: "fundacja", Kinds: []string{"cis"}, Categories: []string{"catering"}})
	}
	owner, _ := p.Ctxs("slaskie")
	if _, err := db.CreateListing(owner, store.ListingData{Name: "Szkic", LegalForm: "fundacja", Address: katowice("Katowice")}); err != nil {
		t.Fatal(err)
	}
	return db
}

// staffCtx makes a staff account of role in tenant slug and acts as it.
func staffCtx(t *testing.T, db *storetest.DB, slug string, role tenants.Role) context.Context {
	t.Helper()
	ctx := storetest.Ctx(t, db, slug, tenants.Principal{})
	a, err := db.CreateAccount(ctx, store.NewAccount{Email: storetest.Unique(string(role) + "@rops.example.org"), Name: "Pani " + string(role),
		Password: "dobre-haslo-123", Role: role, Active: true})
	if err != nil {
		t.Fatalf("create %s: %v", role, err)
	}
	return tenants.WithPrincipal(ctx, tenants.Principal{AccountID: a.ID, Name: a.Name, Role: role})
}

// exportAll pages through ExportPage with a small page to cross pages.
func exportAll(t *testing.T, db *storetest.DB, ctx context.Context, f store.ListingFilter) []*store.Listing {
	t.Helper()
	var out []*store.Listing
	after := ""
	for {
		page, err := db.ExportPage(ctx, f, after, 7)
		if err != nil {
			t.Fatalf("export page: %v", err)
		}
		out = append(out, page...)
		if len(page) < 7 {
			return out
		}
		after = page[len(page)-1].ID
	}
}

func ids(list []*store.Listing) []string {
	out := make([]string, len(list))
	for i, l := range list {
		out[i] = l.ID
	}
	slices.Sort(out)
	return out
}

// The export's filters are the search's: for every filter, in a region
// and nationally, it reads exactly the listings the fallback search counts.
func TestExportPageSelectsWhatTheSearchFiltersFind(t *testing.T) {
	db := seedExportCatalog(t)
	near := &store.Geo{Lat: 50.30, Lng: 19.02}
	filters := map[string]store.ListingFilter{
		"none":                    {},
		"legal form":              {LegalForms: []string{"fundacja"}},
		"two legal forms":         {LegalForms: []string{"fundacja", "stowarzyszenie"}},
		"kind":                    {Kinds: []string{"cis"}},
		"powiat":                  {Powiats: []string{"2466"}},
		"gmina":                   {Gminas: []string{"2469011"}},
		"serves":                  {Serves: []string{"2466011"}},
		"category":                {Categories: []string{"catering"}},
		"certificate in force":    {Certificates: []string{"znak_jakosci_es"}},
		"social enterprise":       {SocialEnterprise: true},
		"reserved contracts":      {ReservedContracts: true},
		"near within":             {Near: near, RadiusKm: 8},
		"legal form and category": {LegalForms: []string{"fundacja"}, Categories: []string{"catering"}},
	}
	scopes := map[string]context.Context{
		"slaskie":  storetest.Ctx(t, db, "slaskie", tenants.Principal{}),
		"national": tenants.WithAllTenants(context.Background()),
	}
	for scope, ctx := range scopes {
		for name, f := range filters {
			t.Run(scope+"/"+name, func(t *testing.T) {
				got := exportAll(t, db, ctx, f)
				res, err := db.FallbackSearch(ctx, store.FallbackQuery{ListingFilter: f, PerPage: 100})
				if err != nil {
					t.Fatal(err)
				}
				var want []*store.Listing
				for _, h := range res.Hits {
					want = append(want, h.Listing)
				}
				if len(got) != res.Total || !slices.Equal(ids(got), ids(want)) {
					t.Fatalf("export has %d listings, the search counts %d", len(got), res.Total)
				}
				for _, l := range got {
					if l.Status != store.StatusPublished {
						t.Fatalf("exported a %s listing", l.Status)
					}
				}
			})
		}
	}
	if n := len(exportAll(t, db, scopes["slaskie"], store.ListingFilter{})); n != 24 {
		t.Fatalf("the region exports %d listings, want its 24 published", n)
	}
	if _, err := db.ExportPage(context.Background(), store.ListingFilter{}, "", 10); err == nil {
		t.Fatal("an export without a scope ran")
	}
}

func exportBytes(t *testing.T, format string, list []*store.Listing, tenant string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := store.NewExportWriter(&buf, format, store.ExportMeta{Tenant: tenant, GeneratedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	// Two writes, as pages come.
	half := len(list) / 2
	if err := w.Write(list[:half]); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(list[half:]); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// An export read back by the importer changes nothing: its columns are the
// importer's and its values come back as they went out.
func TestExportReimportsWithoutChanges(t *testing.T) {
	db := seedExportCatalog(t)
	admin := staffCtx(t, db, "slaskie", tenants.RoleAdmin)
	list := exportAll(t, db, admin, store.ListingFilter{})
	for _, format := range []string{store.ExportCSV, store.ExportXLSX} {
		t.Run(format, func(t *testing.T) {
			file := exportBytes(t, format, list, "slaskie")
			res, err := db.Import(admin, bytes.NewReader(file), format, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Imported != 0 || res.Updated != 0 || res.Skipped != len(list) || len(res.Errors) != 0 {
				t.Fatalf("re-import: imported %d, updated %d, skipped %d, errors %+v; want 0, 0, %d, none",
					res.Imported, res.Updated, res.Skipped, res.Errors, len(list))
			}
		})
	}
}

func TestCSVExportIsSemicolonSeparatedUTF8WithABOM(t *testing.T) {
	db := seedExportCatalog(t)
	ctx := storetest.Ctx(t, db, "slaskie", tenants.Principal{})
	list := exportAll(t, db, ctx, store.ListingFilter{LegalForms: []string{"fundacja"}})
	file := exportBytes(t, store.ExportCSV, list, "slaskie")
	if !bytes.HasPrefix(file, []byte("\uFEFFid;nazwa;nazwa_skrocona;forma_prawna;")) {
		t.Fatalf("starts %q", file[:40])
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(file, []byte("\uFEFF"))))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(list)+1 || !slices.Equal(recs[0], store.ExportHeaders()) {
		t.Fatalf("%d records, header %v", len(recs), recs[0])
	}
	row := recs[1]
	col := func(name string) string { return row[slices.Index(recs[0], name)] }
	if col("id") != list[0].ID || col("opis") != list[0].Description || col("forma_prawna") != "fundacja" || col("region") != "slaskie" {
		t.Fatalf("first row %v", row)
	}
}

func TestJSONExportNamesItsLicenceAndDate(t *testing.T) {
	db := seedExportCatalog(t)
	ctx := tenants.WithAllTenants(context.Background())
	list := exportAll(t, db, ctx, store.ListingFilter{Kinds: []string{"cis"}})
	var doc struct {
		License     string          `json:"license"`
		GeneratedAt time.Time       `json:"generated_at"`
		Tenant      *string         `json:"tenant"`
		Listings    []store.Listing `json:"listings"`
		Count       int             `json:"count"`
	}
	if err := json.Unmarshal(exportBytes(t, store.ExportJSON, list, ""), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.License != store.DataLicense || doc.GeneratedAt.IsZero() || doc.Tenant != nil || doc.Count != len(list) || len(doc.Listings) != len(list) {
		t.Fatalf("license %q, generated %v, tenant %v, count %d of %d", doc.License, doc.GeneratedAt, doc.Tenant, doc.Count, len(doc.Listings))
	}
	if len(list) != 13 || doc.Listings[0].ID != list[0].ID || doc.Listings[0].Name == "" {
		t.Fatalf("%d listings, first %+v", len(list), doc.Listings[0].ID)
	}
	empty := exportBytes(t, store.ExportJSON, nil, "slaskie")
	if !strings.Contains(string(empty), `"listings":[`) || json.Unmarshal(empty, &doc) != nil || doc.Count != 0 || *doc.Tenant != "slaskie" {
		t.Fatalf("empty export %s", empty)
	}
}

// A cell a spreadsheet would run as a formula reaches the CSV export with
// sheet's apostrophe, a number starting with a sign (as "+1+HYPERLINK"
// does) included; a phone as the catalog stores it is a plain number.
func TestCSVExportEscapesFormulas(t *testing.T) {
	l := &store.Listing{ID: "00000000-0000-0000-0000-000000000001", ListingData: store.ListingData{
		Name: `+1+HYPERLINK("http://x","klik")`, ShortName: `-1+HYPERLINK("http://x")`, Operator: "@SUM(A1)",
		Description: "=cmd|' /C calc'!A0", Contact: store.Contact{Phone: "+48601234567"},
	}}
	file := exportBytes(t, store.ExportCSV, []*store.Listing{l}, "slaskie")
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(file, []byte("\uFEFF"))))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	col := func(name string) string { return recs[1][slices.Index(recs[0], name)] }
	for name, want := range map[string]string{
		"nazwa": `'+1+HYPERLINK("http://x","klik")`, "nazwa_skrocona": `'-1+HYPERLINK("http://x")`,
		"operator": "'@SUM(A1)", "opis": "'=cmd|' /C calc'!A0", "telefon": "+48601234567",
	} {
		if got := col(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}
