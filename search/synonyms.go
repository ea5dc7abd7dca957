package search

import (
	_ "embed"
	"fmt"
	"strings"
)

// builtinSynonymsText is the maintained list of spelling variants,
// inflections and abbreviations; its header says how to edit it.
//
//go:embed synonyms_pl.txt
var builtinSynonymsText string

// defaultSynonyms are the built-in synonyms every index gets, read once
// from synonyms_pl.txt (a test parses it, so a bad line fails there first).
var defaultSynonyms = mustParseSynonyms(builtinSynonymsText)

func mustParseSynonyms(text string) map[string][]string {
	m, err := parseSynonyms(text)
	if err != nil {
		panic(err)
	}
	return m
}

// parseSynonyms reads synonym groups, one a line: "a, b, c" makes the terms
// equivalent, "a, b => c" lets a and b find c. Terms are lower-cased and
// their spaces collapsed; # starts a comment line.
func parseSynonyms(text string) (map[string][]string, error) {
	m := map[string][]string{}
	add := func(word string, alts []string) {
		for _, a := range alts {
			if a != word {
				m[word] = appendNew(m[word], a)
			}
		}
	}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		from, to, oneWay := strings.Cut(line, "=>")
		words, err := synonymTerms(from)
		if err == nil && oneWay {
			var alts []string
			if alts, err = synonymTerms(to); err == nil {
				for _, w := range words {
					add(w, alts)
				}
			}
		} else if err == nil {
			if len(words) < 2 {
				err = fmt.Errorf("a group needs two terms")
			}
			for _, w := range words {
				add(w, words)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("synonyms line %d %q: %w", n+1, line, err)
		}
	}
	return m, nil
}

// synonymTerms splits a comma-separated list of terms.
func synonymTerms(list string) ([]string, error) {
	var out []string
	for _, t := range strings.Split(list, ",") {
		t = strings.Join(strings.Fields(strings.ToLower(t)), " ")
		if t == "" {
			return nil, fmt.Errorf("an empty term")
		}
		out = appendNew(out, t)
	}
	return out, nil
}
