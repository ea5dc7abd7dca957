package search

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMatchWordsMarksPrefixesAndTyposAsTheIndexAllows(t *testing.T) {
	cases := []struct {
		text  string
		words []string
		want  string
	}{
		{"Spółdzielnia Socjalna Kłos", []string{"klos"}, "[Kłos]"},                // folded
		{"Spółdzielnia Socjalna Kłos", []string{"spol"}, "[Spółdzielnia]"},        // a prefix
		{"Spółdzielnia Socjalna Kłos", []string{"spoldzelnia"}, "[Spółdzielnia]"}, // one typo, 11 letters
		{"Pracownia Stolarska", []string{"stolarz"}, "[Stolarska]"},               // one typo at 7 letters, as a prefix
		{"Pracownia Stolarska", []string{"stlrz"}, "[]"},                          // two typos at 5 letters
		{"Kos i Klos", []string{"kos"}, "[Kos]"},                                  // no typo under 5 letters
		{"Centrum Integracji Społecznej", []string{"intgeracji"}, "[Integracji]"}, // two typos from 9 letters
		{"Centrum Integracji Społecznej", []string{"intgerazji"}, "[]"},           // three
		{"Ktolarz Tolarz Sztolarz", []string{"stolarz"}, "[Sztolarz]"},            // one typo keeps the first letter
		{"Antegracji Anegracji", []string{"integracji"}, "[Antegracji]"},          // two: one where the first letter differs
	}
	for _, c := range cases {
		var got []string
		for _, s := range newMarker(c.words).spans(c.text) {
			got = append(got, c.text[s.start:s.end])
		}
		if g := fmt.Sprint(got); g != c.want {
			t.Errorf("spans(%q, %v) = %v, want %s", c.text, c.words, got, c.want)
		}
	}
}

// BenchmarkMarkHits marks a page of 20 hits (a name and a description of
// four sentences each) with two query words, one long enough for typos.
func BenchmarkMarkHits(b *testing.B) {
	desc := "Gotujemy obiady dla szkół i przedszkoli, przygotowujemy catering na konferencje i wydarzenia. " +
		"Zatrudniamy osoby po długiej przerwie w pracy i uczymy je zawodu kucharza. " +
		"Dowozimy posiłki do urzędów gmin i ośrodków pomocy społecznej w całym powiecie. " +
		"Prowadzimy też stołówkę pracowniczą i sprzedajemy ciasta na zamówienie."
	words := queryWords("cateringi szkoły")
	b.ReportAllocs()
	for b.Loop() {
		marks := newMarker(words)
		for i := range 20 {
			name := fmt.Sprintf("Spółdzielnia Socjalna „Kłos %d”", i)
			if h := marks.highlights(name, desc); h["description"] == "" {
				b.Fatal(h)
			}
		}
	}
}

// A long description is cut around its first match, at spaces, with
// ellipses; marks and escaping survive the cut, Polish letters whole.
func TestALongDescriptionIsCutAroundItsFirstMatch(t *testing.T) {
	filler := strings.Repeat("Żółta łąka & <ogród> ", 10) // 210 characters
	desc := filler + "Piekarnia Kłosów piecze chleb. " + filler
	h := newMarker(queryWords("klosow")).highlights("Piekarnia", desc)
	got := h["description"]
	if !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "…") || !strings.Contains(got, "Piekarnia <mark>Kłosów</mark> piecze") {
		t.Fatalf("snippet %q", got)
	}
	if !strings.Contains(got, "&amp; &lt;ogród&gt;") || strings.Contains(got, "<ogród>") {
		t.Errorf("snippet not escaped: %q", got)
	}
	plain := strings.NewReplacer("<mark>", "", "</mark>", "", "&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(got)
	if n := utf8.RuneCountInString(plain); n > snippetLen+2 || !strings.Contains(desc, strings.Trim(plain, "…")) {
		t.Errorf("snippet of %d characters, not a cut of the description: %q", n, plain)
	}
	if _, ok := h["name"]; ok {
		t.Errorf("name marked without a match: %v", h)
	}
}
