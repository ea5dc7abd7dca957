// Package view is what the pages and mails say and how they look, apart
// from HTTP: the templates, the translations with their plurals, the
// formatting of numbers and dates, Polish ordering, the SVG charts and
// the mail bodies. It must not import Fiber: handlers builds the template
// engine from Templates and Funcs, and cmd composes mail with it too.
package view

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales/*.json
var localeFS embed.FS

// Translator renders message keys in Polish (the default) or English.
type Translator struct {
	localizers map[string]*i18n.Localizer
}

// Languages the product speaks, Polish first.
var Languages = []string{"pl", "en"}

// NewTranslator loads every catalogue under locales/ (NAME.LANG.json).
// A noun that counts is one message with CLDR's plural forms (Polish:
// one, few, many, other; English: one, other), chosen by go-i18n.
func NewTranslator() (*Translator, error) {
	b := i18n.NewBundle(language.Polish)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	files, err := fs.Glob(localeFS, "locales/*.json")
	if err != nil {
		return nil, fmt.Errorf("list catalogues: %w", err)
	}
	for _, f := range files {
		if _, err := b.LoadMessageFileFS(localeFS, f); err != nil {
			return nil, fmt.Errorf("load %s: %w", f, err)
		}
	}
	t := &Translator{localizers: map[string]*i18n.Localizer{}}
	for _, l := range Languages {
		t.localizers[l] = i18n.NewLocalizer(b, l)
	}
	return t, nil
}

func (t *Translator) localizer(lang string) *i18n.Localizer {
	if loc, ok := t.localizers[lang]; ok {
		return loc
	}
	return t.localizers["pl"]
}

// T renders key in lang with params; an unknown key renders as itself so a
// missing translation shows, rather than an empty string.
func (t *Translator) T(lang, key string, params map[string]any) string {
	msg, err := t.localizer(lang).Localize(&i18n.LocalizeConfig{MessageID: key, TemplateData: params})
	if err != nil || msg == "" {
		return key
	}
	return msg
}

// N renders key in the plural form n takes in lang; .Count in the
// message is n, formatted.
func (t *Translator) N(lang, key string, n int) string {
	msg, err := t.localizer(lang).Localize(&i18n.LocalizeConfig{MessageID: key, PluralCount: n,
		TemplateData: map[string]any{"Count": FormatInt(lang, n)}})
	if err != nil || msg == "" {
		return key
	}
	return msg
}

// Has reports whether key is in the Polish catalogue.
func (t *Translator) Has(key string) bool {
	_, err := t.localizers["pl"].Localize(&i18n.LocalizeConfig{MessageID: key})
	return err == nil
}

// PickLanguage chooses from ?lang, then the remembered cookie, then
// Accept-Language, else Polish.
func PickLanguage(query, cookie, acceptLanguage string) string {
	for _, l := range []string{query, cookie} {
		if l == "pl" || l == "en" {
			return l
		}
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err == nil {
		for _, tag := range tags {
			base, _ := tag.Base()
			switch strings.ToLower(base.String()) {
			case "pl":
				return "pl"
			case "en":
				return "en"
			}
		}
	}
	return "pl"
}
