package search

import (
	"html"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"katalogpes/store/polish"
)

// span is a matched stretch of text in bytes, end excluded. Matches are
// found in a folded copy (polish.FoldRune maps one rune to one) and
// carried back to the text people read through each rune's offset.
type span struct{ start, end int }

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

func notWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
	}
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

// marker marks a page's hits with q's words (folded, see queryWords),
// allowing typos as the index does (see typosAllowed). It marks every hit,
// whoever found it: Meilisearch is asked for no match positions, which
// cost it as much again as the search (and, federated, for every index's
// candidates: bench/RESULTS.md). One marker serves one page, on one
// goroutine: the words are read once and its buffers reused per text.
type marker struct {
	words     []markWord
	folded    []rune // the last text read, folded
	offs      []int  // byte offset of each of its runes, then its length
	prev, cur []int  // two rows of the edit distance
}

type markWord struct {
	runes []rune
	typos int
}

func newMarker(words []string) *marker {
	m := &marker{words: make([]markWord, len(words))}
	for i, w := range words {
		m.words[i] = markWord{[]rune(w), typosAllowed(w)}
	}
	return m
}

// spans finds the words of text that begin with one of the marker's words,
// as spans of whole words.
func (m *marker) spans(text string) []span {
	if len(m.words) == 0 {
		return nil
	}
	m.folded, m.offs = m.folded[:0], m.offs[:0]
	for i, r := range text {
		m.folded = append(m.folded, polish.FoldRune(r))
		m.offs = append(m.offs, i)
	}
	m.offs = append(m.offs, len(text))
	runes := m.folded
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
		for _, w := range m.words {
			if m.prefixWithin(runes[i:j], w.runes, w.typos) {
				out = append(out, span{m.offs[i], m.offs[j]})
				break
			}
		}
		i = j
	}
	return out
}

// highlights builds a hit's highlight map: only fields with a match, whole
// words marked (Meilisearch marks as many letters as were typed; the
// words marked here are whole: one look on every path).
func (m *marker) highlights(name, desc string) map[string]string {
	var out map[string]string
	if spans := m.spans(name); len(spans) > 0 {
		out = map[string]string{"name": mark(name, spans)}
	}
	if spans := m.spans(desc); len(spans) > 0 {
		if out == nil {
			out = map[string]string{}
		}
		out["description"] = mark(m.snippet(desc, spans))
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
// (Levenshtein) from w: w typed as the start of tok, typos allowed. A
// typo on the first letter counts as two, as in the index (milli's word
// derivations: one typo keeps the first letter; two allow one typo where
// the first letter differs).
func (m *marker) prefixWithin(tok, w []rune, k int) bool {
	if len(w) == 0 || len(tok) == 0 {
		return len(w) == 0
	}
	if tok[0] != w[0] {
		// That typo is the only one: w's first letter replaced, dropped,
		// or another typed before it.
		return k >= 2 && (hasPrefix(tok[1:], w[1:]) || hasPrefix(tok, w[1:]) || hasPrefix(tok[1:], w))
	}
	tok, w = tok[1:], w[1:]
	if k == 0 || len(tok) < len(w)-k {
		return hasPrefix(tok, w)
	}
	// A prefix longer than w by more than k is more than k edits away.
	tok = tok[:min(len(tok), len(w)+k)]
	// prev[j]: edits between w[:i] and tok[:j]; the answer is the best of
	// the last row, any prefix of tok. A row whose best exceeds k can only
	// grow: stop there.
	m.prev, m.cur = slices.Grow(m.prev[:0], len(tok)+1)[:len(tok)+1], slices.Grow(m.cur[:0], len(tok)+1)[:len(tok)+1]
	prev, cur := m.prev, m.cur
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(w); i++ {
		cur[0] = i
		best := i
		for j := 1; j <= len(tok); j++ {
			sub := prev[j-1]
			if w[i-1] != tok[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
			best = min(best, cur[j])
		}
		if best > k {
			return false
		}
		prev, cur = cur, prev
	}
	return slices.Min(prev) <= k
}

func hasPrefix(tok, w []rune) bool { return len(tok) >= len(w) && slices.Equal(tok[:len(w)], w) }

// mark HTML-escapes text and wraps the spans in <mark>.
func mark(text string, spans []span) string {
	var b strings.Builder
	b.Grow(len(text) + len(spans)*len("<mark></mark>"))
	pos := 0
	for _, s := range spans {
		s.start, s.end = min(max(s.start, pos), len(text)), min(s.end, len(text))
		if s.end <= s.start {
			continue
		}
		b.WriteString(html.EscapeString(text[pos:s.start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[s.start:s.end]))
		b.WriteString("</mark>")
		pos = s.end
	}
	b.WriteString(html.EscapeString(text[pos:]))
	return b.String()
}

// Snippet bounds, in characters.
const (
	snippetLen    = 240
	snippetBefore = 60
)

// snippet cuts a window of text around its first span, at spaces, with
// ellipses where text was left out, and shifts the spans into it. text
// is the marker's last text read (its runes are in m.folded and m.offs).
func (m *marker) snippet(text string, spans []span) (string, []span) {
	n := len(m.folded)
	if n <= snippetLen {
		return text, spans
	}
	first, _ := slices.BinarySearch(m.offs, spans[0].start)
	from := max(first-snippetBefore, 0)
	if from > 0 {
		if i := slices.Index(m.folded[from:first], ' '); i >= 0 {
			from += i + 1
		}
	}
	to := min(from+snippetLen, n)
	if to < n {
		if i := lastIndexRune(m.folded[from:to], ' '); i > 0 {
			to = from + i
		}
	}
	fromB, toB := m.offs[from], m.offs[to]
	before, after := "", ""
	if from > 0 {
		before = "…"
	}
	if to < n {
		after = "…"
	}
	var moved []span
	for _, s := range spans {
		if s.end > fromB && s.start < toB {
			moved = append(moved, span{max(s.start, fromB) - fromB + len(before), min(s.end, toB) - fromB + len(before)})
		}
	}
	return before + text[fromB:toB] + after, moved
}

func lastIndexRune(rs []rune, r rune) int {
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i] == r {
			return i
		}
	}
	return -1
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
