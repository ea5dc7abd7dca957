package store

import (
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Polish time even where the system has no zone files

	"katalogpes/store/sheet"
)

// warsaw is the zone of an XLSX's date-and-time cells, which have none.
var warsaw = func() *time.Location {
	if loc, err := time.LoadLocation(statsZone); err == nil {
		return loc
	}
	return time.UTC
}()

// ExportNames are the words a tabular export writes where the catalog
// keeps codes, in the reader's language. Store has no translations: the
// caller gives them. A nil *ExportNames writes the codes themselves.
type ExportNames struct {
	// Label names a code of a group (legal_form, kind, certificate,
	// scope, basis, export): the code itself when it has no name.
	Label func(group, code string) string
	// Categories and Units name category codes and TERYT codes
	// (voivodeships, powiats, gminas); an unknown code stays a code.
	Categories map[string]string
	Units      map[string]string
}

// exportRow is what a column's value is computed from besides the
// listing: the export's date and names.
type exportRow struct {
	now   time.Time
	names *ExportNames
}

func (x exportRow) label(group, code string) string {
	if x.names == nil || x.names.Label == nil || code == "" {
		return code
	}
	return x.names.Label(group, code)
}

func (x exportRow) labels(group string, codes []string) string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = x.label(group, c)
	}
	return strings.Join(out, ", ")
}

func (x exportRow) named(names func(*ExportNames) map[string]string, codes []string) string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = c
		if x.names != nil {
			if n, ok := names(x.names)[c]; ok {
				out[i] = n
			}
		}
	}
	return strings.Join(out, ", ")
}

func (x exportRow) yesNo(b bool) string {
	if x.names == nil {
		if b {
			return "tak"
		}
		return "nie"
	}
	return x.label("export.bool", strconv.FormatBool(b))
}

// serviceArea names where a listing works: the whole country, its units
// by name, or a radius.
func (x exportRow) serviceArea(a ServiceArea) string {
	switch a.Scope {
	case "", "country":
		return x.label("scope", a.Scope)
	case "radius":
		return x.label("scope", "radius") + ": " + strconv.FormatFloat(a.RadiusKm, 'f', -1, 64) + " km"
	}
	return x.named(func(n *ExportNames) map[string]string { return n.Units }, a.TERYT)
}

// certificates are the kinds in force, once each, with the latest expiry
// of each ("" when one has none).
func certificates(l *Listing, now time.Time) (kinds, until []string) {
	last := map[string]int{}
	for _, c := range l.ValidCertificates(now) {
		i, seen := last[c.Kind]
		if !seen {
			last[c.Kind] = len(kinds)
			kinds, until = append(kinds, c.Kind), append(until, c.ValidUntil)
			continue
		}
		if until[i] != "" && (c.ValidUntil == "" || c.ValidUntil > until[i]) {
			until[i] = c.ValidUntil
		}
	}
	return kinds, until
}

// cellKind is how an XLSX writes a column's value.
type cellKind int

const (
	textCell   cellKind = iota
	numberCell          // a number, when the value parses as one
	dateCell            // a date, when the value is YYYY-MM-DD
	stampCell           // a date and time, when the value is RFC 3339
)

// exportColumn is one column of the tabular exports. Its header is the
// importer's Polish column name where the importer reads it (so an export
// re-imports as it is); the rest are for readers and the importer skips
// them, except the code columns (…_kod), which it reads where a name
// does not resolve. Headers stay as they are: people's sheets and
// scripts find columns by them.
type exportColumn struct {
	header string
	kind   cellKind
	width  float64 // in characters, for XLSX
	value  func(l *Listing, x exportRow) string
}

func col(header string, kind cellKind, width float64, value func(l *Listing, x exportRow) string) exportColumn {
	return exportColumn{header: header, kind: kind, width: width, value: value}
}

func intOrEmpty(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func employment(l *Listing, f func(*Employment) string) string {
	if l.Employment == nil {
		return ""
	}
	return f(l.Employment)
}

func socialEnterprise(l *Listing, f func(*SocialEnterprise) string) string {
	if l.SocialEnterprise == nil {
		return ""
	}
	return f(l.SocialEnterprise)
}

func basis(l *Listing, f func(*Basis) string) string {
	if l.ReservedContractsBasis == nil {
		return ""
	}
	return f(l.ReservedContractsBasis)
}

func geo(l *Listing, f func(*Geo) float64) string {
	if l.Geo == nil {
		return ""
	}
	return strconv.FormatFloat(f(l.Geo), 'f', -1, 64)
}

func categoryNames(n *ExportNames) map[string]string { return n.Categories }

var exportColumns = []exportColumn{
	col("id", textCell, 38, func(l *Listing, _ exportRow) string { return l.ID }),
	col("nazwa", textCell, 40, func(l *Listing, _ exportRow) string { return l.Name }),
	col("nazwa_skrocona", textCell, 20, func(l *Listing, _ exportRow) string { return l.ShortName }),
	col("forma_prawna", textCell, 24, func(l *Listing, x exportRow) string { return x.label("legal_form", l.LegalForm) }),
	col("forma_prawna_kod", textCell, 18, func(l *Listing, _ exportRow) string { return l.LegalForm }),
	col("rodzaj", textCell, 30, func(l *Listing, x exportRow) string { return x.labels("kind", l.Kinds) }),
	col("rodzaj_kod", textCell, 18, func(l *Listing, _ exportRow) string { return strings.Join(l.Kinds, ", ") }),
	col("operator", textCell, 24, func(l *Listing, _ exportRow) string { return l.Operator }),
	col("nip", textCell, 12, func(l *Listing, _ exportRow) string { return l.NIP }),
	col("krs", textCell, 12, func(l *Listing, _ exportRow) string { return l.KRS }),
	col("regon", textCell, 15, func(l *Listing, _ exportRow) string { return l.REGON }),
	col("ulica", textCell, 24, func(l *Listing, _ exportRow) string { return l.Address.Street }),
	col("kod_pocztowy", textCell, 8, func(l *Listing, _ exportRow) string { return l.Address.PostalCode }),
	col("miejscowosc", textCell, 18, func(l *Listing, _ exportRow) string { return l.Address.City }),
	col("gmina_teryt", textCell, 10, func(l *Listing, _ exportRow) string { return l.Address.GminaTERYT }),
	col("email", textCell, 28, func(l *Listing, _ exportRow) string { return l.Contact.Email }),
	col("telefon", textCell, 15, func(l *Listing, _ exportRow) string { return l.Contact.Phone }),
	col("www", textCell, 28, func(l *Listing, _ exportRow) string { return l.Contact.Website }),
	col("opis", textCell, 50, func(l *Listing, _ exportRow) string { return l.Description }),
	col("kategorie", textCell, 30, func(l *Listing, x exportRow) string { return x.named(categoryNames, l.Categories) }),
	col("kategorie_kod", textCell, 20, func(l *Listing, _ exportRow) string { return strings.Join(l.Categories, ", ") }),
	col("zatrudnieni", numberCell, 11, func(l *Listing, _ exportRow) string {
		return employment(l, func(e *Employment) string { return strconv.Itoa(e.Total) })
	}),
	col("zagrozeni_wykluczeniem", numberCell, 11, func(l *Listing, _ exportRow) string {
		return employment(l, func(e *Employment) string { return strconv.Itoa(e.AtRisk) })
	}),
	col("stan_na", dateCell, 11, func(l *Listing, _ exportRow) string {
		return employment(l, func(e *Employment) string { return e.AsOf })
	}),
	col("ps_decyzja_nr", textCell, 16, func(l *Listing, _ exportRow) string {
		return socialEnterprise(l, func(se *SocialEnterprise) string { return se.DecisionNo })
	}),
	col("ps_decyzja_data", dateCell, 11, func(l *Listing, _ exportRow) string {
		return socialEnterprise(l, func(se *SocialEnterprise) string { return se.DecisionDate })
	}),
	// Coordinates as text: excelize writes floats to 15 digits, and
	// 50.449999999999996 must not come back as 50.4499999999999.
	col("lat", textCell, 10, func(l *Listing, _ exportRow) string { return geo(l, func(g *Geo) float64 { return g.Lat }) }),
	col("lng", textCell, 10, func(l *Listing, _ exportRow) string { return geo(l, func(g *Geo) float64 { return g.Lng }) }),
	col("rok_zalozenia", numberCell, 8, func(l *Listing, _ exportRow) string { return intOrEmpty(l.FoundedYear) }),
	// For readers only: the importer does not know these columns.
	col("region", textCell, 14, func(l *Listing, _ exportRow) string { return l.Tenant }),
	col("wojewodztwo", textCell, 16, func(l *Listing, _ exportRow) string { return l.Voivodeship.Name }),
	col("powiat", textCell, 16, func(l *Listing, _ exportRow) string { return l.Powiat.Name }),
	col("gmina", textCell, 16, func(l *Listing, _ exportRow) string { return l.Gmina.Name }),
	col("obszar_dzialania", textCell, 30, func(l *Listing, x exportRow) string { return x.serviceArea(l.ServiceArea) }),
	col("obszar_dzialania_teryt", textCell, 16, func(l *Listing, _ exportRow) string { return strings.Join(l.ServiceArea.TERYT, ", ") }),
	col("przedsiebiorstwo_spoleczne", textCell, 8, func(l *Listing, x exportRow) string { return x.yesNo(l.IsSocialEnterprise(x.now)) }),
	col("ps_wazne_do", dateCell, 11, func(l *Listing, _ exportRow) string {
		return socialEnterprise(l, func(se *SocialEnterprise) string { return se.ValidUntil })
	}),
	col("zamowienia_zastrzezone", textCell, 8, func(l *Listing, x exportRow) string { return x.yesNo(l.ReservedContractsEligible) }),
	col("zamowienia_zastrzezone_podstawa", textCell, 30, func(l *Listing, x exportRow) string {
		return basis(l, func(b *Basis) string { return x.label("basis", b.Reason) })
	}),
	col("zamowienia_zastrzezone_podstawa_kod", textCell, 12, func(l *Listing, _ exportRow) string {
		return basis(l, func(b *Basis) string { return b.Reason })
	}),
	col("zamowienia_zastrzezone_stan_na", dateCell, 11, func(l *Listing, _ exportRow) string {
		return basis(l, func(b *Basis) string { return b.AsOf })
	}),
	col("certyfikaty", textCell, 30, func(l *Listing, x exportRow) string {
		kinds, _ := certificates(l, x.now)
		return x.labels("certificate", kinds)
	}),
	col("certyfikaty_kod", textCell, 18, func(l *Listing, x exportRow) string {
		kinds, _ := certificates(l, x.now)
		return strings.Join(kinds, ", ")
	}),
	col("certyfikaty_wazne_do", textCell, 14, func(l *Listing, x exportRow) string {
		_, until := certificates(l, x.now)
		for i, u := range until {
			if u == "" {
				until[i] = x.label("export", "no_expiry")
			}
		}
		return strings.Join(until, ", ")
	}),
	col("kompletnosc", numberCell, 8, func(l *Listing, _ exportRow) string { return strconv.Itoa(l.Completeness) }),
	col("zaktualizowano", stampCell, 17, func(l *Listing, _ exportRow) string { return l.UpdatedAt.UTC().Format(time.RFC3339) }),
	col("potwierdzono", stampCell, 17, func(l *Listing, _ exportRow) string { return l.ConfirmedAt.UTC().Format(time.RFC3339) }),
}

// ExportHeaders are the tabular exports' column names, in order.
func ExportHeaders() []string {
	out := make([]string, len(exportColumns))
	for i, c := range exportColumns {
		out[i] = c.header
	}
	return out
}

// xlsxValue is a column's value as an XLSX cell: a number, a date or a
// date and time where the value is one, else text.
func (c exportColumn) xlsxValue(v string) any {
	if v == "" {
		return v
	}
	switch c.kind {
	case numberCell:
		if n, err := strconv.ParseFloat(v, 64); err == nil {
			return n
		}
	case dateCell:
		if t, err := time.Parse("2006-01-02", v); err == nil {
			return sheet.Day(t)
		}
	case stampCell:
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t.In(warsaw)
		}
	}
	return v
}
