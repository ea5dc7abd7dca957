package search

import (
	"slices"
	"strings"
	"testing"
)

func TestTheBuiltInSynonymsParseAndCoverTheCatalogsWords(t *testing.T) {
	m, err := parseSynonyms(builtinSynonymsText)
	if err != nil {
		t.Fatal(err)
	}
	merged := synonyms()
	for word, want := range map[string]string{
		"katering": "catering", "catering": "katering", "sprzątania": "sprzątanie", "sprzataniem": "sprzatanie",
		"katowicach": "katowice", "krakowie": "kraków", "krakowa": "kraków", "wrocławiu": "wrocław", "gdansku": "gdansk",
		"poznaniu": "poznań", "łodzi": "łódź", "lodzi": "lodz", "białymstoku": "białystok", "zielonej górze": "zielona góra",
		"ogrodnik": "ogrodnictwo", "pranie": "pralnia", "krawiectwo": "szycie", "druk": "poligrafia", "przewóz": "transport",
		"obiady": "catering", "budowlanka": "remonty", "rękodzieło": "rękodzielnicze", "opiekunka": "opieka", "cis": "centrum integracji społecznej",
	} {
		if !slices.Contains(merged[word], want) {
			t.Errorf("%q does not find %q: %v", word, want, merged[word])
		}
	}
	if slices.Contains(m["ogrodnictwo"], "ogrodnik") {
		t.Error(`a one-way line ("ogrodnik => ogrodnictwo") works both ways`)
	}
	for _, bad := range []string{"katering", "a, , b", "a => "} {
		if _, err := parseSynonyms("# header\n" + bad); err == nil || !strings.Contains(err.Error(), "line 2") {
			t.Errorf("%q: %v, want an error naming line 2", bad, err)
		}
	}
	// Tenants' own synonyms add to the built-in ones.
	if got := synonyms(map[string][]string{"catering": {"garmażerka"}})["catering"]; !slices.Contains(got, "garmażerka") || !slices.Contains(got, "katering") {
		t.Errorf("merged synonyms of catering: %v", got)
	}
}
