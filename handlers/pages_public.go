package handlers

import (
	"context"
	"encoding/base64"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"

	"katalogpes/store"
	"katalogpes/tenants"
)

// regionLink is one region on the hub.
type regionLink struct {
	Slug, Voivodeship, Name, City string
	Count                         int
}

type hubPage struct {
	Page
	Regions   []regionLink
	Published int
	Social    int
}

type categoryLink struct {
	Code, Name string
	Count      int
}

type regionPage struct {
	Page
	Stats      *store.Stats
	Categories []categoryLink
}

// homePage is the national hub on the bare host and a region's home
// under /r/{slug}/ or on the region's host.
func (s *Server) homePage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	if _, ok := tenants.FromContext(ctx); ok {
		return s.regionHome(c)
	}
	st, err := s.db.ComputeStats(ctx)
	if err != nil {
		return err
	}
	p := &hubPage{Page: s.newPage(c, "ui.hub.title"), Published: st.Published, Social: st.SocialEnterprises}
	p.Section = "home"
	for _, t := range s.registry.All() {
		p.Regions = append(p.Regions, regionLink{Slug: t.Slug, Voivodeship: t.Voivodeship, Name: t.Name, City: t.City, Count: st.ByTenant[t.Slug]})
	}
	c.Locals(localCacheable, !p.User.Authenticated())
	return s.render(c, fiber.StatusOK, "hub", p)
}

func (s *Server) regionHome(c *fiber.Ctx) error {
	ctx := c.UserContext()
	st, err := s.db.ComputeStats(ctx)
	if err != nil {
		return err
	}
	cats, err := s.db.FindCategories(ctx)
	if err != nil {
		return err
	}
	p := &regionPage{Page: s.newPage(c, "ui.region.title"), Stats: st}
	p.Title = p.Tenant.Name
	p.Section = "home"
	for _, cat := range cats {
		if cat.ParentCode != nil || cat.Retired() {
			continue
		}
		p.Categories = append(p.Categories, categoryLink{Code: cat.Code, Name: categoryName(p.Lang, cat), Count: st.ByCategory[cat.Code]})
	}
	c.Locals(localCacheable, !p.User.Authenticated())
	return s.render(c, fiber.StatusOK, "region", p)
}

func categoryName(lang string, c store.Category) string {
	if lang == "en" && c.NameEN != "" {
		return c.NameEN
	}
	return c.NamePL
}

// categoryNames maps category codes to names in lang. The hub has no
// taxonomy of its own; it shows the first region's, which starts as the
// common default.
func (s *Server) categoryNames(ctx context.Context, lang string) map[string]string {
	if _, ok := tenants.FromContext(ctx); !ok {
		all := s.registry.All()
		if len(all) == 0 {
			return map[string]string{}
		}
		ctx = tenants.NewContext(ctx, all[0])
	}
	out := map[string]string{}
	cats, err := s.db.FindCategories(ctx)
	if err != nil {
		return out
	}
	for _, c := range cats {
		out[c.Code] = categoryName(lang, c)
	}
	return out
}

// profileView shows one listing: its offer, where it works, how to reach
// it, its badges with their basis, and schema.org data for machines.
type profileView struct {
	Page
	L            *store.Listing
	Categories   []string
	ServiceArea  []string
	Certificates []store.Certificate
	Social       bool
	OSM          string
	JSONLD       map[string]any
	Registers    []registerLink
	Owner        bool
	CanModerate  bool
	// Lapsed are certificates past their date: shown as lapsed, no badge.
	Lapsed []store.CertificateView
	// Library is the region's library items that name the listing (issue 18).
	Library []*store.LibraryItem
	// Verified is "Dane zweryfikowane w KRS i REGON: DATE" (issue 15).
	Verified string
}

func (s *Server) profilePage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	l, err := s.db.FindListingByID(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	p := &profileView{Page: s.newPage(c, "ui.profile.title"), L: l}
	p.Title = l.Name
	p.Section = "search"
	p.Owner = p.User.Authenticated() && p.User.AccountID == l.OwnerID
	p.CanModerate = p.User.Can(tenants.PermModerate)
	names := s.categoryNames(ctx, p.Lang)
	for _, code := range l.Categories {
		if n, ok := names[code]; ok {
			p.Categories = append(p.Categories, n)
		} else {
			p.Categories = append(p.Categories, code)
		}
	}
	p.ServiceArea = s.serviceAreaNames(ctx, &p.Page, l.ServiceArea)
	p.Certificates = l.ValidCertificates(p.now)
	for _, c := range l.CertificatesAsOf(p.now) {
		if c.Expired {
			p.Lapsed = append(p.Lapsed, c)
		}
	}
	p.Social = l.IsSocialEnterprise(p.now)
	if l.Geo != nil {
		lat, lng := fmt.Sprintf("%.5f", l.Geo.Lat), fmt.Sprintf("%.5f", l.Geo.Lng)
		p.OSM = "https://www.openstreetmap.org/?mlat=" + lat + "&mlon=" + lng + "#map=16/" + lat + "/" + lng
	}
	p.JSONLD = s.organizationLD(c, l)
	p.Registers = registerLinks(l)
	p.Library = s.linkedLibrary(c, l.ID) // library (issue 18)
	p.Verified = s.verifiedLine(ctx, &p.Page, l.ID)
	// What the public sees of a published listing may be kept for them.
	c.Locals(localCacheable, l.Status == store.StatusPublished && !p.User.Authenticated())
	return s.render(c, fiber.StatusOK, "profile", p)
}

// serviceAreaNames names the units of a service area.
func (s *Server) serviceAreaNames(ctx context.Context, p *Page, sa store.ServiceArea) []string {
	switch sa.Scope {
	case "country":
		return []string{p.T("ui.scope.country")}
	case "radius":
		return []string{p.Tf("ui.scope.radius_of", "Km", p.Num(int(sa.RadiusKm)))}
	}
	var out []string
	powiats := map[string]string{}
	for i, code := range sa.TERYT {
		if i == 50 {
			out = append(out, "…")
			break
		}
		name := code
		switch len(code) {
		case 2:
			for _, t := range s.registry.All() {
				if t.TERYT == code {
					name = p.T("ui.voivodeship") + " " + t.Voivodeship
				}
			}
		case 4:
			if _, ok := powiats[code[:2]+"x"]; !ok {
				powiats[code[:2]+"x"] = ""
				if list, err := s.db.FindPowiatsOf(ctx, code[:2]); err == nil {
					for _, pw := range list {
						powiats[pw.Code] = pw.Name
					}
				}
			}
			if n := powiats[code]; n != "" {
				name = p.T("ui.powiat") + " " + n
			}
		case 7:
			if g, err := s.db.FindGmina(ctx, code); err == nil {
				name = p.T("ui.gmina") + " " + g.Name + " (" + g.KindName + ")"
			}
		}
		out = append(out, name)
	}
	return out
}

// organizationLD is the listing as a schema.org Organization.
func (s *Server) organizationLD(c *fiber.Ctx, l *store.Listing) map[string]any {
	ld := map[string]any{
		"@context": "https://schema.org",
		"@type":    "Organization",
		"name":     l.Name,
		"url":      s.cfg.BaseURL + c.Path(),
		"address": map[string]any{
			"@type":           "PostalAddress",
			"streetAddress":   l.Address.Street,
			"postalCode":      l.Address.PostalCode,
			"addressLocality": l.Address.City,
			"addressRegion":   l.Voivodeship.Name,
			"addressCountry":  "PL",
		},
	}
	if l.ShortName != "" {
		ld["alternateName"] = l.ShortName
	}
	if l.Description != "" {
		ld["description"] = l.Description
	}
	if l.Contact.Email != "" {
		ld["email"] = l.Contact.Email
	}
	if l.Contact.Phone != "" {
		ld["telephone"] = l.Contact.Phone
	}
	if l.Contact.Website != "" {
		ld["sameAs"] = l.Contact.Website
	}
	if l.NIP != "" {
		ld["taxID"] = l.NIP
	}
	var ids []map[string]any
	for _, id := range [][2]string{{"KRS", l.KRS}, {"REGON", l.REGON}, {"NIP", l.NIP}} {
		if id[1] != "" {
			ids = append(ids, map[string]any{"@type": "PropertyValue", "propertyID": id[0], "value": id[1]})
		}
	}
	if len(ids) > 0 {
		ld["identifier"] = ids
	}
	if l.FoundedYear != 0 {
		ld["foundingDate"] = fmt.Sprint(l.FoundedYear)
	}
	if l.Geo != nil {
		ld["location"] = map[string]any{"@type": "Place", "geo": map[string]any{
			"@type": "GeoCoordinates", "latitude": l.Geo.Lat, "longitude": l.Geo.Lng}}
	}
	if strings.HasPrefix(l.LogoURL, "https://") {
		ld["logo"] = l.LogoURL
	}
	if len(l.Offers) > 0 {
		var offers []map[string]any
		for _, o := range l.Offers {
			item := map[string]any{"@type": "Service", "name": o.Title}
			if o.Kind == "produkt" {
				item["@type"] = "Product"
			}
			offers = append(offers, map[string]any{"@type": "Offer", "itemOffered": item})
		}
		ld["makesOffer"] = offers
	}
	return ld
}

// profileModerate lets staff suspend or reinstate a published listing
// from its page.
func (s *Server) profileModerate(c *fiber.Ctx) error {
	id := c.Params("id")
	action := c.FormValue("action")
	if action != store.ActionSuspend && action != store.ActionReinstate {
		return fiber.ErrBadRequest
	}
	if _, err := s.db.ModerateAndTell(c.UserContext(), id, action, c.FormValue("reason"), s.mail.Decision); err != nil {
		if store.ErrorCode(err) != store.EInvalid {
			return err
		}
		return c.Redirect(basePath(c)+"/podmiot/"+id+"?msg=reason_required#status", fiber.StatusSeeOther)
	}
	s.search.Notify()
	return c.Redirect(basePath(c)+"/podmiot/"+id+"?msg="+action, fiber.StatusSeeOther)
}

type textPage struct {
	Page
}

func (s *Server) accessibilityPage(c *fiber.Ctx) error {
	p := &textPage{Page: s.newPage(c, "ui.a11y.title")}
	return s.render(c, fiber.StatusOK, "accessibility", p)
}

var hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// themeCSS carries a region's colours: the CSP forbids inline styles, so
// the branding is a small stylesheet of its own.
func (s *Server) themeCSS(c *fiber.Ctx) error {
	t, _ := tenants.FromContext(c.UserContext())
	var vars []string
	if b := t.Branding.PrimaryColor; hexColor.MatchString(b) {
		vars = append(vars, "--primary:"+b, "--primary-dark:"+darken(b))
	}
	if b := t.Branding.AccentColor; hexColor.MatchString(b) {
		vars = append(vars, "--accent:"+b)
	}
	sort.Strings(vars)
	c.Set(fiber.HeaderContentType, "text/css; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	return c.SendString(":root{" + strings.Join(vars, ";") + "}\n")
}

// tenantLogo serves a logo uploaded on the branding page, kept in the
// branding as a data: URL so every node has it.
func (s *Server) tenantLogo(c *fiber.Ctx) error {
	t, _ := tenants.FromContext(c.UserContext())
	meta, data, ok := strings.Cut(t.Branding.LogoURL, ",")
	if !ok || !strings.HasPrefix(meta, "data:") || !strings.HasSuffix(meta, ";base64") {
		return fiber.ErrNotFound
	}
	ct := strings.TrimSuffix(strings.TrimPrefix(meta, "data:"), ";base64")
	if ct != "image/png" && ct != "image/jpeg" {
		return fiber.ErrNotFound
	}
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderContentType, ct)
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	return c.Send(raw)
}
