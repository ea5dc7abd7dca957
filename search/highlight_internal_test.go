package search

import (
	"fmt"
	"testing"
)

func TestMatchWordsMarksPrefixesAndTyposAsTheIndexAllows(t *testing.T) {
	cases := []struct {
		text  string
		words []string
		want  string
	}{
		{"Spółdzielnia Socjalna Kłos", []string{"klos"}, "[{22 26}]"},         // folded
		{"Spółdzielnia Socjalna Kłos", []string{"spol"}, "[{0 12}]"},          // a prefix
		{"Spółdzielnia Socjalna Kłos", []string{"spoldzelnia"}, "[{0 12}]"},   // one typo, 11 letters
		{"Pracownia Stolarska", []string{"stolarz"}, "[{10 19}]"},             // one typo at 7 letters, as a prefix
		{"Pracownia Stolarska", []string{"stlrz"}, "[]"},                      // two typos at 5 letters
		{"Kos i Klos", []string{"kos"}, "[{0 3}]"},                            // no typo under 5 letters
		{"Centrum Integracji Społecznej", []string{"intgeracji"}, "[{8 18}]"}, // two typos from 9 letters
		{"Centrum Integracji Społecznej", []string{"intgerazji"}, "[]"},       // three
	}
	for _, c := range cases {
		got := matchWords(c.text, c.words)
		if g := fmt.Sprint(got); g != c.want && !(g == "[]" && c.want == "[]") {
			t.Errorf("matchWords(%q, %v) = %v, want %s", c.text, c.words, got, c.want)
		}
	}
}
