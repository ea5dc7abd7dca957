package sheet_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"katalogpes/store/sheet"
)

func TestCSVWriterWritesBOMSemicolonsCRLFAndEscapedCells(t *testing.T) {
	var buf bytes.Buffer
	w, err := sheet.NewCSVWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	_ = w.Write([]string{"nazwa", "liczba"})
	_ = w.Write([]string{`+1+HYPERLINK("http://x")`, "-12"})
	_ = w.Write([]string{"@SUM(A1)", "3,5"})
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "\uFEFFnazwa;liczba\r\n\"'+1+HYPERLINK(\"\"http://x\"\")\";-12\r\n'@SUM(A1);3,5\r\n"
	if buf.String() != want {
		t.Fatalf("wrote %q, want %q", buf.String(), want)
	}
}

func TestJSONWriterAppendsItemsAndCountToTheHead(t *testing.T) {
	var buf bytes.Buffer
	w, err := sheet.NewJSONWriter(&buf, struct {
		License string `json:"license"`
	}{"CC BY 4.0"}, "items")
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range []map[string]int{{"a": 1}, {"b": 2}} {
		if err := w.Write(it); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		License string           `json:"license"`
		Items   []map[string]int `json:"items"`
		Count   int              `json:"count"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil || doc.License != "CC BY 4.0" || len(doc.Items) != 2 || doc.Count != 2 {
		t.Fatalf("%s: %+v, %v", buf.Bytes(), doc, err)
	}
	if _, err := sheet.NewJSONWriter(&buf, []int{1}, "items"); err == nil {
		t.Fatal("a head that is no object was taken")
	}
}

// In an XLSX a text cell is text: "=1+1" stays a string, never a formula,
// so the writer keeps it as it is and the importer reads it back unchanged.
func TestXLSXWriterWritesHeaderRowsAndInfoSheet(t *testing.T) {
	var buf bytes.Buffer
	w, err := sheet.NewXLSXWriter(&buf, sheet.XLSXBook{Sheet: "Podmioty", Header: []string{"nazwa", "liczba"},
		InfoSheet: "Licencja", Info: [][2]string{{"Licencja", "CC BY 4.0"}}, Title: "Katalog PES"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write([]any{"=1+1", 12.0}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Podmioty")
	formula, _ := f.GetCellFormula("Podmioty", "A2")
	info, _ := f.GetCellValue("Licencja", "B1")
	if strings.Join(rows[0], ",") != "nazwa,liczba" || rows[1][0] != "=1+1" || rows[1][1] != "12" || formula != "" || info != "CC BY 4.0" {
		t.Fatalf("rows %q, formula %q, info %q", rows, formula, info)
	}
}

// The rows sheet has its widths, a frozen header and an autofilter over
// header and rows; a Day is a date cell, a string a text cell however
// numeric it looks.
func TestXLSXWriterFreezesFiltersAndTypesCells(t *testing.T) {
	var buf bytes.Buffer
	w, err := sheet.NewXLSXWriter(&buf, sheet.XLSXBook{Sheet: "Podmioty", Header: []string{"teryt", "data", "liczba"},
		Widths: []float64{12, 14}})
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	for range 3 {
		if err := w.Write([]any{"0261011", sheet.Day(day), 7.0}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	panes, err := f.GetPanes("Podmioty")
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Fatalf("panes %+v, %v", panes, err)
	}
	names := f.GetDefinedName()
	if len(names) != 1 || names[0].Name != "_xlnm._FilterDatabase" || names[0].RefersTo != "'Podmioty'!$A$1:$C$4" {
		t.Fatalf("defined names %+v: no autofilter over A1:C4", names)
	}
	if width, _ := f.GetColWidth("Podmioty", "A"); width != 12 {
		t.Fatalf("column A is %v wide", width)
	}
	types := map[string]excelize.CellType{"A2": excelize.CellTypeInlineString, "B2": excelize.CellTypeUnset, "C2": excelize.CellTypeUnset}
	for cell, want := range types {
		if typ, _ := f.GetCellType("Podmioty", cell); typ != want {
			t.Errorf("%s is of type %v, want %v", cell, typ, want)
		}
	}
	teryt, _ := f.GetCellValue("Podmioty", "A2")
	raw, _ := f.GetCellValue("Podmioty", "B2", excelize.Options{RawCellValue: true})
	style, _ := f.GetCellStyle("Podmioty", "B2")
	st, _ := f.GetStyle(style)
	if teryt != "0261011" || raw != "45352" || st == nil || st.NumFmt != 14 {
		t.Fatalf("teryt %q, date raw %q, style %+v", teryt, raw, st)
	}
}
