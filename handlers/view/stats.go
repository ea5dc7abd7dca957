package view

import (
	"html/template"
	"slices"
	"strconv"

	"katalogpes/store"
)

// The statistics pages' figures: a table of numbers and, beside it, the
// charts that draw them.

// chartBars is how many bars a chart draws at most; the table has all.
const chartBars = 20

// StatRow is one line of a figure's table.
type StatRow struct {
	Code, Label, Short, URL string
	Count                   int
	Text                    string   // Count as the page writes it
	Cells                   []string // the numbers of the row's columns
}

// StatBlock is one figure: its charts and, beside them, the table of
// their numbers (or, without any, a sentence saying so).
type StatBlock struct {
	ID, Title, Caption      string
	Headers                 []string // the key's column, then the numbers'
	Rows                    []StatRow
	Charts                  []ChartView
	ChartNote               string
	Note, MoreURL, MoreText string
	Empty                   string
}

// ChartView is a drawn chart and, where the block's heading does not
// name it, a caption of its own.
type ChartView struct {
	Caption string
	SVG     template.HTML
}

// MonthSeries is one monthly count of a figure.
type MonthSeries struct {
	Title, Header string
	Months        []store.MonthCount
}

// BarBlock is a categorical figure, most frequent first (ties in Polish
// order), as bars.
func (l Locale) BarBlock(id, title, keyHeader string, rows []StatRow) StatBlock {
	col := NewCollator()
	slices.SortStableFunc(rows, func(a, b StatRow) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return col.CompareString(a.Label, b.Label)
	})
	b := StatBlock{ID: id, Title: title, Headers: []string{keyHeader, l.T("ui.stats.col_count")},
		Caption: l.Tf("ui.stats.caption", "Title", title), Rows: rows, Empty: l.T("ui.stats.empty")}
	if len(rows) == 0 {
		return b
	}
	items := make([]ChartItem, 0, min(len(rows), chartBars))
	for i := range rows {
		rows[i].Text = l.Num(rows[i].Count)
		rows[i].Cells = []string{rows[i].Text}
		if i < chartBars {
			items = append(items, ChartItem{Label: rows[i].Label, Value: rows[i].Count, Text: rows[i].Text})
		}
	}
	desc := l.Tf("ui.stats.bars_desc", "Top", rows[0].Label, "Count", rows[0].Text)
	if len(rows) > chartBars {
		b.ChartNote = l.Tf("ui.stats.chart_top", "N", chartBars, "Total", l.Num(len(rows)))
		desc += " " + b.ChartNote
	}
	b.Charts = []ChartView{{SVG: Chart{ID: "chart-" + id, Title: title, Desc: desc, Items: items}.Bars()}}
	return b
}

// MonthBlock is monthly series, oldest month first: a chart of columns
// for each, one table for all.
func (l Locale) MonthBlock(id, title string, series ...MonthSeries) StatBlock {
	b := StatBlock{ID: id, Title: title, Headers: []string{l.T("ui.stats.col_month")},
		Caption: l.Tf("ui.stats.caption", "Title", title), Empty: l.T("ui.stats.empty")}
	at := map[string]int{}
	for k, se := range series {
		b.Headers = append(b.Headers, se.Header)
		items := make([]ChartItem, 0, len(se.Months))
		total, top := 0, ChartItem{Value: -1}
		for _, m := range se.Months {
			i, ok := at[m.Month]
			if !ok {
				i, at[m.Month] = len(b.Rows), len(b.Rows)
				b.Rows = append(b.Rows, StatRow{Code: m.Month, Label: l.Month(m.Month, false),
					Short: l.Month(m.Month, true), Cells: make([]string, len(series))})
			}
			r := &b.Rows[i]
			r.Cells[k] = l.Num(m.Count)
			it := ChartItem{Label: r.Label, Short: r.Short, Value: m.Count, Text: r.Cells[k]}
			items = append(items, it)
			total += m.Count
			if m.Count > top.Value {
				top = it
			}
		}
		desc := l.Tf("ui.stats.columns_none", "Months", len(items))
		if total > 0 {
			desc = l.Tf("ui.stats.columns_desc", "Months", len(items), "Total", l.Num(total), "Top", top.Label, "Count", top.Text)
		}
		b.Charts = append(b.Charts, ChartView{Caption: se.Title,
			SVG: Chart{ID: "chart-" + id + "-" + strconv.Itoa(k+1), Title: se.Title, Desc: desc, Items: items}.Columns()})
	}
	return b
}
