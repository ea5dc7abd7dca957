package sheet

import (
	"fmt"
	"katalogpes/store/polish"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// MaxTitleRows is how far down a register's header may be: registers
// often open with a title row or two.
const MaxTitleRows = 10

// Columns maps header cells to the fields they fill (API names such as
// "address.city"); unknown columns map to "", and a header with no known
// column is no register at all. A field named twice is read from its
// first column.
func Columns(header []string) ([]string, bool) {
	cols := make([]string, len(header))
	taken := map[string]bool{}
	for i, h := range header {
		f := columnAliases[HeaderKey(h)]
		if f != "" && !taken[f] {
			cols[i], taken[f] = f, true
		}
	}
	return cols, len(taken) > 0
}

// columnAliases: the Polish column names regions use and the API's names,
// as HeaderKey folds them.
var columnAliases = func() map[string]string {
	m := map[string]string{}
	for field, names := range map[string][]string{
		"name":                            {"nazwa", "name"},
		"short_name":                      {"nazwa_skrocona", "short_name"},
		"legal_form":                      {"forma_prawna", "legal_form"},
		"kinds":                           {"rodzaj", "rodzaje", "kinds"},
		"operator":                        {"operator", "podmiot_prowadzacy"},
		"nip":                             {"nip"},
		"krs":                             {"krs"},
		"regon":                           {"regon"},
		"address.street":                  {"ulica", "street", "address_street"},
		"address.postal_code":             {"kod_pocztowy", "postal_code", "address_postal_code"},
		"address.city":                    {"miejscowosc", "city", "address_city"},
		"address.gmina_teryt":             {"gmina_teryt", "teryt", "address_gmina_teryt"},
		"contact.email":                   {"email", "e_mail", "contact_email"},
		"contact.phone":                   {"telefon", "phone", "contact_phone"},
		"contact.website":                 {"www", "website", "strona_www", "contact_website"},
		"description":                     {"opis", "description"},
		"categories":                      {"kategorie", "categories"},
		"employment.total":                {"zatrudnieni", "employment_total"},
		"employment.at_risk":              {"zagrozeni_wykluczeniem", "employment_at_risk"},
		"employment.as_of":                {"stan_na", "employment_as_of"},
		"social_enterprise.decision_no":   {"ps_decyzja_nr", "social_enterprise_decision_no"},
		"social_enterprise.decision_date": {"ps_decyzja_data", "social_enterprise_decision_date"},
		"geo.lat":                         {"lat", "geo_lat"},
		"geo.lng":                         {"lng", "lon", "geo_lng"},
		"founded_year":                    {"rok_zalozenia", "founded_year"},
		// The exports' code columns beside the names (see store).
		"legal_form.code": {"forma_prawna_kod"},
		"kinds.code":      {"rodzaj_kod"},
		"categories.code": {"kategorie_kod"},
	} {
		for _, n := range names {
			m[n] = field
		}
	}
	return m
}()

// isColumn reports whether a header cell names a known column.
func isColumn(cell string) bool {
	return columnAliases[HeaderKey(cell)] != ""
}

// FoldWords folds s and turns separators (space, _, -) into single
// spaces: "Spółdzielnia socjalna" and "spoldzielnia_socjalna" meet.
func FoldWords(s string) string {
	return strings.Join(strings.FieldsFunc(polish.Fold(s), func(r rune) bool {
		return r == ' ' || r == '_' || r == '-' || r == '\u00A0' || r == '\t' || r == '\uFEFF'
	}), " ")
}

// HeaderKey folds a column name: "Kod pocztowy" → kod_pocztowy.
func HeaderKey(s string) string {
	return strings.Join(strings.FieldsFunc(polish.Fold(s), func(r rune) bool {
		return r == ' ' || r == '_' || r == '-' || r == '.' || r == '/' || r == '\u00A0' || r == '\t' || r == '\uFEFF'
	}), "_")
}

// PadDigits restores leading zeros a number cell dropped from a code of
// width digits, when at least min digits are left.
func PadDigits(v string, width, min int) string {
	if len(v) >= min && len(v) < width && strings.Trim(v, "0123456789") == "" {
		return strings.Repeat("0", width-len(v)) + v
	}
	return v
}

var (
	dmyRe      = regexp.MustCompile(`^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$`)
	isoStampRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}[ T]`)
)

// Date undoes what spreadsheets do to a date: day.month.year, a time
// stamp, or (in an XLSX, whose cells are read raw) a serial number come
// back as year-month-day. Anything else is returned as it is.
func Date(v string, xlsx bool) string {
	if m := dmyRe.FindStringSubmatch(v); m != nil {
		day, _ := strconv.Atoi(m[1])
		month, _ := strconv.Atoi(m[2])
		return fmt.Sprintf("%s-%02d-%02d", m[3], month, day)
	}
	if isoStampRe.MatchString(v) {
		return v[:10]
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && xlsx && f >= 1 {
		if t, err := excelize.ExcelDateToTime(f, false); err == nil {
			return t.Format("2006-01-02")
		}
	}
	return v
}
