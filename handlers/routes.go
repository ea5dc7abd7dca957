package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"katalogpes/store"
	"katalogpes/tenants"
)

// routes lists every route with the permission it needs. Tenant routes are
// served twice: under /r/{slug} and on a tenant's own host.
func (s *Server) routes(app *fiber.App) {
	app.Use(requestIDMiddleware, s.base, recover.New(recover.Config{EnableStackTrace: false}), s.securityHeaders)

	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/metrics", s.metricsHandler())
	app.Get("/api/v1/openapi.json", s.openAPI)
	if s.cfg.Development {
		app.Get("/dev/mail", s.devMail)
	}

	s.tenantRoutes(app.Group("/r/:slug", s.tenantBySlug, s.authenticate))
	s.tenantRoutes(app.Group("", s.tenantByHost, s.authenticate))
	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}

// tenantRoutes are the routes of one region. The national hub shares the
// paths that make sense across regions (search, statistics, the platform
// account's sign-in); the rest need a tenant.
func (s *Server) tenantRoutes(r fiber.Router) {
	api := r.Group("/api/v1", limitJSON)
	t := s.tenantOnly

	api.Post("/auth/register", t, s.limit(5, time.Hour, byIP), s.register)
	api.Post("/auth/verify", t, s.verifyEmail)
	api.Post("/auth/login", s.limit(10, time.Minute, byIP), s.limit(10, time.Minute, byEmail), s.login)
	api.Post("/auth/refresh", s.refresh)
	api.Post("/auth/logout", pm(tenants.PermSignedIn, s.logout))
	api.Post("/auth/password-reset", t, s.limit(5, time.Hour, byIP), s.passwordReset)
	api.Post("/auth/password-reset/confirm", t, s.limit(10, time.Hour, byIP), s.passwordResetConfirm)
	api.Get("/me", pm(tenants.PermSignedIn, s.me))
	api.Post("/me/password", pm(tenants.PermSignedIn, s.changePassword))

	api.Get("/categories", t, s.categories)
	api.Get("/me/listings", t, pm(tenants.PermListingsCreate, s.myListings))
	api.Post("/listings", t, pm(tenants.PermListingsCreate, s.createListing))
	api.Get("/listings/:id", t, pm(tenants.PermPublic, s.getListing))
	api.Patch("/listings/:id", t, pm(tenants.PermListingsOwn, s.updateListing))
	api.Delete("/listings/:id", t, pm(tenants.PermListingsOwn, s.archiveListing))
	api.Post("/listings/:id/submit", t, pm(tenants.PermListingsOwn, s.submitListing))
	api.Get("/listings/:id/history", t, pm(tenants.PermListingsOwn, s.listingHistory))

	api.Get("/moderation/queue", t, pm(tenants.PermModerate, s.moderationQueue))
	api.Post("/moderation/:id/approve", t, pm(tenants.PermModerate, s.moderate(store.ActionApprove)))
	api.Post("/moderation/:id/reject", t, pm(tenants.PermModerate, s.moderate(store.ActionReject)))
	api.Post("/moderation/:id/request-changes", t, pm(tenants.PermModerate, s.moderate(store.ActionRequestChanges)))
	api.Post("/moderation/:id/suspend", t, pm(tenants.PermModerate, s.moderate(store.ActionSuspend)))
	api.Post("/moderation/:id/reinstate", t, pm(tenants.PermModerate, s.moderate(store.ActionReinstate)))

	api.Get("/search", s.searchListings)
	api.Get("/search/suggest", s.suggest)
	api.Get("/search/key", t, s.searchKey)

	api.Get("/stats", s.stats)
	api.Get("/report", pm(tenants.PermPublic, s.reportAPI))
	api.Get("/export.csv", pm(tenants.PermPublic, s.export(store.ExportCSV)))
	api.Get("/export.json", pm(tenants.PermPublic, s.export(store.ExportJSON)))
	api.Get("/export.xlsx", pm(tenants.PermPublic, s.export(store.ExportXLSX)))
	api.Post("/admin/import", t, pm(tenants.PermAdmin, s.importListings))
	api.Get("/admin/stale", t, pm(tenants.PermModerate, s.staleListings))
	api.Post("/listings/:id/confirm", t, pm(tenants.PermListingsOwn, s.confirmListing))
	api.Get("/me/data", pm(tenants.PermSignedIn, s.myData))
	api.Delete("/me", pm(tenants.PermSignedIn, s.deleteMe))
	s.pageRoutes(r)
}

// tenantOnly refuses a tenant route on the national hub.
func (s *Server) tenantOnly(c *fiber.Ctx) error {
	if _, err := needTenant(c); err != nil {
		return err
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
