package handlers

import (
	"context"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"katalogpes/search"
	"katalogpes/store"
)

// stats serves a region's figures, or on the hub the national ones with
// a count per region; level=gmina&powiat=NNNN narrows them to one powiat,
// gmina by gmina.
func (s *Server) stats(c *fiber.Ctx) error {
	values, err := queryValues(c)
	if err != nil {
		return fiber.ErrBadRequest
	}
	st, err := s.statsAt(c.UserContext(), values)
	if err != nil {
		return err
	}
	if st.ByGmina != nil {
		return c.JSON(powiatStatsJSON{Stats: st})
	}
	return c.JSON(st)
}

// powiatStatsJSON is a powiat's figures: by_gmina in place of by_powiat.
type powiatStatsJSON struct {
	*store.Stats
	ByPowiat    map[string]int    `json:"by_powiat,omitempty"`
	PowiatNames map[string]string `json:"powiat_names,omitempty"`
}

// statsAt computes the figures at the level asked for: the scope's by
// powiat (level absent or "powiat"), or one powiat's by gmina.
func (s *Server) statsAt(ctx context.Context, values url.Values) (*store.Stats, error) {
	powiat := values.Get("powiat")
	switch values.Get("level") {
	case "", "powiat":
		return s.db.ComputeStats(ctx)
	case "gmina":
		if powiat == "" {
			return nil, store.Invalid([]store.FieldError{{Field: "powiat", Key: "required"}})
		}
		if !powiatCode(powiat) {
			return nil, store.Invalid([]store.FieldError{{Field: "powiat", Key: "stats.powiat", Params: map[string]any{"Code": powiat}}})
		}
		return s.db.ComputePowiatStats(ctx, powiat)
	}
	return nil, store.Invalid([]store.FieldError{{Field: "level", Key: "stats.level"}})
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
	dims, rows, err := s.reportOf(c)
	if err != nil {
		return err
	}
	return c.JSON(reportResponse{Dims: dims, Rows: rows})
}

// reportOf computes the report the query asks for: its dimensions and rows.
func (s *Server) reportOf(c *fiber.Ctx) ([]string, []store.ReportRow, error) {
	values, err := queryValues(c)
	if err != nil {
		return nil, nil, fiber.ErrBadRequest
	}
	dims, f, err := parseReport(values)
	if err != nil {
		return nil, nil, err
	}
	rows, err := s.db.Report(c.UserContext(), dims, f)
	return dims, rows, err
}
