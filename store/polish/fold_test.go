package polish_test

import (
	"testing"

	"katalogpes/store/polish"
)

func TestFoldKeepsOneRunePerRune(t *testing.T) {
	for in, want := range map[string]string{
		"Spółdzielnia Socjalna Kłos": "spoldzielnia socjalna klos",
		"ŁÓDŹ, Żywiec, Gdańsk":       "lodz, zywiec, gdansk",
		"Crème brûlée Øre Đak":       "creme brulee ore dak",
		"plain ascii":                "plain ascii",
	} {
		got := polish.Fold(in)
		if got != want || len([]rune(got)) != len([]rune(in)) {
			t.Errorf("Fold(%q) = %q, want %q of the same length", in, got, want)
		}
	}
}
