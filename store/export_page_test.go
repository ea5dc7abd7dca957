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

	"github.com/xuri/excelize/v2"

	"katalogpes/handlers/view"
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
	return exportWith(t, format, list, store.ExportMeta{Tenant: tenant, GeneratedAt: time.Now()})
}

func exportWith(t *testing.T, format string, list []*store.Listing, meta store.ExportMeta) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := store.NewExportWriter(&buf, format, meta)
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
	names := map[string]*store.ExportNames{"codes": nil, "pl": exportNames(t, db, admin, "pl"), "en": exportNames(t, db, admin, "en")}
	for _, format := range []string{store.ExportCSV, store.ExportXLSX} {
		for lang, n := range names {
			t.Run(format+"/"+lang, func(t *testing.T) {
				file := exportWith(t, format, list, store.ExportMeta{Tenant: "slaskie", GeneratedAt: time.Now(), Names: n})
				reimportsUnchanged(t, db, admin, file, format, len(list))
			})
		}
	}
	// Polish names alone re-import, without the code columns beside them.
	file := exportWith(t, store.ExportCSV, list, store.ExportMeta{Tenant: "slaskie", GeneratedAt: time.Now(), Names: names["pl"]})
	reimportsUnchanged(t, db, admin, dropCSVColumns(t, file, "_kod"), store.ExportCSV, len(list))
}

// exportNames are the names the web pages give an export in lang.
func exportNames(t *testing.T, db *storetest.DB, ctx context.Context, lang string) *store.ExportNames {
	t.Helper()
	tr, err := view.NewTranslator()
	if err != nil {
		t.Fatal(err)
	}
	units, err := db.UnitNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cats, err := db.FindCategories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := &store.ExportNames{Label: tr.Locale(lang).Label, Units: units, Categories: map[string]string{}}
	for _, c := range cats {
		n.Categories[c.Code] = map[string]string{"pl": c.NamePL, "en": c.NameEN}[lang]
	}
	return n
}

// dropCSVColumns removes the columns whose header ends with suffix.
func dropCSVColumns(t *testing.T, file []byte, suffix string) []byte {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(file, []byte("\uFEFF"))))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	for _, rec := range recs {
		var out []string
		for i, v := range rec {
			if !strings.HasSuffix(recs[0][i], suffix) {
				out = append(out, v)
			}
		}
		_ = w.Write(out)
	}
	w.Flush()
	return buf.Bytes()
}

func reimportsUnchanged(t *testing.T, db *storetest.DB, ctx context.Context, file []byte, format string, n int) {
	t.Helper()
	res, err := db.Import(ctx, bytes.NewReader(file), format, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 0 || res.Updated != 0 || res.Skipped != n || len(res.Errors) != 0 {
		t.Fatalf("re-import: imported %d, updated %d, skipped %d, errors %+v; want 0, 0, %d, none",
			res.Imported, res.Updated, res.Skipped, res.Errors, n)
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
	if header, _, ok := bytes.Cut(file, []byte("\n")); !ok || !bytes.HasSuffix(header, []byte("\r")) {
		t.Fatalf("the header line ends %q, not CRLF", header[len(header)-10:])
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

// An XLSX export is typed and names codes in the reader's language: a
// TERYT code and a phone are text (the leading zero stays), the decision
// date is a date, the legal form, kinds, categories and the service area
// are names, with the codes in columns of their own; the header is frozen
// under an autofilter.
func TestXLSXExportNamesCodesAndTypesCells(t *testing.T) {
	tr, err := view.NewTranslator()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	l := &store.Listing{ID: "00000000-0000-0000-0000-000000000002", ListingData: store.ListingData{
		Name: "Spółdzielnia Socjalna Żółć", LegalForm: "spoldzielnia_socjalna", Kinds: []string{"spoldzielnia_socjalna", "cis"},
		Categories: []string{"catering"}, Address: store.Address{City: "Jelenia Góra", GminaTERYT: "0261011"},
		Contact:          store.Contact{Phone: "+48601234567"},
		ServiceArea:      store.ServiceArea{Scope: "powiats", TERYT: []string{"0261", "0206"}},
		SocialEnterprise: &store.SocialEnterprise{DecisionNo: "PS/1/2024", DecisionDate: "2024-03-01", ValidUntil: "2099-12-31"},
		Certificates:     []store.Certificate{{Kind: "znak_jakosci_es", ValidUntil: "2099-12-31"}},
	}, ReservedContractsEligible: true, ReservedContractsBasis: &store.Basis{Reason: "kind"}}
	units := map[string]string{"0261": "Jelenia Góra", "0206": "jeleniogórski"}
	want := map[string]map[string]string{
		"pl": {"forma_prawna": "spółdzielnia socjalna", "rodzaj": "spółdzielnia socjalna, centrum integracji społecznej (CIS)",
			"kategorie": "Catering i gastronomia", "certyfikaty": "Znak Jakości Ekonomii Społecznej", "przedsiebiorstwo_spoleczne": "tak",
			"zamowienia_zastrzezone_podstawa": "rodzaj podmiotu (spółdzielnia socjalna lub zakład pracy chronionej)"},
		"en": {"forma_prawna": "social cooperative", "kategorie": "Catering and food service",
			"certyfikaty": "Social Economy Quality Mark", "przedsiebiorstwo_spoleczne": "yes"},
	}
	for lang, labels := range want {
		t.Run(lang, func(t *testing.T) {
			cats := map[string]string{"pl": "Catering i gastronomia", "en": "Catering and food service"}
			names := &store.ExportNames{Label: tr.Locale(lang).Label, Units: units, Categories: map[string]string{"catering": cats[lang]}}
			file := exportWith(t, store.ExportXLSX, []*store.Listing{l}, store.ExportMeta{Tenant: "dolnoslaskie", GeneratedAt: now, Names: names})
			f, err := excelize.OpenReader(bytes.NewReader(file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rows, err := f.GetRows("Podmioty")
			if err != nil || len(rows) != 2 {
				t.Fatalf("%d rows, %v", len(rows), err)
			}
			cell := func(name string) string {
				c, _ := excelize.CoordinatesToCellName(slices.Index(rows[0], name)+1, 2)
				return c
			}
			value := func(name string) string { return rows[1][slices.Index(rows[0], name)] }
			for name, v := range labels {
				if got := value(name); got != v {
					t.Errorf("%s: %q, want %q", name, got, v)
				}
			}
			codes := map[string]string{"forma_prawna_kod": "spoldzielnia_socjalna", "rodzaj_kod": "spoldzielnia_socjalna, cis",
				"kategorie_kod": "catering", "certyfikaty_kod": "znak_jakosci_es", "obszar_dzialania": "Jelenia Góra, jeleniogórski",
				"obszar_dzialania_teryt": "0261, 0206", "zamowienia_zastrzezone_podstawa_kod": "kind", "ps_decyzja_nr": "PS/1/2024",
				"certyfikaty_wazne_do": "2099-12-31"}
			for name, v := range codes {
				if got := value(name); got != v {
					t.Errorf("%s: %q, want %q", name, got, v)
				}
			}
			for _, name := range []string{"gmina_teryt", "telefon"} {
				if typ, _ := f.GetCellType("Podmioty", cell(name)); typ != excelize.CellTypeInlineString {
					t.Errorf("%s is a cell of type %v, not text", name, typ)
				}
			}
			if value("gmina_teryt") != "0261011" || value("telefon") != "+48601234567" {
				t.Errorf("gmina_teryt %q, telefon %q", value("gmina_teryt"), value("telefon"))
			}
			raw, _ := f.GetCellValue("Podmioty", cell("ps_decyzja_data"), excelize.Options{RawCellValue: true})
			if raw != "45352" {
				t.Errorf("ps_decyzja_data is %q, not the date 2024-03-01", raw)
			}
			if panes, err := f.GetPanes("Podmioty"); err != nil || !panes.Freeze || panes.YSplit != 1 {
				t.Errorf("panes %+v, %v: the header is not frozen", panes, err)
			}
			if dn := f.GetDefinedName(); len(dn) != 1 || dn[0].Name != "_xlnm._FilterDatabase" {
				t.Errorf("defined names %+v: no autofilter", dn)
			}
		})
	}
}
