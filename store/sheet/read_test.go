package sheet_test

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"katalogpes/store/sheet"
)

func readAll(t *testing.T, file []byte, format string) [][]string {
	t.Helper()
	r, err := sheet.Open(bytes.NewReader(file), format)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out [][]string
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, slices.Clone(rec))
	}
}

func TestCSVReaderDetectsTheSeparatorAndDropsTheBOM(t *testing.T) {
	for name, file := range map[string]string{
		"semicolon":                    "nazwa;nip;miejscowość\nSpółdzielnia A, B;5260250274;Gliwice\n",
		"comma with a BOM":             "\uFEFFnazwa,nip,miejscowość\n\"Spółdzielnia A, B\",5260250274,Gliwice\n",
		"comma, title row with ';'":    "Rejestr; stan na 2024\nNazwa,NIP,Miejscowość\n\"Spółdzielnia A, B\",5260250274,Gliwice\n",
		"API names, semicolon, quotes": "name;nip;address.city\n\"Spółdzielnia A, B\";5260250274;Gliwice\n",
	} {
		t.Run(name, func(t *testing.T) {
			recs := readAll(t, []byte(file), sheet.CSV)
			last := recs[len(recs)-1]
			if !slices.Equal(last, []string{"Spółdzielnia A, B", "5260250274", "Gliwice"}) {
				t.Fatalf("records %q", recs)
			}
			cols, ok := sheet.Columns(recs[len(recs)-2])
			if !ok || !slices.Equal(cols, []string{"name", "nip", "address.city"}) {
				t.Fatalf("columns %q of %q", cols, recs[len(recs)-2])
			}
		})
	}
}

func TestCSVReaderUndoesTheEscapeOfItsOwnExports(t *testing.T) {
	var buf bytes.Buffer
	w, err := sheet.NewCSVWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"nazwa", "telefon", "opis"}, {`+1+HYPERLINK("http://x")`, "+48 601 234 567", "=1+1"}, {"-12", "- wolontariat", "'abc"}}
	for _, rec := range want {
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, buf.Bytes(), sheet.CSV); !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("read back %q, want %q", got, want)
	}
}

func TestCSVReaderReportsAMalformedLineAndGoesOn(t *testing.T) {
	r, err := sheet.Open(strings.NewReader("nazwa;nip\n\"bez końca;1\"x\nDobra;5260250274\n"), sheet.CSV)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	var me *sheet.MalformedError
	if _, err := r.Next(); !errors.As(err, &me) || me.Line != 2 {
		t.Fatalf("malformed line: %v", err)
	}
	if rec, err := r.Next(); err != nil || rec[0] != "Dobra" {
		t.Fatalf("after it: %q, %v", rec, err)
	}
}

func TestOpenRefusesUnknownFormatsAndUnreadableWorkbooks(t *testing.T) {
	if _, err := sheet.Open(strings.NewReader("x"), "ods"); !errors.Is(err, sheet.ErrUnknownFormat) {
		t.Fatalf("ods: %v", err)
	}
	if _, err := sheet.Open(strings.NewReader("nazwa;nip"), sheet.XLSX); err == nil || errors.Is(err, sheet.ErrUnknownFormat) {
		t.Fatalf("CSV as XLSX: %v", err)
	}
}

func TestXLSXReaderGivesRawCellValues(t *testing.T) {
	f := excelize.NewFile()
	_ = f.SetSheetRow("Sheet1", "A1", &[]any{"NIP", "Stan na"})
	_ = f.SetSheetRow("Sheet1", "A2", &[]any{5260250274, 45292})
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	_ = f.SetCellStyle("Sheet1", "B2", "B2", style)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	recs := readAll(t, buf.Bytes(), sheet.XLSX)
	if len(recs) != 2 || recs[1][0] != "5260250274" || sheet.Date(recs[1][1], true) != "2024-01-01" {
		t.Fatalf("records %q", recs)
	}
}

func TestDatePadDigitsAndHeaderKeyUndoWhatSpreadsheetsDo(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{sheet.Date("1.3.2024", false), "2024-03-01"},
		{sheet.Date("2024-03-01 00:00:00", false), "2024-03-01"},
		{sheet.Date("45292", false), "45292"},
		{sheet.PadDigits("246601", 7, 6), "0246601"},
		{sheet.PadDigits("4100", 5, 3), "04100"},
		{sheet.PadDigits("44-100", 5, 3), "44-100"},
		{sheet.HeaderKey("Kod pocztowy"), "kod_pocztowy"},
		{sheet.HeaderKey("\uFEFFZagrożeni wykluczeniem"), "zagrozeni_wykluczeniem"},
		{sheet.FoldWords("Spółdzielnia  socjalna"), "spoldzielnia socjalna"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
