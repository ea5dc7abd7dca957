package view_test

import (
	"testing"

	"katalogpes/handlers/view"
)

func TestPagesFormatNumbersDatesAndPluralsInPolish(t *testing.T) {
	cases := map[int]string{7: "7", 1234: "1234", 12345: "12\u00a0345", 1234567: "1\u00a0234\u00a0567"}
	for n, want := range cases {
		if got := view.FormatInt("pl", n); got != want {
			t.Errorf("FormatInt(pl, %d) = %q, want %q", n, got, want)
		}
	}
	if got := view.FormatInt("en", 12345); got != "12,345" {
		t.Errorf("FormatInt(en) = %q", got)
	}
	if got := view.FormatDate("pl", "2025-03-05"); got != "5 marca 2025" {
		t.Errorf("FormatDate(pl) = %q", got)
	}
	if got := view.FormatDate("en", "2025-03-05"); got != "5 March 2025" {
		t.Errorf("FormatDate(en) = %q", got)
	}
	tr, err := view.NewTranslator()
	if err != nil {
		t.Fatal(err)
	}
	// The plural forms are go-i18n's (CLDR's); each shows in its noun.
	nouns := map[string]string{"one": "podmiot", "few": "podmioty", "many": "podmiotów"}
	for n, want := range map[int]string{1: "one", 2: "few", 4: "few", 5: "many", 12: "many", 22: "few", 25: "many", 112: "many", 0: "many"} {
		if got := tr.N("pl", "ui.count.entities", n); got != view.FormatInt("pl", n)+" "+nouns[want] {
			t.Errorf("N(pl, %d) = %q, want the %q form", n, got, want)
		}
	}
}
