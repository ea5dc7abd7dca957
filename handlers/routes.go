package handlers

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"katalogpes/tenants"
)

// kind says where a route is mounted and what runs before its handler.
type kind int

const (
	api  kind = iota // JSON under {region}/api/v1: body limit; 401/403 problems
	page             // a region's web page: CSRF check, cookie session, sign-in redirect
	file             // a region's file (CSS, logo, CSV): no form, no session
	ops              // outside any region: health, metrics, the contract
	dev              // like ops, and only in development
)

// scope says where a route is served. The zero value fails closed: a route
// that declares nothing is a region's only and a 404 on the national hub.
type scope int

const (
	region   scope = iota // needs a region: /r/{slug}/… or a region's host
	hub                   // also on the national hub, which reads across all regions
	anywhere              // reads no region's data (static files, ops)
)

// route is one line of the route table.
type route struct {
	kind   kind
	method string
	path   string
	scope  scope
	perm   tenants.Permission
	// chain is what runs after the guard: rate limits, then the handler.
	chain []fiber.Handler
	// cache, on a public page, names the page's group in the page cache:
	// anonymous visitors are served from it (see cachedRoute).
	cache func(*fiber.Ctx) string
}

// cached serves a public page from the page cache, grouped by group.
func cached(r route, group func(*fiber.Ctx) string) route {
	r.cache = group
	return r
}

func rt(k kind, method, path string, sc scope, perm tenants.Permission, chain ...fiber.Handler) route {
	return route{kind: k, method: method, path: path, scope: sc, perm: perm, chain: chain}
}

const get, post, patch, del = fiber.MethodGet, fiber.MethodPost, fiber.MethodPatch, fiber.MethodDelete

// routes registers the table: ops routes once, a region's routes twice,
// under /r/{slug} and on the host (a region's own, or the national hub's).
func (s *Server) routes(app *fiber.App) {
	app.Use(requestIDMiddleware, compressAnswers(), s.base, recover.New(recover.Config{EnableStackTrace: false}), s.securityHeaders)
	table := s.routeTable()
	for _, r := range table {
		if r.kind == ops || r.kind == dev && s.cfg.Development {
			s.mount(app, "", r)
		}
	}
	for _, g := range []struct {
		prefix string
		find   fiber.Handler
	}{{"/r/:slug", s.tenantBySlug}, {"", s.tenantByHost}} {
		grp := app.Group(g.prefix, g.find, s.authenticate)
		for _, r := range table {
			if r.kind != ops && r.kind != dev {
				s.mount(grp, g.prefix, r)
			}
		}
	}
	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}

// mount is the one way a route is added: the scope, what its kind
// needs, the permission, then its chain. It keeps the declared permission
// for each method and path, so a test can find a route without one.
func (s *Server) mount(r fiber.Router, prefix string, rt route) {
	path := rt.path
	if rt.kind == api {
		path = "/api/v1" + path
	}
	var chain []fiber.Handler
	switch rt.scope {
	case region:
		chain = append(chain, tenantOnly)
	case hub:
		chain = append(chain, hubScope)
	}
	switch rt.kind {
	case api:
		chain = append(chain, limitJSON)
	case page:
		if rt.cache != nil && rt.perm == tenants.PermPublic {
			chain = append(chain, s.cachedRoute(rt.cache))
		}
		// A post without the CSRF token is a 403; the cookie session
		// renews an expired access token before the permission is read.
		chain = append(chain, s.ui.csrf, s.pageSession)
	}
	if rt.kind == api || rt.kind == page {
		chain = append(chain, s.rememberLanguage)
	}
	chain = append(chain, s.guard(rt.kind, rt.perm))
	chain = append(chain, rt.chain...)
	methods := []string{rt.method}
	if rt.method == fiber.MethodGet {
		methods = append(methods, fiber.MethodHead)
	}
	for _, m := range methods {
		r.Add(m, path, chain...)
		s.declared[m+" "+prefix+path] = rt.perm
	}
}

// tenantOnly refuses a region's route on the national hub.
func tenantOnly(c *fiber.Ctx) error {
	if _, err := needTenant(c); err != nil {
		return err
	}
	return c.Next()
}

// hubScope lets a route read across every region when it is served on the
// national hub; under a region it stays in that region.
func hubScope(c *fiber.Ctx) error {
	if _, ok := tenants.FromContext(c.UserContext()); !ok {
		c.SetUserContext(tenants.WithAllTenants(c.UserContext()))
	}
	return c.Next()
}

// securityHeaders are sent with every answer. Production is served over
// HTTPS only, so browsers are told to keep to it (HSTS, a year).
func (s *Server) securityHeaders(c *fiber.Ctx) error {
	if !s.cfg.Development {
		c.Set(fiber.HeaderStrictTransportSecurity, "max-age=31536000; includeSubDomains")
	}
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
	return c.Next()
}
