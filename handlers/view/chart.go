package view

import (
	"embed"
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
// title and desc); the numbers are in a table beside it. The geometry
// is computed here; chart.tmpl writes (and escapes) the markup.

//go:embed chart.tmpl
var chartFS embed.FS

// chartTemplates is parsed once; executing it is safe from many requests.
var chartTemplates = template.Must(template.New("chart.tmpl").ParseFS(chartFS, "chart.tmpl"))

// ChartItem is one bar or column.
type ChartItem struct {
	Label string // in full: a bar's caption, a column's tooltip
	Short string // a column's tick label, "" for none
	Value int
	Text  string // Value as the page writes it
}

// Chart is what a chart shows and how assistive technology names it.
type Chart struct {
	ID    string // unique on the page; prefixes the ids of title and desc
	Title string
	Desc  string
	Items []ChartItem
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

// svgFrame is what the svg element and its names need.
type svgFrame struct {
	Chart
	Class  string
	Height int
}

type barShape struct {
	Caption, Label, Text string
	LabelY, Y, Height    int
	Width, ValueX        string
	ValueY               int
}

type columnShape struct {
	Label, Text string
	X, Width    string
	Y, Height   int
	Tick        *tickShape
}

type tickShape struct {
	Class, X, Anchor, Text string
	Y                      int
}

func (c Chart) max() int {
	m := 0
	for _, it := range c.Items {
		m = max(m, it.Value)
	}
	return m
}

// pct writes a share as an SVG length.
func pct(v float64) string { return fmt.Sprintf("%.2f%%", v) }

// render executes one of chart.tmpl's charts. The data are built here,
// so an error is a bug in the template: the chart is left out rather
// than the page failing, and the tests catch it.
func render(name string, data any) template.HTML {
	var b strings.Builder
	if err := chartTemplates.ExecuteTemplate(&b, name, data); err != nil {
		return ""
	}
	return template.HTML(b.String()) //nolint:gosec // html/template escaped every text
}

// Bars draws horizontal bars, one per item in the given order, each as
// long as its value relative to the largest.
func (c Chart) Bars() template.HTML {
	top := c.max()
	bars := make([]barShape, len(c.Items))
	for i, it := range c.Items {
		y := i * barRow
		w := 0.0
		if top > 0 {
			w = barSpan * float64(it.Value) / float64(top)
		}
		caption := it.Label
		if utf8.RuneCountInString(caption) > barLabelMax {
			caption = string([]rune(caption)[:barLabelMax-1]) + "…"
		}
		bars[i] = barShape{Caption: caption, Label: it.Label, Text: it.Text, LabelY: y + 15, Y: y + 20, Height: barHeight,
			Width: pct(w), ValueX: pct(w + 1), ValueY: y + 20 + barHeight - 3}
	}
	return render("chart-bars", struct {
		svgFrame
		Bars []barShape
	}{svgFrame{c, "chart--bars", len(c.Items)*barRow + 4}, bars})
}

// Columns draws vertical columns, one per item left to right (a time
// series), with a line at the largest value and some tick labels; the
// ticks that are not also every other one's hide on narrow screens.
func (c Chart) Columns() template.HTML {
	n := len(c.Items)
	base := colTop + colHeight
	top := c.max()
	cols := make([]columnShape, n)
	slot, step := 0.0, 1
	if n > 0 {
		slot, step = 100.0/float64(n), (n+colTicks-1)/colTicks
	}
	for i, it := range c.Items {
		h := 0
		if top > 0 {
			h = int(float64(colHeight)*float64(it.Value)/float64(top) + 0.5)
		}
		cols[i] = columnShape{Label: it.Label, Text: it.Text, X: pct(slot * (float64(i) + (1-colFill)/2)), Width: pct(slot * colFill),
			Y: base - h, Height: h}
		// Count ticks from the right, so the latest item is labelled.
		if from := n - 1 - i; it.Short != "" && from%step == 0 {
			t := &tickShape{Class: "chart-tick", Text: it.Short, Y: base + 18, Anchor: "middle"}
			if from%(2*step) != 0 {
				t.Class += " chart-tick--minor"
			}
			// The outermost labels end at the chart's edges, not past them.
			x := slot * (float64(i) + 0.5)
			switch {
			case i == n-1 && n > 1:
				x, t.Anchor = 100, "end"
			case i == 0 && n > 1:
				x, t.Anchor = 0, "start"
			}
			t.X = pct(x)
			cols[i].Tick = t
		}
	}
	return render("chart-columns", struct {
		svgFrame
		Columns           []columnShape
		Top, ScaleY, Base int
		TopText           string
	}{svgFrame{c, "chart--columns", base + 24}, cols, colTop, colTop - 6, base, c.topText()})
}

// topText is the largest value as written, for the scale's line.
func (c Chart) topText() string {
	top, text := -1, ""
	for _, it := range c.Items {
		if it.Value > top {
			top, text = it.Value, it.Text
		}
	}
	return text
}
