package handlers

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"katalogpes/store"
)

// lookupView is "Is my supplier a PES?": a form of identifier kind and
// value (a GET, so it works without JavaScript and the answer is a link
// to share), then what was found, in which region, with its badges.
type lookupView struct {
	Page
	Searched bool
	Matches  []lookupMatch
	// NationalURL asks the same across every region.
	NationalURL string
}

type lookupMatch struct {
	Name, Region, Link string
	Badges             []lookupBadge
}

// lookupBadge is a badge as the profile draws it: its class and label.
type lookupBadge struct {
	Class, Label string
}

func (s *Server) lookupPage(c *fiber.Ctx) error {
	v, err := queryValues(c)
	if err != nil {
		return fiber.ErrBadRequest
	}
	p := &lookupView{Page: s.newPage(c, "ui.lookup.title")}
	p.Section = "lookup"
	p.LabelPrefix = "ui.lookup.f."
	if v.Get("kind") == "" {
		v.Set("kind", store.LookupNIP)
	}
	p.Form = newForm(url.Values{"kind": {v.Get("kind")}, "value": {v.Get("value")}})
	kinds := make([]Option, 0, len(store.LookupKinds))
	for _, kind := range store.LookupKinds {
		kinds = append(kinds, Option{Value: kind, Label: p.T("ui.lookup.kind." + kind)})
	}
	p.Options = map[string][]Option{"kind": kinds}
	if _, ok := v["value"]; !ok {
		return s.render(c, fiber.StatusOK, "lookup", p)
	}
	q, err := store.NewLookup(map[string]string{v.Get("kind"): v.Get("value")})
	if err != nil {
		// The form has one value field, whichever identifier it names.
		if !s.addError(&p.Page, err, func(string) string { return "value" }) {
			return err
		}
		return s.render(c, fiber.StatusUnprocessableEntity, "lookup", p)
	}
	found, err := s.db.FindListingsByIdentifier(c.UserContext(), q)
	if err != nil {
		return err
	}
	p.Searched = true
	p.NationalURL = "/sprawdz?" + p.Form.Values.Encode()
	for _, l := range found {
		p.Matches = append(p.Matches, s.lookupMatchOf(&p.Page, l))
	}
	return s.render(c, fiber.StatusOK, "lookup", p)
}

// badgeClasses are the profile's badge styles by badge code; certificates
// share one.
var badgeClasses = map[string]string{"social_enterprise": "badge--se", "reserved_contracts": "badge--rc"}

// lookupMatchOf names a found listing's region and badges and links to its
// profile (under /r/{slug}, which the hub serves too).
func (s *Server) lookupMatchOf(p *Page, l *store.Listing) lookupMatch {
	m := lookupMatch{Name: l.Name, Link: p.URL("/podmiot/" + l.ID)}
	if p.Tenant == nil {
		m.Link = "/r/" + l.Tenant + "/podmiot/" + l.ID
	}
	if t, ok := s.registry.BySlug(l.Tenant); ok {
		m.Region = p.T("ui.voivodeship") + " " + t.Voivodeship + " (" + t.Name + ")"
	}
	for _, code := range l.StatusBadges(p.now) {
		b := lookupBadge{Class: badgeClasses[code], Label: p.Label("certificate", code)}
		switch code {
		case "social_enterprise":
			b.Label = p.T("ui.badge.social")
		case "reserved_contracts":
			b.Label = p.T("ui.badge.reserved")
		default:
			b.Class = "badge--cert"
		}
		m.Badges = append(m.Badges, b)
	}
	return m
}
