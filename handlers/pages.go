package handlers

import (
	"crypto/rand"
	"embed"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/csrf"
	"github.com/gofiber/template/html/v2"

	"katalogpes/handlers/view"
	"katalogpes/store"
	"katalogpes/tenants"
)

// The web UI's static files live in the binary (its templates in view).
//
//go:embed static
var staticFS embed.FS

// ui is what the pages share: the parsed templates (parsed once, at
// start), the CSRF middleware and the key that signs its tokens.
type ui struct {
	views *html.Engine
	csrf  fiber.Handler
}

// localCSRF is where the CSRF middleware leaves the request's token.
const localCSRF = "csrf"

// csrfField is the hidden form field that carries the token.
const csrfField = "_csrf"

func newUI(cfg Config) (*ui, error) {
	engine := html.NewFileSystem(http.FS(view.Templates()), ".html")
	engine.AddFuncMap(view.Funcs())
	if err := engine.Load(); err != nil {
		return nil, err
	}
	// The CSRF tokens are signed, not stored, so any node can check them.
	// The key lives as long as the process: a restart asks people to
	// reload a form that was open (see the report on multi-node setups).
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	tokens := &signedTokens{key: key, ttl: 8 * time.Hour}
	mw := csrf.New(csrf.Config{
		KeyLookup:      "form:" + csrfField,
		CookieName:     "kp_csrf",
		CookiePath:     "/",
		CookieSecure:   !cfg.Development,
		CookieHTTPOnly: true,
		CookieSameSite: "Lax",
		Expiration:     tokens.ttl,
		KeyGenerator:   tokens.generate,
		Storage:        tokens,
		ContextKey:     localCSRF,
		ErrorHandler: func(c *fiber.Ctx, err error) error {
			return store.Errorf(store.EForbidden, "csrf.invalid")
		},
	})
	return &ui{views: engine, csrf: mw}, nil
}

// pageRoutes are the web UI's routes. They are registered for a tenant
// (under /r/{slug} or on its host) and for the national hub; handlers
// that need a region say so with tenantOnly.
func (s *Server) pageRoutes(r fiber.Router) {
	r.Get("/static/:file", s.staticFile)
	r.Get("/motyw.css", s.tenantOnly, s.themeCSS)
	r.Get("/logo", s.tenantOnly, s.tenantLogo)

	// Every page passes the CSRF check (a post without the token is a
	// 403) and the cookie session (which renews an expired access token).
	page := func(h ...fiber.Handler) []fiber.Handler {
		return append([]fiber.Handler{s.ui.csrf, s.pageSession}, h...)
	}
	get := func(path string, h ...fiber.Handler) { r.Get(path, page(h...)...) }
	post := func(path string, h ...fiber.Handler) { r.Post(path, page(h...)...) }
	t := s.tenantOnly

	get("/", s.homePage) // the hub, or a region's home
	get("/szukaj", s.searchPage)
	get("/podmiot/:id", t, s.profilePage)
	post("/podmiot/:id/status", t, s.need(tenants.PermModerate, s.profileModerate))
	get("/deklaracja-dostepnosci", s.accessibilityPage)
	get("/statystyki", s.statsPage)
	get("/statystyki/raport", s.reportPage)
	r.Get("/statystyki/raport.csv", s.reportCSV) // a file: no form, no session

	get("/rejestracja", t, s.registerPage)
	post("/rejestracja", t, s.limit(5, time.Hour, byIP), s.registerSubmit)
	get("/weryfikacja", t, s.verifyPage)
	get("/logowanie", t, s.loginPage)
	post("/logowanie", t, s.limit(10, time.Minute, byIP), s.limit(10, time.Minute, byFormEmail), s.loginSubmit)
	post("/wyloguj", t, s.logoutSubmit)
	get("/przypomnij-haslo", t, s.forgotPage)
	post("/przypomnij-haslo", t, s.limit(5, time.Hour, byIP), s.forgotSubmit)
	get("/nowe-haslo", t, s.resetPage)
	post("/nowe-haslo", t, s.limit(10, time.Hour, byIP), s.resetSubmit)

	get("/moje", t, s.need(tenants.PermListingsCreate, s.myListingsPage))
	get("/moje/nowy", t, s.need(tenants.PermListingsCreate, s.newListingPage))
	post("/moje/nowy", t, s.need(tenants.PermListingsCreate, s.listingFormSubmit))
	get("/moje/:id", t, s.need(tenants.PermListingsOwn, s.editListingPage))
	post("/moje/:id", t, s.need(tenants.PermListingsOwn, s.listingFormSubmit))
	post("/moje/:id/wyslij", t, s.need(tenants.PermListingsOwn, s.submitListingPost))
	get("/moje/:id/historia", t, s.need(tenants.PermListingsOwn, s.historyPage))

	get("/moderacja", t, s.need(tenants.PermModerate, s.queuePage))
	post("/moderacja/:id", t, s.need(tenants.PermModerate, s.moderatePost))

	get("/admin/wyglad", t, s.need(tenants.PermAdmin, s.brandingPage))
	post("/admin/wyglad", t, s.need(tenants.PermAdmin, s.brandingSubmit))
	get("/admin/synonimy", t, s.need(tenants.PermAdmin, s.synonymsPage))
	post("/admin/synonimy", t, s.need(tenants.PermAdmin, s.synonymsSubmit))
}

// staticFile serves the embedded CSS and script.
func (s *Server) staticFile(c *fiber.Ctx) error {
	name := c.Params("file")
	types := map[string]string{"app.css": "text/css; charset=utf-8", "app.js": "text/javascript; charset=utf-8"}
	ct, ok := types[name]
	if !ok {
		return fiber.ErrNotFound
	}
	b, err := staticFS.ReadFile("static/" + name)
	if err != nil {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderContentType, ct)
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.Send(b)
}

// render writes a page with the given status.
func (s *Server) render(c *fiber.Ctx, status int, name string, page any) error {
	c.Status(status)
	// Pages carry a CSRF token and maybe a signed-in person's data.
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	return c.Render(name, page)
}
