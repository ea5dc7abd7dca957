package handlers

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"katalogpes/search"
	"katalogpes/store"
	"katalogpes/tenants"
)

// Embeddable search (issue 16): widget.js for sites that allow scripts,
// /osadz for those that only frame, both filtered as the embedding site
// says (gmina, powiat, category).

// corsAnyone lets any site read a public GET answer (the widget on an
// OWES or municipal site searches the catalog's own API).
func corsAnyone(c *fiber.Ctx) error {
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	return c.Next()
}

func (s *Server) widgetJS(c *fiber.Ctx) error {
	return s.embedFile(c, "widget.js", "text/javascript; charset=utf-8")
}

func (s *Server) widgetCSS(c *fiber.Ctx) error {
	return s.embedFile(c, "widget.css", "text/css; charset=utf-8")
}

func (s *Server) embedFile(c *fiber.Ctx, name, contentType string) error {
	b, err := staticFS.ReadFile("static/" + name)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	c.Set("Cross-Origin-Resource-Policy", "cross-origin")
	return c.Send(b)
}

// embedView is the iframe page: a search box and its results.
type embedView struct {
	Page
	Q      string
	Fixed  [][2]string // the embedding site's filters, kept as hidden fields
	Result *search.Result
	Asked  bool
}

// embedPage is /osadz: framed only by the sites the region lists.
func (s *Server) embedPage(c *fiber.Ctx) error {
	origins, err := s.db.FindFrameOrigins(c.UserContext())
	if err != nil {
		return err
	}
	ancestors := "'none'"
	if len(origins) > 0 {
		ancestors = strings.Join(origins, " ")
	}
	c.Response().Header.Del("X-Frame-Options")
	c.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; frame-ancestors "+ancestors+"; base-uri 'self'; form-action 'self'")
	values := url.Values{}
	p := &embedView{Page: s.newPage(c, "ui.embed.title"), Q: strings.TrimSpace(c.Query("q"))}
	for _, k := range []string{"gmina", "powiat", "category"} { // what an embedding site may fix
		if v := c.Query(k); v != "" {
			values.Set(k, v)
			p.Fixed = append(p.Fixed, [2]string{k, v})
		}
	}
	if p.Q != "" {
		values.Set("q", p.Q)
	}
	values.Set("per_page", "10")
	q, err := search.ParseQuery(values)
	if err != nil {
		return err
	}
	t, _ := tenants.FromContext(c.UserContext())
	q.Tenant = t.Slug
	if p.Result, err = s.search.Search(c.UserContext(), q); err != nil {
		return err
	}
	p.Asked = p.Q != ""
	return s.render(c, fiber.StatusOK, "embed", p)
}

// frameOriginsPost saves the sites allowed to frame /osadz, one a line.
func (s *Server) frameOriginsPost(c *fiber.Ctx) error {
	v := formValues(c)
	_, err := s.db.SetFrameOrigins(c.UserContext(), strings.Split(strings.ReplaceAll(v.Get("frame_origins"), "\r", ""), "\n"))
	if err != nil {
		p, verr := s.integratorsView(c)
		if verr != nil {
			return verr
		}
		p.Form = newForm(v)
		if !s.addError(&p.Page, err, nil) {
			return err
		}
		return s.render(c, fiber.StatusUnprocessableEntity, "admin_integrators", p)
	}
	return c.Redirect(basePath(c)+"/admin/integracje?msg=frame_origins_saved", fiber.StatusSeeOther)
}

// dcatDataset is the DCAT-AP description of the region's open data
// (/dane.jsonld), for data portals to harvest.
func (s *Server) dcatDataset(c *fiber.Ctx) error {
	t, err := needTenant(c)
	if err != nil {
		return err
	}
	base := strings.TrimRight(s.cfg.BaseURL, "/") + "/r/" + t.Slug
	licence := map[string]string{"@id": store.DataLicenseURL}
	dist := func(ext, media, format string) map[string]any {
		return map[string]any{
			"@id": base + "/api/v1/export." + ext, "@type": "dcat:Distribution",
			"dcat:accessURL":   map[string]string{"@id": base + "/api/v1/export." + ext},
			"dcat:downloadURL": map[string]string{"@id": base + "/api/v1/export." + ext},
			"dcat:mediaType":   map[string]string{"@id": "https://www.iana.org/assignments/media-types/" + media},
			"dct:format":       map[string]string{"@id": "http://publications.europa.eu/resource/authority/file-type/" + format},
			"dct:license":      licence,
			"dct:title":        map[string]string{"@value": "Katalog PES — " + t.Voivodeship + " (" + strings.ToUpper(ext) + ")", "@language": "pl"},
		}
	}
	dataset := map[string]any{
		"@id": base + "/dane.jsonld#dataset", "@type": "dcat:Dataset",
		"dct:title": []map[string]string{
			{"@value": "Katalog podmiotów ekonomii społecznej — województwo " + t.Voivodeship, "@language": "pl"},
			{"@value": "Catalog of social-economy entities — " + t.Voivodeship + " voivodeship", "@language": "en"}},
		"dct:description": []map[string]string{
			{"@value": "Opublikowane wpisy podmiotów ekonomii społecznej regionu: forma prawna, oferta, obszar działania, kontakt, status przedsiębiorstwa społecznego.", "@language": "pl"},
			{"@value": "The region's published listings of social-economy entities: legal form, offer, service area, contact, social-enterprise status.", "@language": "en"}},
		"dct:publisher":          map[string]any{"@type": "foaf:Agent", "foaf:name": t.Name},
		"dct:license":            licence,
		"dct:spatial":            map[string]string{"@id": "http://publications.europa.eu/resource/authority/country/POL"},
		"dcat:keyword":           []string{"ekonomia społeczna", "PES", "spółdzielnie socjalne", "zamówienia zastrzeżone", t.Voivodeship},
		"dcat:theme":             map[string]string{"@id": "http://publications.europa.eu/resource/authority/data-theme/SOCI"},
		"dcat:landingPage":       map[string]string{"@id": base + "/"},
		"dct:accrualPeriodicity": map[string]string{"@id": "http://publications.europa.eu/resource/authority/frequency/CONT"},
		"dcat:distribution": []map[string]any{
			dist("csv", "text/csv", "CSV"), dist("json", "application/json", "JSON"),
			dist("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX")},
	}
	if t.ContactEmail != "" {
		dataset["dcat:contactPoint"] = map[string]any{"@type": "vcard:Kind", "vcard:fn": t.Name, "vcard:hasEmail": map[string]string{"@id": "mailto:" + t.ContactEmail}}
	}
	doc := map[string]any{
		"@context": map[string]string{"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/",
			"foaf": "http://xmlns.com/foaf/0.1/", "vcard": "http://www.w3.org/2006/vcard/ns#"},
		"@id": base + "/dane.jsonld", "@type": "dcat:Catalog",
		"dct:title":     map[string]string{"@value": "Katalog PES — " + t.Voivodeship, "@language": "pl"},
		"dct:publisher": map[string]any{"@type": "foaf:Agent", "foaf:name": t.Name},
		"dcat:dataset":  []any{dataset},
	}
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	return c.JSON(doc, "application/ld+json; charset=utf-8")
}
