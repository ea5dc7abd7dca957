package handlers

import (
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/csrf"
	"github.com/gofiber/template/html/v2"

	"katalogpes/handlers/view"
	"katalogpes/store"
)

// The web UI's static files live in the binary (its templates in view).
//
//go:embed static
var staticFS embed.FS

// ui is what the pages share: the parsed templates (parsed once, at
// start), the CSRF middleware and the key that signs its tokens.
type ui struct {
	views  *html.Engine
	csrf   fiber.Handler
	assets *staticAssets
}

// localCSRF is where the CSRF middleware leaves the request's token.
const localCSRF = "csrf"

// csrfField is the hidden form field that carries the token.
const csrfField = "_csrf"

// MinCSRFKey is the shortest CSRF key accepted, in bytes: HMAC-SHA256
// gains nothing from more, and loses strength with less.
const MinCSRFKey = 32

func newUI(cfg Config) (*ui, error) {
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	assets, err := loadStaticAssets(static)
	if err != nil {
		return nil, err
	}
	engine := html.NewFileSystem(http.FS(view.Templates()), ".html")
	engine.AddFuncMap(view.Funcs())
	// Templates name static files by their plain names; the pages link
	// their fingerprinted addresses, cached for a year.
	engine.AddFunc("asset", assets.url)
	if err := engine.Load(); err != nil {
		return nil, err
	}
	// The CSRF tokens are signed, not stored, so any node with the same
	// key can check them, and they survive a restart.
	if len(cfg.CSRFKey) < MinCSRFKey {
		return nil, fmt.Errorf("handlers: the CSRF key has %d bytes, at least %d are needed", len(cfg.CSRFKey), MinCSRFKey)
	}
	tokens := &signedTokens{key: cfg.CSRFKey, ttl: 8 * time.Hour}
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
	return &ui{views: engine, csrf: mw, assets: assets}, nil
}

// render writes a page with the given status.
func (s *Server) render(c *fiber.Ctx, status int, name string, page any) error {
	c.Status(status)
	// Pages carry a CSRF token and maybe a signed-in person's data.
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	return c.Render(name, page)
}
