package handlers

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"katalogpes/search"
	"katalogpes/store"
	"katalogpes/tenants"
)

// optionGroup is an <optgroup>: on the hub, a voivodeship's powiats.
type optionGroup struct {
	Label   string
	Options []Option
}

// placeView is the search page's "where": who serves my gmina (a powiat,
// then its gminas; with JavaScript also a name box) and near a point.
type placeView struct {
	ServesPowiat string
	PowiatGroups []optionGroup
	ServesGminas []Option
	Serves       string
	NearOn       bool
	Near         string
	RadiusKm     string
	Radii        []Option
	// Unlocated is what a radius search could not place on the map.
	Unlocated *search.Unlocated
	NoGeoHits []searchHit
	// ActiveFilters counts the ticked values and set filters, for the
	// "Filtry (N)" button.
	ActiveFilters int
}

// radiiKm are the radii a visitor picks from.
var radiiKm = []string{"5", "10", "25", "50", "100"}

// pickedPowiat is the powiat whose gminas the serves picker lists. Choosing
// another powiat ("pick") forgets the gmina of the previous one.
func pickedPowiat(values url.Values) string {
	serves := values.Get("serves")
	pw := values.Get("serves_powiat")
	if !powiatCode(pw) {
		pw = ""
	}
	if pw != "" && values.Get("pick") != "" && len(serves) == 7 && serves[:4] != pw {
		values.Del("serves")
		serves = ""
	}
	if pw == "" && len(serves) == 7 {
		pw = serves[:4]
	}
	return pw
}

func powiatCode(s string) bool {
	if len(s) != 4 {
		return false
	}
	_, err := strconv.Atoi(s)
	return err == nil
}

// fillPlace fills the picker, the near fields and the active filter count.
func (s *Server) fillPlace(ctx context.Context, p *searchView, values url.Values, powiat string, q search.Query, regional bool) {
	p.ServesPowiat, p.Serves = powiat, values.Get("serves")
	var regions []*tenants.Tenant
	if regional {
		regions = []*tenants.Tenant{p.Tenant}
	} else {
		regions = s.registry.All()
	}
	for _, t := range regions {
		list, err := s.db.FindPowiatsOf(ctx, t.TERYT)
		if err != nil {
			continue // a picker less; the search itself stands
		}
		g := optionGroup{Label: t.Voivodeship}
		for _, pw := range list {
			g.Options = append(g.Options, Option{Value: pw.Code, Label: pw.Name})
		}
		sortedOptions(g.Options)
		p.PowiatGroups = append(p.PowiatGroups, g)
	}
	if powiat != "" {
		if list, err := s.db.FindGminasOfPowiat(ctx, powiat); err == nil {
			for _, g := range list {
				p.ServesGminas = append(p.ServesGminas, Option{Value: g.Code, Label: g.Label()})
			}
		}
	}
	p.Near, p.RadiusKm = values.Get("near"), values.Get("radius_km")
	p.NearOn = p.Near != ""
	if p.RadiusKm == "" {
		p.RadiusKm = "25"
	}
	for _, r := range radiiKm {
		p.Radii = append(p.Radii, Option{Value: r, Label: r + " km"})
	}
	p.ActiveFilters = activeFilters(q)
}

// activeFilters counts what narrows q: each ticked value, each flag, a point.
func activeFilters(q search.Query) int {
	n := len(q.LegalForms) + len(q.Kinds) + len(q.Categories) + len(q.Certificates) +
		len(q.Powiats) + len(q.Gminas) + len(q.Serves)
	for _, on := range []bool{q.SocialEnterprise, q.ReservedContracts, q.PSPreference, q.AtRiskMin > 0, q.Near != nil} {
		if on {
			n++
		}
	}
	return n
}

// facetGminas names the gminas a facet counts or the query ticks, with
// their kind ("Nowa Ruda (miasto)"); a failed lookup leaves them as codes.
func (s *Server) facetGminas(ctx context.Context, values url.Values, counts map[string]int) map[string]string {
	codes := make([]string, 0, len(counts)+len(values["gmina"]))
	for code := range counts {
		codes = append(codes, code)
	}
	codes = append(codes, values["gmina"]...)
	names := map[string]string{}
	if list, err := s.db.FindGminasByCode(ctx, codes); err == nil {
		for _, g := range list {
			names[g.Code] = g.Label()
		}
	}
	return names
}

// km writes a distance the way the language does: "1,2 km", "1.2 km".
func km(lang string, d *float64) string {
	if d == nil {
		return ""
	}
	s := strconv.FormatFloat(*d, 'f', 1, 64)
	if lang == "pl" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s + " km"
}

// gminaSuggestion is one answer of the gmina name box.
type gminaSuggestion struct {
	Code        string     `json:"code"`
	Name        string     `json:"name"`
	Kind        string     `json:"kind"`
	Label       string     `json:"label"`
	Powiat      store.Unit `json:"powiat"`
	Voivodeship store.Unit `json:"voivodeship"`
}

// maxGminaQuery bounds the typed name: no gmina's name is longer.
const maxGminaQuery = 100

// gminaSuggest names up to ten gminas for a "who serves my gmina" box,
// with or without Polish letters; a region's own gminas first.
func (s *Server) gminaSuggest(c *fiber.Ctx) error {
	prefer := ""
	if t, ok := tenants.FromContext(c.UserContext()); ok {
		prefer = t.TERYT
	}
	q := c.Query("q")
	if utf8.RuneCountInString(q) > maxGminaQuery {
		q = string([]rune(q)[:maxGminaQuery])
	}
	out := []gminaSuggestion{}
	if utf8.RuneCountInString(strings.TrimSpace(q)) < 2 {
		return c.JSON(out)
	}
	list, err := s.db.FindGminasByName(c.UserContext(), q, prefer)
	if err != nil {
		return err
	}
	for _, g := range list {
		out = append(out, gminaSuggestion{Code: g.Code, Name: g.Name, Kind: g.Kind(), Label: g.Label(),
			Powiat:      store.Unit{Code: g.PowiatCode, Name: g.PowiatName},
			Voivodeship: store.Unit{Code: g.VoivodeshipCode, Name: g.VoivodeshipName}})
	}
	return c.JSON(out)
}
