// Package sheet reads and writes the spreadsheets the catalog exchanges
// with people: CSV as Excel in Poland opens it and XLSX through excelize,
// with the one rule that keeps a cell from running as a formula. It knows
// no database, no HTTP and no listing: store and handlers give it rows.
package sheet

import (
	"regexp"
	"strings"
)

// plainNumberRe is a number as a region writes one: a sign, digits, and
// one decimal point or comma. "+48 123 456 789" is none (spaces), nor is
// "+1+HYPERLINK(…)".
var plainNumberRe = regexp.MustCompile(`^[+-]?[0-9]+([.,][0-9]+)?$`)

// Escape keeps a spreadsheet from running a cell as a formula (CSV
// injection, OWASP's rule): text starting with =, +, -, @, a tab or a
// carriage return gets a leading apostrophe, unless it is a plain number
// ("-12", "3,5", a phone kept as "+48601234567"). Every CSV the product
// writes goes through it (see CSVWriter).
func Escape(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) || plainNumberRe.MatchString(s) {
		return s
	}
	return "'" + s
}

// Unescape undoes Escape, and only it: a cell Escape would not have
// written stays as it is. The importer reads its own exports with it.
func Unescape(s string) string {
	if rest, ok := strings.CutPrefix(s, "'"); ok && rest != "" && Escape(rest) == s {
		return rest
	}
	return s
}
