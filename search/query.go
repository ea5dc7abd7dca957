package search

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"katalogpes/store"
)

// Query is one public search. Tenant is the region's slug ("" searches
// every region) and is set by the handler from the request, never from
// the query string. Repeated values of one filter are alternatives (OR);
// different filters all apply (AND).
type Query struct {
	Tenant string
	Q      string
	store.ListingFilter
	Sort    string // relevance | name | updated | distance; "" picks
	Page    int
	PerPage int
	// withoutGeo keeps the listings without a point: what a radius leaves out.
	withoutGeo bool
	// withoutFacets counts no facets: the listings without a point are
	// shown as a count and a list, never filtered by their own facets.
	withoutFacets bool
}

// Limits of a query.
const (
	MaxQueryLen    = 200 // characters of q kept; the rest is cut
	DefaultPerPage = 20
	MaxPerPage     = 100
	MaxPage        = 1000 // deeper pages are for exports, not browsing
	MaxRadiusKm    = 1000
	maxValues      = 50 // values of one filter
)

// Sorts are the orders a search may ask for.
var Sorts = []string{"relevance", "name", "updated", "distance"}

var (
	powiatRe   = regexp.MustCompile(`^[0-9]{4}$`)
	gminaRe    = regexp.MustCompile(`^[0-9]{7}$`)
	categoryRe = regexp.MustCompile(`^[a-z0-9_-]{1,64}$`)
)

// ParseQuery reads the API's search parameters. Bad values are field
// errors (a *store.Error with code invalid), keyed by parameter; an
// over-long q is cut, not refused. Parameters it does not know are left
// to the caller (lang, format…).
func ParseQuery(v url.Values) (Query, error) {
	q := Query{Q: cleanQ(v.Get("q")), Page: 1, PerPage: DefaultPerPage}
	p := &queryParser{v: v}
	in := func(set []string) func(string) bool { return func(s string) bool { return contains(set, s) } }
	q.LegalForms = p.list("legal_form", in(store.LegalForms), "legal_form.unknown")
	q.Kinds = p.list("kind", in(store.Kinds), "kind.unknown")
	q.Certificates = p.list("certificate", in(store.CertificateKinds), "certificate.unknown")
	q.Categories = p.list("category", categoryRe.MatchString, "category.invalid")
	q.Powiats = p.list("powiat", powiatRe.MatchString, "powiat.invalid")
	q.Gminas = gminas(p.list("gmina", gminaRe.MatchString, "gmina.invalid"))
	q.Serves = gminas(p.list("serves", gminaRe.MatchString, "serves.invalid"))
	q.SocialEnterprise = p.flag("social_enterprise")
	q.ReservedContracts = p.flag("reserved_contracts")
	q.PSPreference = p.flag("ps_preference")
	q.AtRiskMin = p.atRiskMin()

	var pageErrs []store.FieldError
	q.Page, q.PerPage, pageErrs = ParsePaging(v, DefaultPerPage)
	p.errs = append(p.errs, pageErrs...)
	q.Near, q.RadiusKm = p.nearby()
	q.Sort = p.sort()
	if len(p.errs) > 0 {
		return Query{}, store.Invalid(p.errs)
	}
	return q, nil
}

// queryParser reads search parameters, collecting field errors.
type queryParser struct {
	v    url.Values
	errs []store.FieldError
}

// bad records a field error; params are one name and its value.
func (p *queryParser) bad(field, key string, params ...any) {
	fe := store.FieldError{Field: field, Key: key}
	if len(params) == 2 {
		fe.Params = map[string]any{params[0].(string): params[1]}
	}
	p.errs = append(p.errs, fe)
}

// list reads a filter given repeated and/or comma-separated, once each
// value, refusing the values ok does not accept.
func (p *queryParser) list(name string, ok func(string) bool, key string) []string {
	var out []string
	for _, raw := range p.v[name] {
		for _, s := range strings.Split(raw, ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			if !ok(s) {
				p.bad(name, key, "Value", s)
				continue
			}
			out = appendNew(out, s)
		}
	}
	if len(out) > maxValues {
		p.bad(name, "too_many", "Max", maxValues)
	}
	return out
}

// flag reads a boolean; absent is false.
func (p *queryParser) flag(name string) bool {
	switch strings.ToLower(p.v.Get(name)) {
	case "", "false", "0", "no":
		return false
	case "true", "1", "yes", "on":
		return true
	}
	p.bad(name, "boolean.invalid")
	return false
}

// nearby reads the point searched around and the radius, which needs it.
func (p *queryParser) nearby() (near *store.Geo, radiusKm float64) {
	if s := p.v.Get("near"); s != "" {
		g, ok := parsePoint(s)
		if !ok {
			p.bad("near", "near.invalid")
		} else {
			near = g
		}
	}
	if s := p.v.Get("radius_km"); s != "" {
		r, err := strconv.ParseFloat(s, 64)
		switch {
		case err != nil || r <= 0 || r > MaxRadiusKm || r != r:
			p.bad("radius_km", "radius_km.range", "Max", MaxRadiusKm)
		case p.v.Get("near") == "":
			p.bad("radius_km", "radius_km.requires_near")
		default:
			radiusKm = r
		}
	}
	return near, radiusKm
}

// sort reads the order; distance needs a point.
func (p *queryParser) sort() string {
	sort := p.v.Get("sort")
	switch {
	case sort != "" && !contains(Sorts, sort):
		p.bad("sort", "sort.unknown")
	case sort == "distance" && p.v.Get("near") == "":
		p.bad("sort", "sort.requires_near")
	}
	return sort
}

// cleanQ trims q, drops control characters and cuts it to MaxQueryLen
// characters: a longer query is no error, just no better.
func cleanQ(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > MaxQueryLen {
		s = strings.TrimSpace(string([]rune(s)[:MaxQueryLen]))
	}
	return s
}

// ParsePaging reads page (1 to MaxPage) and per_page (1 to MaxPerPage),
// for every paged list of the API.
func ParsePaging(v url.Values, defPerPage int) (page, perPage int, errs []store.FieldError) {
	page, perPage = 1, defPerPage
	if s := v.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxPage {
			errs = append(errs, store.FieldError{Field: "page", Key: "page.range", Params: map[string]any{"Max": MaxPage}})
		} else {
			page = n
		}
	}
	if s := v.Get("per_page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxPerPage {
			errs = append(errs, store.FieldError{Field: "per_page", Key: "per_page.range", Params: map[string]any{"Max": MaxPerPage}})
		} else {
			perPage = n
		}
	}
	return page, perPage, errs
}

// parsePoint reads "lat,lng" in WGS 84.
func parsePoint(s string) (*store.Geo, bool) {
	a, b, ok := strings.Cut(s, ",")
	if !ok {
		return nil, false
	}
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	lng, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	if err1 != nil || err2 != nil || lat != lat || lng != lng || lat < -90 || lat > 90 || lng < -180 || lng > 180 {
		return nil, false
	}
	return &store.Geo{Lat: lat, Lng: lng}, true
}

// gminas resolves parts of gminas to their gmina (see GminaOf).
func gminas(codes []string) []string {
	var out []string
	for _, c := range codes {
		out = appendNew(out, GminaOf(c))
	}
	return out
}

// normalized fills defaults and bounds a Query built by hand.
func (q Query) normalized() Query {
	q.Q = cleanQ(q.Q)
	if q.Page < 1 {
		q.Page = 1
	}
	if q.PerPage < 1 {
		q.PerPage = DefaultPerPage
	}
	if q.PerPage > MaxPerPage {
		q.PerPage = MaxPerPage
	}
	if q.Near == nil {
		q.RadiusKm = 0
		if q.Sort == "distance" {
			q.Sort = ""
		}
	}
	if q.Sort == "" {
		q.Sort = "relevance"
		// With a point and no words, nearest first is the only useful order.
		if q.Near != nil && !hasWords(q.Q) {
			q.Sort = "distance"
		}
	}
	q.Gminas, q.Serves = gminas(q.Gminas), gminas(q.Serves)
	return q
}

// hasWords reports whether q has anything to search for.
func hasWords(q string) bool {
	for _, r := range q {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}
