package view

import (
	"strings"
	"time"
)

// Locale is a language and its translator: what a page or a mail uses to
// write words, counts, numbers and dates. Pages embed it, so templates
// call {{.T "key"}}, {{.N "key" 3}}, {{.Date .When}}.
type Locale struct {
	Lang string
	tr   *Translator
}

// Locale is the translator's voice in lang.
func (t *Translator) Locale(lang string) Locale { return Locale{Lang: lang, tr: t} }

// T translates a message key.
func (l Locale) T(key string) string { return l.tr.T(l.Lang, key, nil) }

// Tp translates a key with its parameters (as errors carry them).
func (l Locale) Tp(key string, params map[string]any) string { return l.tr.T(l.Lang, key, params) }

// Tf translates a key with parameters given as name, value pairs.
func (l Locale) Tf(key string, kv ...any) string {
	params := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok {
			params[k] = kv[i+1]
		}
	}
	return l.tr.T(l.Lang, key, params)
}

// Has reports whether key has a message.
func (l Locale) Has(key string) bool { return l.tr.Has(key) }

// N renders a count with the noun in the right plural form.
func (l Locale) N(key string, n int) string { return l.tr.N(l.Lang, key, n) }

// Label names a code of a group (legal_form, kind, status…); an unknown
// code shows as itself.
func (l Locale) Label(group, code string) string {
	key := "ui." + group + "." + code
	if v := l.T(key); v != key {
		return v
	}
	return code
}

// Num formats an integer the way the language writes it.
func (l Locale) Num(n int) string { return FormatInt(l.Lang, n) }

// Share formats part/whole as a percentage with one decimal.
func (l Locale) Share(part, whole int) string { return FormatShare(l.Lang, part, whole) }

// Date formats a time, a *time.Time or a YYYY-MM-DD string as a date.
func (l Locale) Date(v any) string { return FormatDate(l.Lang, v) }

// DateTime formats a time with the hour, in Polish time.
func (l Locale) DateTime(t time.Time) string { return FormatDateTime(l.Lang, t) }

// ISO is a time's date as YYYY-MM-DD, for <time datetime>.
func (l Locale) ISO(t time.Time) string { return t.In(Warsaw).Format("2006-01-02") }

// Month writes "2025-03" as "marzec 2025", short as "mar 2025".
func (l Locale) Month(ym string, short bool) string { return MonthName(l.Lang, ym, short) }

// Waiting says how long something has waited: "2 dni 3 godz.".
func (l Locale) Waiting(secs int64) string {
	d := time.Duration(secs) * time.Second
	days := int(d / (24 * time.Hour))
	hours := int(d % (24 * time.Hour) / time.Hour)
	mins := int(d % time.Hour / time.Minute)
	var parts []string
	if days > 0 {
		parts = append(parts, l.N("ui.dur.days", days))
	}
	if hours > 0 {
		parts = append(parts, l.N("ui.dur.hours", hours))
	}
	if days == 0 && (mins > 0 || hours == 0) {
		parts = append(parts, l.N("ui.dur.minutes", mins))
	}
	return strings.Join(parts, " ")
}

// Phone writes +48600100200 as "+48 600 100 200".
func (l Locale) Phone(e164 string) string {
	if len(e164) == 12 && strings.HasPrefix(e164, "+48") {
		return "+48 " + e164[3:6] + " " + e164[6:9] + " " + e164[9:]
	}
	return e164
}
