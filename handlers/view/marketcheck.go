package view

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"katalogpes/store"
)

// MarketCheckLimit is how many entities a market-check record lists; the
// count above the list is always the whole.
const MarketCheckLimit = 500

// MarketCheck is the record of a search that a buyer files with a
// procurement (rozeznanie rynku): when, where, by what criteria, how many
// entities were found and which.
type MarketCheck struct {
	At         time.Time
	Region     string // the voivodeship's name; "" for all of Poland
	CatalogURL string
	SearchURL  string // the same search, for anyone to run again
	Criteria   []Criterion
	Total      int
	Listings   []*store.Listing // at most MarketCheckLimit
}

// Criterion is one condition of a search, in words.
type Criterion struct{ Label, Value string }

// The page: A4; margins and line heights in millimetres.
const (
	mcMargin = 18.0
	mcLine   = 5.0
)

// WriteMarketCheck writes m as a PDF in the locale's language. The font
// is the Go font (golang.org/x/image), embedded: it has every Polish
// letter and needs nothing installed.
func (l Locale) WriteMarketCheck(w io.Writer, m MarketCheck) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("go", "", goregular.TTF)
	pdf.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	pdf.SetMargins(mcMargin, mcMargin, mcMargin)
	pdf.SetAutoPageBreak(true, mcMargin)
	pdf.SetTitle(l.T("ui.mc.title"), true)
	pdf.SetAuthor("Katalog PES", true)
	pdf.SetLang(l.Lang)
	pdf.SetCreationDate(m.At)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-mcMargin + 4)
		pdf.SetFont("go", "", 8)
		pdf.CellFormat(0, mcLine, l.T("ui.mc.footer"), "", 0, "L", false, 0, "")
		pdf.CellFormat(0, mcLine, l.Tf("ui.mc.page", "N", pdf.PageNo(), "Of", "{nb}"), "", 0, "R", false, 0, "")
	})
	pdf.AddPage()
	pdf.SetFont("go", "B", 16)
	pdf.MultiCell(0, 8, l.T("ui.mc.title"), "", "L", false)
	pdf.SetFont("go", "", 11)
	pdf.MultiCell(0, mcLine+1, l.T("ui.mc.subtitle"), "", "L", false)
	pdf.Ln(3)
	l.marketCheckHead(pdf, m)
	l.marketCheckList(pdf, m)
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("write market check: %w", err)
	}
	return nil
}

// marketCheckHead writes when, where, the criteria and the count.
func (l Locale) marketCheckHead(pdf *fpdf.Fpdf, m MarketCheck) {
	region := l.T("ui.mc.national")
	if m.Region != "" {
		region = l.Tf("ui.mc.voivodeship", "Name", m.Region)
	}
	field(pdf, l.T("ui.mc.when"), FormatDateTime(l.Lang, m.At)+" ("+l.T("ui.mc.zone")+")")
	field(pdf, l.T("ui.mc.region"), region)
	linkField(pdf, l.T("ui.mc.catalog"), m.CatalogURL)
	linkField(pdf, l.T("ui.mc.link"), m.SearchURL)
	pdf.Ln(2)
	heading(pdf, l.T("ui.mc.criteria"))
	if len(m.Criteria) == 0 {
		pdf.MultiCell(0, mcLine, l.T("ui.mc.no_criteria"), "", "L", false)
	}
	for _, c := range m.Criteria {
		field(pdf, c.Label, c.Value)
	}
	pdf.Ln(2)
	pdf.SetFont("go", "B", 11)
	pdf.MultiCell(0, mcLine+1, l.T("ui.mc.found")+": "+FormatInt(l.Lang, m.Total), "", "L", false)
	pdf.SetFont("go", "", 10)
	if len(m.Listings) < m.Total {
		pdf.MultiCell(0, mcLine, l.Tf("ui.mc.cut", "Shown", FormatInt(l.Lang, len(m.Listings)), "Total", FormatInt(l.Lang, m.Total)), "", "L", false)
	}
	pdf.Ln(2)
}

// marketCheckList writes each entity: name, identifiers, legal form,
// reserved-contract basis, contact and town.
func (l Locale) marketCheckList(pdf *fpdf.Fpdf, m MarketCheck) {
	if len(m.Listings) == 0 {
		return
	}
	heading(pdf, l.T("ui.mc.list"))
	for i, it := range m.Listings {
		pdf.SetFont("go", "B", 10)
		pdf.MultiCell(0, mcLine, strconv.Itoa(i+1)+". "+it.Name, "", "L", false)
		pdf.SetFont("go", "", 9)
		var ids []string
		for _, id := range [][2]string{{"NIP", it.NIP}, {"REGON", it.REGON}, {"KRS", it.KRS}} {
			if id[1] != "" {
				ids = append(ids, id[0]+" "+id[1])
			}
		}
		lines := []string{strings.Join(ids, " · "), l.T("ui.mc.legal_form") + ": " + l.Label("legal_form", it.LegalForm),
			l.T("ui.mc.basis") + ": " + l.basisText(it)}
		if c := strings.Join(nonEmpty(it.Contact.Email, l.Phone(it.Contact.Phone)), " · "); c != "" {
			lines = append(lines, l.T("ui.mc.contact")+": "+c)
		}
		if it.Address.City != "" {
			lines = append(lines, l.T("ui.mc.city")+": "+it.Address.City)
		}
		for _, s := range lines {
			if s != "" {
				pdf.MultiCell(0, mcLine-0.5, s, "", "L", false)
			}
		}
		pdf.Ln(1.5)
	}
}

// basisText says whether and why a listing may take reserved contracts.
func (l Locale) basisText(it *store.Listing) string {
	b := it.ReservedContractsBasis
	if !it.ReservedContractsEligible || b == nil {
		return l.T("ui.mc.no")
	}
	s := l.Label("basis", b.Reason)
	if b.AsOf != "" {
		s += " (" + l.Tf("ui.mc.as_of", "Date", FormatDate(l.Lang, b.AsOf)) + ")"
	}
	return s
}

func nonEmpty(vals ...string) []string {
	var out []string
	for _, v := range vals {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

func heading(pdf *fpdf.Fpdf, s string) {
	pdf.SetFont("go", "B", 12)
	pdf.MultiCell(0, mcLine+2, s, "", "L", false)
	pdf.SetFont("go", "", 10)
}

// field writes "label: value", the label bold, wrapping under the margin.
func field(pdf *fpdf.Fpdf, label, value string) {
	pdf.SetFont("go", "B", 10)
	pdf.Write(mcLine, label+": ")
	pdf.SetFont("go", "", 10)
	pdf.Write(mcLine, value)
	pdf.Ln(mcLine)
}

// linkField is field with a value that is a link.
func linkField(pdf *fpdf.Fpdf, label, url string) {
	pdf.SetFont("go", "B", 10)
	pdf.Write(mcLine, label+": ")
	pdf.SetFont("go", "", 10)
	pdf.SetTextColor(0, 60, 150)
	pdf.WriteLinkString(mcLine, url, url)
	pdf.SetTextColor(0, 0, 0)
	pdf.Ln(mcLine)
}

// Criteria puts a search's words and filters in words: each filter by its
// label with its values' names (cats and units name category and TERYT
// codes; an unknown code stays a code).
func (l Locale) Criteria(q string, f store.ListingFilter, cats, units map[string]string) []Criterion {
	var out []Criterion
	add := func(key string, values []string) {
		if len(values) > 0 {
			out = append(out, Criterion{Label: l.T(key), Value: strings.Join(values, ", ")})
		}
	}
	labels := func(group string, codes []string) []string {
		out := make([]string, len(codes))
		for i, c := range codes {
			out[i] = l.Label(group, c)
		}
		return out
	}
	named := func(names map[string]string, codes []string) []string {
		out := make([]string, len(codes))
		for i, c := range codes {
			out[i] = c
			if n, ok := names[c]; ok {
				out[i] = n + " (" + c + ")"
			}
		}
		return out
	}
	if q = strings.TrimSpace(q); q != "" {
		add("ui.mc.q", []string{"„" + q + "”"})
	}
	add("ui.facet.legal_form", labels("legal_form", f.LegalForms))
	add("ui.facet.kind", labels("kind", f.Kinds))
	add("ui.facet.category", named(cats, f.Categories))
	add("ui.facet.certificate", labels("certificate", f.Certificates))
	add("ui.facet.powiat", named(units, f.Powiats))
	add("ui.mc.gmina", named(units, f.Gminas))
	add("ui.mc.serves", named(units, f.Serves))
	var status []string
	if f.SocialEnterprise {
		status = append(status, l.T("ui.badge.social"))
	}
	if f.ReservedContracts {
		status = append(status, l.T("ui.badge.reserved"))
	}
	add("ui.mc.status", status)
	if f.Near != nil && f.RadiusKm > 0 {
		num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
		add("ui.mc.near", []string{l.Tf("ui.mc.near_value", "Km", num(f.RadiusKm), "Lat", num(f.Near.Lat), "Lng", num(f.Near.Lng))})
	}
	return out
}
