package search

import (
	"html"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"katalogpes/store/polish"
)

// matchPos is one entry of Meilisearch's _matchesPosition: byte offsets.
type matchPos struct {
	Start  int `json:"start"`
	Length int `json:"length"`
}

// span is a matched stretch of text in runes, end excluded. Rune offsets
// are shared by a text and its Fold, so matches in a folded copy mark the
// original.
type span struct{ start, end int }

// byteSpans turns byte offsets in s into rune spans, snapping to rune
// boundaries (a typo match may end inside a letter).
func byteSpans(s string, pos []matchPos) []span {
	var out []span
	for _, p := range pos {
		b0 := min(max(p.Start, 0), len(s))
		b1 := min(max(p.Start+p.Length, b0), len(s))
		for b0 > 0 && !utf8.RuneStart(s[b0]) {
			b0--
		}
		for b1 < len(s) && !utf8.RuneStart(s[b1]) {
			b1++
		}
		r0 := utf8.RuneCountInString(s[:b0])
		if b1 > b0 {
			out = append(out, span{r0, r0 + utf8.RuneCountInString(s[b0:b1])})
		}
	}
	return out
}

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
// (folded), as spans of text.
func matchWords(text string, words []string) []span {
	if len(words) == 0 {
		return nil
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
		tok := string(runes[i:j])
		for _, w := range words {
			if strings.HasPrefix(tok, w) {
				out = append(out, span{i, j})
				break
			}
		}
		i = j
	}
	return out
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

// highlights builds a hit's highlight map: only fields with a match.
func highlights(name string, nameSpans []span, desc string, descSpans []span) map[string]string {
	var m map[string]string
	if len(nameSpans) > 0 {
		m = map[string]string{"name": mark([]rune(name), nameSpans)}
	}
	if len(descSpans) > 0 {
		if m == nil {
			m = map[string]string{}
		}
		m["description"] = mark(snippet(desc, descSpans))
	}
	return m
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
