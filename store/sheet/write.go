package sheet

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"
)

// CSVWriter writes ';'-separated UTF-8 with a BOM and CRLF, as Excel in
// Poland opens without an import wizard, every cell through Escape. It is
// the product's one CSV writer.
type CSVWriter struct {
	bw  *bufio.Writer
	cw  *csv.Writer
	rec []string
}

// NewCSVWriter starts a CSV document on w with its BOM.
func NewCSVWriter(w io.Writer) (*CSVWriter, error) {
	bw := bufio.NewWriterSize(w, 32<<10)
	if _, err := bw.WriteString("\uFEFF"); err != nil {
		return nil, fmt.Errorf("write BOM: %w", err)
	}
	cw := csv.NewWriter(bw)
	cw.Comma = ';'
	cw.UseCRLF = true
	return &CSVWriter{bw: bw, cw: cw}, nil
}

// Write writes one record; it reaches w on Flush or when the buffer fills.
func (w *CSVWriter) Write(rec []string) error {
	w.rec = w.rec[:0]
	for _, v := range rec {
		w.rec = append(w.rec, Escape(v))
	}
	return w.cw.Write(w.rec)
}

// Flush sends what was written to w.
func (w *CSVWriter) Flush() error {
	w.cw.Flush()
	if err := w.cw.Error(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	if err := w.bw.Flush(); err != nil {
		return fmt.Errorf("write CSV: %w", err)
	}
	return nil
}

// JSONWriter writes one JSON object: the members of a head object, then
// an array of items under a key and their count, an item at a time.
type JSONWriter struct {
	bw *bufio.Writer
	n  int
}

// NewJSONWriter starts {…head's members…, "key":[ on w; head must
// marshal to a non-empty object.
func NewJSONWriter(w io.Writer, head any, key string) (*JSONWriter, error) {
	raw, err := json.Marshal(head)
	if err != nil || len(raw) < 3 || raw[0] != '{' {
		return nil, fmt.Errorf("encode JSON head %s: not an object (%v)", raw, err)
	}
	k, _ := json.Marshal(key)
	bw := bufio.NewWriterSize(w, 32<<10)
	// Reopen the head object to append the items to it.
	_, _ = bw.Write(raw[:len(raw)-1])
	_, _ = fmt.Fprintf(bw, ",%s:[", k)
	return &JSONWriter{bw: bw}, nil
}

// Write appends one item, on its own line.
func (w *JSONWriter) Write(item any) error {
	raw, err := json.Marshal(item)
	if err != nil {
		return err
	}
	if w.n > 0 {
		_ = w.bw.WriteByte(',')
	}
	_ = w.bw.WriteByte('\n')
	if _, err := w.bw.Write(raw); err != nil {
		return err
	}
	w.n++
	return nil
}

// Flush sends what was written to w.
func (w *JSONWriter) Flush() error { return w.bw.Flush() }

// Close ends the array, adds "count" and ends the object.
func (w *JSONWriter) Close() error {
	if _, err := fmt.Fprintf(w.bw, "\n],\"count\":%d}\n", w.n); err != nil {
		return err
	}
	return w.bw.Flush()
}

// XLSXBook describes a workbook: rows go on its first sheet under a bold,
// frozen header with an autofilter; Info becomes a second sheet of label
// and value pairs.
type XLSXBook struct {
	Sheet  string
	Header []string
	// Widths are the columns' widths in characters, in Header's order;
	// a missing or zero width is excelize's default.
	Widths      []float64
	InfoSheet   string
	Info        [][2]string
	Title       string
	Description string
	Created     string
}

// Day is a calendar day: an XLSX date cell (a serial number shown as a
// date), where a string would be text and time.Time a date and time.
type Day time.Time

// XLSXWriter streams rows through excelize's stream writer (spilled to a
// temporary file when large); the workbook is written to w on Close.
// Text cells are not escaped: in XLSX a string cell is never a formula.
type XLSXWriter struct {
	w          io.Writer
	f          *excelize.File
	sw         *excelize.StreamWriter
	sheet      string
	cols, row  int
	dateStyle  int
	stampStyle int
	cells      []any
}

// NewXLSXWriter starts the workbook b describes.
func NewXLSXWriter(w io.Writer, b XLSXBook) (*XLSXWriter, error) {
	f := excelize.NewFile()
	xw := &XLSXWriter{w: w, f: f, sheet: b.Sheet, cols: len(b.Header), row: 1}
	var err error
	if xw.sw, err = startBook(f, b); err == nil {
		xw.dateStyle, err = f.NewStyle(&excelize.Style{NumFmt: 14}) // yyyy-mm-dd in the reader's locale
	}
	if err == nil {
		xw.stampStyle, err = f.NewStyle(&excelize.Style{NumFmt: 22})
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("start workbook: %w", err)
	}
	return xw, nil
}

func startBook(f *excelize.File, b XLSXBook) (*excelize.StreamWriter, error) {
	if err := f.SetSheetName("Sheet1", b.Sheet); err != nil {
		return nil, err
	}
	if b.InfoSheet != "" {
		if _, err := f.NewSheet(b.InfoSheet); err != nil {
			return nil, err
		}
		for i, kv := range b.Info {
			if err := f.SetSheetRow(b.InfoSheet, fmt.Sprintf("A%d", i+1), &[]string{kv[0], kv[1]}); err != nil {
				return nil, err
			}
		}
	}
	if err := f.SetDocProps(&excelize.DocProperties{Title: b.Title, Description: b.Description, Created: b.Created}); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(b.Sheet)
	if err != nil {
		return nil, err
	}
	for i, width := range b.Widths {
		if width > 0 {
			if err := sw.SetColWidth(i+1, i+1, width); err != nil {
				return nil, err
			}
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	head := make([]any, len(b.Header))
	for i, h := range b.Header {
		head[i] = h
	}
	return sw, sw.SetRow("A1", head, excelize.RowOpts{StyleID: bold})
}

// Write adds a row below the last; a value is a string (a text cell), a
// number, a Day or a time.Time (a date and time cell).
func (w *XLSXWriter) Write(vals []any) error {
	w.row++
	w.cells = w.cells[:0]
	for _, v := range vals {
		switch x := v.(type) {
		case Day:
			v = excelize.Cell{StyleID: w.dateStyle, Value: time.Time(x)}
		case time.Time:
			v = excelize.Cell{StyleID: w.stampStyle, Value: x}
		}
		w.cells = append(w.cells, v)
	}
	cell, _ := excelize.CoordinatesToCellName(1, w.row)
	if err := w.sw.SetRow(cell, w.cells); err != nil {
		return fmt.Errorf("write row %d: %w", w.row, err)
	}
	return nil
}

// Close sets the autofilter over the header and rows and writes the
// workbook to w.
func (w *XLSXWriter) Close() error {
	defer w.f.Close()
	// Before Flush: the stream writer writes the sheet's autoFilter
	// element from the worksheet AutoFilter fills.
	last, _ := excelize.CoordinatesToCellName(max(w.cols, 1), w.row)
	if err := w.f.AutoFilter(w.sheet, "A1:"+last, nil); err != nil {
		return fmt.Errorf("set autofilter: %w", err)
	}
	if err := w.sw.Flush(); err != nil {
		return fmt.Errorf("finish sheet: %w", err)
	}
	if err := w.f.Write(w.w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}
