package handlers

import (
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Polish time even where the system has no zone files
)

// warsaw is the zone every date on the pages is shown in.
var warsaw = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Warsaw")
	if err != nil {
		return time.UTC
	}
	return loc
}()

var monthsPL = [...]string{"stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca",
	"sierpnia", "września", "października", "listopada", "grudnia"}

// formatInt writes 12345 as "12 345" in Polish (a no-break space, and
// four-digit numbers left whole, as Polish typography does) and
// "12,345" in English.
func formatInt(lang string, n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	sep, min := ",", 4
	if lang != "en" {
		sep, min = "\u00a0", 5
	}
	if len(s) >= min {
		var b strings.Builder
		for i, r := range s {
			if i > 0 && (len(s)-i)%3 == 0 {
				b.WriteString(sep)
			}
			b.WriteRune(r)
		}
		s = b.String()
	}
	if neg {
		s = "−" + s
	}
	return s
}

// formatDate writes a date as "5 marca 2025" or "5 March 2025". It takes
// a time.Time, a *time.Time or a YYYY-MM-DD string; anything else is "".
func formatDate(lang string, v any) string {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x.In(warsaw)
	case *time.Time:
		if x == nil {
			return ""
		}
		t = x.In(warsaw)
	case string:
		d, err := time.Parse("2006-01-02", x)
		if err != nil {
			return x
		}
		t = d
	default:
		return ""
	}
	if t.IsZero() {
		return ""
	}
	if lang == "en" {
		return t.Format("2 January 2006")
	}
	return strconv.Itoa(t.Day()) + " " + monthsPL[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// formatDateTime adds the hour: "5 marca 2025, 14:05".
func formatDateTime(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return formatDate(lang, t) + ", " + t.In(warsaw).Format("15:04")
}

// plural renders key with the plural form that n takes in lang: the
// catalogues hold key.one, key.few and key.many (Polish needs all three;
// English uses one and many, with few the same as many). .Count in the
// message is n, formatted.
func (t *Translator) plural(lang, key string, n int) string {
	return t.T(lang, key+"."+pluralForm(lang, n), map[string]any{"Count": formatInt(lang, n)})
}

// pluralForm is CLDR's rule for whole numbers.
func pluralForm(lang string, n int) string {
	if n < 0 {
		n = -n
	}
	switch {
	case n == 1:
		return "one"
	case lang == "en":
		return "many"
	case n%10 >= 2 && n%10 <= 4 && (n%100 < 12 || n%100 > 14):
		return "few"
	}
	return "many"
}

// Waiting says how long something has waited: "2 dni 3 godz.".
func (p *Page) Waiting(secs int64) string {
	d := time.Duration(secs) * time.Second
	days := int(d / (24 * time.Hour))
	hours := int(d % (24 * time.Hour) / time.Hour)
	mins := int(d % time.Hour / time.Minute)
	var parts []string
	if days > 0 {
		parts = append(parts, p.N("ui.dur.days", days))
	}
	if hours > 0 {
		parts = append(parts, p.N("ui.dur.hours", hours))
	}
	if days == 0 && (mins > 0 || hours == 0) {
		parts = append(parts, p.N("ui.dur.minutes", mins))
	}
	return strings.Join(parts, " ")
}

// collateKey orders Polish words roughly as a dictionary does: each
// letter with a diacritic right after its base letter.
func collateKey(s string) string {
	r := strings.NewReplacer(
		"ą", "a~", "ć", "c~", "ę", "e~", "ł", "l~", "ń", "n~", "ó", "o~", "ś", "s~", "ź", "z~", "ż", "z~~",
		"Ą", "a~", "Ć", "c~", "Ę", "e~", "Ł", "l~", "Ń", "n~", "Ó", "o~", "Ś", "s~", "Ź", "z~", "Ż", "z~~")
	return r.Replace(strings.ToLower(s))
}

// Phone writes +48600100200 as "+48 600 100 200".
func (p *Page) Phone(e164 string) string {
	if len(e164) == 12 && strings.HasPrefix(e164, "+48") {
		return "+48 " + e164[3:6] + " " + e164[6:9] + " " + e164[9:]
	}
	return e164
}
