package view

import (
	"embed"
	"html"
	"html/template"
	"io/fs"
	"strings"
)

// The pages' templates live in the binary, one NAME.html each; Fiber's
// html engine (built in handlers) loads them with Funcs.
//
//go:embed templates/*.html
var templateFS embed.FS

// Templates is the directory of the pages' templates.
func Templates() fs.FS {
	sub, err := fs.Sub(templateFS, "templates")
	if err != nil {
		panic(err) // the directory is embedded: it is there
	}
	return sub
}

// Funcs are what the templates call besides their page's methods.
func Funcs() template.FuncMap {
	return template.FuncMap{
		"safeMark": SafeMark,
		"add1":     func(i int) int { return i + 1 },
		"linkify":  Linkify,
	}
}

// SafeMark lets a search highlight's <mark> through and escapes
// everything else, whatever the highlighter produced.
func SafeMark(s string) template.HTML {
	esc := html.EscapeString(html.UnescapeString(s))
	esc = strings.NewReplacer("&lt;mark&gt;", "<mark>", "&lt;/mark&gt;", "</mark>").Replace(esc)
	return template.HTML(esc) //nolint:gosec // escaped above, only <mark> restored
}
