package search

import (
	"html"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"katalogpes/store/polish"
)

// span is a matched stretch of text in runes, end excluded. Rune offsets
// are shared by a text and its Fold, so matches in a folded copy mark the
// original.
type span struct{ start, end int }

// union merges span lists into sorted, non-overlapping spans.
func union(lists ...[]span) []span {
	var all []span
	for _, l := range lists {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].start < all[j].start })
	var out []span
	for _, s := range all {
		if n := len(out); n > 0 && s.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, s.end)
			continue
		}
		out = append(out, s)
	}
	return out
}

// queryWords are q's words, folded, without stop words: what the
// PostgreSQL fallback marks.
func queryWords(q string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(polish.Fold(q), notWordRune) {
		if !contains(stopWords, w) {
			out = appendNew(out, w)
		}
	}
	return out
}

func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// matchWords finds the words of text that begin with one of words
// (folded), allowing typos as the index does (see typosAllowed), as spans
// of text. It marks every hit, whoever found it: Meilisearch is asked for
// no match positions, which cost it as much again as the search (and,
// federated, for every index's candidates: bench/RESULTS.md).
func matchWords(text string, words []string) []span {
	if len(words) == 0 {
		return nil
	}
	type word struct {
		runes []rune
		typos int
	}
	ws := make([]word, len(words))
	for i, w := range words {
		ws[i] = word{[]rune(w), typosAllowed(w)}
	}
	runes := []rune(polish.Fold(text))
	var out []span
	for i := 0; i < len(runes); {
		if notWordRune(runes[i]) {
			i++
			continue
		}
		j := i
		for j < len(runes) && !notWordRune(runes[j]) {
			j++
		}
		for _, w := range ws {
			if prefixWithin(runes[i:j], w.runes, w.typos) {
				out = append(out, span{i, j})
				break
			}
		}
		i = j
	}
	return out
}

// typosAllowed is the index's typo rule (indexSettings' MinWordSizeForTypos):
// one typo from 5 letters, two from 9.
func typosAllowed(w string) int {
	switch n := utf8.RuneCountInString(w); {
	case n >= 9:
		return 2
	case n >= 5:
		return 1
	}
	return 0
}

// prefixWithin reports whether some prefix of tok is at most k edits
// (Levenshtein) from w: w typed as the start of tok, typos allowed.
func prefixWithin(tok, w []rune, k int) bool {
	if k == 0 || len(tok) < len(w)-k {
		return len(tok) >= len(w) && string(tok[:len(w)]) == string(w)
	}
	// prev[j]: edits between w[:i] and tok[:j]; the answer is the best of
	// the last row, any prefix of tok.
	prev, cur := make([]int, len(tok)+1), make([]int, len(tok)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(w); i++ {
		cur[0] = i
		for j := 1; j <= len(tok); j++ {
			sub := prev[j-1]
			if w[i-1] != tok[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return slices.Min(prev) <= k
}

// mark HTML-escapes text and wraps the spans in <mark>.
func mark(runes []rune, spans []span) string {
	var b strings.Builder
	pos := 0
	for _, s := range spans {
		s.start, s.end = min(max(s.start, pos), len(runes)), min(s.end, len(runes))
		if s.end <= s.start {
			continue
		}
		b.WriteString(html.EscapeString(string(runes[pos:s.start])))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(string(runes[s.start:s.end])))
		b.WriteString("</mark>")
		pos = s.end
	}
	b.WriteString(html.EscapeString(string(runes[pos:])))
	return b.String()
}

// Snippet bounds, in characters.
const (
	snippetLen    = 240
	snippetBefore = 60
)

// snippet cuts a window of text around its first span, at spaces, with
// ellipses where text was left out, and shifts the spans into it.
func snippet(text string, spans []span) ([]rune, []span) {
	runes := []rune(text)
	if len(runes) <= snippetLen {
		return runes, spans
	}
	from := max(spans[0].start-snippetBefore, 0)
	if from > 0 {
		if i := indexRune(runes[from:spans[0].start], ' '); i >= 0 {
			from += i + 1
		}
	}
	to := min(from+snippetLen, len(runes))
	if to < len(runes) {
		if i := lastIndexRune(runes[from:to], ' '); i > 0 {
			to = from + i
		}
	}
	out := append([]rune{}, runes[from:to]...)
	shift := 0
	if from > 0 {
		out = append([]rune("…"), out...)
		shift = 1
	}
	if to < len(runes) {
		out = append(out, '…')
	}
	var moved []span
	for _, s := range spans {
		if s.end > from && s.start < to {
			moved = append(moved, span{max(s.start, from) - from + shift, min(s.end, to) - from + shift})
		}
	}
	return out, moved
}

func indexRune(rs []rune, r rune) int {
	for i, x := range rs {
		if x == r {
			return i
		}
	}
	return -1
}

func lastIndexRune(rs []rune, r rune) int {
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i] == r {
			return i
		}
	}
	return -1
}

// highlights builds a hit's highlight map: only fields with a match, whole
// words marked (Meilisearch marks as many letters as were typed; the
// words marked here, see matchWords, are whole: one look on every path).
func highlights(name string, nameSpans []span, desc string, descSpans []span) map[string]string {
	var m map[string]string
	if len(nameSpans) > 0 {
		runes := []rune(name)
		m = map[string]string{"name": mark(runes, wholeWords(runes, nameSpans))}
	}
	if len(descSpans) > 0 {
		if m == nil {
			m = map[string]string{}
		}
		m["description"] = mark(snippet(desc, wholeWords([]rune(desc), descSpans)))
	}
	return m
}

// wholeWords widens each span to the word it lies in.
func wholeWords(runes []rune, spans []span) []span {
	out := make([]span, len(spans))
	for i, s := range spans {
		s.start, s.end = min(max(s.start, 0), len(runes)), min(max(s.end, 0), len(runes))
		for s.start > 0 && !notWordRune(runes[s.start-1]) {
			s.start--
		}
		for s.end < len(runes) && !notWordRune(runes[s.end]) {
			s.end++
		}
		out[i] = s
	}
	return union(out)
}

// teaser cuts a description for a list of hits.
func teaser(s string) string {
	if utf8.RuneCountInString(s) <= teaserLen {
		return s
	}
	runes := []rune(s)[:teaserLen]
	if i := lastIndexRune(runes, ' '); i > teaserLen/2 {
		runes = runes[:i]
	}
	return strings.TrimRight(string(runes), " ,.;:") + "…"
}
