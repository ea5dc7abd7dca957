package store

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"katalogpes/store/sheet"
)

// FuzzImportRows reads a CSV file as the importer does, its cells taken
// as CSV or as XLSX cells (sheet's reader,
// the header search, the row decoder and its merge into a listing).
// Properties: no panic; every complaint names a field or a line; a row
// that decodes and normalises cleanly normalises again after a JSON round
// trip, unchanged.
func FuzzImportRows(f *testing.F) {
	for _, s := range []string{
		"Nazwa;NIP;Forma prawna;Kod TERYT gminy;Kod pocztowy;Miejscowość\r\nSpółdzielnia Kłos;5260250274;spółdzielnia socjalna;2469011;40-014;Katowice\r\n",
		"\ufeffname,nip,legal_form,address.gmina_teryt\nFundacja,526-025-02-74,fundacja,246901\n",
		"Rejestr PES 2024\n\nnazwa;kategorie;data decyzji PS\nX;catering|sprzątanie;31.12.2023\n",
		"nazwa;zatrudnieni;w tym zagrożeni\nX;abc;-3\n",
		"nazwa;szerokość;długość\nX;52,2;21.0\n",
		"\"unterminated\nnazwa\n",
		"",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	cats := map[string]string{"catering": "catering", "sprzatanie": "sprzatanie"}
	f.Fuzz(func(t *testing.T, file []byte, xlsxCells bool) {
		src, err := openImportSource(strings.NewReader(string(file)), ImportCSV)
		if err != nil {
			assertFieldError(t, err)
			return
		}
		defer src.Close()
		_, cols, _, err := readImportHeader(src)
		if err != nil {
			assertFieldError(t, err)
			return
		}
		for i := 0; i < 50; i++ {
			rec, err := src.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			var malformed *sheet.MalformedError
			if errors.As(err, &malformed) {
				continue
			}
			if err != nil {
				t.Fatalf("reading a record: %v", err)
			}
			// xlsxCells reads the cells as an XLSX sheet gives them (serial
			// dates, numbers that lost their zeros).
			in := decodeRow(rec, cols, cats, xlsxCells)
			var d ListingData
			errs := append(in.errs, in.apply(&d)...)
			for _, fe := range errs {
				if fe.Field == "" || fe.Key == "" {
					t.Fatalf("a complaint without its field: %+v", fe)
				}
			}
			if len(errs) > 0 || len(d.normalize()) > 0 {
				continue
			}
			raw, err := json.Marshal(d)
			if err != nil {
				t.Fatalf("encode %+v: %v", d, err)
			}
			var back ListingData
			if err := json.Unmarshal(raw, &back); err != nil {
				t.Fatalf("decode %s: %v", raw, err)
			}
			if errs := back.normalize(); len(errs) > 0 {
				t.Fatalf("%s normalised once but not twice: %+v", raw, errs)
			}
			if again, _ := json.Marshal(back); string(again) != string(raw) {
				t.Fatalf("normalising changed a normalised row:\n%s\n%s", raw, again)
			}
		}
	})
}

func assertFieldError(t *testing.T, err error) {
	t.Helper()
	var se *Error
	if !errors.As(err, &se) || se.Code != EInvalid || len(se.Fields) == 0 {
		t.Fatalf("refusal %v is not a field error", err)
	}
}
