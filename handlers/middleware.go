package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/gofiber/fiber/v2/utils"

	"katalogpes/handlers/view"
	"katalogpes/store"
	"katalogpes/tenants"
)

// Locals keys.
const (
	localLang      = "lang"
	localRequestID = "requestid"
)

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(localRequestID).(string)
	return id
}

func langOf(c *fiber.Ctx) string {
	if l, ok := c.Locals(localLang).(string); ok {
		return l
	}
	return view.PickLanguage(c.Query("lang"), c.Cookies("lang"), c.Get(fiber.HeaderAcceptLanguage))
}

// wantsHTML tells a person's browser from an API client.
func wantsHTML(c *fiber.Ctx) bool {
	path := c.Path()
	if strings.Contains(path, "/api/") || strings.HasPrefix(path, "/dev/") {
		return false
	}
	return strings.Contains(c.Get(fiber.HeaderAccept), "text/html")
}

// requestIDMiddleware tags the request (and its log lines) with an id.
var requestIDMiddleware = requestid.New(requestid.Config{ContextKey: localRequestID})

// base sets the language, the deadline and a context carrying the request
// id, then logs the request when it ends.
func (s *Server) base(c *fiber.Ctx) error {
	start := time.Now()
	lang := view.PickLanguage(c.Query("lang"), c.Cookies("lang"), c.Get(fiber.HeaderAcceptLanguage))
	c.Locals(localLang, lang)
	if q := c.Query("lang"); q == "pl" || q == "en" {
		c.Cookie(&fiber.Cookie{Name: "lang", Value: q, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: "Lax", Secure: !s.cfg.Development})
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.RequestTimeout)
	defer cancel()
	// The id is copied: the context outlives fasthttp's buffers (exports
	// stream after the handler returns).
	ctx = tenants.WithRequestID(ctx, utils.CopyString(requestID(c)))
	c.SetUserContext(ctx)
	err := c.Next()
	if err != nil {
		// Let the error handler write the response now so the status and
		// duration below are the ones the client got.
		if herr := c.App().ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	status := c.Response().StatusCode()
	route := c.Route().Path
	s.metrics.observe(c.Method(), route, status, time.Since(start))
	s.log.InfoContext(ctx, "request", "method", c.Method(), "path", c.Path(),
		"route", route, "status", status, "took_ms", time.Since(start).Milliseconds())
	return nil
}

// tenantByHost resolves a tenant host ({slug}.BASE_DOMAIN or a custom host).
// The bare host is the national hub; an unknown subdomain is a 404.
func (s *Server) tenantByHost(c *fiber.Ctx) error {
	// Fiber's Hostname reads X-Forwarded-Host only from a trusted proxy.
	host := c.Hostname()
	// Every answer here depends on the host, so a shared cache must keep
	// one copy per host (the logo and theme are cached publicly).
	c.Vary(fiber.HeaderHost)
	if s.trustedProxy(peerAddress(c)) {
		c.Vary(fiber.HeaderXForwardedHost)
	}
	switch t, ok := s.registry.ByHost(host); {
	case ok:
		c.SetUserContext(tenants.NewContext(c.UserContext(), t))
	case s.registry.IsTenantHost(host):
		return store.Errorf(store.ENotFound, "tenant.unknown")
	}
	// The bare host is the national hub: no tenant, and no scope either
	// until a route that the hub serves grants it (see hubScope).
	return c.Next()
}

// tenantBySlug resolves /r/{slug}/…; an unknown slug is a 404.
func (s *Server) tenantBySlug(c *fiber.Ctx) error {
	t, ok := s.registry.BySlug(c.Params("slug"))
	if !ok {
		return store.Errorf(store.ENotFound, "tenant.unknown")
	}
	c.SetUserContext(tenants.NewContext(c.UserContext(), t))
	return c.Next()
}

// needTenant refuses tenant-only routes on the national hub.
func needTenant(c *fiber.Ctx) (*tenants.Tenant, error) {
	t, ok := tenants.FromContext(c.UserContext())
	if !ok {
		return nil, store.Errorf(store.ENotFound, "tenant.unknown")
	}
	return t, nil
}

// authenticate reads the principal from a Bearer token or, on pages, the
// access cookie. A bad bearer token is a 401; a bad cookie is ignored (the
// page is shown to an anonymous visitor, who may sign in again). The JSON
// API takes the Bearer token only: a cookie is sent by the browser on any
// site's request, and the API has no CSRF token to tell them apart.
func (s *Server) authenticate(c *fiber.Ctx) error {
	token, fromCookie := "", false
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		scheme, rest, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(rest) == "" {
			return tenants.ErrBadToken
		}
		token = strings.TrimSpace(rest)
		if strings.HasPrefix(token, store.APIKeyPrefix) { // integrators (issue 16)
			return s.withAPIKey(c, token)
		}
	} else if ck := c.Cookies(accessCookie); ck != "" && !isAPIPath(c) {
		token, fromCookie = ck, true
	}
	if token == "" {
		return c.Next()
	}
	slug := ""
	if t, ok := tenants.FromContext(c.UserContext()); ok {
		slug = t.Slug
	}
	p, err := s.keys.Verify(token, slug, func(slug string) string {
		if t, ok := s.registry.BySlug(slug); ok {
			return t.ID
		}
		return ""
	})
	if err != nil {
		if fromCookie {
			return c.Next()
		}
		return err
	}
	if err := s.checkSession(c.UserContext(), p); err != nil {
		if fromCookie && errors.Is(err, tenants.ErrBadToken) {
			return c.Next() // the page asks to sign in again
		}
		return err
	}
	c.SetUserContext(tenants.WithPrincipal(c.UserContext(), p))
	return c.Next()
}

// checkSession refuses a token whose session has ended (logout, a reused
// refresh token, a password change, removal or deletion of the account):
// the token's signature alone would keep it working to its expiry.
func (s *Server) checkSession(ctx context.Context, p tenants.Principal) error {
	if p.SessionID == "" {
		return tenants.ErrBadToken
	}
	if _, ok := tenants.FromContext(ctx); !ok {
		// The hub has no tenant; the lookup is of one session by its id.
		ctx = tenants.WithAllTenants(ctx)
	}
	active, err := s.db.SessionActive(ctx, p.SessionID)
	if err != nil {
		return fmt.Errorf("check session: %w", err)
	}
	if !active {
		return tenants.ErrBadToken
	}
	return nil
}

// jsonBody checks a JSON request's size and type and returns a copy of the
// body (fasthttp reuses its buffer after the handler returns).
func jsonBody(c *fiber.Ctx) ([]byte, error) {
	body := c.Body()
	if len(body) > maxJSONBody {
		return nil, fiber.ErrRequestEntityTooLarge
	}
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	if len(body) > 0 && !strings.HasPrefix(ct, fiber.MIMEApplicationJSON) && !strings.HasPrefix(ct, "application/merge-patch+json") {
		return nil, fiber.ErrUnsupportedMediaType
	}
	return utils.CopyBytes(body), nil
}

// maxJSONBody is the largest JSON request body accepted.
const maxJSONBody = 1 << 20

// limitJSON refuses JSON bodies over 1 MiB before a handler reads them.
func limitJSON(c *fiber.Ctx) error {
	if c.Request().Header.ContentLength() > maxJSONBody || len(c.Body()) > maxJSONBody {
		if !strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), "multipart/") {
			return fiber.ErrRequestEntityTooLarge
		}
	}
	return c.Next()
}

// isAPIPath reports whether the request is for the JSON API of a region or
// of the hub.
func isAPIPath(c *fiber.Ctx) bool {
	rest := strings.TrimPrefix(c.Path(), basePath(c))
	return rest == "/api" || strings.HasPrefix(rest, "/api/")
}
