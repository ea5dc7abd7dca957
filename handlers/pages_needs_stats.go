package handlers

import (
	"github.com/gofiber/fiber/v2"

	"katalogpes/handlers/view"
	"katalogpes/store"
	"katalogpes/tenants"
)

// needStatsView is the page of socially responsible purchasing: needs
// posted, answered, awarded, the value and the entities that won, by kind,
// category, powiat and month (and region, on the hub).
type needStatsView struct {
	Page
	S        *store.NeedStats
	National bool
	Blocks   []view.StatBlock
}

func (s *Server) needStatsPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	st, err := s.db.FindNeedStats(ctx)
	if err != nil {
		return err
	}
	p := &needStatsView{Page: s.newPage(c, "ui.need.stats_title"), S: st}
	p.Section = "stats"
	_, regional := tenants.FromContext(ctx)
	p.National = !regional
	cats, err := s.taxonomy(ctx)
	if err != nil {
		return err
	}
	_, powiats, err := s.powiatGroups(ctx)
	if err != nil {
		return err
	}
	catNames := categoryMap(p.Lang, cats)
	regionNames := map[string]string{}
	for _, t := range s.registry.All() {
		regionNames[t.Slug] = t.Voivodeship
	}
	groups := []struct {
		id, title string
		figures   map[string]store.NeedFigures
		name      func(string) string
	}{
		{"needs-kind", "ui.need.stats_by_kind", st.ByKind, func(k string) string { return p.T("ui.need.kind." + k) }},
		{"needs-category", "ui.need.stats_by_category", st.ByCategory, func(k string) string { return nameOr(catNames, k) }},
		{"needs-powiat", "ui.need.stats_by_powiat", st.ByPowiat, func(k string) string { return nameOr(powiats, k) }},
	}
	if p.National {
		groups = append(groups, struct {
			id, title string
			figures   map[string]store.NeedFigures
			name      func(string) string
		}{"needs-region", "ui.need.stats_by_region", st.ByTenant, func(k string) string { return nameOr(regionNames, k) }})
	}
	for _, g := range groups {
		p.Blocks = append(p.Blocks, p.needBlock(g.id, p.T(g.title), g.figures, g.name))
	}
	var posted, awarded []store.MonthCount
	for _, m := range st.ByMonth {
		posted = append(posted, store.MonthCount{Month: m.Month, Count: m.Posted})
		awarded = append(awarded, store.MonthCount{Month: m.Month, Count: m.Awarded})
	}
	p.Blocks = append(p.Blocks, p.MonthBlock("needs-month", p.T("ui.need.stats_by_month"),
		view.MonthSeries{Title: p.T("ui.need.stats_posted"), Header: p.T("ui.need.stats_posted"), Months: posted},
		view.MonthSeries{Title: p.T("ui.need.stats_awarded"), Header: p.T("ui.need.stats_awarded"), Months: awarded}))
	return s.render(c, fiber.StatusOK, "needs_stats", p)
}

func nameOr(names map[string]string, code string) string {
	if n, ok := names[code]; ok && n != "" {
		return n
	}
	return code
}

// needBlock is a figure's bars of needs posted, with the table's other
// columns: answered, awarded, value awarded, entities that won.
func (p *needStatsView) needBlock(id, title string, figures map[string]store.NeedFigures, name func(string) string) view.StatBlock {
	rows := make([]view.StatRow, 0, len(figures))
	for code, f := range figures {
		rows = append(rows, view.StatRow{Code: code, Label: name(code), Count: f.Posted})
	}
	b := p.BarBlock(id, title, p.T("ui.need.stats_group"), rows)
	b.Headers = []string{b.Headers[0], p.T("ui.need.stats_posted"), p.T("ui.need.stats_answered"), p.T("ui.need.stats_awarded"),
		p.T("ui.need.stats_value"), p.T("ui.need.stats_won")}
	for i := range b.Rows {
		f := figures[b.Rows[i].Code]
		b.Rows[i].Cells = []string{p.Num(f.Posted), p.Num(f.Answered), p.Num(f.Awarded), p.PLN(f.AwardedValue), p.Num(f.EntitiesWon)}
	}
	return b
}

// PLN writes an amount in whole złoty with the language's grouping.
func (p *needStatsView) PLN(v float64) string { return p.Num(int(v+0.5)) + " zł" }
