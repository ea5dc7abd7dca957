package handlers

import (
	"fmt"
	"html/template"
	"strings"
	"unicode/utf8"
)

// Charts drawn on the server as inline SVG: no script, and no style
// attributes (the CSP allows only the stylesheet), so colours come from
// classes in app.css with presentation attributes as a fallback. Widths
// are percentages of the chart's box and heights pixels, so a chart
// follows the page's width while its text keeps the page's size. The
// SVG is one image to assistive technology (role="img", named by its
// title and desc); the numbers are in a table beside it.

// chartItem is one bar or column.
type chartItem struct {
	Label string // in full: a bar's caption, a column's tooltip
	Short string // a column's tick label, "" for none
	Value int
	Text  string // Value as the page writes it
}

// chart is what a chart shows and how assistive technology names it.
type chart struct {
	ID    string // unique on the page; prefixes the ids of title and desc
	Title string
	Desc  string
	Items []chartItem
}

const (
	barRow      = 44   // px per bar: its label above, the bar below
	barHeight   = 16   // px
	barSpan     = 85.0 // % of the width the longest bar takes; the rest is for its value
	barLabelMax = 70   // runes of a bar's label; the table has it whole

	colTop    = 22  // px above the tallest column, for the scale
	colHeight = 160 // px of the tallest column
	colTicks  = 8   // tick labels at most
	colFill   = 0.7 // share of a column's slot that is drawn
)

// esc escapes text for an element's content or an attribute's value.
func esc(s string) string { return template.HTMLEscapeString(s) }

func (c chart) max() int {
	m := 0
	for _, it := range c.Items {
		m = max(m, it.Value)
	}
	return m
}

// open writes the svg element, its title and desc.
func (c chart) open(b *strings.Builder, class string, height int) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart %s" width="100%%" height="%d" role="img" aria-labelledby="%s-title %s-desc" focusable="false">`,
		class, height, esc(c.ID), esc(c.ID))
	fmt.Fprintf(b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, esc(c.ID), esc(c.Title), esc(c.ID), esc(c.Desc))
}

// pct writes a share as an SVG length.
func pct(v float64) string { return fmt.Sprintf("%.2f%%", v) }

// Bars draws horizontal bars, one per item in the given order, each as
// long as its value relative to the largest.
func (c chart) Bars() template.HTML {
	var b strings.Builder
	c.open(&b, "chart--bars", len(c.Items)*barRow+4)
	top := c.max()
	for i, it := range c.Items {
		y := i * barRow
		w := 0.0
		if top > 0 {
			w = barSpan * float64(it.Value) / float64(top)
		}
		label := it.Label
		if utf8.RuneCountInString(label) > barLabelMax {
			label = string([]rune(label)[:barLabelMax-1]) + "…"
		}
		fmt.Fprintf(&b, `<text class="chart-label" x="0" y="%d">%s</text>`, y+15, esc(label))
		fmt.Fprintf(&b, `<rect class="chart-bar" x="0" y="%d" width="%s" height="%d" fill="#0b4f8a"><title>%s: %s</title></rect>`,
			y+20, pct(w), barHeight, esc(it.Label), esc(it.Text))
		fmt.Fprintf(&b, `<text class="chart-value" x="%s" y="%d">%s</text>`, pct(w+1), y+20+barHeight-3, esc(it.Text))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // every text escaped above
}

// Columns draws vertical columns, one per item left to right (a time
// series), with a line at the largest value and some tick labels; the
// ticks that are not also every other one's hide on narrow screens.
func (c chart) Columns() template.HTML {
	var b strings.Builder
	n := len(c.Items)
	base := colTop + colHeight
	c.open(&b, "chart--columns", base+24)
	top := c.max()
	fmt.Fprintf(&b, `<line class="chart-grid" x1="0" x2="100%%" y1="%d" y2="%d" stroke="#b1b4b6" stroke-dasharray="4 3"></line>`, colTop, colTop)
	fmt.Fprintf(&b, `<text class="chart-value" x="0" y="%d">%s</text>`, colTop-6, esc(c.topText()))
	if n == 0 {
		b.WriteString(`</svg>`)
		return template.HTML(b.String()) //nolint:gosec // every text escaped
	}
	slot := 100.0 / float64(n)
	step := (n + colTicks - 1) / colTicks
	for i, it := range c.Items {
		h := 0
		if top > 0 {
			h = int(float64(colHeight)*float64(it.Value)/float64(top) + 0.5)
		}
		fmt.Fprintf(&b, `<rect class="chart-bar" x="%s" y="%d" width="%s" height="%d" fill="#0b4f8a"><title>%s: %s</title></rect>`,
			pct(slot*(float64(i)+(1-colFill)/2)), base-h, pct(slot*colFill), h, esc(it.Label), esc(it.Text))
		// Count ticks from the right, so the latest item is labelled.
		if from := n - 1 - i; it.Short != "" && from%step == 0 {
			class := "chart-tick"
			if from%(2*step) != 0 {
				class += " chart-tick--minor"
			}
			// The outermost labels end at the chart's edges, not past them.
			x, anchor := slot*(float64(i)+0.5), "middle"
			switch {
			case i == n-1 && n > 1:
				x, anchor = 100, "end"
			case i == 0 && n > 1:
				x, anchor = 0, "start"
			}
			fmt.Fprintf(&b, `<text class="%s" x="%s" y="%d" text-anchor="%s">%s</text>`, class, pct(x), base+18, anchor, esc(it.Short))
		}
	}
	fmt.Fprintf(&b, `<line class="chart-axis" x1="0" x2="100%%" y1="%d" y2="%d" stroke="#4a5459"></line>`, base, base)
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // every text escaped above
}

// topText is the largest value as written, for the scale's line.
func (c chart) topText() string {
	top, text := -1, ""
	for _, it := range c.Items {
		if it.Value > top {
			top, text = it.Value, it.Text
		}
	}
	return text
}
