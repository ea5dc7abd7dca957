// Package polish holds the one way Polish text is folded for matching:
// lower case, diacritics (ł included) stripped. Store, search and the views
// compare names through it. A leaf: it imports nothing of ours.
package polish

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold lower-cases s and strips diacritics, ł included (Meilisearch folds
// ą ć ę ń ó ś ź ż but keeps ł, so "klos" would miss "Kłos"). It maps each
// rune to exactly one rune, so a position in the folded text is the same
// rune position in the original: highlights found in a folded copy are
// carried back to the text people read.
func Fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(FoldRune(r))
	}
	return b.String()
}

// letters are the ones that matter most, without a trip through norm.
var letters = map[rune]rune{
	'ą': 'a', 'ć': 'c', 'ę': 'e', 'ł': 'l', 'ń': 'n', 'ó': 'o', 'ś': 's', 'ź': 'z', 'ż': 'z',
	'Ą': 'a', 'Ć': 'c', 'Ę': 'e', 'Ł': 'l', 'Ń': 'n', 'Ó': 'o', 'Ś': 's', 'Ź': 'z', 'Ż': 'z',
	// Letters whose stroke is no combining mark, so NFD keeps them.
	'đ': 'd', 'Đ': 'd', 'ø': 'o', 'Ø': 'o', 'ħ': 'h', 'Ħ': 'h', 'ı': 'i',
}

// latin holds the folds of U+0000–U+017F (ASCII, Latin-1 and Latin
// Extended-A: every Polish letter), computed once by foldSlow: folding
// runs over every hit's text, and NFD per rune is slow.
var latin [0x180]rune

func init() {
	for r := range latin {
		latin[r] = foldSlow(rune(r))
	}
}

// FoldRune is Fold of one rune: what a position-keeping caller folds with.
func FoldRune(r rune) rune {
	switch {
	case r < rune(len(latin)):
		return latin[r]
	case 0x2010 <= r && r <= 0x206F: // general punctuation („ ” – …): no case, no marks
		return r
	}
	return foldSlow(r)
}

func foldSlow(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	if f, ok := letters[r]; ok {
		return f
	}
	r = unicode.ToLower(r)
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	d := norm.NFD.Bytes(buf[:n])
	base, size := utf8.DecodeRune(d)
	for _, m := range string(d[size:]) {
		if !unicode.Is(unicode.Mn, m) {
			return r // not a letter plus marks: keep it whole
		}
	}
	return base
}
