package search

import (
	"strings"
	"time"

	"katalogpes/store"
	"katalogpes/store/polish"
)

// Document is a published listing as the index holds it: what is shown in
// a hit, what is searched (each text also folded, see Fold), and what is
// filtered, faceted and sorted on.
type Document struct {
	ID     string `json:"id"`
	Tenant string `json:"tenant"`

	Name                string   `json:"name"`
	NameFolded          string   `json:"name_folded"`
	ShortName           string   `json:"short_name"`
	ShortNameFolded     string   `json:"short_name_folded"`
	Description         string   `json:"description"`
	DescriptionFolded   string   `json:"description_folded"`
	Offers              []string `json:"offers"`
	OffersFolded        []string `json:"offers_folded"`
	CategoryNames       []string `json:"category_names"`
	CategoryNamesFolded []string `json:"category_names_folded"`
	// Identifiers are NIP, KRS and REGON: a buyer often has only one.
	Identifiers []string `json:"identifiers"`
	City        string   `json:"city"`
	// Places are the gmina, powiat and voivodeship names; PlacesFolded
	// also holds the city, folded.
	Places       string `json:"places"`
	PlacesFolded string `json:"places_folded"`

	LegalForm                 string   `json:"legal_form"`
	Kinds                     []string `json:"kinds"`
	Voivodeship               string   `json:"voivodeship"`
	VoivodeshipName           string   `json:"voivodeship_name"`
	Powiat                    string   `json:"powiat"`
	PowiatName                string   `json:"powiat_name"`
	Gmina                     string   `json:"gmina"`
	GminaName                 string   `json:"gmina_name"`
	Categories                []string `json:"categories"`
	Certificates              []string `json:"certificates"`
	SocialEnterprise          bool     `json:"social_enterprise"`
	ReservedContractsEligible bool     `json:"reserved_contracts_eligible"`
	PSPreferenceEligible      bool     `json:"ps_preference_eligible"`
	// AtRiskShare is the percentage of employees at risk of exclusion and
	// AtRiskLapsesOn the last day the figures count, as YYYYMMDD (0 when
	// there are no figures that count, or not yet): at_risk_min compares
	// it with the day of the search, so figures drop out on time.
	AtRiskShare    int `json:"at_risk_share"`
	AtRiskLapsesOn int `json:"at_risk_lapses_on"`

	// The service area, stored so that serves=GMINA is one filter: the
	// whole country, or any voivodeship, powiat or gmina listed (the seat's
	// gmina always counts). A radius area is not resolved to gminas; such
	// a listing serves its seat only, as far as the filter knows.
	ServesCountry      bool     `json:"serves_country"`
	ServesVoivodeships []string `json:"serves_voivodeships"`
	ServesPowiats      []string `json:"serves_powiats"`
	ServesGminas       []string `json:"serves_gminas"`

	Geo       *GeoPoint `json:"_geo,omitempty"`
	UpdatedAt int64     `json:"updated_at"`
}

// GeoPoint is Meilisearch's _geo field.
type GeoPoint struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// BuildDocument turns a published listing into its document as of now
// (certificates, the social-enterprise status and employment figures
// expire with time; store.RecomputeAgedListings queues them when they do).
func BuildDocument(l *store.Listing, now time.Time) Document {
	d := Document{
		ID:                   l.ID,
		Tenant:               l.Tenant,
		Name:                 l.Name,
		NameFolded:           polish.Fold(l.Name),
		ShortName:            l.ShortName,
		ShortNameFolded:      polish.Fold(l.ShortName),
		Description:          l.Description,
		DescriptionFolded:    polish.Fold(l.Description),
		City:                 l.Address.City,
		LegalForm:            l.LegalForm,
		Kinds:                nonNil(l.Kinds),
		Voivodeship:          l.Voivodeship.Code,
		VoivodeshipName:      l.Voivodeship.Name,
		Powiat:               l.Powiat.Code,
		PowiatName:           l.Powiat.Name,
		Gmina:                l.Gmina.Code,
		GminaName:            l.Gmina.Name,
		Categories:           nonNil(l.Categories),
		SocialEnterprise:     l.IsSocialEnterprise(now),
		PSPreferenceEligible: l.PSPreference(now),
		ServesCountry:        l.ServiceArea.Scope == "country",
		UpdatedAt:            l.UpdatedAt.Unix(),
	}
	d.ReservedContractsEligible, _ = l.ReservedEligibility(now)
	if f, ok := l.AtRiskFigures(now); ok && !f.Future {
		lapses, _ := time.Parse("2006-01-02", f.LapsesOn)
		d.AtRiskShare, d.AtRiskLapsesOn = f.Share, dayNumber(lapses)
	}
	d.Offers = make([]string, 0, len(l.Offers))
	for _, o := range l.Offers {
		d.Offers = append(d.Offers, o.Title)
	}
	d.OffersFolded = foldAll(d.Offers)
	// Until SetCategoryNames knows better, the codes read as words.
	names := make(map[string]string, len(d.Categories))
	for _, c := range d.Categories {
		names[c] = strings.ReplaceAll(c, "_", " ")
	}
	d.SetCategoryNames(names)
	d.Identifiers = make([]string, 0, 3)
	for _, id := range []string{l.NIP, l.KRS, l.REGON} {
		if id != "" {
			d.Identifiers = append(d.Identifiers, id)
		}
	}
	d.Places = strings.Join(nonEmpty(l.Gmina.Name, l.Powiat.Name, l.Voivodeship.Name), " ")
	d.PlacesFolded = polish.Fold(strings.Join(nonEmpty(l.Address.City, d.Places), " "))

	d.Certificates = []string{}
	for _, c := range l.ValidCertificates(now) {
		if !contains(d.Certificates, c.Kind) {
			d.Certificates = append(d.Certificates, c.Kind)
		}
	}

	d.ServesVoivodeships, d.ServesPowiats, d.ServesGminas = []string{}, []string{}, []string{}
	if l.Gmina.Code != "" {
		d.ServesGminas = append(d.ServesGminas, l.Gmina.Code)
	}
	for _, code := range l.ServiceArea.TERYT {
		switch len(code) {
		case 2:
			d.ServesVoivodeships = appendNew(d.ServesVoivodeships, code)
		case 4:
			d.ServesPowiats = appendNew(d.ServesPowiats, code)
		case 7:
			d.ServesGminas = appendNew(d.ServesGminas, GminaOf(code))
		}
	}
	if l.Geo != nil {
		d.Geo = &GeoPoint{Lat: l.Geo.Lat, Lng: l.Geo.Lng}
	}
	return d
}

// SetCategoryNames replaces the searchable category names with the
// tenant's own (code → Polish name); codes without a name read as words.
func (d *Document) SetCategoryNames(names map[string]string) {
	d.CategoryNames = make([]string, 0, len(d.Categories))
	for _, c := range d.Categories {
		n := names[c]
		if n == "" {
			n = strings.ReplaceAll(c, "_", " ")
		}
		d.CategoryNames = append(d.CategoryNames, n)
	}
	d.CategoryNamesFolded = foldAll(d.CategoryNames)
}

// GminaOf resolves a 7-digit TERYT code to its gmina, as store.FindGmina
// does without the database: the town (RODZ 4) and rural area (5) of an
// urban-rural gmina belong to the gmina with RODZ 3; a city's districts and
// delegatury (8, 9) to the city's urban gmina.
func GminaOf(code string) string {
	if len(code) != 7 {
		return code
	}
	switch code[6] {
	case '4', '5':
		return code[:6] + "3"
	case '8', '9':
		return code[:4] + "011"
	}
	return code
}

func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

func nonEmpty(list ...string) []string {
	out := list[:0:0]
	for _, s := range list {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func appendNew(list []string, s string) []string {
	if contains(list, s) {
		return list
	}
	return append(list, s)
}
