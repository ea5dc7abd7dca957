package store

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"katalogpes/store/sheet"
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
	where = append(where, eligibilityConditions(&b, f, today)...)
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
	// Names, when given, put names where the catalog keeps codes (the
	// codes keep columns of their own).
	Names *ExportNames
}

// ExportWriter writes listings in one format; Close ends the document.
type ExportWriter interface {
	Write(list []*Listing) error
	Close() error
}

// NewExportWriter starts an export document on w. CSV and JSON go out as
// they are written; an XLSX workbook is written on Close (see sheet).
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

// csvExport writes the columns through sheet's one CSV writer.
type csvExport struct {
	w   *sheet.CSVWriter
	rec []string
	row exportRow
}

func newCSVExport(w io.Writer, meta ExportMeta) (*csvExport, error) {
	cw, err := sheet.NewCSVWriter(w)
	if err != nil {
		return nil, err
	}
	if err := cw.Write(ExportHeaders()); err != nil {
		return nil, err
	}
	return &csvExport{w: cw, rec: make([]string, len(exportColumns)), row: exportRow{meta.GeneratedAt, meta.Names}}, nil
}

func (e *csvExport) Write(list []*Listing) error {
	for _, l := range list {
		for i, c := range exportColumns {
			e.rec[i] = c.value(l, e.row)
		}
		if err := e.w.Write(e.rec); err != nil {
			return err
		}
	}
	return e.w.Flush()
}

func (e *csvExport) Close() error { return e.w.Flush() }

// jsonExport writes {"license", "license_url", "generated_at", "tenant",
// "listings": [...], "count"}, one listing at a time.
type jsonExport struct{ w *sheet.JSONWriter }

func newJSONExport(w io.Writer, meta ExportMeta) (*jsonExport, error) {
	jw, err := sheet.NewJSONWriter(w, struct {
		License     string    `json:"license"`
		LicenseURL  string    `json:"license_url"`
		Attribution string    `json:"attribution"`
		GeneratedAt time.Time `json:"generated_at"`
		Tenant      *string   `json:"tenant"`
	}{DataLicense, DataLicenseURL, "Katalog PES", meta.GeneratedAt.UTC(), nilIfEmpty(meta.Tenant)}, "listings")
	return &jsonExport{w: jw}, err
}

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (e *jsonExport) Write(list []*Listing) error {
	for _, l := range list {
		if err := e.w.Write(l); err != nil {
			return fmt.Errorf("encode listing %s: %w", l.ID, err)
		}
	}
	return e.w.Flush()
}

func (e *jsonExport) Close() error { return e.w.Close() }

// xlsxExport writes the listings on the first sheet (which the importer
// reads) and the licence on a second.
type xlsxExport struct {
	w    *sheet.XLSXWriter
	row  exportRow
	vals []any
}

func newXLSXExport(w io.Writer, meta ExportMeta) (*xlsxExport, error) {
	created := meta.GeneratedAt.UTC().Format(time.RFC3339)
	widths := make([]float64, len(exportColumns))
	for i, c := range exportColumns {
		widths[i] = c.width
	}
	xw, err := sheet.NewXLSXWriter(w, sheet.XLSXBook{
		Sheet: "Podmioty", Header: ExportHeaders(), Widths: widths, InfoSheet: "Licencja",
		Info: [][2]string{
			{"Licencja", DataLicense + " (" + DataLicenseURL + ")"}, {"Źródło", "Katalog PES"},
			{"Wygenerowano", created}, {"Region", meta.Tenant},
		},
		Title: "Katalog PES", Description: "Licencja: " + DataLicense + " " + DataLicenseURL, Created: created,
	})
	if err != nil {
		return nil, err
	}
	return &xlsxExport{w: xw, row: exportRow{meta.GeneratedAt, meta.Names}, vals: make([]any, len(exportColumns))}, nil
}

func (e *xlsxExport) Write(list []*Listing) error {
	for _, l := range list {
		for i, c := range exportColumns {
			e.vals[i] = c.xlsxValue(c.value(l, e.row))
		}
		if err := e.w.Write(e.vals); err != nil {
			return fmt.Errorf("export listing %s: %w", l.ID, err)
		}
	}
	return nil
}

func (e *xlsxExport) Close() error { return e.w.Close() }
