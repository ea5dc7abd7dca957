package handlers

import (
	"net/url"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"katalogpes/store"
	"katalogpes/tenants"
)

// Bounds of a region's own search words.
const (
	maxSynonymRules = 1000
	maxStopWords    = 200
	maxStopWordLen  = 40
)

type synonymsView struct {
	Page
}

// synonymsText writes synonyms one rule a line: "word: other, another".
func synonymsText(m map[string][]string) string {
	words := make([]string, 0, len(m))
	for w := range m {
		words = append(words, w)
	}
	sort.Strings(words)
	var b strings.Builder
	for _, w := range words {
		b.WriteString(w + ": " + strings.Join(m[w], ", ") + "\n")
	}
	return b.String()
}

// parseSynonyms reads the lines back; it reports the first bad line.
func parseSynonyms(text string) (map[string][]string, int) {
	out := map[string][]string{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		word, rest, ok := strings.Cut(line, ":")
		word = strings.ToLower(strings.TrimSpace(word))
		var alts []string
		for _, a := range strings.Split(rest, ",") {
			if a = strings.ToLower(strings.TrimSpace(a)); a != "" && a != word {
				alts = append(alts, a)
			}
		}
		if !ok || word == "" || len(alts) == 0 || utf8.RuneCountInString(line) > 500 {
			return nil, i + 1
		}
		out[word] = append(out[word], alts...)
	}
	return out, 0
}

// parseStopWords reads stop words separated by commas or lines: single
// words of letters; it reports the first bad one.
func parseStopWords(text string) ([]string, string) {
	var out []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		w = strings.ToLower(strings.TrimSpace(w))
		if w == "" {
			continue
		}
		if utf8.RuneCountInString(w) > maxStopWordLen || strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) }) >= 0 {
			return nil, w
		}
		if !containsString(out, w) {
			out = append(out, w)
		}
	}
	return out, ""
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (s *Server) synonymsPage(c *fiber.Ctx) error {
	p := &synonymsView{Page: s.newPage(c, "ui.synonyms.title")}
	p.Section = "admin"
	p.Form = newForm(url.Values{
		"synonyms":   {synonymsText(p.Tenant.Settings.Synonyms)},
		"stop_words": {strings.Join(p.Tenant.Settings.StopWords, ", ")},
	})
	return s.render(c, fiber.StatusOK, "synonyms", p)
}

// synonymsSubmit saves a region's synonyms and stop words and applies them
// to the region's own search index (no other region's results change).
func (s *Server) synonymsSubmit(c *fiber.Ctx) error {
	ctx := c.UserContext()
	t, _ := tenants.FromContext(ctx)
	v := formValues(c)
	p := &synonymsView{Page: s.newPage(c, "ui.synonyms.title")}
	p.Section = "admin"
	p.Form = newForm(v)
	syn, bad := parseSynonyms(v.Get("synonyms"))
	if bad > 0 || len(syn) > maxSynonymRules {
		p.Form.add(&p.Page, "synonyms", p.Tf("ui.err.synonym_line", "Line", bad))
	}
	stop, badWord := parseStopWords(v.Get("stop_words"))
	if badWord != "" || len(stop) > maxStopWords {
		p.Form.add(&p.Page, "stop_words", p.Tf("search.err.stop_word", "Word", badWord, "Max", maxStopWords))
	}
	if len(p.Form.Errors) > 0 {
		return s.render(c, fiber.StatusUnprocessableEntity, "synonyms", p)
	}
	settings := t.Settings
	settings.Synonyms, settings.StopWords = syn, stop
	if err := s.db.UpdateTenant(ctx, store.TenantUpdate{Settings: &settings}); err != nil {
		return err
	}
	if err := s.ReloadTenants(ctx); err != nil {
		return err
	}
	updated := *t
	updated.Settings = settings
	msg := "synonyms_saved"
	if err := s.search.EnsureRegionSettings(ctx, &updated); err != nil {
		s.log.Warn("apply synonyms to the region's search index", "request_id", requestID(c), "err", err)
		msg = "synonyms_later"
	}
	return c.Redirect(basePath(c)+"/admin/synonimy?msg="+msg, fiber.StatusSeeOther)
}
