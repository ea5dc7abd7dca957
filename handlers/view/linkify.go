package view

import "regexp"

// TextPart is a piece of plain text: either words or a link.
type TextPart struct {
	Text string
	URL  string // set when Text is a link
}

var linkRe = regexp.MustCompile(`https?://[^\s<>"]+[^\s<>".,;:!?)]`)

// Linkify splits a mail body into text and http(s) links, so a template
// can make the links clickable while escaping everything.
func Linkify(s string) []TextPart {
	var parts []TextPart
	last := 0
	for _, m := range linkRe.FindAllStringIndex(s, -1) {
		if m[0] > last {
			parts = append(parts, TextPart{Text: s[last:m[0]]})
		}
		parts = append(parts, TextPart{Text: s[m[0]:m[1]], URL: s[m[0]:m[1]]})
		last = m[1]
	}
	if last < len(s) {
		parts = append(parts, TextPart{Text: s[last:]})
	}
	return parts
}
