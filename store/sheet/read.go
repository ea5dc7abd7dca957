package sheet

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Spreadsheet formats.
const (
	CSV  = "csv"
	XLSX = "xlsx"
)

// maxXLSXUnzipped refuses zip bombs; excelize holds the archive in memory.
const maxXLSXUnzipped = 1 << 30

var (
	// ErrUnknownFormat is a format other than CSV and XLSX.
	ErrUnknownFormat = errors.New("unknown spreadsheet format")
	// ErrNoSheet is a workbook without a sheet.
	ErrNoSheet = errors.New("workbook has no sheet")
)

// MalformedError is a CSV line the reader could not split into cells
// (a stray quote); the next call to Next goes on with the next line.
type MalformedError struct {
	Line int
	Err  error
}

func (e *MalformedError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *MalformedError) Unwrap() error { return e.Err }

// Reader yields a sheet's records one at a time, io.EOF at the end. A
// record is valid until the next call.
type Reader interface {
	Next() ([]string, error)
	Close() error
}

// Open reads r as CSV or as the first sheet of an XLSX. Any error but
// ErrUnknownFormat and ErrNoSheet means the file is unreadable.
func Open(r io.Reader, format string) (Reader, error) {
	switch format {
	case CSV:
		return newCSVReader(r)
	case XLSX:
		return openXLSX(r)
	}
	return nil, fmt.Errorf("open %q: %w", format, ErrUnknownFormat)
}

type csvReader struct{ r *csv.Reader }

// newCSVReader drops a BOM and detects the separator, ';' or ','.
func newCSVReader(r io.Reader) (*csvReader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\uFEFF")) {
		_, _ = br.Discard(3)
	}
	head, err := br.Peek(br.Size())
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("read CSV: %w", err)
	}
	cr := csv.NewReader(br)
	cr.Comma = detectComma(head)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return &csvReader{r: cr}, nil
}

// Next undoes Escape on every cell, so an export reads back as it was.
func (s *csvReader) Next() ([]string, error) {
	rec, err := s.r.Read()
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return nil, &MalformedError{Line: pe.Line, Err: err}
	}
	for i, v := range rec {
		rec[i] = Unescape(v)
	}
	return rec, err
}

func (s *csvReader) Close() error { return nil }

// detectComma picks the separator that splits the header (the first of
// the first lines to name known columns) into more known columns; failing
// that, the one the first line uses more often outside quotes.
func detectComma(head []byte) rune {
	lines := bytes.SplitN(head, []byte("\n"), MaxTitleRows+1)
	for i, line := range lines {
		if i == MaxTitleRows {
			break
		}
		best, most := rune(0), 0
		for _, sep := range []rune{';', ','} {
			n := 0
			for _, cell := range strings.Split(string(line), string(sep)) {
				if isColumn(strings.Trim(strings.TrimSpace(cell), `"`)) {
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

type xlsxReader struct {
	f    *excelize.File
	rows *excelize.Rows
}

func openXLSX(r io.Reader) (*xlsxReader, error) {
	f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: maxXLSXUnzipped})
	if err != nil {
		return nil, fmt.Errorf("open workbook: %w", err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, ErrNoSheet
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read sheet %q: %w", sheets[0], err)
	}
	return &xlsxReader{f: f, rows: rows}, nil
}

func (s *xlsxReader) Next() ([]string, error) {
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

func (s *xlsxReader) Close() error {
	s.rows.Close()
	return s.f.Close()
}
