package handlers

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"katalogpes/handlers/view"
	"katalogpes/store"
	"katalogpes/store/sheet"
	"katalogpes/tenants"
)

// reportCSV is the report's rows as a spreadsheet opens them (sheet's
// CSV, cells escaped: a category's name is the region's to write); each
// dimension as its code and its name.
func (s *Server) reportCSV(c *fiber.Ctx) error { return s.reportDownload(c, "csv") }

// reportXLSX is the same rows as an Excel workbook, the count a number.
func (s *Server) reportXLSX(c *fiber.Ctx) error { return s.reportDownload(c, "xlsx") }

// reportDownload answers the report as a file of the format.
func (s *Server) reportDownload(c *fiber.Ctx, format string) error {
	ctx := c.UserContext()
	dims, rows, err := s.reportOf(c)
	if err != nil {
		return err
	}
	p := s.newPage(c, "ui.report.title")
	n := dimNames{p: &p, voivodeships: s.voivodeshipNames()}
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
	var head []string
	for _, d := range dims {
		head = append(head, p.Tf("ui.report.csv_code", "Dim", n.dimTitle(d)), n.dimTitle(d))
	}
	head = append(head, p.T("ui.stats.col_count"))
	named := func(r store.ReportRow) []string {
		rec := make([]string, 0, 2*len(dims))
		for i, d := range dims {
			rec = append(rec, r.Keys[i], n.name(d, r.Keys[i]))
		}
		return rec
	}
	var buf bytes.Buffer
	contentType := "text/csv; charset=utf-8"
	if format == "xlsx" {
		contentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		err = writeReportXLSX(&buf, p.T("ui.report.title"), head, rows, named)
	} else {
		err = writeReportCSV(&buf, head, rows, named)
	}
	if err != nil {
		return err
	}
	scope := "polska"
	if t, ok := tenants.FromContext(ctx); ok {
		scope = t.Slug
	}
	name := "raport-" + scope + "-" + strings.Join(dims, "-") + "-" + time.Now().In(view.Warsaw).Format("2006-01-02") + "." + format
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Send(buf.Bytes())
}

func writeReportCSV(buf *bytes.Buffer, head []string, rows []store.ReportRow, named func(store.ReportRow) []string) error {
	w, err := sheet.NewCSVWriter(buf)
	if err != nil {
		return err
	}
	_ = w.Write(head)
	for _, r := range rows {
		_ = w.Write(append(named(r), fmt.Sprint(r.Count)))
	}
	return w.Flush()
}

func writeReportXLSX(buf *bytes.Buffer, title string, head []string, rows []store.ReportRow, named func(store.ReportRow) []string) error {
	w, err := sheet.NewXLSXWriter(buf, sheet.XLSXBook{Sheet: "Raport", Header: head, Title: title,
		Created: time.Now().UTC().Format(time.RFC3339)})
	if err != nil {
		return err
	}
	for _, r := range rows {
		var vals []any
		for _, v := range named(r) {
			vals = append(vals, v)
		}
		if err := w.Write(append(vals, r.Count)); err != nil {
			return err
		}
	}
	return w.Close()
}
