package handlers

import (
	"bytes"
	"cmp"
	"context"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"katalogpes/handlers/view"
	"katalogpes/store"
	"katalogpes/tenants"
)

// Exports and the market-check record (rozeznanie rynku) from a results
// page: the same search, as files.

// exportNames are the words an export writes for codes, in lang.
func (s *Server) exportNames(ctx context.Context, lang string) (*store.ExportNames, error) {
	units, err := s.db.UnitNames(ctx)
	if err != nil {
		return nil, err
	}
	return &store.ExportNames{Label: s.tr.Locale(lang).Label, Categories: s.categoryNames(ctx, lang), Units: units}, nil
}

// resultFiles links a results page to its exports and its market-check
// record: the page's query without its page number, in its language.
func resultFiles(p *searchView, values url.Values) {
	v := url.Values{}
	for k, vs := range values {
		if k != "page" && k != "lang" {
			v[k] = vs
		}
	}
	v.Set("lang", p.Lang)
	query := "?" + v.Encode()
	for _, f := range []struct{ format, label string }{{store.ExportXLSX, "XLSX"}, {store.ExportCSV, "CSV"}, {store.ExportJSON, "JSON"}} {
		p.Downloads = append(p.Downloads, Option{Value: p.Base + "/api/v1/export." + f.format + query, Label: f.label})
	}
	p.MarketCheckURL = p.Base + "/szukaj/rozeznanie.pdf" + query
}

// marketCheckPDF writes the record of the search the query describes: when,
// where, its criteria in words, how many entities it finds and (up to
// view.MarketCheckLimit) which, with a link back to the same search.
func (s *Server) marketCheckPDF(c *fiber.Ctx) error {
	values, q, err := requestQuery(c)
	if err != nil {
		return err
	}
	ctx, lang := c.UserContext(), langOf(c)
	m := view.MarketCheck{At: time.Now(), CatalogURL: s.cfg.BaseURL}
	path := "/szukaj"
	if t, ok := tenants.FromContext(ctx); ok {
		m.Region, path = t.Voivodeship, "/r/"+t.Slug+"/szukaj"
	}
	link := url.Values{}
	for k, vs := range values {
		if k != "page" {
			link[k] = vs
		}
	}
	m.SearchURL = s.cfg.BaseURL + path + "?" + link.Encode()
	counted := q
	counted.Page, counted.PerPage = 1, 1
	res, err := s.search.Search(ctx, counted)
	if err != nil {
		return err
	}
	m.Total = res.Total
	next := s.exportPages(q)
	for len(m.Listings) < view.MarketCheckLimit {
		page, err := next(ctx)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
		m.Listings = append(m.Listings, page[:min(len(page), view.MarketCheckLimit-len(m.Listings))]...)
	}
	names, err := s.exportNames(ctx, lang)
	if err != nil {
		return err
	}
	loc := s.tr.Locale(lang)
	m.Criteria = loc.Criteria(q.Q, q.ListingFilter, names.Categories, names.Units)
	var buf bytes.Buffer
	if err := loc.WriteMarketCheck(&buf, m); err != nil {
		return err
	}
	name := "rozeznanie-rynku-" + cmp.Or(q.Tenant, "polska") + "-" + m.At.In(view.Warsaw).Format("2006-01-02") + ".pdf"
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Send(buf.Bytes())
}
