package store

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/xuri/excelize/v2"

	"katalogpes/store/ident"
	"katalogpes/store/polish"
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
	ImportCSV  = "csv"
	ImportXLSX = "xlsx"
)

const (
	importProgressEvery = 1000
	// maxImportErrors bounds the report of a file that is wrong throughout
	// (say, the wrong encoding): the rows are still counted as skipped.
	maxImportErrors = 1000
	// maxTitleRows is how far down the header may be.
	maxTitleRows = 10
	// maxXLSXUnzipped refuses zip bombs; excelize holds the archive in memory.
	maxXLSXUnzipped = 1 << 30
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
	// The header is the first row naming a known column: registers often
	// open with a title row or two. Rows keep their spreadsheet numbers.
	var cols []string
	rowNo := 0
	for ok = false; !ok; {
		header, err := src.Next()
		switch {
		case errors.Is(err, io.EOF) && rowNo == 0:
			return nil, fileError("import.empty")
		case errors.Is(err, io.EOF) || rowNo == maxTitleRows:
			return nil, fileError("import.header")
		case err != nil:
			return nil, fileError("import.unreadable", err)
		}
		rowNo++
		cols, ok = importColumns(header)
	}
	cats, err := db.categoryNames(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	book, err := db.loadImportBook(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	res := &ImportResult{Errors: []ImportError{}}
	report := func(row int, fields []FieldError) {
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
	// Rows wait in a chunk written in one transaction (see importChunk);
	// malformed lines wait with them so the report keeps the file's order.
	chunk := make([]importItem, 0, importChunkSize)
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		outcomes, fields, err := db.importChunk(ctx, t, p, chunk, book)
		if err != nil {
			return fmt.Errorf("import rows %d–%d: %w", chunk[0].row, chunk[len(chunk)-1].row, err)
		}
		for i, it := range chunk {
			switch outcomes[i] {
			case rowInserted:
				res.Imported++
			case rowUpdated:
				res.Updated++
			default:
				res.Skipped++
				report(it.row, fields[i])
			}
		}
		chunk = chunk[:0]
		return nil
	}
	seen := map[string]int{} // "nip:…" and "krs:…" → the row that had it first
	rows := 0
	for {
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("import row %d: %w", rowNo+1, err)
		}
		rec, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		rowNo++
		var pe *csv.ParseError
		switch {
		case errors.As(err, &pe):
			chunk = append(chunk, importItem{row: rowNo, fields: []FieldError{{Key: "csv.malformed", Params: map[string]any{"Line": pe.Line}}}})
		case err != nil:
			return res, errors.Join(flush(), fmt.Errorf("import row %d: %w", rowNo, err))
		default:
			in := decodeRow(rec, cols, cats, format == ImportXLSX)
			if in.empty {
				continue
			}
			in.row = rowNo
			in.checkRepeats(seen)
			chunk = append(chunk, importItem{row: rowNo, in: in})
		}
		rows++
		if len(chunk) == importChunkSize || progress != nil && rows%importProgressEvery == 0 {
			if err := flush(); err != nil {
				return res, err
			}
		}
		if progress != nil && rows%importProgressEvery == 0 {
			progress(rows)
		}
	}
	if err := flush(); err != nil {
		return res, err
	}
	return res, nil
}

func fileError(key string, cause ...error) error {
	return &Error{Code: EInvalid, Key: key, Fields: []FieldError{{Field: "file", Key: key}}, Err: errors.Join(cause...)}
}

type rowOutcome int

const (
	rowSkipped rowOutcome = iota
	rowInserted
	rowUpdated
)

// rowRejected rolls a row's transaction back with the row's field errors.
type rowRejected struct{ fields []FieldError }

func (e *rowRejected) Error() string { return Invalid(e.fields).Error() }

// importRow writes one row in one transaction: the matched listing is
// locked while the row is merged into it, validated and written.
func (db *DB) importRow(ctx context.Context, t *tenants.Tenant, p tenants.Principal, in *importRow) (rowOutcome, []FieldError, error) {
	var outcome rowOutcome
	verifiedBy := sql.NullString{String: p.AccountID, Valid: p.AccountID != ""}
	write := func(tx *sqlx.Tx) error {
		var cur struct {
			ID     string `db:"id"`
			Status string `db:"status"`
			Data   []byte `db:"data"`
		}
		// By NIP, else by KRS where one side has no NIP: a KRS shared by
		// two different NIPs is a conflict to report, not a match.
		if in.nip != "" || in.krs != "" {
			err := tx.GetContext(ctx, &cur, `
				SELECT id, status, data FROM listings
				WHERE tenant_id = $1 AND status <> 'archived'
				  AND ((nip = $2 AND $2 <> '') OR (krs = $3 AND $3 <> '' AND (nip IS NULL OR $2 = '')))
				ORDER BY coalesce(nip = $2, false) DESC, created_at
				LIMIT 1 FOR UPDATE`, t.ID, in.nip, in.krs)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("match listing: %w", err)
			}
		}
		// Two decodings of the stored document: one to compare against, one
		// to merge into (they share no slices or pointers).
		var before, next ListingData
		if cur.ID != "" {
			if err := json.Unmarshal(cur.Data, &before); err != nil {
				return fmt.Errorf("decode listing %s: %w", cur.ID, err)
			}
			_ = json.Unmarshal(cur.Data, &next)
		}
		fields := in.apply(&next)
		fields, err := mergeCheck(fields, db.checkListing(ctx, &next, t, cur.ID))
		if err != nil {
			return err
		}
		if len(fields) > 0 {
			return &rowRejected{fields}
		}
		// jsonb_text_array (migration 00001) fails on a JSON null.
		if next.Kinds == nil {
			next.Kinds = []string{}
		}
		if next.Categories == nil {
			next.Categories = []string{}
		}
		data, err := json.Marshal(next)
		if err != nil {
			return fmt.Errorf("encode listing: %w", err)
		}
		if cur.ID == "" {
			if err := tx.GetContext(ctx, &cur.ID, `
				INSERT INTO listings (tenant_id, owner_id, status, data, published_at, verified_at, verified_by, confirmed_at)
				VALUES ($1, NULL, 'published', $2, now(), now(), $3, now()) RETURNING id`,
				t.ID, data, verifiedBy); err != nil {
				return fmt.Errorf("insert listing: %w", err)
			}
			if err := addEvent(ctx, tx, t.ID, cur.ID, p, "import", "", StatusPublished, "", changedFields(ListingData{}, next)); err != nil {
				return err
			}
			outcome = rowInserted
			return enqueueIndex(ctx, tx, t.ID, cur.ID)
		}
		// A suspension is a moderator's decision the register does not undo.
		to := StatusPublished
		if cur.Status == StatusSuspended {
			to = StatusSuspended
		}
		changed := changedFields(before, next)
		if len(changed) == 0 && to == cur.Status {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE listings SET data = $2, status = $3::text,
			       status_reason = CASE WHEN $3::text = 'suspended' THEN status_reason ELSE '' END,
			       published_at = coalesce(published_at, now()), verified_at = now(), verified_by = $4,
			       confirmed_at = now(), updated_at = now()
			WHERE id = $1`, cur.ID, data, to, verifiedBy); err != nil {
			return fmt.Errorf("update listing %s: %w", cur.ID, err)
		}
		if err := addEvent(ctx, tx, t.ID, cur.ID, p, "import", cur.Status, to, "", changed); err != nil {
			return err
		}
		outcome = rowUpdated
		return enqueueIndex(ctx, tx, t.ID, cur.ID)
	}
	err := db.tx(ctx, write)
	var rej *rowRejected
	var se *Error
	switch {
	case err == nil:
		return outcome, nil, nil
	case errors.As(err, &rej):
		return rowSkipped, rej.fields, nil
	case errors.As(err, &se) && (se.Code == EInvalid || se.Code == EConflict):
		// A unique index caught what the duplicate check could not see yet.
		fields := se.Fields
		if len(fields) == 0 {
			fields = []FieldError{{Key: se.Key, Params: se.Params}}
		}
		return rowSkipped, fields, nil
	}
	return rowSkipped, nil, err
}

// mergeCheck adds the validation's field errors to the row's own, leaving
// out those on a field the row already reported (an undecodable cell
// fails its checks too), repeats, and echoes of a bad gmina.
func mergeCheck(fields []FieldError, err error) ([]FieldError, error) {
	if err == nil {
		return fields, nil
	}
	var se *Error
	if !errors.As(err, &se) || se.Code != EInvalid && se.Code != EConflict {
		return nil, err
	}
	seen := map[string]bool{}
	for _, f := range fields {
		seen[f.Field] = true
	}
	gmina := seen["address.gmina_teryt"]
	for _, f := range se.Fields {
		gmina = gmina || f.Field == "address.gmina_teryt"
	}
	for _, f := range se.Fields {
		// The file has no service area: the one derived from a bad gmina
		// only repeats the gmina's error.
		if gmina && strings.HasPrefix(f.Field, "service_area.") {
			continue
		}
		if !seen[f.Field] {
			seen[f.Field] = true
			fields = append(fields, f)
		}
	}
	if len(se.Fields) == 0 {
		fields = append(fields, FieldError{Key: se.Key, Params: se.Params})
	}
	return fields, nil
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
		m[importFoldWords(c.Name)] = c.Code
	}
	for _, c := range list {
		m[importFoldWords(c.Code)] = c.Code
	}
	return m, nil
}

// importSource yields records, the header first; io.EOF at the end.
type importSource interface {
	Next() ([]string, error)
	Close() error
}

func openImportSource(r io.Reader, format string) (importSource, error) {
	switch format {
	case ImportCSV:
		return newCSVSource(r)
	case ImportXLSX:
		f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: maxXLSXUnzipped})
		if err != nil {
			return nil, fileError("import.unreadable", err)
		}
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			f.Close()
			return nil, fileError("import.empty")
		}
		rows, err := f.Rows(sheets[0])
		if err != nil {
			f.Close()
			return nil, fileError("import.unreadable", err)
		}
		return &xlsxSource{f: f, rows: rows}, nil
	}
	return nil, &Error{Code: EInvalid, Key: "import.format", Fields: []FieldError{{Field: "format", Key: "import.format"}}}
}

type csvSource struct{ r *csv.Reader }

// newCSVSource drops a BOM and detects the separator, ';' or ','.
func newCSVSource(r io.Reader) (*csvSource, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\uFEFF")) {
		_, _ = br.Discard(3)
	}
	head, err := br.Peek(br.Size())
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fileError("import.unreadable", err)
	}
	cr := csv.NewReader(br)
	cr.Comma = detectComma(head)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return &csvSource{r: cr}, nil
}

// detectComma picks the separator that splits the header (the first of
// the first lines to name known columns) into more known columns; failing
// that, the one the first line uses more often outside quotes.
func detectComma(head []byte) rune {
	lines := bytes.SplitN(head, []byte("\n"), maxTitleRows+1)
	for i, line := range lines {
		if i == maxTitleRows {
			break
		}
		best, most := rune(0), 0
		for _, sep := range []rune{';', ','} {
			n := 0
			for _, cell := range strings.Split(string(line), string(sep)) {
				if importAliases[headerKey(strings.Trim(strings.TrimSpace(cell), `"`))] != "" {
					n++
				}
			}
			if n > most {
				best, most = sep, n
			}
		}
		if most > 0 {
			return best
		}
	}
	semi, comma, quoted := 0, 0, false
	for _, c := range lines[0] {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == ';':
			semi++
		case c == ',':
			comma++
		}
	}
	if comma > semi {
		return ','
	}
	return ';'
}

func (s *csvSource) Next() ([]string, error) { return s.r.Read() }
func (s *csvSource) Close() error            { return nil }

type xlsxSource struct {
	f    *excelize.File
	rows *excelize.Rows
}

func (s *xlsxSource) Next() ([]string, error) {
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return nil, err
		}
		return nil, io.EOF
	}
	// Raw values: a NIP or phone kept as a number must not come back as
	// 5.26E+09, nor a date in the sheet's display format.
	return s.rows.Columns(excelize.Options{RawCellValue: true})
}

func (s *xlsxSource) Close() error {
	s.rows.Close()
	return s.f.Close()
}

// importColumns maps header cells to the fields they fill; unknown columns
// are ignored, and a header with no known column is no register at all.
func importColumns(header []string) ([]string, bool) {
	cols := make([]string, len(header))
	taken := map[string]bool{}
	for i, h := range header {
		f := importAliases[headerKey(h)]
		if f != "" && !taken[f] {
			cols[i], taken[f] = f, true
		}
	}
	return cols, len(taken) > 0
}

// importAliases: the Polish column names regions use and the API's names,
// as headerKey folds them.
var importAliases = func() map[string]string {
	m := map[string]string{}
	for field, names := range map[string][]string{
		"name":                            {"nazwa", "name"},
		"short_name":                      {"nazwa_skrocona", "short_name"},
		"legal_form":                      {"forma_prawna", "legal_form"},
		"kinds":                           {"rodzaj", "rodzaje", "kinds"},
		"operator":                        {"operator", "podmiot_prowadzacy"},
		"nip":                             {"nip"},
		"krs":                             {"krs"},
		"regon":                           {"regon"},
		"address.street":                  {"ulica", "street", "address_street"},
		"address.postal_code":             {"kod_pocztowy", "postal_code", "address_postal_code"},
		"address.city":                    {"miejscowosc", "city", "address_city"},
		"address.gmina_teryt":             {"gmina_teryt", "teryt", "address_gmina_teryt"},
		"contact.email":                   {"email", "e_mail", "contact_email"},
		"contact.phone":                   {"telefon", "phone", "contact_phone"},
		"contact.website":                 {"www", "website", "strona_www", "contact_website"},
		"description":                     {"opis", "description"},
		"categories":                      {"kategorie", "categories"},
		"employment.total":                {"zatrudnieni", "employment_total"},
		"employment.at_risk":              {"zagrozeni_wykluczeniem", "employment_at_risk"},
		"employment.as_of":                {"stan_na", "employment_as_of"},
		"social_enterprise.decision_no":   {"ps_decyzja_nr", "social_enterprise_decision_no"},
		"social_enterprise.decision_date": {"ps_decyzja_data", "social_enterprise_decision_date"},
		"geo.lat":                         {"lat", "geo_lat"},
		"geo.lng":                         {"lng", "lon", "geo_lng"},
		"founded_year":                    {"rok_zalozenia", "founded_year"},
	} {
		for _, n := range names {
			m[n] = field
		}
	}
	return m
}()

// importFoldWords folds s and turns separators (space, _, -, and a stray
// byte-order mark) into single spaces: "Spółdzielnia socjalna" and
// "spoldzielnia_socjalna" meet.
func importFoldWords(s string) string {
	return strings.Join(strings.FieldsFunc(polish.Fold(s), func(r rune) bool {
		return r == ' ' || r == '_' || r == '-' || r == '\u00A0' || r == '\t' || r == '\uFEFF'
	}), " ")
}

// headerKey folds a column name: "Kod pocztowy" → kod_pocztowy.
func headerKey(s string) string {
	return strings.Join(strings.FieldsFunc(polish.Fold(s), func(r rune) bool {
		return r == ' ' || r == '_' || r == '-' || r == '.' || r == '/' || r == '\u00A0' || r == '\t' || r == '\uFEFF'
	}), "_")
}

// legalFormNames maps DOMAIN.md's Polish names, and the codes themselves,
// folded, to codes.
var legalFormNames = func() map[string]string {
	m := map[string]string{
		"spoldzielnia inwalidow lub niewidomych":  "spoldzielnia_inwalidow",
		"spoldzielnia inwalidow i niewidomych":    "spoldzielnia_inwalidow",
		"spoldzielnia niewidomych":                "spoldzielnia_inwalidow",
		"stowarzyszenie zwykle":                   "stowarzyszenie",
		"stowarzyszenie rejestrowe":               "stowarzyszenie",
		"kolo gospodyn wiejskich":                 "kgw",
		"spolka non profit":                       "spolka_non_profit",
		"spolka z o.o. non profit":                "spolka_non_profit",
		"spolka z ograniczona odpowiedzialnoscia": "spolka_non_profit",
		"spolka z o.o.":                           "spolka_non_profit",
		"sp. z o.o.":                              "spolka_non_profit",
		"spolka akcyjna":                          "spolka_non_profit",
		"s.a.":                                    "spolka_non_profit",
		"klub sportowy":                           "spolka_non_profit",
		"jednostka samorzadu terytorialnego":      "jst",
		"inna forma":                              "inna",
		"inne":                                    "inna",
		"spolka z ograniczona odpowiedzialnoscia non profit": "spolka_non_profit",
	}
	for _, c := range LegalForms {
		m[importFoldWords(c)] = c
	}
	return m
}()

// kindNames maps the kinds' codes and full Polish names, folded, to codes.
var kindNames = func() map[string]string {
	m := map[string]string{
		"centrum integracji spolecznej": "cis",
		"klub integracji spolecznej":    "kis",
		"warsztat terapii zajeciowej":   "wtz",
		"zaklad aktywnosci zawodowej":   "zaz",
		"zaklad pracy chronionej":       "zpch",
	}
	for _, c := range Kinds {
		m[importFoldWords(c)] = c
	}
	return m
}()

// importLookup returns the code a name folds to, else the value as given
// (and validation names it unknown).
func importLookup(names map[string]string, v string) string {
	if c, ok := names[importFoldWords(v)]; ok {
		return c
	}
	return v
}

// importRow is one data row, decoded: its non-empty cells by field, the
// identifiers it is matched on and what was wrong before validation.
type importRow struct {
	row      int
	empty    bool
	values   map[string]string
	nip, krs string
	errs     []FieldError
}

func decodeRow(rec, cols []string, cats map[string]string, xlsx bool) *importRow {
	in := &importRow{values: make(map[string]string, len(cols)), empty: true}
	for i, v := range rec {
		if i >= len(cols) || cols[i] == "" {
			if strings.TrimSpace(v) != "" {
				in.empty = false
			}
			continue
		}
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		in.empty = false
		if !utf8.ValidString(v) {
			in.errs = append(in.errs, FieldError{Field: cols[i], Key: "encoding"})
			v = strings.ToValidUTF8(v, "\uFFFD")
		}
		in.values[cols[i]] = cellValue(cols[i], v, cats, xlsx)
	}
	if v := in.values["nip"]; v != "" {
		in.nip, _ = ident.NormalizeNIP(v)
	}
	if v := in.values["krs"]; v != "" {
		in.krs, _ = ident.NormalizeKRS(v)
	}
	return in
}

var (
	dmyRe      = regexp.MustCompile(`^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$`)
	isoStampRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}[ T]`)
	listSepRe  = regexp.MustCompile(`[,;|]`)
	catSepRe   = regexp.MustCompile(`[,|]`)
)

// cellValue undoes what spreadsheets do to values: codes that lost their
// leading zero, dates as day.month.year or as serial numbers, names where
// codes are expected. Lists come back joined by '|'.
func cellValue(field, v string, cats map[string]string, xlsx bool) string {
	switch field {
	case "legal_form":
		return importLookup(legalFormNames, v)
	case "kinds":
		return importList(listSepRe.Split(v, -1), kindNames)
	case "categories":
		return importList(catSepRe.Split(v, -1), cats)
	case "address.gmina_teryt":
		return padDigits(v, 7, 6)
	case "address.postal_code":
		return padDigits(v, 5, 3)
	case "employment.as_of", "social_enterprise.decision_date":
		if m := dmyRe.FindStringSubmatch(v); m != nil {
			day, _ := strconv.Atoi(m[1])
			month, _ := strconv.Atoi(m[2])
			return fmt.Sprintf("%s-%02d-%02d", m[3], month, day)
		}
		if isoStampRe.MatchString(v) {
			return v[:10]
		}
		if f, err := strconv.ParseFloat(v, 64); err == nil && xlsx && f >= 1 {
			if t, err := excelize.ExcelDateToTime(f, false); err == nil {
				return t.Format("2006-01-02")
			}
		}
	}
	return v
}

func importList(items []string, names map[string]string) string {
	out := items[:0]
	for _, it := range items {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, importLookup(names, it))
		}
	}
	return strings.Join(out, "|")
}

// padDigits restores leading zeros a number cell dropped from a code of
// width digits, when at least min digits are left.
func padDigits(v string, width, min int) string {
	if len(v) >= min && len(v) < width && strings.Trim(v, "0123456789") == "" {
		return strings.Repeat("0", width-len(v)) + v
	}
	return v
}

// checkRepeats refuses a NIP or KRS an earlier row of the file has.
func (in *importRow) checkRepeats(seen map[string]int) {
	for _, k := range []struct{ field, val string }{{"nip", in.nip}, {"krs", in.krs}} {
		if k.val == "" {
			continue
		}
		if first, ok := seen[k.field+":"+k.val]; ok {
			in.errs = append(in.errs, FieldError{Field: k.field, Key: k.field + ".duplicate", Params: map[string]any{"Row": first}})
			continue
		}
		seen[k.field+":"+k.val] = in.row
	}
}

// apply writes the row's cells into d (empty, or the matched listing's
// data) and returns the cells that are no valid value at all.
func (in *importRow) apply(d *ListingData) []FieldError {
	errs := append([]FieldError(nil), in.errs...)
	str := map[string]*string{
		"name": &d.Name, "short_name": &d.ShortName, "legal_form": &d.LegalForm, "operator": &d.Operator,
		"nip": &d.NIP, "krs": &d.KRS, "regon": &d.REGON, "description": &d.Description,
		"address.street": &d.Address.Street, "address.postal_code": &d.Address.PostalCode,
		"address.city": &d.Address.City, "address.gmina_teryt": &d.Address.GminaTERYT,
		"contact.email": &d.Contact.Email, "contact.phone": &d.Contact.Phone, "contact.website": &d.Contact.Website,
	}
	for f, p := range str {
		if v, ok := in.values[f]; ok {
			*p = v
		}
	}
	if v, ok := in.values["kinds"]; ok {
		d.Kinds = strings.Split(v, "|")
	}
	if v, ok := in.values["categories"]; ok {
		d.Categories = strings.Split(v, "|")
	}
	num := func(field string, dst *int) {
		v, ok := in.values[field]
		if !ok {
			return
		}
		f, err := strconv.ParseFloat(strings.ReplaceAll(strings.Map(dropSpace, v), ",", "."), 64)
		if err != nil || f != float64(int(f)) {
			errs = append(errs, FieldError{Field: field, Key: "type.invalid", Params: map[string]any{"Type": "int"}})
			return
		}
		*dst = int(f)
	}
	num("founded_year", &d.FoundedYear)
	if in.any("employment.total", "employment.at_risk", "employment.as_of") {
		e := &Employment{}
		if d.Employment != nil {
			e = d.Employment
		}
		num("employment.total", &e.Total)
		num("employment.at_risk", &e.AtRisk)
		if v, ok := in.values["employment.as_of"]; ok {
			e.AsOf = v
		}
		d.Employment = e
	}
	if in.any("social_enterprise.decision_no", "social_enterprise.decision_date") {
		se := &SocialEnterprise{}
		if d.SocialEnterprise != nil {
			se = d.SocialEnterprise
		}
		if v, ok := in.values["social_enterprise.decision_no"]; ok {
			se.DecisionNo = v
		}
		if v, ok := in.values["social_enterprise.decision_date"]; ok {
			se.DecisionDate = v
		}
		d.SocialEnterprise = se
	}
	if in.any("geo.lat", "geo.lng") {
		g, bad := &Geo{}, len(errs)
		if d.Geo != nil {
			g = d.Geo
		}
		for _, c := range []struct {
			field string
			dst   *float64
		}{{"geo.lat", &g.Lat}, {"geo.lng", &g.Lng}} {
			v, ok := in.values[c.field]
			if !ok {
				if d.Geo == nil {
					errs = append(errs, FieldError{Field: c.field, Key: "required"})
				}
				continue
			}
			f, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64)
			if err != nil {
				errs = append(errs, FieldError{Field: c.field, Key: "type.invalid", Params: map[string]any{"Type": "number"}})
				continue
			}
			*c.dst = f
		}
		if len(errs) == bad {
			d.Geo = g
		}
	}
	return errs
}

func (in *importRow) any(fields ...string) bool {
	for _, f := range fields {
		if _, ok := in.values[f]; ok {
			return true
		}
	}
	return false
}

func dropSpace(r rune) rune {
	if r == ' ' || r == '\u00A0' || r == '\u202F' {
		return -1
	}
	return r
}
