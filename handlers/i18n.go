package handlers

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
	bundle     *i18n.Bundle
	localizers map[string]*i18n.Localizer
}

// Languages the product speaks, Polish first.
var Languages = []string{"pl", "en"}

// NewTranslator loads every catalogue under locales/ (NAME.LANG.json).
func NewTranslator() (*Translator, error) {
	b := i18n.NewBundle(language.Polish)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	files, err := fs.Glob(localeFS, "locales/*.json")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if _, err := b.LoadMessageFileFS(localeFS, f); err != nil {
			return nil, fmt.Errorf("load %s: %w", f, err)
		}
	}
	t := &Translator{bundle: b, localizers: map[string]*i18n.Localizer{}}
	for _, l := range Languages {
		t.localizers[l] = i18n.NewLocalizer(b, l)
	}
	return t, nil
}

// T renders key in lang with params; an unknown key renders as itself so a
// missing translation shows, rather than an empty string.
func (t *Translator) T(lang, key string, params map[string]any) string {
	loc, ok := t.localizers[lang]
	if !ok {
		loc = t.localizers["pl"]
	}
	msg, err := loc.Localize(&i18n.LocalizeConfig{MessageID: key, TemplateData: params})
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

// pickLanguage chooses from ?lang, then the remembered cookie, then
// Accept-Language, else Polish.
func pickLanguage(query, cookie, acceptLanguage string) string {
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
