package handlers

import (
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"katalogpes/search"
	"katalogpes/store"
	"katalogpes/tenants"
)

// The library's public pages (issue 18): its home (newest by kind, and
// search with facets), an item, a tag, the calendar of events.

// libraryKindGroup is the newest items of one kind.
type libraryKindGroup struct {
	Kind  string
	Items []*store.LibraryItem
}

// libraryFacet is one facet's values with their counts, as checkboxes.
type libraryFacet struct {
	Name, Legend string
	Items        []libraryFacetValue
}

type libraryFacetValue struct {
	Value, Label string
	Count        int
	Checked      bool
}

type libraryView struct {
	Page
	National  bool
	Q         string
	Searching bool
	// Unavailable: the search failed; the newest items are shown instead.
	Unavailable bool
	Result      *search.LibraryResult
	Facets      []libraryFacet
	Groups      []libraryKindGroup
	Drafts      []*store.LibraryItem
	Tag         string
	Items       []*store.LibraryItem // a tag's items
	Upcoming    []*store.LibraryItem
	Past        []*store.LibraryItem
	PrevURL     string
	NextURL     string
}

// LibLine is one item as a list shows it.
type LibLine struct {
	P   *Page
	It  *store.LibraryItem
	URL string
}

// LibLine is it as a line of a list on page p.
func (p *Page) LibLine(it *store.LibraryItem) LibLine {
	return LibLine{P: p, It: it, URL: p.ItemURL(it.Region, it.ID)}
}

// ItemURL is an item's page, under its region (the hub lists every region's).
func (p *Page) ItemURL(region, id string) string {
	if p.Tenant != nil {
		return p.URL("/biblioteka/pozycja/" + id)
	}
	return "/r/" + region + "/biblioteka/pozycja/" + id
}

// TagURL is a tag's page.
func (p *Page) TagURL(tag string) string { return p.URL("/biblioteka/tag/" + url.PathEscape(tag)) }

// CanWriteLibrary says whether the page offers the staff's forms.
func (p *Page) CanWriteLibrary() bool { return p.Tenant != nil && p.User.Can(tenants.PermLibrary) }

func (s *Server) newLibraryView(c *fiber.Ctx, title string) *libraryView {
	p := &libraryView{Page: s.newPage(c, title)}
	p.Section = "library"
	p.National = p.Tenant == nil
	return p
}

// libraryHomePage is the library's home: with words or facets a search,
// otherwise the newest items of each kind.
func (s *Server) libraryHomePage(c *fiber.Ctx) error {
	p := s.newLibraryView(c, "library.title")
	q, err := libraryQuery(c)
	if err != nil {
		if !s.addError(&p.Page, err, nil) {
			return err
		}
		q = search.LibraryQuery{}
	}
	p.Q = q.Q
	p.Searching = q.Q != "" || len(q.Kind)+len(q.Tag)+len(q.Category)+len(q.Year) > 0
	if p.Searching {
		p.Result, err = s.search.SearchLibrary(c.UserContext(), s.librarySlugs(c), q)
		if err == nil {
			p.Facets = libraryFacets(&p.Page, p.Result, q, s.categoryNames(c.UserContext(), p.Lang))
			p.PrevURL, p.NextURL = libraryPages(c, q, p.Result.Total)
			return s.render(c, fiber.StatusOK, "library", p)
		}
		// Without Meilisearch the page still lists the newest items.
		s.log.Warn("library search failed", "err", err)
		p.Searching, p.Unavailable = false, true
	}
	items, err := s.db.FindLibraryItems(c.UserContext(), store.LibraryFilter{Limit: 200})
	if err != nil {
		return err
	}
	for _, kind := range store.LibraryKinds {
		g := libraryKindGroup{Kind: kind}
		for _, it := range items {
			if it.Kind == kind && len(g.Items) < 5 {
				g.Items = append(g.Items, it)
			}
		}
		if len(g.Items) > 0 {
			p.Groups = append(p.Groups, g)
		}
	}
	if p.CanWriteLibrary() {
		if p.Drafts, err = s.db.FindLibraryItems(c.UserContext(), store.LibraryFilter{Status: store.LibraryDraft}); err != nil {
			return err
		}
	}
	return s.render(c, fiber.StatusOK, "library", p)
}

// libraryFacets turns the counts into checkboxes, the chosen ones ticked.
func libraryFacets(p *Page, res *search.LibraryResult, q search.LibraryQuery, categories map[string]string) []libraryFacet {
	chosen := map[string][]string{"kind": q.Kind, "tags": q.Tag, "categories": q.Category}
	for _, y := range q.Year {
		chosen["year"] = append(chosen["year"], strconv.Itoa(y))
	}
	param := map[string]string{"kind": "kind", "year": "year", "tags": "tag", "categories": "category"}
	var out []libraryFacet
	for _, name := range []string{"kind", "year", "tags", "categories"} {
		f := libraryFacet{Name: param[name], Legend: p.T("library.facet." + name)}
		for v, n := range res.Facets[name] {
			label := v
			switch name {
			case "kind":
				label = p.Label("libkind", v)
			case "categories":
				if n, ok := categories[v]; ok {
					label = n
				}
			}
			f.Items = append(f.Items, libraryFacetValue{Value: v, Label: label, Count: n, Checked: contains(chosen[name], v)})
		}
		for _, v := range chosen[name] { // a chosen value with no hits stays tickable
			if !slicesHasValue(f.Items, v) {
				f.Items = append(f.Items, libraryFacetValue{Value: v, Label: v, Checked: true})
			}
		}
		sort.Slice(f.Items, func(i, j int) bool {
			if f.Items[i].Count != f.Items[j].Count {
				return f.Items[i].Count > f.Items[j].Count
			}
			return f.Items[i].Label < f.Items[j].Label
		})
		if len(f.Items) > 0 {
			out = append(out, f)
		}
	}
	return out
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func slicesHasValue(items []libraryFacetValue, v string) bool {
	for _, it := range items {
		if it.Value == v {
			return true
		}
	}
	return false
}

// libraryPages are the previous and next pages' addresses ("" for none).
func libraryPages(c *fiber.Ctx, q search.LibraryQuery, total int) (prev, next string) {
	args, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
	page := q.Offset/q.Limit + 1
	at := func(n int) string {
		args.Set("page", strconv.Itoa(n))
		return c.Path() + "?" + args.Encode()
	}
	if page > 1 {
		prev = at(page - 1)
	}
	if page*q.Limit < total {
		next = at(page + 1)
	}
	return prev, next
}

// libraryTagPage lists the published items with a tag.
func (s *Server) libraryTagPage(c *fiber.Ctx) error {
	tag, err := url.PathUnescape(c.Params("tag"))
	if err != nil || strings.TrimSpace(tag) == "" {
		return fiber.ErrNotFound
	}
	p := s.newLibraryView(c, "library.title")
	p.Tag = strings.ToLower(strings.TrimSpace(tag))
	p.Title = p.Tf("library.tag.title", "Tag", p.Tag)
	if p.Items, err = s.db.FindLibraryItems(c.UserContext(), store.LibraryFilter{Tag: p.Tag, Limit: 200}); err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "library_tag", p)
}

// calendarPage lists the events: upcoming first (soonest first), past kept.
func (s *Server) calendarPage(c *fiber.Ctx) error {
	p := s.newLibraryView(c, "library.calendar.title")
	var err error
	if p.Upcoming, err = s.db.FindLibraryItems(c.UserContext(), store.LibraryFilter{Events: "upcoming", Limit: 200}); err != nil {
		return err
	}
	if p.Past, err = s.db.FindLibraryItems(c.UserContext(), store.LibraryFilter{Events: "past", Limit: 100}); err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "library_calendar", p)
}

// libraryItemView is an item's page; the staff see its forms and history.
type libraryItemView struct {
	Page
	It      *store.LibraryItem
	JSONLD  map[string]any
	History []store.LibraryHistoryLine
	Cats    []string
}

// FileURL is a document's download address.
func (p *libraryItemView) FileURL(name string) string {
	return p.URL("/biblioteka/pozycja/" + p.It.ID + "/pliki/" + url.PathEscape(name))
}

// FileKind names a document's type as people know it.
func (p *libraryItemView) FileKind(ct string) string {
	switch ct {
	case store.TypePDF:
		return "PDF"
	case store.TypeDOCX:
		return "DOCX"
	case store.TypeXLSX:
		return "XLSX"
	}
	return ct
}

// KB is a size in kilobytes, at least 1.
func (p *libraryItemView) KB(n int64) int { return int(max((n+512)/1024, 1)) }

func (s *Server) libraryItemPage(c *fiber.Ctx) error {
	return s.renderLibraryItem(c, fiber.StatusOK, nil)
}

// renderLibraryItem draws an item's page, with err at the upload form.
func (s *Server) renderLibraryItem(c *fiber.Ctx, status int, err error) error {
	it, ferr := s.visibleLibraryItem(c)
	if ferr != nil {
		return ferr
	}
	p := &libraryItemView{Page: s.newPage(c, "library.title"), It: it}
	p.Title = it.Title
	p.Section = "library"
	p.LabelPrefix = "library.f."
	p.Form = newForm(nil)
	names := s.categoryNames(c.UserContext(), p.Lang)
	for _, code := range it.Categories {
		if n, ok := names[code]; ok {
			p.Cats = append(p.Cats, n)
		} else {
			p.Cats = append(p.Cats, code)
		}
	}
	p.JSONLD = s.libraryLD(c, it)
	if p.CanWriteLibrary() {
		if p.History, ferr = s.db.FindLibraryHistory(c.UserContext(), it.ID); ferr != nil {
			return ferr
		}
	}
	if err != nil && !s.addError(&p.Page, err, nil) {
		return err
	}
	return s.render(c, status, "library_item", p)
}

// libraryLD is the item's schema.org description: a Report (reports and
// research), an Event (events, trainings, competitions), else a CreativeWork.
func (s *Server) libraryLD(c *fiber.Ctx, it *store.LibraryItem) map[string]any {
	ld := map[string]any{"@context": "https://schema.org", "@type": "CreativeWork", "name": it.Title,
		"url": s.absURL(c, itemPath(c, it)), "inLanguage": it.Language}
	if it.Summary != "" {
		ld["description"] = it.Summary
	}
	if len(it.Tags) > 0 {
		ld["keywords"] = strings.Join(it.Tags, ", ")
	}
	if it.Licence != "" {
		ld["license"] = it.Licence
	}
	var authors []map[string]any
	for _, a := range it.Authors {
		authors = append(authors, map[string]any{"@type": "Organization", "name": a})
	}
	switch {
	case it.Kind == store.KindReport || it.Kind == store.KindResearch:
		ld["@type"] = "Report"
	case it.Event != nil:
		ld["@type"] = "Event"
		ld["startDate"] = it.Event.StartsAt.In(store.Warsaw).Format("2006-01-02T15:04:05-07:00")
		if it.Event.EndsAt != nil {
			ld["endDate"] = it.Event.EndsAt.In(store.Warsaw).Format("2006-01-02T15:04:05-07:00")
		}
		var where []map[string]any
		if it.Event.PlaceName != "" {
			where = append(where, map[string]any{"@type": "Place", "name": it.Event.PlaceName,
				"address": map[string]any{"@type": "PostalAddress", "addressLocality": it.Event.PlaceName, "addressCountry": "PL"}})
		}
		if it.Event.OnlineURL != "" {
			where = append(where, map[string]any{"@type": "VirtualLocation", "url": it.Event.OnlineURL})
		}
		mode := "OfflineEventAttendanceMode"
		switch {
		case len(where) == 2:
			mode = "MixedEventAttendanceMode"
		case it.Event.OnlineURL != "":
			mode = "OnlineEventAttendanceMode"
		}
		ld["eventAttendanceMode"] = "https://schema.org/" + mode
		if len(where) > 0 {
			ld["location"] = where
		}
		if len(authors) > 0 {
			ld["organizer"] = authors
		}
	}
	if len(authors) > 0 && it.Event == nil {
		ld["author"] = authors
	}
	if it.PublishedOn != "" {
		ld["datePublished"] = it.PublishedOn
	}
	return ld
}

// linkedLibrary is the published items that name a listing, for its
// profile; a failure only leaves the section out.
func (s *Server) linkedLibrary(c *fiber.Ctx, listingID string) []*store.LibraryItem {
	items, err := s.db.FindLibraryItemsForListing(c.UserContext(), utils.CopyString(listingID))
	if err != nil {
		s.log.Warn("library items of a listing", "err", err)
		return nil
	}
	return items
}

// libraryCount is how many library items match the catalog search's
// words, for its "also in the library" link; 0 without words or when the
// library cannot be searched (the catalog's answer must not fail for it).
func (s *Server) libraryCount(c *fiber.Ctx, q string) int {
	if strings.TrimSpace(q) == "" {
		return 0
	}
	n, err := s.search.CountLibrary(c.UserContext(), s.librarySlugs(c), q)
	if err != nil {
		s.log.Warn("library count", "err", err)
		return 0
	}
	return n
}
