package store

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"katalogpes/store/ident"
	"katalogpes/store/sheet"
)

// legalFormNames maps DOMAIN.md's Polish names, and the codes themselves,
// folded, to codes.
var legalFormNames = withCodes(LegalForms, map[string]string{
	"spoldzielnia inwalidow lub niewidomych":  "spoldzielnia_inwalidow",
	"spoldzielnia inwalidow i niewidomych":    "spoldzielnia_inwalidow",
	"spoldzielnia niewidomych":                "spoldzielnia_inwalidow",
	"stowarzyszenie zwykle":                   "stowarzyszenie",
	"stowarzyszenie rejestrowe":               "stowarzyszenie",
	"kolo gospodyn wiejskich":                 "kgw",
	"spolka non profit":                       "spolka_non_profit",
	"spolka z o.o. non profit":                "spolka_non_profit",
	"spolka z ograniczona odpowiedzialnoscia": "spolka_non_profit",
	"spolka z o.o.":                           "spolka_non_profit",
	"sp. z o.o.":                              "spolka_non_profit",
	"spolka akcyjna":                          "spolka_non_profit",
	"s.a.":                                    "spolka_non_profit",
	"klub sportowy":                           "spolka_non_profit",
	"jednostka samorzadu terytorialnego":      "jst",
	"inna forma":                              "inna",
	"inne":                                    "inna",
	"spolka z ograniczona odpowiedzialnoscia non profit": "spolka_non_profit",
})

// kindNames maps the kinds' codes and full Polish names, folded, to codes.
var kindNames = withCodes(Kinds, map[string]string{
	"centrum integracji spolecznej":                                        "cis",
	"klub integracji spolecznej":                                           "kis",
	"warsztat terapii zajeciowej":                                          "wtz",
	"zaklad aktywnosci zawodowej":                                          "zaz",
	"zaklad pracy chronionej":                                              "zpch",
	"organizacja pozarzadowa z dzialalnoscia gospodarcza":                  "ngo_gospodarcza",
	"organizacja pozarzadowa z odplatna dzialalnoscia pozytku publicznego": "ngo_odplatna",
})

// withCodes adds the codes themselves, folded, to names (folded Polish
// names to codes).
func withCodes(codes []string, names map[string]string) map[string]string {
	for _, c := range codes {
		names[sheet.FoldWords(c)] = c
	}
	return names
}

// importLookup returns the code a name folds to, with or without an
// abbreviation in brackets after it ("centrum integracji społecznej
// (CIS)"), else the value as given (and validation names it unknown).
func importLookup(names map[string]string, v string) string {
	if c, ok := names[sheet.FoldWords(v)]; ok {
		return c
	}
	if name, _, ok := strings.Cut(v, " ("); ok && strings.HasSuffix(v, ")") {
		if c, ok := names[sheet.FoldWords(name)]; ok {
			return c
		}
	}
	return v
}

// codeColumns pairs the fields an export writes as names with its code
// columns beside them.
var codeColumns = map[string]string{"legal_form": "legal_form.code", "kinds": "kinds.code", "categories": "categories.code"}

// useCodes puts a code column's codes where the names beside them do not
// resolve to codes: names in English, a category name with a comma in it.
// Names that resolve win, so an edited name is what is imported.
func (in *decodedRow) useCodes(cats map[string]string) {
	names := map[string]map[string]string{"legal_form": legalFormNames, "kinds": kindNames, "categories": cats}
	for field, codeField := range codeColumns {
		codes, ok := in.values[codeField]
		delete(in.values, codeField)
		if !ok || resolves(names[field], in.values[field]) {
			continue
		}
		in.values[field] = cellValue(field, codes, cats, false)
	}
}

// resolves reports whether v is codes of names ('|'-separated), as
// cellValue leaves a list; "" is none.
func resolves(names map[string]string, v string) bool {
	if v == "" {
		return false
	}
	for _, c := range strings.Split(v, "|") {
		if names[sheet.FoldWords(c)] != c {
			return false
		}
	}
	return true
}

// decodedRow is one data row, decoded: its non-empty cells by field, the
// identifiers it is matched on and what was wrong before validation.
type decodedRow struct {
	row      int
	empty    bool
	values   map[string]string
	nip, krs string
	errs     []FieldError
}

func decodeRow(rec, cols []string, cats map[string]string, xlsx bool) *decodedRow {
	in := &decodedRow{values: make(map[string]string, len(cols)), empty: true}
	for i, v := range rec {
		if i >= len(cols) || cols[i] == "" {
			if strings.TrimSpace(v) != "" {
				in.empty = false
			}
			continue
		}
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		in.empty = false
		if !utf8.ValidString(v) {
			in.errs = append(in.errs, FieldError{Field: cols[i], Key: "encoding"})
			v = strings.ToValidUTF8(v, "\uFFFD")
		}
		in.values[cols[i]] = cellValue(cols[i], v, cats, xlsx)
	}
	in.useCodes(cats)
	if v := in.values["nip"]; v != "" {
		in.nip, _ = ident.NormalizeNIP(v)
	}
	if v := in.values["krs"]; v != "" {
		in.krs, _ = ident.NormalizeKRS(v)
	}
	return in
}

var (
	listSepRe = regexp.MustCompile(`[,;|]`)
	catSepRe  = regexp.MustCompile(`[,|]`)
)

// cellValue undoes what spreadsheets do to values: codes that lost their
// leading zero, dates as day.month.year or as serial numbers, names where
// codes are expected. Lists come back joined by '|'.
func cellValue(field, v string, cats map[string]string, xlsx bool) string {
	switch field {
	case "legal_form":
		return importLookup(legalFormNames, v)
	case "kinds":
		return importList(listSepRe.Split(v, -1), kindNames)
	case "categories":
		return importList(catSepRe.Split(v, -1), cats)
	case "address.gmina_teryt":
		return sheet.PadDigits(v, 7, 6)
	case "address.postal_code":
		return sheet.PadDigits(v, 5, 3)
	case "employment.as_of", "social_enterprise.decision_date":
		return sheet.Date(v, xlsx)
	}
	return v
}

func importList(items []string, names map[string]string) string {
	out := items[:0]
	for _, it := range items {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, importLookup(names, it))
		}
	}
	return strings.Join(out, "|")
}

// checkRepeats refuses a NIP or KRS an earlier row of the file has.
func (in *decodedRow) checkRepeats(seen map[string]int) {
	for _, k := range []struct{ field, val string }{{"nip", in.nip}, {"krs", in.krs}} {
		if k.val == "" {
			continue
		}
		if first, ok := seen[k.field+":"+k.val]; ok {
			in.errs = append(in.errs, FieldError{Field: k.field, Key: k.field + ".duplicate", Params: map[string]any{"Row": first}})
			continue
		}
		seen[k.field+":"+k.val] = in.row
	}
}

// apply writes the row's cells into d (empty, or the matched listing's
// data) and returns the cells that are no valid value at all.
func (in *decodedRow) apply(d *ListingData) []FieldError {
	errs := append([]FieldError(nil), in.errs...)
	str := map[string]*string{
		"name": &d.Name, "short_name": &d.ShortName, "legal_form": &d.LegalForm, "operator": &d.Operator,
		"nip": &d.NIP, "krs": &d.KRS, "regon": &d.REGON, "description": &d.Description,
		"address.street": &d.Address.Street, "address.postal_code": &d.Address.PostalCode,
		"address.city": &d.Address.City, "address.gmina_teryt": &d.Address.GminaTERYT,
		"contact.email": &d.Contact.Email, "contact.phone": &d.Contact.Phone, "contact.website": &d.Contact.Website,
	}
	for f, p := range str {
		if v, ok := in.values[f]; ok {
			*p = v
		}
	}
	if v, ok := in.values["kinds"]; ok {
		d.Kinds = strings.Split(v, "|")
	}
	if v, ok := in.values["categories"]; ok {
		d.Categories = strings.Split(v, "|")
	}
	errs = in.intValue("founded_year", &d.FoundedYear, errs)
	if in.any("employment.total", "employment.at_risk", "employment.as_of") {
		e := &Employment{}
		if d.Employment != nil {
			e = d.Employment
		}
		errs = in.intValue("employment.total", &e.Total, errs)
		errs = in.intValue("employment.at_risk", &e.AtRisk, errs)
		in.setString("employment.as_of", &e.AsOf)
		d.Employment = e
	}
	if in.any("social_enterprise.decision_no", "social_enterprise.decision_date") {
		se := &SocialEnterprise{}
		if d.SocialEnterprise != nil {
			se = d.SocialEnterprise
		}
		in.setString("social_enterprise.decision_no", &se.DecisionNo)
		in.setString("social_enterprise.decision_date", &se.DecisionDate)
		d.SocialEnterprise = se
	}
	if in.any("geo.lat", "geo.lng") {
		errs = in.applyGeo(d, errs)
	}
	return errs
}

// applyGeo sets both coordinates, or neither when one is bad or missing.
func (in *decodedRow) applyGeo(d *ListingData, errs []FieldError) []FieldError {
	g, bad := &Geo{}, len(errs)
	if d.Geo != nil {
		g = d.Geo
	}
	for _, c := range []struct {
		field string
		dst   *float64
	}{{"geo.lat", &g.Lat}, {"geo.lng", &g.Lng}} {
		v, ok := in.values[c.field]
		if !ok {
			if d.Geo == nil {
				errs = append(errs, FieldError{Field: c.field, Key: "required"})
			}
			continue
		}
		f, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64)
		if err != nil {
			errs = append(errs, FieldError{Field: c.field, Key: "type.invalid", Params: map[string]any{"Type": "number"}})
			continue
		}
		*c.dst = f
	}
	if len(errs) == bad {
		d.Geo = g
	}
	return errs
}

// intValue sets *dst to a whole-number cell ("1 200", "12,0"), or adds
// the field's error.
func (in *decodedRow) intValue(field string, dst *int, errs []FieldError) []FieldError {
	v, ok := in.values[field]
	if !ok {
		return errs
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(strings.Map(dropSpace, v), ",", "."), 64)
	if err != nil || f != float64(int(f)) {
		return append(errs, FieldError{Field: field, Key: "type.invalid", Params: map[string]any{"Type": "int"}})
	}
	*dst = int(f)
	return errs
}

func (in *decodedRow) setString(field string, dst *string) {
	if v, ok := in.values[field]; ok {
		*dst = v
	}
}

func (in *decodedRow) any(fields ...string) bool {
	for _, f := range fields {
		if _, ok := in.values[f]; ok {
			return true
		}
	}
	return false
}

func dropSpace(r rune) rune {
	if r == ' ' || r == '\u00A0' || r == '\u202F' {
		return -1
	}
	return r
}
