package handlers

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"katalogpes/handlers/view"
)

// gminaSection fills the statistics page's powiat picker and, when a
// powiat is picked, the counts of its gminas; a bad powiat is an error at
// the picker (the status to answer with is returned).
func (s *Server) gminaSection(c *fiber.Ctx, p *statsView, values url.Values) (int, error) {
	ctx := c.UserContext()
	var err error
	if p.Powiats, _, err = s.powiatGroups(ctx); err != nil {
		return 0, err
	}
	p.Form = newForm(values)
	p.Powiat = values.Get("powiat")
	if p.Powiat == "" {
		return fiber.StatusOK, nil
	}
	gminas := url.Values{"level": {"gmina"}, "powiat": {p.Powiat}}
	st, err := s.statsAt(ctx, gminas)
	if err != nil {
		if !s.addError(&p.Page, err, nil) {
			return 0, err
		}
		return fiber.StatusUnprocessableEntity, nil
	}
	rows := make([]view.StatRow, 0, len(st.ByGmina))
	for code, n := range st.ByGmina {
		rows = append(rows, view.StatRow{Code: code, Label: st.GminaNames[code], Count: n})
	}
	b := p.BarBlock("by-gmina", p.Tf("ui.stats.by_gmina", "Powiat", st.Powiat.Name), p.T("ui.stats.col_gmina"), rows)
	p.GminaBlock = &b
	return fiber.StatusOK, nil
}
