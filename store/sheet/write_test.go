package sheet_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

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
