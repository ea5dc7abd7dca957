package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// The acceptance test: 200 rows, 7 broken in 7 ways, give 193 listings and
// the 7 errors by row and field; the same file again changes nothing.
func TestImportReportsBadRowsAndImportsTheRestOnce(t *testing.T) {
	e := newImportEnv(t, "slaskie")
	rows := acceptanceRows()
	file := csvFile(t, rows, plColumns, ';', true)

	res := e.run(t, file, store.ImportCSV)
	if res.Imported != 193 || res.Updated != 0 || res.Skipped != 7 {
		t.Fatalf("first import: imported %d, updated %d, skipped %d; want 193, 0, 7", res.Imported, res.Updated, res.Skipped)
	}
	var want []string
	for _, b := range sevenBad {
		want = append(want, fmt.Sprintf("%d %s %s", b.index+2, b.field, b.key))
	}
	if got := errorTriples(res.Errors); !slices.Equal(got, want) {
		t.Fatalf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if dup := res.Errors[3]; dup.Params["Row"] != 5+2 {
		t.Errorf("the duplicate NIP names row %v as the first, want 7", dup.Params["Row"])
	}
	if n := e.count(t, `SELECT count(*) FROM listings WHERE status = 'published' AND owner_id IS NULL
		AND verified_at IS NOT NULL AND verified_by IS NOT NULL AND published_at IS NOT NULL`); n != 193 {
		t.Fatalf("%d published, verified, ownerless listings, want 193", n)
	}
	if ev, ob := e.count(t, `SELECT count(*) FROM listing_events WHERE action = 'import'`), e.count(t, `SELECT count(*) FROM search_outbox`); ev != 193 || ob != 193 {
		t.Fatalf("%d import events and %d outbox rows, want 193 each", ev, ob)
	}

	before := e.snapshot(t)
	res = e.run(t, file, store.ImportCSV)
	if res.Imported != 0 || res.Updated != 0 || res.Skipped != 200 {
		t.Fatalf("second import: imported %d, updated %d, skipped %d; want 0, 0, 200", res.Imported, res.Updated, res.Skipped)
	}
	if got := errorTriples(res.Errors); !slices.Equal(got, want) {
		t.Fatalf("second import's errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if after := e.snapshot(t); after != before {
		t.Fatal("the second import of the same file changed the database")
	}
}

// What a row says arrives normalised, with names mapped to codes.
func TestImportMapsPolishValuesToTheAPIsCodes(t *testing.T) {
	e := newImportEnv(t, "slaskie")
	rows := goodRows(30, 531000000)
	if res := e.run(t, csvFile(t, rows, plColumns, ';', false), store.ImportCSV); res.Imported != 30 || len(res.Errors) != 0 {
		t.Fatalf("imported %d, errors %v", res.Imported, errorTriples(res.Errors))
	}
	l := e.listingByNIP(t, rows[28]["nip"]) // employment, a decision, koło gospodyń wiejskich in Gliwice
	if l.Status != store.StatusPublished || l.OwnerID != "" || l.VerifiedAt == nil || l.PublishedAt == nil {
		t.Fatalf("not published and verified: %+v", l)
	}
	if l.LegalForm != "kgw" || !slices.Equal(l.Kinds, []string{"ngo_gospodarcza"}) ||
		!slices.Equal(l.Categories, []string{"catering", "sprzatanie"}) {
		t.Errorf("codes: legal form %q, kinds %v, categories %v", l.LegalForm, l.Kinds, l.Categories)
	}
	if l.Address.PostalCode != "44-100" || l.Address.GminaTERYT != "2466011" || l.Contact.Phone != "+48600000028" {
		t.Errorf("not normalised: %+v %+v", l.Address, l.Contact)
	}
	if l.Employment == nil || l.Employment.Total != 12 || l.Employment.AtRisk != 5 || l.Employment.AsOf != "2025-01-31" {
		t.Errorf("employment %+v, want 12, 5 as of 2025-01-31", l.Employment)
	}
	if l.SocialEnterprise == nil || l.SocialEnterprise.DecisionNo != "PS/28/2024" || l.SocialEnterprise.DecisionDate != "2024-03-15" {
		t.Errorf("social enterprise %+v", l.SocialEnterprise)
	}
	if !strings.Contains(l.Description, "\nDruga linia") {
		t.Errorf("the multi-line description lost its line: %q", l.Description)
	}
	l = e.listingByNIP(t, rows[5]["nip"])
	if l.LegalForm != "spoldzielnia_inwalidow" || !slices.Equal(l.Kinds, []string{"zpch", "zaz"}) {
		t.Errorf("legal form %q kinds %v", l.LegalForm, l.Kinds)
	}
	l = e.listingByNIP(t, rows[15]["nip"])
	if l.Geo == nil || l.Geo.Lat != 50.2649 || l.Geo.Lng != 19.0238 || l.FoundedYear != 2015 || l.Contact.Website == "" || l.KRS == "" {
		t.Errorf("geo %+v, founded %d, website %q, krs %q", l.Geo, l.FoundedYear, l.Contact.Website, l.KRS)
	}
	if l.LegalForm != "spoldzielnia_pracy" || !slices.Equal(l.Kinds, []string{"inny"}) {
		t.Errorf("legal form %q kinds %v", l.LegalForm, l.Kinds)
	}
	h, err := e.db.FindListingEvents(e.admin, l.ID)
	if err != nil || len(h) != 1 || h[0].Action != "import" || h[0].To != store.StatusPublished || h[0].ActorRole != "admin" {
		t.Fatalf("history %+v (%v), want one import by the admin", h, err)
	}
}

// Either separator, with or without a BOM, Polish or API headers in any
// case: the same listings.
func TestImportReadsEitherSeparatorBOMAndHeaderNames(t *testing.T) {
	e := newImportEnv(t, "slaskie")
	shouting := make([]string, len(plColumns))
	for i, c := range plColumns {
		shouting[i] = "  " + strings.ToUpper(strings.ReplaceAll(c, "_", " ")) + " "
	}
	shouting[9] = "Miejscowość"
	cases := []struct {
		name  string
		cols  []string
		sep   rune
		bom   bool
		title string
	}{
		{"semicolon with BOM, Polish", plColumns, ';', true, ""},
		{"comma without BOM, Polish", plColumns, ',', false, ""},
		{"comma with BOM, API", apiColumns, ',', true, ""},
		{"semicolon without BOM, API", apiColumns, ';', false, ""},
		{"Polish in capitals with spaces", shouting, ';', false, ""},
		{"comma under a title with semicolons", plColumns, ',', false, "Rejestr PES; województwo śląskie; 2025\r\n"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows := goodRows(4, 540000000+i*1000000)
			file := append([]byte(c.title), csvFile(t, rows, c.cols, c.sep, c.bom)...)
			res := e.run(t, file, store.ImportCSV)
			if res.Imported != 4 || len(res.Errors) != 0 {
				t.Fatalf("imported %d, errors %v", res.Imported, errorTriples(res.Errors))
			}
			l := e.listingByNIP(t, rows[2]["nip"])
			if l.Name != rows[2]["nazwa"] || l.Address.City != "Bielsko-Biała" || l.Contact.Email != "biuro2@example.org" ||
				l.LegalForm != "stowarzyszenie" || !slices.Equal(l.Kinds, []string{"cis", "kis"}) {
				t.Fatalf("columns mismapped: %+v", l.ListingData)
			}
		})
	}
}

// The same register as a workbook gives the same result, listing by listing.
func TestImportXLSXGivesTheSameResultAsCSV(t *testing.T) {
	rows := acceptanceRows()
	fromCSV, fromXLSX := newImportEnv(t, "slaskie"), newImportEnv(t, "slaskie")
	a := fromCSV.run(t, csvFile(t, rows, plColumns, ',', false), store.ImportCSV)
	b := fromXLSX.run(t, xlsxFile(t, rows), store.ImportXLSX)
	if a.Imported != b.Imported || a.Updated != b.Updated || a.Skipped != b.Skipped ||
		!slices.Equal(errorTriples(a.Errors), errorTriples(b.Errors)) {
		t.Fatalf("csv %d/%d/%d %v\nxlsx %d/%d/%d %v", a.Imported, a.Updated, a.Skipped, errorTriples(a.Errors),
			b.Imported, b.Updated, b.Skipped, errorTriples(b.Errors))
	}
	data := func(e *importEnv) string {
		var s string
		if err := e.raw.QueryRow(`SELECT string_agg(data::text, E'\n' ORDER BY coalesce(nip, krs)) FROM listings`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if data(fromCSV) != data(fromXLSX) {
		t.Fatal("the workbook's listings differ from the CSV's")
	}
	if res := fromXLSX.run(t, xlsxFile(t, rows), store.ImportXLSX); res.Imported != 0 || res.Updated != 0 {
		t.Fatalf("the workbook again: imported %d, updated %d, want nothing", res.Imported, res.Updated)
	}
}

// Spreadsheets keep codes as numbers (losing leading zeros) and dates as
// serial numbers; the import reads them back.
func TestImportXLSXReadsNumberAndDateCells(t *testing.T) {
	e := newImportEnv(t, "slaskie")
	nip := nips(550000000, 1)[0]
	f := excelize.NewFile()
	defer f.Close()
	header := []any{"Nazwa", "Forma prawna", "NIP", "KRS", "Kod pocztowy", "Miejscowość", "Gmina TERYT", "Telefon", "Zatrudnieni", "Zagrożeni wykluczeniem", "Stan na", "lat", "lng"}
	nipNum, _ := strconv.ParseInt(nip, 10, 64)
	krsNum := 12345
	row := []any{"Spółdzielnia Liczbowa", "fundacja", nipNum, krsNum, 40014, "Katowice", 2469011, 600100200, 8, 3,
		time.Date(2025, 2, 28, 0, 0, 0, 0, time.UTC), 50.26, 19.02}
	// A title above the header, then a blank row and a row of blanks in
	// the middle: no data rows, but they keep their numbers.
	for cell, values := range map[string]*[]any{
		"A1": {"Rejestr PES województwa śląskiego, stan na 2025-03-01"}, "A2": &header, "A3": &row,
		"A5": {"", "", "", ""}, "A6": {"Bez gminy", "fundacja", nil, nil, "40-014", "Katowice"},
	} {
		if err := f.SetSheetRow("Sheet1", cell, values); err != nil {
			t.Fatal(err)
		}
	}
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	_ = f.SetCellStyle("Sheet1", "K3", "K3", style)
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	res := e.run(t, buf.Bytes(), store.ImportXLSX)
	if res.Imported != 1 || res.Skipped != 1 || !slices.Equal(errorTriples(res.Errors), []string{"6 address.gmina_teryt required"}) {
		t.Fatalf("imported %d skipped %d errors %v", res.Imported, res.Skipped, errorTriples(res.Errors))
	}
	l := e.listingByNIP(t, nip)
	if l.KRS != "0000012345" || l.Address.PostalCode != "40-014" || l.Contact.Phone != "+48600100200" ||
		l.Employment == nil || l.Employment.AsOf != "2025-02-28" || l.Employment.Total != 8 || l.Geo == nil || l.Geo.Lat != 50.26 {
		t.Fatalf("cells misread: %+v", l.ListingData)
	}
}

// A row matching a listing by NIP (or, without one, by KRS) updates it,
// counted as updated, with an event and a search update; a row saying what
// the listing says, or leaving cells empty, is not an update.
func TestImportUpdatesTheListingWithTheSameNIPOrKRS(t *testing.T) {
	e := newImportEnv(t, "slaskie")
	rows := goodRows(6, 560000000)
	if res := e.run(t, csvFile(t, rows, plColumns, ';', false), store.ImportCSV); res.Imported != 6 {
		t.Fatalf("first import: %+v", res)
	}
	old := e.listingByNIP(t, rows[1]["nip"])
	rows[1]["opis"], rows[1]["telefon"] = "Nowy opis z rejestru.", "601 200 300"
	rows[0]["email"] = "nowy@example.org"         // a KRS-only row
	rows[0]["www"], rows[2]["kategorie"] = "", "" // empty cells keep what is there
	outbox := e.count(t, `SELECT count(*) FROM search_outbox`)
	time.Sleep(10 * time.Millisecond)

	res := e.run(t, csvFile(t, rows, apiColumns, ',', false), store.ImportCSV)
	if res.Imported != 0 || res.Updated != 2 || res.Skipped != 4 || len(res.Errors) != 0 {
		t.Fatalf("imported %d, updated %d, skipped %d, errors %v; want 0, 2, 4", res.Imported, res.Updated, res.Skipped, errorTriples(res.Errors))
	}
	l := e.listingByNIP(t, rows[1]["nip"])
	if l.ID != old.ID || l.Description != "Nowy opis z rejestru." || l.Contact.Phone != "+48601200300" || !l.UpdatedAt.After(old.UpdatedAt) {
		t.Fatalf("not updated in place: %+v", l)
	}
	if l.Contact.Email != old.Contact.Email || !slices.Equal(l.Categories, old.Categories) {
		t.Fatalf("unchanged fields changed: %+v", l.ListingData)
	}
	h, err := e.db.FindListingEvents(e.admin, l.ID)
	if err != nil || len(h) != 2 || h[1].Action != "import" || !slices.Equal([]string(h[1].Fields), []string{"description", "contact"}) {
		t.Fatalf("history %+v (%v), want a second import event naming description and contact", h, err)
	}
	if n := e.count(t, `SELECT count(*) FROM listings WHERE data->'contact'->>'email' = 'nowy@example.org'`); n != 1 {
		t.Fatalf("the KRS-only row updated %d listings, want 1", n)
	}
	if n := e.count(t, `SELECT count(*) FROM search_outbox`); n != outbox+2 {
		t.Fatalf("outbox grew by %d, want 2", n-outbox)
	}
	if n := e.count(t, `SELECT count(*) FROM listings`); n != 6 {
		t.Fatalf("%d listings, want still 6", n)
	}
}

// A matched draft is published and keeps its owner; a suspended listing
// takes the register's data but stays suspended.
func TestImportPublishesAMatchedDraftAndLeavesASuspensionAlone(t *testing.T) {
	e := newImportEnv(t, "slaskie")
	owner, mod := actors(t, e.db, "slaskie")
	ns := nips(620000000, 2)
	draft := validListing("Kłos")
	draft.NIP = ns[0]
	d, err := e.db.CreateListing(owner, draft)
	if err != nil {
		t.Fatal(err)
	}
	susp := validListing("Zawieszony")
	susp.NIP = ns[1]
	s, err := e.db.CreateListing(owner, susp)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.SubmitListing(owner, s.ID); err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{store.ActionApprove, store.ActionSuspend} {
		if _, err := e.db.Moderate(mod, s.ID, a, "skarga"); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
	}
	rows := []regRow{
		{"nazwa": "Kłos z rejestru", "forma_prawna": "spółdzielnia socjalna", "nip": ns[0]},
		{"nazwa": "Zawieszony z rejestru", "forma_prawna": "spółdzielnia socjalna", "nip": ns[1]},
	}
	res := e.run(t, csvFile(t, rows, plColumns, ';', false), store.ImportCSV)
	if res.Updated != 2 || len(res.Errors) != 0 {
		t.Fatalf("updated %d, errors %v; want 2", res.Updated, errorTriples(res.Errors))
	}
	got, err := e.db.FindListingByID(e.admin, d.ID)
	if err != nil || got.Status != store.StatusPublished || got.OwnerID != d.OwnerID || got.Name != "Kłos z rejestru" ||
		got.VerifiedAt == nil || got.Description != d.Description {
		t.Fatalf("draft after import: %+v (%v)", got, err)
	}
	got, err = e.db.FindListingByID(e.admin, s.ID)
	if err != nil || got.Status != store.StatusSuspended || got.StatusReason != "skarga" || got.Name != "Zawieszony z rejestru" {
		t.Fatalf("suspended listing after import: %+v (%v)", got, err)
	}
}

// A bad row leaves no listing, event or outbox row, wherever it fails:
// in the file, in validation, or against the database.
func TestImportWritesNothingOfABadRow(t *testing.T) {
	e := newImportEnv(t, "slaskie")
	rows := goodRows(3, 570000000)
	rows[0]["krs"], rows[1]["krs"] = "", "" // rows[0] gets a NIP below
	rows[0]["nip"] = nips(571000000, 1)[0]
	rows[2]["krs"] = "5550001"
	if res := e.run(t, csvFile(t, rows[2:], plColumns, ';', false), store.ImportCSV); res.Imported != 1 {
		t.Fatalf("setup: %+v", res)
	}
	bad := []regRow{rows[0], rows[1]}
	bad[0]["gmina_teryt"] = "1465011" // Warsaw: another voivodeship
	bad[1]["krs"] = "5550001"         // the KRS of a listing with another NIP
	bad = append(bad, regRow{"nazwa": "Tylko nazwa"})
	before := e.snapshot(t)
	res := e.run(t, csvFile(t, bad, plColumns, ';', false), store.ImportCSV)
	got := errorTriples(res.Errors)
	for _, want := range []string{"2 address.gmina_teryt teryt.other_voivodeship", "3 krs krs.duplicate", "4 legal_form legal_form.unknown", "4 address.gmina_teryt required"} {
		if !slices.Contains(got, want) {
			t.Errorf("errors %v lack %q", got, want)
		}
	}
	if res.Imported != 0 || res.Skipped != 3 {
		t.Fatalf("imported %d skipped %d", res.Imported, res.Skipped)
	}
	if e.snapshot(t) != before {
		t.Fatal("bad rows wrote something")
	}
}

// Another region's listing with the same NIP is another listing.
func TestImportMatchesOnlyTheTenantsListings(t *testing.T) {
	e := newImportEnv(t, "slaskie")
	rows := goodRows(3, 580000000)
	e.run(t, csvFile(t, rows, plColumns, ';', false), store.ImportCSV)
	before := e.snapshot(t)
	for _, r := range rows {
		r["gmina_teryt"], r["miejscowosc"], r["kod_pocztowy"] = "1465011", "Warszawa", "00-950"
	}
	maz := adminCtx(t, e.db, "mazowieckie")
	res, err := e.db.Import(maz, bytes.NewReader(csvFile(t, rows, plColumns, ';', false)), store.ImportCSV, nil)
	if err != nil || res.Imported != 3 || res.Updated != 0 || len(res.Errors) != 0 {
		t.Fatalf("mazowieckie: %+v (%v), want 3 new listings", res, err)
	}
	if n := e.count(t, `SELECT count(*) FROM listings l JOIN tenants t ON t.id = l.tenant_id
		WHERE t.slug = 'slaskie' AND l.data->'address'->>'city' <> 'Warszawa'`); n != 3 {
		t.Fatalf("%d slaskie listings as they were, want 3", n)
	}
	if n := e.count(t, `SELECT count(*) FROM listing_events`); n != 6 {
		t.Fatalf("%d events, want an import each for 6 listings", n)
	}
	if e.snapshot(t) == before {
		t.Fatal("nothing was written")
	}
}

func TestImportIsForAdminsOnly(t *testing.T) {
	e := newImportEnv(t, "slaskie")
	owner, mod := actors(t, e.db, "slaskie")
	file := csvFile(t, goodRows(1, 590000000), plColumns, ';', false)
	for name, ctx := range map[string]context.Context{
		"anonymous": storetest.Ctx(t, e.db, "slaskie", tenants.Principal{}), "enterprise": owner, "moderator": mod,
	} {
		if _, err := e.db.Import(ctx, bytes.NewReader(file), store.ImportCSV, nil); store.ErrorCode(err) != store.EForbidden {
			t.Errorf("%s: %v, want forbidden", name, err)
		}
	}
	if _, err := e.db.Import(context.Background(), bytes.NewReader(file), store.ImportCSV, nil); !errors.Is(err, store.ErrNoScope) {
		t.Errorf("no tenant: %v, want ErrNoScope", err)
	}
}

func TestImportRefusesFilesThatAreNoRegister(t *testing.T) {
	e := newImportEnv(t, "slaskie")
	cases := []struct {
		name, file, format, key string
	}{
		{"unknown format", "nazwa\nX\n", "ods", "import.format"},
		{"empty", "", store.ImportCSV, "import.empty"},
		{"only a BOM", "\uFEFF", store.ImportCSV, "import.empty"},
		{"no known column", "foo;bar\n1;2\n", store.ImportCSV, "import.header"},
		{"not a workbook", "nazwa\nX\n", store.ImportXLSX, "import.unreadable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.db.Import(e.admin, strings.NewReader(c.file), c.format, nil)
			var se *store.Error
			if !errors.As(err, &se) || se.Code != store.EInvalid || se.Key != c.key {
				t.Fatalf("%v, want invalid %s", err, c.key)
			}
		})
	}
}

// A malformed line is reported and the reading goes on.
func TestImportReportsMalformedCSVLinesAndGoesOn(t *testing.T) {
	e := newImportEnv(t, "slaskie")
	rows := goodRows(2, 600000000)
	file := string(csvFile(t, rows, plColumns, ';', false))
	lines := strings.SplitAfter(file, "\r\n")
	// The header, a line with a bare quote, then the file's rows (each of
	// which spans two lines: the description has a line break).
	broken := lines[0] + "Zła \"linia\";fundacja\r\n" + strings.Join(lines[1:], "")
	res := e.run(t, []byte(broken), store.ImportCSV)
	if res.Imported != 2 || res.Skipped != 1 || !slices.Equal(errorTriples(res.Errors), []string{"2  csv.malformed"}) {
		t.Fatalf("imported %d skipped %d errors %v", res.Imported, res.Skipped, errorTriples(res.Errors))
	}
}

// Progress is heard every 1,000 rows, and a file wrong throughout gives a
// bounded report.
func TestImportReportsProgressAndBoundsItsErrors(t *testing.T) {
	e := newImportEnv(t, "slaskie")
	var buf bytes.Buffer
	buf.WriteString("nazwa;forma_prawna\n")
	for i := 0; i < 2500; i++ {
		fmt.Fprintf(&buf, "Podmiot %d;fundacja\n", i)
	}
	var heard []int
	res, err := e.db.Import(e.admin, &buf, store.ImportCSV, func(n int) { heard = append(heard, n) })
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(heard, []int{1000, 2000}) {
		t.Errorf("progress %v, want [1000 2000]", heard)
	}
	if res.Skipped != 2500 || len(res.Errors) != 1001 || res.Errors[1000].Key != "import.errors_truncated" {
		t.Fatalf("skipped %d, %d errors (last %+v), want 2500 and 1000 errors plus a note", res.Skipped, len(res.Errors), res.Errors[len(res.Errors)-1])
	}
}
