package handlers

import (
	"net/url"
	"slices"

	"github.com/gofiber/fiber/v2"

	"katalogpes/handlers/view"
	"katalogpes/store"
	"katalogpes/tenants"
)

// The sector's figures for people: a region's (or, on the hub, the
// country's, region by region) as charts with their numbers in tables,
// and a report builder that crosses one or two dimensions under filters,
// with the same rows as CSV and, for machines, as JSON.

// nationalPowiats is how many powiats the national page lists; the
// report has them all.
const nationalPowiats = 20

type statsView struct {
	Page
	National    bool
	Stats       *store.Stats
	AtRiskShare string
	Blocks      []view.StatBlock
	// Powiats are the picker of the powiat whose gminas GminaBlock counts.
	Powiats    []optGroup
	Powiat     string
	GminaBlock *view.StatBlock
}

// statsView shows a region's figures, or on the hub the country's with
// a bar per region.
func (s *Server) statsPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	st, err := s.db.ComputeStats(ctx)
	if err != nil {
		return err
	}
	p := &statsView{Page: s.newPage(c, "ui.stats.title"), Stats: st}
	p.Section = "stats"
	_, regional := tenants.FromContext(ctx)
	p.National = !regional
	if p.National {
		p.Title = p.T("ui.stats.national_title")
	}
	if st.EmployeesTotal > 0 {
		p.AtRiskShare = p.Share(st.EmployeesAtRisk, st.EmployeesTotal)
	}
	cats, err := s.taxonomy(ctx)
	if err != nil {
		return err
	}
	n := dimNames{p: &p.Page, categories: categoryMap(p.Lang, cats), powiats: st.PowiatNames}
	if p.National {
		var rows []view.StatRow
		for _, t := range s.registry.All() {
			rows = append(rows, view.StatRow{Code: t.Slug, Label: t.Voivodeship, URL: "/r/" + t.Slug + "/statystyki", Count: st.ByTenant[t.Slug]})
		}
		p.Blocks = append(p.Blocks, p.BarBlock("by-region", p.T("ui.stats.by_region"), p.T("ui.stats.col_region"), rows))
	}
	for _, d := range []struct {
		dim    string
		counts map[string]int
	}{{"legal_form", st.ByLegalForm}, {"kind", st.ByKind}, {"powiat", st.ByPowiat}, {"category", st.ByCategory}, {"certificate", st.ByCertificate}} {
		b := p.BarBlock("by-"+d.dim, p.T("ui.stats.by_"+d.dim), n.dimTitle(d.dim), n.rows(d.dim, d.counts))
		if d.dim == "powiat" && p.National && len(b.Rows) > nationalPowiats {
			b.Note = p.Tf("ui.stats.table_top", "N", nationalPowiats, "Total", p.Num(len(b.Rows)))
			b.ChartNote = ""
			b.MoreURL, b.MoreText = "/statystyki/raport?dims=powiat", p.T("ui.stats.full_report")
			b.Rows = b.Rows[:nationalPowiats]
		}
		p.Blocks = append(p.Blocks, b)
	}
	p.Blocks = append(p.Blocks, p.MonthBlock("by-month", p.T("ui.stats.by_month"),
		view.MonthSeries{Title: p.T("ui.stats.registrations"), Header: p.T("ui.stats.col_registrations"), Months: st.RegistrationsByMonth},
		view.MonthSeries{Title: p.T("ui.stats.publications"), Header: p.T("ui.stats.col_publications"), Months: st.PublicationsByMonth}))
	values, err := queryValues(c)
	if err != nil {
		return fiber.ErrBadRequest
	}
	status, err := s.gminaSection(c, p, values)
	if err != nil {
		return err
	}
	return s.render(c, status, "stats", p)
}

// reportGroup is the rows of a two-dimensional report that share the
// first dimension's value.
type reportGroup struct {
	Label string
	Rows  []view.StatRow
}

type reportView struct {
	Page
	National   bool
	Dims       []Option
	Dim1, Dim2 string
	Filters    []facetGroup
	Powiats    []optGroup
	Powiat     string
	Filtered   bool // a filter is set or wrong: the filters show unfolded
	Asked      bool
	Totals     view.StatBlock
	Grouped    []reportGroup
	Headers    []string
	GroupTitle string
	GroupCap   string
	Note       string
	CSVURL     string
	XLSXURL    string
}

// reportView is the report builder: a GET form, so every report has an
// address to share, and under it the table, the chart and the CSV link.
func (s *Server) reportPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	values, err := queryValues(c)
	if err != nil {
		return fiber.ErrBadRequest
	}
	p := &reportView{Page: s.newPage(c, "ui.report.title"), Dim1: store.ReportDimensions[0]}
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
	n := dimNames{p: &p.Page, categories: categoryMap(p.Lang, cats), powiats: powiats, voivodeships: s.voivodeshipNames()}
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
	trows := make([]view.StatRow, len(totals))
	for i, r := range totals {
		trows[i] = view.StatRow{Code: r.Keys[0], Label: n.name(dims[0], r.Keys[0]), Count: r.Count}
	}
	p.Totals = p.BarBlock("report", p.Tf("ui.report.by", "Dim", n.dimTitle(dims[0])), n.dimTitle(dims[0]), trows)
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
	p.XLSXURL = p.URL("/statystyki/raport.xlsx") + "?" + values.Encode()
	return s.render(c, fiber.StatusOK, "stats_report", p)
}

// options fills the form's choices, ticked as the query asks.
func (p *reportView) options(values url.Values, n dimNames, cats []store.Category) {
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
func (p *reportView) group(rows []store.ReportRow, totals []view.StatRow, dims []string, n dimNames) {
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
		p.Grouped[i].Rows = append(p.Grouped[i].Rows, view.StatRow{Code: r.Keys[1], Label: n.name(dims[1], r.Keys[1]), Count: r.Count, Text: p.Num(r.Count)})
	}
	p.Grouped = slices.DeleteFunc(p.Grouped, func(g reportGroup) bool { return len(g.Rows) == 0 })
	p.Headers = []string{n.dimTitle(dims[0]), n.dimTitle(dims[1]), p.T("ui.stats.col_count")}
	p.GroupTitle = p.Tf("ui.report.grouped", "A", n.dimTitle(dims[0]), "B", n.dimTitle(dims[1]))
	p.GroupCap = p.Tf("ui.stats.caption", "Title", p.GroupTitle)
}
