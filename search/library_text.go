package search

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
	"unicode"
)

// PDF text for the library's index comes from Debian's pdftotext
// (poppler-utils), the maintained tool `make test` installs.

// Text statuses of a library file (store.NewLibraryFile.TextStatus).
const (
	TextOK     = "ok"      // a PDF with a text layer
	TextNone   = "no_text" // a PDF without one: a scan, flagged to the editor
	TextNotPDF = "not_pdf" // DOCX, XLSX: not read (yet)
)

// minLetters is how many letters a PDF needs to count as having text: a
// scan often carries a stray page number or a producer's stamp.
const minLetters = 20

// ExtractPDFText reads a PDF's text with pdftotext; a PDF whose text has
// fewer than minLetters letters is TextNone. A PDF pdftotext cannot read
// is an error.
func ExtractPDFText(ctx context.Context, pdf []byte) (string, string, error) {
	f, err := os.CreateTemp("", "library-*.pdf")
	if err != nil {
		return "", "", fmt.Errorf("pdf text: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(pdf); err != nil {
		f.Close()
		return "", "", fmt.Errorf("pdf text: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", "", fmt.Errorf("pdf text: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "pdftotext", "-q", "-enc", "UTF-8", f.Name(), "-").Output()
	if err != nil {
		return "", "", fmt.Errorf("pdftotext: %w", err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	letters := 0
	for _, r := range text {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	if letters < minLetters {
		return "", TextNone, nil
	}
	return text, TextOK, nil
}
