package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// The columns of a generated register, Polish names and the API's.
var (
	plColumns = []string{"nazwa", "nazwa_skrocona", "forma_prawna", "rodzaj", "nip", "krs", "regon",
		"ulica", "kod_pocztowy", "miejscowosc", "gmina_teryt", "email", "telefon", "www", "opis", "kategorie",
		"zatrudnieni", "zagrozeni_wykluczeniem", "stan_na", "ps_decyzja_nr", "ps_decyzja_data", "lat", "lng",
		"rok_zalozenia", "uwagi"}
	apiColumns = []string{"name", "short_name", "legal_form", "kinds", "nip", "krs", "regon",
		"street", "postal_code", "city", "gmina_teryt", "email", "phone", "website", "description", "categories",
		"employment_total", "employment_at_risk", "employment_as_of", "social_enterprise_decision_no",
		"social_enterprise_decision_date", "lat", "lng", "founded_year", "notes"}
)

// regRow is one row of a register, by Polish column name.
type regRow map[string]string

// nipFrom returns the first valid NIP at or after the 9-digit prefix
// start, and the prefix to continue from.
func nipFrom(start int) (string, int) {
	w := []int{6, 5, 7, 2, 3, 4, 5, 6, 7}
	for p := start; ; p++ {
		d := fmt.Sprintf("%09d", p)
		s := 0
		for i := range w {
			s += int(d[i]-'0') * w[i]
		}
		if s%11 != 10 {
			return d + fmt.Sprint(s%11), p + 1
		}
	}
}

// nips returns n distinct valid NIPs from a prefix; tests use disjoint
// prefixes so their NIPs never meet.
func nips(start, n int) []string {
	out := make([]string, 0, n)
	for len(out) < n {
		var s string
		s, start = nipFrom(start)
		out = append(out, s)
	}
	return out
}

var (
	slaskieGminas = []struct{ code, city, postal string }{
		{"2469011", "Katowice", "40-014"}, {"2466011", "Gliwice", "44100"}, {"2461011", "Bielsko-Biała", "43-300"},
	}
	legalForms = []struct{ given, code, kinds string }{
		{"Spółdzielnia socjalna", "spoldzielnia_socjalna", "spoldzielnia_socjalna"},
		{"fundacja", "fundacja", "ngo_gospodarcza, ngo_odplatna"},
		{"STOWARZYSZENIE", "stowarzyszenie", "CIS;KIS"},
		{"spoldzielnia_pracy", "spoldzielnia_pracy", "inny"},
		{"Koło Gospodyń Wiejskich", "kgw", "ngo_gospodarcza"},
		{"spółdzielnia inwalidów lub niewidomych", "spoldzielnia_inwalidow", "zpch|zaz"},
	}
)

// goodRows builds n valid rows; every tenth has a KRS and no NIP, every
// third both.
func goodRows(n, nipStart int) []regRow {
	ns := nips(nipStart, n)
	rows := make([]regRow, n)
	for i := range rows {
		g := slaskieGminas[i%len(slaskieGminas)]
		lf := legalForms[i%len(legalForms)]
		r := regRow{
			"nazwa": fmt.Sprintf("Podmiot Ekonomii Społecznej nr %d", i), "forma_prawna": lf.given, "rodzaj": lf.kinds,
			"nip": ns[i], "ulica": fmt.Sprintf("ul. Mariacka %d", i+1), "kod_pocztowy": g.postal, "miejscowosc": g.city,
			"gmina_teryt": g.code, "email": fmt.Sprintf("biuro%d@example.org", i), "telefon": fmt.Sprintf("600 %03d %03d", i/1000, i%1000),
			"opis": fmt.Sprintf("Catering, sprzątanie i zieleń; podmiot %d.\nDruga linia opisu.", i), "kategorie": "catering|Sprzątanie",
		}
		// KRS numbers follow the NIPs' millions, so tests stay disjoint;
		// the 9-digit ones are zero-padded by the import.
		if i%10 == 0 {
			r["nip"] = ""
			r["krs"] = fmt.Sprintf("1%03d%05d", nipStart/1000000%1000, i)
		} else if i%3 == 0 {
			r["krs"] = fmt.Sprintf("02%03d%05d", nipStart/1000000%1000, i)
		}
		if i%4 == 0 {
			r["zatrudnieni"], r["zagrozeni_wykluczeniem"], r["stan_na"] = "12", "5", "31.01.2025"
		}
		if i%7 == 0 {
			r["ps_decyzja_nr"], r["ps_decyzja_data"] = fmt.Sprintf("PS/%d/2024", i), "2024-03-15"
		}
		if i%5 == 0 {
			r["lat"], r["lng"], r["rok_zalozenia"], r["www"] = "50,2649", "19.0238", "2015", "example.org"
		}
		if i%6 == 0 {
			r["nazwa_skrocona"], r["uwagi"] = fmt.Sprintf("PES %d", i), "kolumna spoza wzoru"
		}
		rows[i] = r
	}
	return rows
}

// badRow is a row broken on purpose, and the one error it must give.
type badRow struct {
	index      int // into the file's data rows
	field, key string
	edit       func(r regRow, rows []regRow)
}

// sevenBad are the acceptance test's broken rows.
var sevenBad = []badRow{
	{11, "nip", "nip.checksum", func(r regRow, _ []regRow) { r["nip"] = "1234567890" }},
	{33, "address.gmina_teryt", "teryt.gmina_unknown", func(r regRow, _ []regRow) { r["gmina_teryt"] = "2499011" }},
	{55, "name", "required", func(r regRow, _ []regRow) { r["nazwa"] = "" }},
	{77, "nip", "nip.duplicate", func(r regRow, rows []regRow) { r["nip"] = rows[5]["nip"] }},
	{99, "description", "encoding", func(r regRow, _ []regRow) { r["opis"] = "Opis z bajtami \xff\xfe spoza UTF-8" }},
	{121, "name", "too_long", func(r regRow, _ []regRow) { r["nazwa"] = strings.Repeat("Ż", 201) }},
	{143, "legal_form", "legal_form.unknown", func(r regRow, _ []regRow) { r["forma_prawna"] = "spółka cywilna" }},
}

// acceptanceRows is 200 rows of which sevenBad are broken.
func acceptanceRows() []regRow {
	rows := goodRows(200, 526000000)
	for _, b := range sevenBad {
		b.edit(rows[b.index], rows)
	}
	return rows
}

// csvFile writes rows under header (columns named as in plColumns, given
// in the names of cols) with separator sep, optionally behind a BOM.
func csvFile(t testing.TB, rows []regRow, cols []string, sep rune, bom bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	if bom {
		buf.WriteString("\uFEFF")
	}
	w := csv.NewWriter(&buf)
	w.Comma = sep
	w.UseCRLF = true
	if err := w.Write(cols); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		rec := make([]string, len(plColumns))
		for i, c := range plColumns {
			rec[i] = r[c]
		}
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// xlsxFile writes the same rows as the first sheet of a workbook, every
// cell a string, with a second sheet the importer must not read.
func xlsxFile(t testing.TB, rows []regRow) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Rejestr"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("Notatki"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellValue("Notatki", "A1", "nazwa"); err != nil {
		t.Fatal(err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		t.Fatal(err)
	}
	cells := func(rec []string) []any {
		out := make([]any, len(rec))
		for i, v := range rec {
			out[i] = v
		}
		return out
	}
	if err := sw.SetRow("A1", cells(plColumns)); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		rec := make([]string, len(plColumns))
		for j, c := range plColumns {
			rec[j] = r[c]
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, cells(rec)); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// importEnv is a test database with TERYT and a region's admin.
type importEnv struct {
	db    *storetest.DB
	admin context.Context
	raw   *sql.DB
}

func newImportEnv(t testing.TB, slug string) *importEnv {
	t.Helper()
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	e := &importEnv{db: db, admin: adminCtx(t, db, slug)}
	raw, err := sql.Open("postgres", db.URL)
	if err != nil {
		t.Fatal(err)
	}
	// One connection, so the session setting below holds for every query.
	raw.SetMaxOpenConns(1)
	t.Cleanup(func() { raw.Close() })
	if _, err := raw.Exec(`SELECT set_config('app.all_tenants', 'on', false)`); err != nil {
		t.Fatal(err)
	}
	e.raw = raw
	return e
}

func adminCtx(t testing.TB, db *storetest.DB, slug string) context.Context {
	t.Helper()
	ctx := storetest.Ctx(t, db, slug, tenants.Principal{})
	a, err := db.CreateAccount(ctx, store.NewAccount{Email: storetest.Unique("admin@example.org"), Name: "Admin " + slug,
		Password: "dobre-haslo-123", Role: tenants.RoleAdmin, Active: true})
	if err != nil {
		t.Fatalf("create admin: %v", err)
	}
	return storetest.Ctx(t, db, slug, tenants.Principal{AccountID: a.ID, Name: a.Name, Role: tenants.RoleAdmin, TenantID: a.TenantID.String})
}

// run imports file and fails the test on an error.
func (e *importEnv) run(t testing.TB, file []byte, format string) *store.ImportResult {
	t.Helper()
	res, err := e.db.Import(e.admin, bytes.NewReader(file), format, nil)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return res
}

// count runs a COUNT(*) query over every tenant.
func (e *importEnv) count(t testing.TB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.raw.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// snapshot is everything an import may write, as text.
func (e *importEnv) snapshot(t testing.TB) string {
	t.Helper()
	var s string
	err := e.raw.QueryRow(`
		SELECT coalesce(string_agg(concat_ws('|', id, status, updated_at, verified_at, confirmed_at, data::text), E'\n' ORDER BY id), '')
		       || (SELECT count(*) FROM listing_events)::text || '/' || (SELECT count(*) FROM search_outbox)::text
		FROM listings`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// listingByNIP reads the listing with nip through the store, as the admin.
func (e *importEnv) listingByNIP(t testing.TB, nip string) *store.Listing {
	t.Helper()
	var id string
	if err := e.raw.QueryRow(`SELECT id FROM listings WHERE nip = $1 AND status <> 'archived'`, nip).Scan(&id); err != nil {
		t.Fatalf("listing with NIP %s: %v", nip, err)
	}
	l, err := e.db.FindListingByID(e.admin, id)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// errorTriples renders import errors as "row field key" for comparison.
func errorTriples(errs []store.ImportError) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = fmt.Sprintf("%d %s %s", e.Row, e.Field, e.Key)
	}
	return out
}
