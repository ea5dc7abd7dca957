package handlers

import (
	"html/template"

	"github.com/gofiber/fiber/v2"
)

// errorPage is the page of a problem, in the site's layout.
type errorPage struct {
	Page
	P Problem
}

// plainErrorPage is the last resort, should the layout itself fail.
var plainErrorPage = template.Must(template.New("plain_error").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.P.Title}} — Katalog PES</title></head>
<body><main><h1>{{.P.Title}}</h1><p>{{.P.Detail}}</p>
<p><a href="/">{{if eq .Lang "en"}}Back to the catalog{{else}}Wróć do katalogu{{end}}</a></p></main></body></html>`))

// renderErrorPage shows a problem to a person.
func (s *Server) renderErrorPage(c *fiber.Ctx, p Problem) error {
	page := &errorPage{Page: s.newPage(c, "ui.error.title"), P: p}
	page.Title = p.Title
	page.Status = p.Status
	if err := s.render(c, p.Status, "error", page); err == nil {
		return nil
	}
	c.Response().ResetBody()
	c.Status(p.Status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return plainErrorPage.Execute(c.Response().BodyWriter(), struct {
		Lang string
		P    Problem
	}{langOf(c), p})
}
