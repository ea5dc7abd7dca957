package handlers

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"katalogpes/search"
	"katalogpes/store"
	"katalogpes/store/sheet"
	"katalogpes/tenants"
)

// The sector's figures for people: a region's (or, on the hub, the
// country's, region by region) as charts with their numbers in tables,
// and a report builder that crosses one or two dimensions under filters,
// with the same rows as CSV and, for machines, as JSON.

// chartBars is how many bars a chart draws at most; the table has all.
const chartBars = 20

// nationalPowiats is how many powiats the national page lists; the
// report has them all.
const nationalPowiats = 20

// statRow is one line of a figure's table.
type statRow struct {
	Code, Label, Short, URL string
	Count                   int
	Text                    string   // Count as the page writes it
	Cells                   []string // the numbers of the row's columns
}

// statBlock is one figure: its charts and, beside them, the table of
// their numbers (or, without any, a sentence saying so).
type statBlock struct {
	ID, Title, Caption      string
	Headers                 []string // the key's column, then the numbers'
	Rows                    []statRow
	Charts                  []chartView
	ChartNote               string
	Note, MoreURL, MoreText string
	Empty                   string
}

// chartView is a drawn chart and, where the block's heading does not
// name it, a caption of its own.
type chartView struct {
	Caption string
	SVG     template.HTML
}

// monthSeries is one monthly count of a figure.
type monthSeries struct {
	Title, Header string
	Months        []store.MonthCount
}

type statsPage struct {
	Page
	National    bool
	Stats       *store.Stats
	AtRiskShare string
	Blocks      []statBlock
}

// statsPage shows a region's figures, or on the hub the country's with
// a bar per region.
func (s *Server) statsPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	st, err := s.db.Stats(ctx)
	if err != nil {
		return err
	}
	p := &statsPage{Page: s.newPage(c, "ui.stats.title"), Stats: st}
	p.Section = "stats"
	_, regional := tenants.FromContext(ctx)
	p.National = !regional
	if p.National {
		p.Title = p.T("ui.stats.national_title")
	}
	if st.EmployeesTotal > 0 {
		p.AtRiskShare = formatShare(p.Lang, st.EmployeesAtRisk, st.EmployeesTotal)
	}
	cats, err := s.taxonomy(ctx)
	if err != nil {
		return err
	}
	n := dimNames{p: &p.Page, categories: categoryMap(p.Lang, cats), powiats: st.PowiatNames}
	if p.National {
		var rows []statRow
		for _, t := range s.registry.All() {
			rows = append(rows, statRow{Code: t.Slug, Label: t.Voivodeship, URL: "/r/" + t.Slug + "/statystyki", Count: st.ByTenant[t.Slug]})
		}
		p.Blocks = append(p.Blocks, p.barBlock("by-region", p.T("ui.stats.by_region"), p.T("ui.stats.col_region"), rows))
	}
	for _, d := range []struct {
		dim    string
		counts map[string]int
	}{{"legal_form", st.ByLegalForm}, {"kind", st.ByKind}, {"powiat", st.ByPowiat}, {"category", st.ByCategory}, {"certificate", st.ByCertificate}} {
		b := p.barBlock("by-"+d.dim, p.T("ui.stats.by_"+d.dim), n.dimTitle(d.dim), n.rows(d.dim, d.counts))
		if d.dim == "powiat" && p.National && len(b.Rows) > nationalPowiats {
			b.Note = p.Tf("ui.stats.table_top", "N", nationalPowiats, "Total", p.Num(len(b.Rows)))
			b.ChartNote = ""
			b.MoreURL, b.MoreText = "/statystyki/raport?dims=powiat", p.T("ui.stats.full_report")
			b.Rows = b.Rows[:nationalPowiats]
		}
		p.Blocks = append(p.Blocks, b)
	}
	p.Blocks = append(p.Blocks, p.monthBlock("by-month", p.T("ui.stats.by_month"),
		monthSeries{p.T("ui.stats.registrations"), p.T("ui.stats.col_registrations"), st.RegistrationsByMonth},
		monthSeries{p.T("ui.stats.publications"), p.T("ui.stats.col_publications"), st.PublicationsByMonth}))
	return s.render(c, fiber.StatusOK, "stats", p)
}

// barBlock is a categorical figure, most frequent first, as bars.
func (p *Page) barBlock(id, title, keyHeader string, rows []statRow) statBlock {
	slices.SortStableFunc(rows, func(a, b statRow) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(collateKey(a.Label), collateKey(b.Label))
	})
	b := statBlock{ID: id, Title: title, Headers: []string{keyHeader, p.T("ui.stats.col_count")},
		Caption: p.Tf("ui.stats.caption", "Title", title), Rows: rows, Empty: p.T("ui.stats.empty")}
	if len(rows) == 0 {
		return b
	}
	items := make([]chartItem, 0, min(len(rows), chartBars))
	for i := range rows {
		rows[i].Text = p.Num(rows[i].Count)
		rows[i].Cells = []string{rows[i].Text}
		if i < chartBars {
			items = append(items, chartItem{Label: rows[i].Label, Value: rows[i].Count, Text: rows[i].Text})
		}
	}
	desc := p.Tf("ui.stats.bars_desc", "Top", rows[0].Label, "Count", rows[0].Text)
	if len(rows) > chartBars {
		b.ChartNote = p.Tf("ui.stats.chart_top", "N", chartBars, "Total", p.Num(len(rows)))
		desc += " " + b.ChartNote
	}
	b.Charts = []chartView{{SVG: chart{ID: "chart-" + id, Title: title, Desc: desc, Items: items}.Bars()}}
	return b
}

// monthBlock is monthly series, oldest month first: a chart of columns
// for each, one table for all.
func (p *Page) monthBlock(id, title string, series ...monthSeries) statBlock {
	b := statBlock{ID: id, Title: title, Headers: []string{p.T("ui.stats.col_month")},
		Caption: p.Tf("ui.stats.caption", "Title", title), Empty: p.T("ui.stats.empty")}
	at := map[string]int{}
	for k, se := range series {
		b.Headers = append(b.Headers, se.Header)
		items := make([]chartItem, 0, len(se.Months))
		total, top := 0, chartItem{Value: -1}
		for _, m := range se.Months {
			i, ok := at[m.Month]
			if !ok {
				i, at[m.Month] = len(b.Rows), len(b.Rows)
				b.Rows = append(b.Rows, statRow{Code: m.Month, Label: monthName(p.Lang, m.Month, false),
					Short: monthName(p.Lang, m.Month, true), Cells: make([]string, len(series))})
			}
			r := &b.Rows[i]
			r.Cells[k] = p.Num(m.Count)
			it := chartItem{Label: r.Label, Short: r.Short, Value: m.Count, Text: r.Cells[k]}
			items = append(items, it)
			total += m.Count
			if m.Count > top.Value {
				top = it
			}
		}
		desc := p.Tf("ui.stats.columns_none", "Months", len(items))
		if total > 0 {
			desc = p.Tf("ui.stats.columns_desc", "Months", len(items), "Total", p.Num(total), "Top", top.Label, "Count", top.Text)
		}
		b.Charts = append(b.Charts, chartView{Caption: se.Title,
			SVG: chart{ID: "chart-" + id + "-" + strconv.Itoa(k+1), Title: se.Title, Desc: desc, Items: items}.Columns()})
	}
	return b
}

// dimNames names the values of the report's dimensions in the page's
// language; an unknown value shows as its code.
type dimNames struct {
	p          *Page
	categories map[string]string
	powiats    map[string]string
}

func (n dimNames) name(dim, code string) string {
	switch dim {
	case "category":
		return cmp.Or(n.categories[code], code)
	case "powiat":
		return cmp.Or(n.powiats[code], code)
	case "social_enterprise":
		return n.p.Label("stats.se", code)
	}
	return n.p.Label(dim, code) // legal_form, kind, certificate
}

// dimTitle names a dimension.
func (n dimNames) dimTitle(dim string) string { return n.p.Label("stats.dim", dim) }

func (n dimNames) rows(dim string, counts map[string]int) []statRow {
	rows := make([]statRow, 0, len(counts))
	for code, k := range counts {
		rows = append(rows, statRow{Code: code, Label: n.name(dim, code), Count: k})
	}
	return rows
}

// taxonomy is the categories of the context's region; the hub, having
// none of its own, uses the first region's (see categoryNames).
func (s *Server) taxonomy(ctx context.Context) ([]store.Category, error) {
	if _, ok := tenants.FromContext(ctx); !ok {
		all := s.registry.All()
		if len(all) == 0 {
			return nil, nil
		}
		ctx = tenants.NewContext(ctx, all[0])
	}
	return s.db.Categories(ctx)
}

func categoryMap(lang string, cats []store.Category) map[string]string {
	out := make(map[string]string, len(cats))
	for _, c := range cats {
		out[c.Code] = categoryName(lang, c)
	}
	return out
}

// powiatGroups are the powiats to filter by: the region's, or on the hub
// every region's under its voivodeship's name.
func (s *Server) powiatGroups(ctx context.Context) ([]optGroup, map[string]string, error) {
	regions := s.registry.All()
	t, regional := tenants.FromContext(ctx)
	if regional {
		regions = []*tenants.Tenant{t}
	}
	codes := make([]string, len(regions))
	for i, r := range regions {
		codes[i] = r.TERYT
	}
	list, err := s.db.PowiatsOf(ctx, codes...)
	if err != nil {
		return nil, nil, err
	}
	groups := make([]optGroup, len(regions))
	names := map[string]string{}
	for i, r := range regions {
		if !regional {
			groups[i].Label = r.Voivodeship
		}
		for _, pw := range list {
			if pw.VoivodeshipCode == r.TERYT {
				groups[i].Options = append(groups[i].Options, Option{Value: pw.Code, Label: pw.Name})
				names[pw.Code] = pw.Name
			}
		}
	}
	return groups, names, nil
}

var (
	monthsNomPL   = [...]string{"styczeń", "luty", "marzec", "kwiecień", "maj", "czerwiec", "lipiec", "sierpień", "wrzesień", "październik", "listopad", "grudzień"}
	monthsShortPL = [...]string{"sty", "lut", "mar", "kwi", "maj", "cze", "lip", "sie", "wrz", "paź", "lis", "gru"}
)

// monthName writes "2025-03" as "marzec 2025" (short: "mar 2025") or
// "March 2025" ("Mar 2025").
func monthName(lang, ym string, short bool) string {
	t, err := time.Parse("2006-01", ym)
	if err != nil {
		return ym
	}
	switch {
	case lang == "en" && short:
		return t.Format("Jan 2006")
	case lang == "en":
		return t.Format("January 2006")
	case short:
		return fmt.Sprintf("%s %d", monthsShortPL[t.Month()-1], t.Year())
	}
	return fmt.Sprintf("%s %d", monthsNomPL[t.Month()-1], t.Year())
}

// formatShare writes part/whole as a percentage with one decimal:
// "40,0%" in Polish, "40.0%" in English.
func formatShare(lang string, part, whole int) string {
	s := fmt.Sprintf("%.1f%%", 100*float64(part)/float64(whole))
	if lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// optGroup is a group of a select's options; without a label, the
// options stand on their own.
type optGroup struct {
	Label   string
	Options []Option
}

// reportGroup is the rows of a two-dimensional report that share the
// first dimension's value.
type reportGroup struct {
	Label string
	Rows  []statRow
}

type reportPage struct {
	Page
	National   bool
	Dims       []Option
	Dim1, Dim2 string
	Filters    []facetGroup
	Powiats    []optGroup
	Powiat     string
	Filtered   bool // a filter is set or wrong: the filters show unfolded
	Asked      bool
	Totals     statBlock
	Grouped    []reportGroup
	Headers    []string
	GroupTitle string
	GroupCap   string
	Note       string
	CSVURL     string
}

// reportPage is the report builder: a GET form, so every report has an
// address to share, and under it the table, the chart and the CSV link.
func (s *Server) reportPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	values, err := queryValues(c)
	if err != nil {
		return fiber.ErrBadRequest
	}
	p := &reportPage{Page: s.newPage(c, "ui.report.title"), Dim1: store.ReportDimensions[0]}
	p.Section = "stats"
	p.Form = newForm(values)
	_, regional := tenants.FromContext(ctx)
	p.National = !regional
	dims, filter, perr := parseReport(values)
	if len(dims) > 0 {
		p.Dim1 = dims[0]
	}
	if len(dims) > 1 {
		p.Dim2 = dims[1]
	}
	cats, err := s.taxonomy(ctx)
	if err != nil {
		return err
	}
	var powiats map[string]string
	if p.Powiats, powiats, err = s.powiatGroups(ctx); err != nil {
		return err
	}
	n := dimNames{p: &p.Page, categories: categoryMap(p.Lang, cats), powiats: powiats}
	p.options(values, n, cats)
	if !values.Has("dims") {
		return s.render(c, fiber.StatusOK, "stats_report", p)
	}
	p.Asked = true
	rows, err := []store.ReportRow(nil), perr
	if err == nil {
		rows, err = s.db.Report(ctx, dims, filter)
	}
	totals := rows
	if err == nil && len(dims) == 2 {
		// A listing with several values of the second dimension counts
		// once per value; the first dimension's totals count it once.
		totals, err = s.db.Report(ctx, dims[:1], filter)
	}
	if err != nil {
		if !s.addError(&p.Page, err, nil) {
			return err
		}
		for _, param := range []string{"legal_form", "kind", "category", "powiat"} {
			p.Filtered = p.Filtered || p.Form.Invalid(param)
		}
		return s.render(c, fiber.StatusUnprocessableEntity, "stats_report", p)
	}
	trows := make([]statRow, len(totals))
	for i, r := range totals {
		trows[i] = statRow{Code: r.Keys[0], Label: n.name(dims[0], r.Keys[0]), Count: r.Count}
	}
	p.Totals = p.barBlock("report", p.Tf("ui.report.by", "Dim", n.dimTitle(dims[0])), n.dimTitle(dims[0]), trows)
	p.Totals.Empty = p.T("ui.report.empty")
	if len(dims) == 2 {
		p.group(rows, p.Totals.Rows, dims, n)
	}
	for _, d := range dims {
		if d == "kind" || d == "category" || d == "certificate" {
			p.Note = p.T("ui.report.multi_note")
		}
	}
	p.CSVURL = p.URL("/statystyki/raport.csv") + "?" + values.Encode()
	return s.render(c, fiber.StatusOK, "stats_report", p)
}

// options fills the form's choices, ticked as the query asks.
func (p *reportPage) options(values url.Values, n dimNames, cats []store.Category) {
	for _, d := range store.ReportDimensions {
		p.Dims = append(p.Dims, Option{Value: d, Label: n.dimTitle(d)})
	}
	group := func(param string, codes []string, label func(string) string) facetGroup {
		g := facetGroup{Param: param, Legend: p.T("ui.facet." + param)}
		ticked := listParam(values, param)
		for _, code := range codes {
			g.Items = append(g.Items, facetItem{Param: param, Value: code, Label: label(code), ID: "rf-" + param + "-" + code,
				Checked: slices.Contains(ticked, code)})
		}
		return g
	}
	codes := make([]string, len(cats))
	for i, c := range cats {
		codes[i] = c.Code
	}
	p.Filters = []facetGroup{
		group("legal_form", store.LegalForms, func(c string) string { return n.name("legal_form", c) }),
		group("kind", store.Kinds, func(c string) string { return n.name("kind", c) }),
		group("category", codes, func(c string) string { return n.name("category", c) }),
	}
	if pw := listParam(values, "powiat"); len(pw) > 0 {
		p.Powiat = pw[0]
	}
	for _, param := range []string{"legal_form", "kind", "category", "powiat"} {
		if len(listParam(values, param)) > 0 {
			p.Filtered = true
		}
	}
}

// group arranges a two-dimensional report by its first dimension, in
// the order of the totals.
func (p *reportPage) group(rows []store.ReportRow, totals []statRow, dims []string, n dimNames) {
	at := map[string]int{}
	for i, t := range totals {
		at[t.Code] = i
		p.Grouped = append(p.Grouped, reportGroup{Label: t.Label})
	}
	for _, r := range rows {
		i, ok := at[r.Keys[0]]
		if !ok {
			i = len(p.Grouped)
			at[r.Keys[0]] = i
			p.Grouped = append(p.Grouped, reportGroup{Label: n.name(dims[0], r.Keys[0])})
		}
		p.Grouped[i].Rows = append(p.Grouped[i].Rows, statRow{Code: r.Keys[1], Label: n.name(dims[1], r.Keys[1]), Count: r.Count, Text: p.Num(r.Count)})
	}
	p.Grouped = slices.DeleteFunc(p.Grouped, func(g reportGroup) bool { return len(g.Rows) == 0 })
	p.Headers = []string{n.dimTitle(dims[0]), n.dimTitle(dims[1]), p.T("ui.stats.col_count")}
	p.GroupTitle = p.Tf("ui.report.grouped", "A", n.dimTitle(dims[0]), "B", n.dimTitle(dims[1]))
	p.GroupCap = p.Tf("ui.stats.caption", "Title", p.GroupTitle)
}

// listParam is a parameter's values, each may be a comma-separated list.
func listParam(values url.Values, name string) []string {
	var out []string
	for _, raw := range values[name] {
		for _, v := range strings.Split(raw, ",") {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// parseReport reads a report's dimensions (dims=a,b or dims=a&dims=b)
// and its filters, checked as the search checks them. The dimensions are
// the store's to check.
func parseReport(values url.Values) ([]string, store.ReportFilter, error) {
	dims := listParam(values, "dims")
	only := url.Values{}
	for _, k := range []string{"legal_form", "kind", "powiat", "category"} {
		if vs, ok := values[k]; ok {
			only[k] = vs
		}
	}
	q, err := search.ParseQuery(only)
	if err != nil {
		return dims, store.ReportFilter{}, err
	}
	return dims, store.ReportFilter{LegalForms: q.LegalForms, Kinds: q.Kinds, Powiats: q.Powiats, Categories: q.Categories}, nil
}

// reportResponse is the JSON of GET …/api/v1/report.
type reportResponse struct {
	Dims []string          `json:"dims"`
	Rows []store.ReportRow `json:"rows"`
}

// reportAPI counts published listings by one or two dimensions.
func (s *Server) reportAPI(c *fiber.Ctx) error {
	values, err := queryValues(c)
	if err != nil {
		return fiber.ErrBadRequest
	}
	dims, f, err := parseReport(values)
	if err != nil {
		return err
	}
	rows, err := s.db.Report(c.UserContext(), dims, f)
	if err != nil {
		return err
	}
	return c.JSON(reportResponse{Dims: dims, Rows: rows})
}

// reportCSV is the report's rows as a spreadsheet opens them (sheet's
// CSV, cells escaped: a category's name is the region's to write); each
// dimension as its code and its name.
func (s *Server) reportCSV(c *fiber.Ctx) error {
	ctx := c.UserContext()
	values, err := queryValues(c)
	if err != nil {
		return fiber.ErrBadRequest
	}
	dims, f, err := parseReport(values)
	if err != nil {
		return err
	}
	rows, err := s.db.Report(ctx, dims, f)
	if err != nil {
		return err
	}
	p := s.newPage(c, "ui.report.title")
	n := dimNames{p: &p}
	if slices.Contains(dims, "category") {
		cats, err := s.taxonomy(ctx)
		if err != nil {
			return err
		}
		n.categories = categoryMap(p.Lang, cats)
	}
	if slices.Contains(dims, "powiat") {
		if _, n.powiats, err = s.powiatGroups(ctx); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	w, err := sheet.NewCSVWriter(&buf)
	if err != nil {
		return err
	}
	var head []string
	for _, d := range dims {
		head = append(head, p.Tf("ui.report.csv_code", "Dim", n.dimTitle(d)), n.dimTitle(d))
	}
	_ = w.Write(append(head, p.T("ui.stats.col_count")))
	for _, r := range rows {
		rec := make([]string, 0, 2*len(dims)+1)
		for i, d := range dims {
			rec = append(rec, r.Keys[i], n.name(d, r.Keys[i]))
		}
		_ = w.Write(append(rec, fmt.Sprint(r.Count)))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	scope := "polska"
	if t, ok := tenants.FromContext(ctx); ok {
		scope = t.Slug
	}
	name := "raport-" + scope + "-" + strings.Join(dims, "-") + "-" + time.Now().In(warsaw).Format("2006-01-02") + ".csv"
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Send(buf.Bytes())
}
