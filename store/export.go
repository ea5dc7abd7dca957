package store

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/xuri/excelize/v2"

	"katalogpes/tenants"
)

// The open-data licence of every export.
const (
	DataLicense    = "CC BY 4.0"
	DataLicenseURL = "https://creativecommons.org/licenses/by/4.0/"
)

// Export formats.
const (
	ExportCSV  = "csv"
	ExportJSON = "json"
	ExportXLSX = "xlsx"
)

// ExportPage reads up to limit published listings that f selects, in id
// order after afterID ("" from the start): keyset pages, so a whole
// catalog streams without OFFSET scans or one long transaction. f filters
// as FallbackSearch does (same SQL pieces); its Q, Sort, Page, PerPage and
// Facets are ignored: words are the search index's job. The scope is the
// context's: a tenant, or all tenants for the national hub.
func (db *DB) ExportPage(ctx context.Context, f ListingFilter, afterID string, limit int) ([]*Listing, error) {
	var b sqlBuilder
	where := []string{"l.status = 'published'"}
	if t, ok := tenants.FromContext(ctx); ok {
		where = append(where, "l.tenant_id = "+b.arg(t.ID))
	} else if !tenants.AllTenants(ctx) {
		return nil, ErrNoScope
	}
	if afterID != "" {
		if !ValidID(afterID) {
			return nil, fmt.Errorf("export page after %q: not an id", afterID)
		}
		where = append(where, "l.id > "+b.arg(afterID)+"::uuid")
	}
	// An unused parameter has no type PostgreSQL can infer: add today only
	// when a filter needs it.
	todayArg := ""
	today := func() string {
		if todayArg == "" {
			todayArg = b.arg(db.now().Format("2006-01-02"))
		}
		return todayArg
	}
	where = append(where, listingConditions(&b, f.LegalForms, f.Kinds, f.Powiats, f.Categories)...)
	if len(f.Gminas) > 0 {
		where = append(where, "l.gmina_teryt = ANY("+b.arg(pq.Array(f.Gminas))+"::text[])")
	}
	if len(f.Serves) > 0 {
		where = append(where, servesCondition(&b, f.Serves))
	}
	if len(f.Certificates) > 0 {
		where = append(where, certificatesExpr(today())+" && "+b.arg(pq.Array(f.Certificates))+"::text[]")
	}
	if f.SocialEnterprise {
		where = append(where, socialEnterpriseExpr(today()))
	}
	if f.ReservedContracts {
		where = append(where, reservedExpr(today()))
	}
	if f.Near != nil && f.RadiusKm > 0 {
		where = append(where, haversineExpr(b.arg(f.Near.Lat), b.arg(f.Near.Lng))+" <= "+b.arg(f.RadiusKm))
	}
	q := listingSelect + ` WHERE ` + strings.Join(where, " AND ") + ` ORDER BY l.id LIMIT ` + b.arg(limit)
	var rows []listingRow
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &rows, q, b.args...)
	})
	if err != nil {
		return nil, fmt.Errorf("export page: %w", err)
	}
	return db.toListings(rows, false)
}

// ExportMeta is what an export says about itself.
type ExportMeta struct {
	Tenant      string // the region's slug; "" for the whole country
	GeneratedAt time.Time
}

// ExportWriter writes listings in one format; Close ends the document.
type ExportWriter interface {
	Write(list []*Listing) error
	Close() error
}

// NewExportWriter starts an export document on w. CSV and JSON go out as
// they are written; XLSX rows go through excelize's stream writer (spilled
// to a temporary file when large) and the workbook is written on Close.
func NewExportWriter(w io.Writer, format string, meta ExportMeta) (ExportWriter, error) {
	switch format {
	case ExportCSV:
		return newCSVExport(w, meta)
	case ExportJSON:
		return newJSONExport(w, meta)
	case ExportXLSX:
		return newXLSXExport(w, meta)
	}
	return nil, fmt.Errorf("export: unknown format %q", format)
}

// exportColumn is one column of the tabular exports. Its header is the
// importer's Polish column name where the importer reads it (so an export
// re-imports as it is); the rest are for readers and the importer skips them.
type exportColumn struct {
	header  string
	numeric bool // an XLSX number rather than text
	value   func(l *Listing, now time.Time) string
}

func yesNo(b bool) string {
	if b {
		return "tak"
	}
	return "nie"
}

func intOrEmpty(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

var exportColumns = []exportColumn{
	{"id", false, func(l *Listing, _ time.Time) string { return l.ID }},
	{"nazwa", false, func(l *Listing, _ time.Time) string { return l.Name }},
	{"nazwa_skrocona", false, func(l *Listing, _ time.Time) string { return l.ShortName }},
	{"forma_prawna", false, func(l *Listing, _ time.Time) string { return l.LegalForm }},
	{"rodzaj", false, func(l *Listing, _ time.Time) string { return strings.Join(l.Kinds, ", ") }},
	{"operator", false, func(l *Listing, _ time.Time) string { return l.Operator }},
	{"nip", false, func(l *Listing, _ time.Time) string { return l.NIP }},
	{"krs", false, func(l *Listing, _ time.Time) string { return l.KRS }},
	{"regon", false, func(l *Listing, _ time.Time) string { return l.REGON }},
	{"ulica", false, func(l *Listing, _ time.Time) string { return l.Address.Street }},
	{"kod_pocztowy", false, func(l *Listing, _ time.Time) string { return l.Address.PostalCode }},
	{"miejscowosc", false, func(l *Listing, _ time.Time) string { return l.Address.City }},
	{"gmina_teryt", false, func(l *Listing, _ time.Time) string { return l.Address.GminaTERYT }},
	{"email", false, func(l *Listing, _ time.Time) string { return l.Contact.Email }},
	{"telefon", false, func(l *Listing, _ time.Time) string { return l.Contact.Phone }},
	{"www", false, func(l *Listing, _ time.Time) string { return l.Contact.Website }},
	{"opis", false, func(l *Listing, _ time.Time) string { return l.Description }},
	{"kategorie", false, func(l *Listing, _ time.Time) string { return strings.Join(l.Categories, ", ") }},
	{"zatrudnieni", true, func(l *Listing, _ time.Time) string {
		if l.Employment == nil {
			return ""
		}
		return strconv.Itoa(l.Employment.Total)
	}},
	{"zagrozeni_wykluczeniem", true, func(l *Listing, _ time.Time) string {
		if l.Employment == nil {
			return ""
		}
		return strconv.Itoa(l.Employment.AtRisk)
	}},
	{"stan_na", false, func(l *Listing, _ time.Time) string {
		if l.Employment == nil {
			return ""
		}
		return l.Employment.AsOf
	}},
	{"ps_decyzja_nr", false, func(l *Listing, _ time.Time) string {
		if l.SocialEnterprise == nil {
			return ""
		}
		return l.SocialEnterprise.DecisionNo
	}},
	{"ps_decyzja_data", false, func(l *Listing, _ time.Time) string {
		if l.SocialEnterprise == nil {
			return ""
		}
		return l.SocialEnterprise.DecisionDate
	}},
	// Coordinates as text: excelize writes floats to 15 digits, and
	// 50.449999999999996 must not come back as 50.4499999999999.
	{"lat", false, func(l *Listing, _ time.Time) string {
		if l.Geo == nil {
			return ""
		}
		return strconv.FormatFloat(l.Geo.Lat, 'f', -1, 64)
	}},
	{"lng", false, func(l *Listing, _ time.Time) string {
		if l.Geo == nil {
			return ""
		}
		return strconv.FormatFloat(l.Geo.Lng, 'f', -1, 64)
	}},
	{"rok_zalozenia", true, func(l *Listing, _ time.Time) string { return intOrEmpty(l.FoundedYear) }},
	// For readers only: the importer does not know these columns.
	{"region", false, func(l *Listing, _ time.Time) string { return l.Tenant }},
	{"wojewodztwo", false, func(l *Listing, _ time.Time) string { return l.Voivodeship.Name }},
	{"powiat", false, func(l *Listing, _ time.Time) string { return l.Powiat.Name }},
	{"gmina", false, func(l *Listing, _ time.Time) string { return l.Gmina.Name }},
	{"przedsiebiorstwo_spoleczne", false, func(l *Listing, now time.Time) string { return yesNo(l.IsSocialEnterprise(now)) }},
	{"zamowienia_zastrzezone", false, func(l *Listing, _ time.Time) string { return yesNo(l.ReservedContractsEligible) }},
	{"certyfikaty", false, func(l *Listing, now time.Time) string {
		var kinds []string
		for _, c := range l.ValidCertificates(now) {
			kinds = append(kinds, c.Kind)
		}
		return strings.Join(dedupe(kinds), ", ")
	}},
	{"kompletnosc", true, func(l *Listing, _ time.Time) string { return strconv.Itoa(l.Completeness) }},
	{"zaktualizowano", false, func(l *Listing, _ time.Time) string { return l.UpdatedAt.UTC().Format(time.RFC3339) }},
	{"potwierdzono", false, func(l *Listing, _ time.Time) string { return l.ConfirmedAt.UTC().Format(time.RFC3339) }},
}

// ExportHeaders are the tabular exports' column names, in order.
func ExportHeaders() []string {
	out := make([]string, len(exportColumns))
	for i, c := range exportColumns {
		out[i] = c.header
	}
	return out
}

// csvExport writes ';'-separated UTF-8 with a BOM and CRLF, as Excel in
// Poland opens without an import wizard.
type csvExport struct {
	bw  *bufio.Writer
	cw  *csv.Writer
	rec []string
	now time.Time
}

func newCSVExport(w io.Writer, meta ExportMeta) (*csvExport, error) {
	bw := bufio.NewWriterSize(w, 32<<10)
	if _, err := bw.WriteString("\uFEFF"); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(bw)
	cw.Comma = ';'
	cw.UseCRLF = true
	if err := cw.Write(ExportHeaders()); err != nil {
		return nil, err
	}
	return &csvExport{bw: bw, cw: cw, rec: make([]string, len(exportColumns)), now: meta.GeneratedAt}, nil
}

func (e *csvExport) Write(list []*Listing) error {
	for _, l := range list {
		for i, c := range exportColumns {
			e.rec[i] = defuseFormula(c.value(l, e.now))
		}
		if err := e.cw.Write(e.rec); err != nil {
			return err
		}
	}
	e.cw.Flush()
	if err := e.cw.Error(); err != nil {
		return err
	}
	return e.bw.Flush()
}

func (e *csvExport) Close() error {
	e.cw.Flush()
	if err := e.cw.Error(); err != nil {
		return err
	}
	return e.bw.Flush()
}

// defuseFormula keeps a spreadsheet from running a cell as a formula
// (CSV injection): text starting with =, @ or a sign not followed by a
// digit gets a leading apostrophe. Phone numbers (+48…) stay as they are.
func defuseFormula(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '@', '\t', '\r':
		return "'" + s
	case '+', '-':
		if len(s) == 1 || s[1] < '0' || s[1] > '9' {
			return "'" + s
		}
	}
	return s
}

// jsonExport writes {"license", "license_url", "generated_at", "tenant",
// "listings": [...], "count"}, one listing at a time.
type jsonExport struct {
	bw *bufio.Writer
	n  int
}

func newJSONExport(w io.Writer, meta ExportMeta) (*jsonExport, error) {
	head, err := json.Marshal(struct {
		License     string    `json:"license"`
		LicenseURL  string    `json:"license_url"`
		Attribution string    `json:"attribution"`
		GeneratedAt time.Time `json:"generated_at"`
		Tenant      *string   `json:"tenant"`
	}{DataLicense, DataLicenseURL, "Katalog PES", meta.GeneratedAt.UTC(), nilIfEmpty(meta.Tenant)})
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(w, 32<<10)
	// Reopen the header object to append the listings to it.
	_, _ = bw.Write(head[:len(head)-1])
	_, err = bw.WriteString(`,"listings":[`)
	return &jsonExport{bw: bw}, err
}

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (e *jsonExport) Write(list []*Listing) error {
	for _, l := range list {
		raw, err := json.Marshal(l)
		if err != nil {
			return fmt.Errorf("encode listing %s: %w", l.ID, err)
		}
		if e.n > 0 {
			_ = e.bw.WriteByte(',')
		}
		_ = e.bw.WriteByte('\n')
		if _, err := e.bw.Write(raw); err != nil {
			return err
		}
		e.n++
	}
	return e.bw.Flush()
}

func (e *jsonExport) Close() error {
	if _, err := fmt.Fprintf(e.bw, "\n],\"count\":%d}\n", e.n); err != nil {
		return err
	}
	return e.bw.Flush()
}

// xlsxExport writes the listings on the first sheet (which the importer
// reads) and the licence on a second.
type xlsxExport struct {
	w    io.Writer
	f    *excelize.File
	sw   *excelize.StreamWriter
	row  int
	now  time.Time
	vals []any
}

const xlsxSheet = "Podmioty"

func newXLSXExport(w io.Writer, meta ExportMeta) (*xlsxExport, error) {
	f := excelize.NewFile()
	fail := func(err error) (*xlsxExport, error) {
		f.Close()
		return nil, fmt.Errorf("start workbook: %w", err)
	}
	if err := f.SetSheetName("Sheet1", xlsxSheet); err != nil {
		return fail(err)
	}
	if _, err := f.NewSheet("Licencja"); err != nil {
		return fail(err)
	}
	for cell, v := range map[string]string{
		"A1": "Licencja", "B1": DataLicense + " (" + DataLicenseURL + ")",
		"A2": "Źródło", "B2": "Katalog PES",
		"A3": "Wygenerowano", "B3": meta.GeneratedAt.UTC().Format(time.RFC3339),
		"A4": "Region", "B4": meta.Tenant,
	} {
		if err := f.SetCellStr("Licencja", cell, v); err != nil {
			return fail(err)
		}
	}
	if err := f.SetDocProps(&excelize.DocProperties{Title: "Katalog PES", Description: "Licencja: " + DataLicense + " " + DataLicenseURL,
		Created: meta.GeneratedAt.UTC().Format(time.RFC3339)}); err != nil {
		return fail(err)
	}
	sw, err := f.NewStreamWriter(xlsxSheet)
	if err != nil {
		return fail(err)
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fail(err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fail(err)
	}
	head := make([]any, len(exportColumns))
	for i, h := range ExportHeaders() {
		head[i] = h
	}
	if err := sw.SetRow("A1", head, excelize.RowOpts{StyleID: bold}); err != nil {
		return fail(err)
	}
	return &xlsxExport{w: w, f: f, sw: sw, row: 1, now: meta.GeneratedAt, vals: make([]any, len(exportColumns))}, nil
}

func (e *xlsxExport) Write(list []*Listing) error {
	for _, l := range list {
		for i, c := range exportColumns {
			v := c.value(l, e.now)
			e.vals[i] = v
			if c.numeric && v != "" {
				if n, err := strconv.ParseFloat(v, 64); err == nil {
					e.vals[i] = n
				}
			}
		}
		e.row++
		cell, _ := excelize.CoordinatesToCellName(1, e.row)
		if err := e.sw.SetRow(cell, e.vals); err != nil {
			return fmt.Errorf("write row %d: %w", e.row, err)
		}
	}
	return nil
}

func (e *xlsxExport) Close() error {
	defer e.f.Close()
	if err := e.sw.Flush(); err != nil {
		return fmt.Errorf("finish sheet: %w", err)
	}
	if err := e.f.Write(e.w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}
