package store

import (
	"strings"
	"unicode"
)

// A relaxed fallback search: when the words of q together find nothing
// (each matching by prefix or trigram word similarity), FallbackSearch asks
// again for listings matching any of them, ranked by how many they match,
// and says Relaxed, as the index's relaxed search does with fewer words.

// fallbackMatched counts the query's words a listing matches (by prefix or
// trigram word similarity), for a relaxed search.
const fallbackMatched = `(SELECT count(*) FROM regexp_split_to_table(qq.fq, '[^[:alnum:]]+') AS w
	WHERE w <> '' AND (v.tsv @@ to_tsquery('simple', quote_literal(w) || ':*') OR w <% f.ftext))`

// fallbackWordCount is the number of the query's words, as fallbackMatched
// splits them.
const fallbackWordCount = `(SELECT count(*) FROM regexp_split_to_table(qq.fq, '[^[:alnum:]]+') AS w WHERE w <> '')`

// fallbackWords are the words of q, as the fallback's SQL splits them.
func fallbackWords(q string) []string {
	return strings.FieldsFunc(q, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// total is the count of every match (the count with no facet).
func (f *fallbackFound) total() int {
	for _, c := range f.counts {
		if c.Facet == "" {
			return c.N
		}
	}
	return 0
}
