package registry

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// recorded seeds a fuzz target with the bodies (and content types) of the
// recorded answers in testdata/DIR.
func recorded(f *testing.F, dir string) [][2][]byte {
	f.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.http"))
	if len(files) == 0 {
		f.Fatalf("no recorded answers in testdata/%s", dir)
	}
	var out [][2][]byte
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		res, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), nil)
		if err != nil {
			f.Fatalf("%s: %v", name, err)
		}
		body, err := io.ReadAll(res.Body)
		if err != nil {
			f.Fatalf("%s: %v", name, err)
		}
		out = append(out, [2][]byte{body, []byte(res.Header.Get("Content-Type"))})
	}
	return out
}

// An entity a parser accepts names its source and has a name.
func checkEntity(t *testing.T, e Entity, source string) {
	if e.Source != source || e.Name == "" {
		t.Fatalf("accepted entity without source or name: %+v", e)
	}
}

func FuzzParseKRS(f *testing.F) {
	for _, r := range recorded(f, "krs") {
		f.Add(r[0])
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if e, err := ParseKRS(body); err == nil {
			checkEntity(t, e, KRS)
		}
	})
}

func FuzzParseVAT(f *testing.F) {
	for _, r := range recorded(f, "vat") {
		f.Add(r[0])
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if e, err := ParseVAT(body); err == nil {
			checkEntity(t, e, VAT)
			if e.RequestID == "" {
				t.Fatal("a white-list answer without requestId")
			}
		}
	})
}

// FuzzParseBIR runs the SOAP answer through both layers: the envelope (in
// MTOM or plain) and the XML rows inside its Result string.
func FuzzParseBIR(f *testing.F) {
	for _, r := range recorded(f, "bir") {
		f.Add(r[0], string(r[1]))
	}
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		s, err := ParseBIRResult(body, contentType)
		if err != nil {
			return
		}
		rows, err := ParseBIRRows(s)
		if err != nil {
			return
		}
		for _, row := range rows {
			e := BIREntity(row, "praw_")
			if e.Source != REGON {
				t.Fatalf("entity without source: %+v", e)
			}
			if g := e.Address.GminaTERYT; g != "" && len(g) != 7 {
				t.Fatalf("gmina TERYT %q is not 7 characters", g)
			}
		}
	})
}
