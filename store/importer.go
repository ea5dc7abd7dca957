package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jmoiron/sqlx"

	"katalogpes/store/sheet"
	"katalogpes/tenants"
)

// ImportResult is what an import did. Skipped counts every data row that
// wrote nothing: the invalid ones (each listed in Errors) and those whose
// listing already said the same.
type ImportResult struct {
	Imported int           `json:"imported"`
	Updated  int           `json:"updated"`
	Skipped  int           `json:"skipped"`
	Errors   []ImportError `json:"errors"`
	// Columns maps each field the file fills to its header as the file
	// wrote it, so a report can speak the file's language.
	Columns map[string]string `json:"-"`
	// Preview is the first rows (ImportOptions.Preview) as they are stored.
	Preview []ImportPreview `json:"-"`
}

// ImportOptions say how to import: the file's format, whether to write
// (a dry run validates and writes every row, then rolls each chunk back),
// how many stored rows to preview and who hears the progress.
type ImportOptions struct {
	Format   string
	DryRun   bool
	Preview  int
	Progress func(rows int)
}

// ImportPreview is one row as it is stored: what an admin checks before
// the import proper. LegalForm and Categories are codes.
type ImportPreview struct {
	Row        int      `json:"row"`
	Updates    bool     `json:"updates"`
	Name       string   `json:"name"`
	LegalForm  string   `json:"legal_form"`
	NIP        string   `json:"nip"`
	GminaTERYT string   `json:"gmina_teryt"`
	GminaName  string   `json:"gmina_name"`
	City       string   `json:"city"`
	Categories []string `json:"categories"`
}

// ImportError is one invalid field of one row. Row counts as a spreadsheet
// does (the header is row 1, unless title rows precede it); Row 0 is about
// the file as a whole. Key and Params name the message, which the handler
// translates into Message.
type ImportError struct {
	Row     int            `json:"row"`
	Field   string         `json:"field"`
	Key     string         `json:"-"`
	Params  map[string]any `json:"-"`
	Message string         `json:"message"`
}

// Import formats.
const (
	ImportCSV  = sheet.CSV
	ImportXLSX = sheet.XLSX
)

const (
	importProgressEvery = 1000
	// maxImportErrors bounds the report of a file that is wrong throughout
	// (say, the wrong encoding): the rows are still counted as skipped.
	maxImportErrors = 1000
)

// Import reads a region's register (CSV or the first sheet of an XLSX) and
// publishes each valid row as a listing verified by the importing admin.
// A row whose NIP names a listing of the tenant updates it, as does one
// whose KRS does where the row or the listing has no NIP; any other row
// inserts one; a NIP or KRS an earlier row of the file had is an error.
// Rows are validated exactly as the API validates a listing and written
// in chunks, many rows to a transaction (see importChunk); a bad row is
// reported and skipped whole, never half-written, and never stops the good
// ones. Only the columns present in the file, and non-empty in a row,
// change an existing listing. Rows are read one at a time; progress, if not
// nil, hears the count every 1,000 rows.
func (db *DB) Import(ctx context.Context, r io.Reader, format string, progress func(rows int)) (*ImportResult, error) {
	return db.ImportWith(ctx, r, ImportOptions{Format: format, Progress: progress})
}

// ImportWith is Import with options: a dry run reports exactly what the
// import would do (every row is written, then rolled back) and writes
// nothing.
func (db *DB) ImportWith(ctx context.Context, r io.Reader, o ImportOptions) (*ImportResult, error) {
	format := o.Format
	t, ok := tenants.FromContext(ctx)
	if !ok {
		return nil, ErrNoScope
	}
	p := tenants.PrincipalFrom(ctx)
	if !p.Can(tenants.PermAdmin) {
		return nil, Errorf(EForbidden, "forbidden")
	}
	src, err := openImportSource(r, format)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	header, cols, rowNo, err := readImportHeader(src)
	if err != nil {
		return nil, err
	}
	cats, err := db.categoryNames(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	book, err := db.loadImportBook(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	res := &ImportResult{Errors: []ImportError{}, Columns: map[string]string{}, Preview: []ImportPreview{}}
	for i, f := range cols {
		if f != "" {
			res.Columns[f] = strings.TrimSpace(header[i])
		}
	}
	run := &importRun{db: db, t: t, p: p, book: book, res: res,
		chunk: make([]importItem, 0, importChunkSize)}
	run.mode = importMode{dryRun: o.DryRun}
	if o.Preview > 0 {
		run.mode.stored = func(row int, updates bool, d *ListingData) {
			if len(res.Preview) < o.Preview {
				res.Preview = append(res.Preview, previewOf(row, updates, d, book))
			}
		}
	}
	return run.res, run.readRows(ctx, src, rowNo, func(rec []string) *decodedRow {
		return decodeRow(rec, cols, cats, format == ImportXLSX)
	}, o.Progress)
}

// previewOf is a stored row as the preview shows it.
func previewOf(row int, updates bool, d *ListingData, book *importBook) ImportPreview {
	return ImportPreview{Row: row, Updates: updates, Name: d.Name, LegalForm: d.LegalForm, NIP: d.NIP,
		GminaTERYT: d.Address.GminaTERYT, GminaName: book.gminas[d.Address.GminaTERYT].Name, City: d.Address.City,
		Categories: append([]string(nil), d.Categories...)}
}

// importMode is what differs between an import and its dry run: whether
// chunks are kept, and who hears of each row stored (in row order, the
// listing as written).
type importMode struct {
	dryRun bool
	stored func(row int, updates bool, d *ListingData)
}

// errDryRun rolls a dry run's transaction back once its rows are written.
var errDryRun = errors.New("dry run: roll back")

// commit ends a chunk's or a row's transaction: nil commits it, and a dry
// run rolls it back.
func (m importMode) commit() error {
	if m.dryRun {
		return errDryRun
	}
	return nil
}

// heard tells the stored callback of a written row.
func (m importMode) heard(row int, updates bool, d *ListingData) {
	if m.stored != nil {
		m.stored(row, updates, d)
	}
}

func fileError(key string, cause ...error) error {
	return &Error{Code: EInvalid, Key: key, Fields: []FieldError{{Field: "file", Key: key}}, Err: errors.Join(cause...)}
}

// openImportSource opens the file, turning sheet's errors into the
// file's field errors.
func openImportSource(r io.Reader, format string) (sheet.Reader, error) {
	src, err := sheet.Open(r, format)
	switch {
	case errors.Is(err, sheet.ErrUnknownFormat):
		return nil, &Error{Code: EInvalid, Key: "import.format", Fields: []FieldError{{Field: "format", Key: "import.format"}}}
	case errors.Is(err, sheet.ErrNoSheet):
		return nil, fileError("import.empty")
	case err != nil:
		return nil, fileError("import.unreadable", err)
	}
	return src, nil
}

// readImportHeader finds the header: the first row naming a known column,
// as registers often open with a title row or two. Rows keep their
// spreadsheet numbers: rowNo is the header's.
func readImportHeader(src sheet.Reader) (header, cols []string, rowNo int, err error) {
	for ok := false; !ok; {
		header, err = src.Next()
		switch {
		case errors.Is(err, io.EOF) && rowNo == 0:
			return nil, nil, 0, fileError("import.empty")
		case errors.Is(err, io.EOF) || rowNo == sheet.MaxTitleRows:
			return nil, nil, 0, fileError("import.header")
		case err != nil:
			return nil, nil, 0, fileError("import.unreadable", err)
		}
		rowNo++
		cols, ok = sheet.Columns(header)
	}
	return header, cols, rowNo, nil
}

// importRun is one import under way: the rows waiting in a chunk (see
// importChunk) and the result so far.
type importRun struct {
	db    *DB
	t     *tenants.Tenant
	p     tenants.Principal
	book  *importBook
	res   *ImportResult
	chunk []importItem
	mode  importMode
}

// readRows reads the data rows after the header (row rowNo) into chunks;
// malformed lines wait in a chunk with the rows so the report keeps the
// file's order.
func (run *importRun) readRows(ctx context.Context, src sheet.Reader, rowNo int, decode func([]string) *decodedRow, progress func(int)) error {
	seen := map[string]int{} // "nip:…" and "krs:…" → the row that had it first
	rows := 0
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("import row %d: %w", rowNo+1, err)
		}
		rec, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		rowNo++
		var me *sheet.MalformedError
		switch {
		case errors.As(err, &me):
			run.chunk = append(run.chunk, importItem{row: rowNo, fields: []FieldError{{Key: "csv.malformed", Params: map[string]any{"Line": me.Line}}}})
		case err != nil:
			return errors.Join(run.flush(ctx), fmt.Errorf("import row %d: %w", rowNo, err))
		default:
			in := decode(rec)
			if in.empty {
				continue
			}
			in.row = rowNo
			in.checkRepeats(seen)
			run.chunk = append(run.chunk, importItem{row: rowNo, in: in})
		}
		rows++
		report := progress != nil && rows%importProgressEvery == 0
		if len(run.chunk) == importChunkSize || report {
			if err := run.flush(ctx); err != nil {
				return err
			}
		}
		if report {
			progress(rows)
		}
	}
	return run.flush(ctx)
}

// flush writes the waiting chunk and counts its outcomes.
func (run *importRun) flush(ctx context.Context) error {
	if len(run.chunk) == 0 {
		return nil
	}
	outcomes, fields, err := run.db.importChunk(ctx, run.t, run.p, run.chunk, run.book, run.mode)
	if err != nil {
		return fmt.Errorf("import rows %d–%d: %w", run.chunk[0].row, run.chunk[len(run.chunk)-1].row, err)
	}
	for i, it := range run.chunk {
		switch outcomes[i] {
		case rowInserted:
			run.res.Imported++
		case rowUpdated:
			run.res.Updated++
		default:
			run.res.Skipped++
			run.report(it.row, fields[i])
		}
	}
	run.chunk = run.chunk[:0]
	return nil
}

// report lists a skipped row's field errors, up to maxImportErrors.
func (run *importRun) report(row int, fields []FieldError) {
	res := run.res
	for _, f := range fields {
		if len(res.Errors) == maxImportErrors {
			res.Errors = append(res.Errors, ImportError{Key: "import.errors_truncated", Params: map[string]any{"Max": maxImportErrors}})
		}
		if len(res.Errors) > maxImportErrors {
			return
		}
		res.Errors = append(res.Errors, ImportError{Row: row, Field: f.Field, Key: f.Key, Params: f.Params})
	}
}

// categoryNames maps the tenant's category codes and Polish names, folded,
// to codes: a register may name a category either way.
func (db *DB) categoryNames(ctx context.Context, tenantID string) (map[string]string, error) {
	var list []struct {
		Code string `db:"code"`
		Name string `db:"name_pl"`
	}
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &list, `SELECT code, name_pl FROM categories WHERE tenant_id = $1`, tenantID)
	})
	if err != nil {
		return nil, fmt.Errorf("category names: %w", err)
	}
	m := make(map[string]string, 2*len(list))
	for _, c := range list {
		m[sheet.FoldWords(c.Name)] = c.Code
	}
	for _, c := range list {
		m[sheet.FoldWords(c.Code)] = c.Code
	}
	return m, nil
}
