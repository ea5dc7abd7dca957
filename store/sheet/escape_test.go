package sheet_test

import (
	"testing"

	"katalogpes/store/sheet"
)

// A phone number written with spaces ("+48 123 456 789") is no plain
// number: it is escaped like any other text starting with a sign. One
// without spaces, as the catalog stores phones, is a plain number.
func TestEscapeDefusesFormulasButNotPlainNumbers(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`+1+HYPERLINK("http://x")`, `'+1+HYPERLINK("http://x")`},
		{`-1+HYPERLINK("http://x","klik")`, `'-1+HYPERLINK("http://x","klik")`},
		{"=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"},
		{"@SUM(A1:A9)", "'@SUM(A1:A9)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"+", "'+"},
		{"-", "'-"},
		{"- wolontariat", "'- wolontariat"},
		{"+48 123 456 789", "'+48 123 456 789"},
		{"-12", "-12"},
		{"-12.5", "-12.5"},
		{"-0,5", "-0,5"},
		{"3,5", "3,5"},
		{"3.5", "3.5"},
		{"+48", "+48"},
		{"+48601234567", "+48601234567"},
		{"", ""},
		{"Spółdzielnia = dobro", "Spółdzielnia = dobro"},
		{"44-100", "44-100"},
	} {
		if got := sheet.Escape(tc.in); got != tc.want {
			t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := sheet.Unescape(sheet.Escape(tc.in)); got != tc.in {
			t.Errorf("Unescape(Escape(%q)) = %q", tc.in, got)
		}
	}
}

func TestUnescapeLeavesWhatEscapeWouldNotWrite(t *testing.T) {
	for _, s := range []string{"'abc", "'-12", "'", "''=x", "O'Neill"} {
		if got := sheet.Unescape(s); got != s {
			t.Errorf("Unescape(%q) = %q, want it unchanged", s, got)
		}
	}
}
