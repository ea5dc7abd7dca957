package view

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Polish time even where the system has no zone files
)

// Warsaw is the zone every date on the pages and in the mails is shown in.
var Warsaw = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Warsaw")
	if err != nil {
		return time.UTC
	}
	return loc
}()

var (
	monthsPL      = [...]string{"stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września", "października", "listopada", "grudnia"}
	monthsNomPL   = [...]string{"styczeń", "luty", "marzec", "kwiecień", "maj", "czerwiec", "lipiec", "sierpień", "wrzesień", "październik", "listopad", "grudzień"}
	monthsShortPL = [...]string{"sty", "lut", "mar", "kwi", "maj", "cze", "lip", "sie", "wrz", "paź", "lis", "gru"}
)

// FormatInt writes 12345 as "12 345" in Polish (a no-break space, and
// four-digit numbers left whole, as Polish typography does) and
// "12,345" in English.
func FormatInt(lang string, n int) string {
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

// FormatShare writes part/whole as a percentage with one decimal:
// "40,0%" in Polish, "40.0%" in English.
func FormatShare(lang string, part, whole int) string {
	s := fmt.Sprintf("%.1f%%", 100*float64(part)/float64(whole))
	if lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// FormatDate writes a date as "5 marca 2025" or "5 March 2025". It takes
// a time.Time, a *time.Time or a YYYY-MM-DD string; anything else is "".
func FormatDate(lang string, v any) string {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x.In(Warsaw)
	case *time.Time:
		if x == nil {
			return ""
		}
		t = x.In(Warsaw)
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

// FormatDateTime adds the hour: "5 marca 2025, 14:05".
func FormatDateTime(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return FormatDate(lang, t) + ", " + t.In(Warsaw).Format("15:04")
}

// MonthName writes "2025-03" as "marzec 2025" (short: "mar 2025") or
// "March 2025" ("Mar 2025").
func MonthName(lang, ym string, short bool) string {
	t, err := time.Parse("2006-01", ym)
	if err != nil {
		return ym
	}
	switch {
	case lang == "en" && short:
		return t.Format("Jan 2006")
	case lang == "en":
		return t.Format("January 2006")
	case short:
		return fmt.Sprintf("%s %d", monthsShortPL[t.Month()-1], t.Year())
	}
	return fmt.Sprintf("%s %d", monthsNomPL[t.Month()-1], t.Year())
}
