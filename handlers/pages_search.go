package handlers

import (
	"context"
	"maps"
	"net/url"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"katalogpes/handlers/view"
	"katalogpes/search"
	"katalogpes/tenants"
)

// facetGroup is one set of checkboxes beside the results.
type facetGroup struct {
	Param, Legend string
	Items         []facetItem
	// More are the rarer values, folded away.
	More []facetItem
}

type facetItem struct {
	Param, Value, Label, ID string
	Count                   int
	Checked                 bool
}

type searchHit struct {
	search.Hit
	URL        string
	Region     string
	Categories []string
	Km         string
	NoGeo      bool // listed after a radius search, without a point
	// L lets the shared hit template translate.
	L view.Locale
}

type pageLink struct {
	N       int
	URL     string
	Current bool
}

type searchView struct {
	Page
	Q           string
	Res         *search.Result
	Hits        []searchHit
	Facets      []facetGroup
	Regions     []facetItem
	Sort        string
	Sorts       []Option
	Filtered    bool
	SocialOn    bool
	SocialCount int
	ReservedOn  bool
	PSOn        bool
	AtRiskMin   string
	AtRiskMins  []Option
	Pages       []pageLink
	Prev, Next  string
	ClearURL    string
	National    bool
	Categories  []categoryLink
	placeView
	// Downloads are the results as files; MarketCheckURL their record.
	Downloads      []Option
	MarketCheckURL string

	// LibraryCount: "also in the library: N results" (issue 18).
	LibraryCount int
}

// searchView is the results page: a GET form, so every search has a URL
// to share; facets are checkboxes with counts; pages are links.
func (s *Server) searchPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	values, err := queryValues(c)
	if err != nil {
		return fiber.ErrBadRequest
	}
	p := &searchView{Page: s.newPage(c, "ui.search.title"), Q: values.Get("q")}
	p.Section = "search"
	t, regional := tenants.FromContext(ctx)
	p.National = !regional
	status := fiber.StatusOK
	powiat := pickedPowiat(values)
	q, err := search.ParseQuery(values)
	if err != nil {
		p.Form = newForm(values)
		if !s.addError(&p.Page, err, nil) {
			return err
		}
		status = fiber.StatusUnprocessableEntity
		p.Res = &search.Result{}
	} else {
		q.Tenant = ""
		if regional {
			q.Tenant = t.Slug
		}
		p.Res, err = s.search.Search(ctx, q)
		if err != nil {
			return err
		}
	}
	p.Sort = values.Get("sort")
	p.sorts(q.Near != nil)
	p.SocialOn = q.SocialEnterprise
	p.SocialCount = p.Res.Facets["social_enterprise"]["true"]
	p.ReservedOn = q.ReservedContracts
	p.PSOn = q.PSPreference
	p.AtRiskMin = values.Get("at_risk_min")
	for n := 30; n <= 100; n += 10 {
		p.AtRiskMins = append(p.AtRiskMins, Option{Value: strconv.Itoa(n), Label: p.Tf("ui.search.at_risk_option", "N", n)})
	}
	names := s.categoryNames(ctx, p.Lang)
	p.Hits = s.searchHits(p, p.Res.Hits, regional, names)
	if p.Unlocated = p.Res.Unlocated; p.Unlocated != nil {
		p.NoGeoHits = s.searchHits(p, p.Unlocated.Hits, regional, names)
		for i := range p.NoGeoHits {
			p.NoGeoHits[i].NoGeo = true
		}
	}
	p.Facets = s.facetGroups(c, &p.Page, values, p.Res.Facets, names)
	s.fillPlace(ctx, p, values, powiat, q, regional)
	p.Filtered = p.ActiveFilters > 0
	clear := url.Values{}
	if p.Q != "" {
		clear.Set("q", p.Q)
	}
	p.ClearURL = p.Base + "/szukaj?" + clear.Encode()
	if !regional {
		s.regionLinks(p, values)
	}
	if p.Res.Total == 0 && regional {
		s.categoryStarts(ctx, p)
	}
	p.paginate(values)
	if status == fiber.StatusOK {
		resultFiles(p, values)
	}
	p.LibraryCount = s.libraryCount(c, p.Q) // library (issue 18)
	return s.render(c, status, "search", p)
}

// regionLinks lists, on the national search, the regions with hits, each
// linking to the same search in that region.
func (s *Server) regionLinks(p *searchView, values url.Values) {
	for slug, n := range p.Res.Facets["tenant"] {
		rt, ok := s.registry.BySlug(slug)
		if !ok || n == 0 {
			continue
		}
		p.Regions = append(p.Regions, facetItem{Value: "/r/" + slug + "/szukaj?" + values.Encode(), Label: rt.Voivodeship, Count: n})
	}
	view.SortByLabel(p.Regions, func(it facetItem) string { return it.Label })
}

// categoryStarts offers the region's top categories when nothing was
// found, so the page is no dead end.
func (s *Server) categoryStarts(ctx context.Context, p *searchView) {
	cats, err := s.db.FindCategories(ctx)
	if err != nil {
		return
	}
	for _, cat := range cats {
		if cat.ParentCode == nil && !cat.Retired() {
			p.Categories = append(p.Categories, categoryLink{Code: cat.Code, Name: categoryName(p.Lang, cat)})
		}
	}
}

// facetGroups turns the result's facet counts into checkbox groups,
// keeping every ticked value even when it counts nothing.
func (s *Server) facetGroups(c *fiber.Ctx, p *Page, values url.Values, facets map[string]map[string]int, cats map[string]string) []facetGroup {
	powiats := s.facetPowiats(c, values, facets["powiat"])
	gminas := s.facetGminas(c.UserContext(), values, facets["gmina"])
	label := func(param, code string) string {
		switch param {
		case "category":
			if n, ok := cats[code]; ok {
				return n
			}
			return code
		case "powiat":
			if n, ok := powiats[code]; ok {
				return n
			}
			return code
		case "gmina":
			if n, ok := gminas[code]; ok {
				return n
			}
			return code
		}
		return p.Label(param, code)
	}
	var groups []facetGroup
	for _, param := range []string{"legal_form", "kind", "category", "certificate", "powiat", "gmina"} {
		g := facetGroup{Param: param, Legend: p.T("ui.facet." + param)}
		seen := map[string]bool{}
		var items []facetItem
		for code, n := range facets[param] {
			seen[code] = true
			items = append(items, facetItem{Value: code, Count: n})
		}
		for _, code := range values[param] {
			if !seen[code] {
				seen[code] = true
				items = append(items, facetItem{Value: code})
			}
		}
		for i := range items {
			items[i].Param = param
			items[i].Label = label(param, items[i].Value)
			items[i].ID = "facet-" + param + "-" + items[i].Value
			for _, v := range values[param] {
				if v == items[i].Value {
					items[i].Checked = true
				}
			}
		}
		col := view.NewCollator()
		slices.SortStableFunc(items, func(a, b facetItem) int {
			if a.Count != b.Count {
				return b.Count - a.Count
			}
			return col.CompareString(a.Label, b.Label)
		})
		if len(items) == 0 {
			continue
		}
		// Rare values fold away, unless ticked.
		const shown = 8
		for i, it := range items {
			if i < shown || it.Checked {
				g.Items = append(g.Items, it)
			} else {
				g.More = append(g.More, it)
			}
		}
		groups = append(groups, g)
	}
	return groups
}

// searchHits links each hit to its profile (on the hub, in its region,
// which it names) and names its categories.
func (s *Server) searchHits(p *searchView, hits []search.Hit, regional bool, names map[string]string) []searchHit {
	var out []searchHit
	for _, h := range hits {
		sh := searchHit{Hit: h, URL: p.Base + "/podmiot/" + h.ID, Km: km(p.Lang, h.DistanceKm), L: p.Locale}
		if !regional {
			sh.URL = "/r/" + h.Tenant + "/podmiot/" + h.ID
			if rt, ok := s.registry.BySlug(h.Tenant); ok {
				sh.Region = rt.Voivodeship
			}
		}
		for _, code := range h.Categories {
			if n, ok := names[code]; ok {
				sh.Categories = append(sh.Categories, n)
			}
		}
		out = append(out, sh)
	}
	return out
}

// facetPowiats names the powiats a facet counts or the query ticks; a
// failed lookup leaves them as codes.
func (s *Server) facetPowiats(c *fiber.Ctx, values url.Values, counts map[string]int) map[string]string {
	powiats := map[string]string{}
	if len(counts) == 0 && len(values["powiat"]) == 0 {
		return powiats
	}
	prefixes := map[string]bool{}
	for code := range counts {
		prefixes[code[:2]] = true
	}
	for _, code := range values["powiat"] {
		if len(code) == 4 {
			prefixes[code[:2]] = true
		}
	}
	if list, err := s.db.FindPowiatsOf(c.UserContext(), slices.Collect(maps.Keys(prefixes))...); err == nil {
		for _, pw := range list {
			powiats[pw.Code] = pw.Name
		}
	}
	return powiats
}

// sorts are the orders offered; by distance only around a point.
func (p *searchView) sorts(near bool) {
	orders := []string{"relevance", "name", "updated"}
	if near {
		orders = append(orders, "distance")
	}
	for _, v := range orders {
		p.Sorts = append(p.Sorts, Option{Value: v, Label: p.T("ui.sort." + v)})
	}
}

// paginate builds the links to the other pages of results.
func (p *searchView) paginate(values url.Values) {
	per := p.Res.PerPage
	if per <= 0 {
		return
	}
	pages := (p.Res.Total + per - 1) / per
	if pages <= 1 {
		return
	}
	link := func(n int) string {
		v := url.Values{}
		for k, vs := range values {
			if k != "page" && k != "lang" {
				v[k] = vs
			}
		}
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		return p.Base + "/szukaj?" + v.Encode()
	}
	cur := p.Res.Page
	for n := max(1, cur-3); n <= min(pages, cur+3); n++ {
		p.Pages = append(p.Pages, pageLink{N: n, URL: link(n), Current: n == cur})
	}
	if cur > 1 {
		p.Prev = link(cur - 1)
	}
	if cur < pages {
		p.Next = link(cur + 1)
	}
}

// IsDegraded is for the template: the fallback answered.
func (p *searchView) IsDegraded() bool { return p.Res != nil && p.Res.Degraded }
