// Package handlers is the HTTP face of Katalog PES: the Fiber app, its
// routes and middleware (request id, tenant, principal, deadline, rate
// limits), the JSON API and the HTML pages. It is the only package that
// knows Fiber; it calls store, search and tenants and renders their results.
package handlers

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"katalogpes/handlers/view"
	"katalogpes/search"
	"katalogpes/store"
	"katalogpes/tenants"
)

// Config is what the HTTP layer needs to know about its environment.
type Config struct {
	// Development enables /dev/mail and relaxes cookie security.
	Development bool
	// BaseURL is how mail links reach the site, e.g. http://localhost:8080.
	BaseURL string
	// RequestTimeout bounds every request's work.
	RequestTimeout time.Duration
	// CSRFKey signs the forms' CSRF tokens (at least 32 bytes). Nodes that
	// share it accept each other's forms, and forms outlive a restart.
	CSRFKey []byte
	// TrustedProxies are the proxies (addresses and networks) whose
	// X-Forwarded-For, -Host and -Proto are believed; from anyone else
	// they are ignored.
	TrustedProxies []netip.Prefix
	// PageCacheBytes bounds the rendered public pages a node keeps for
	// anonymous visitors: 0 is DefaultPageCacheBytes, negative turns the
	// cache off. PageCacheTTL is how long a page is kept at most (5 min).
	PageCacheBytes int
	PageCacheTTL   time.Duration
}

// Server holds the dependencies every handler uses; it is built once in
// cmd and passed down, never global.
type Server struct {
	cfg      Config
	db       *store.DB
	search   *search.Service
	keys     *tenants.Keys
	registry *tenants.Registry
	tr       *view.Translator
	mail     *view.Composer // every mail's subject and body
	log      *slog.Logger
	metrics  *metrics
	// registries asks KRS, REGON and the VAT list (issue 15); its clients
	// are off when not configured.
	registries *store.Registries
	ui         *ui
	pages      *pageCache
	// declared is the permission each registered route names, by method
	// and path; filled once, while the routes are registered.
	declared map[string]tenants.Permission
	// contract is the OpenAPI document, generated once from the routes.
	contract    contract
	contractErr error
}

// Deps are the Server's collaborators.
type Deps struct {
	DB       *store.DB
	Search   *search.Service
	Keys     *tenants.Keys
	Registry *tenants.Registry
	Log      *slog.Logger
	Metrics  *prometheus.Registry
	// Registries are the registry clients behind their cache; nil: off.
	Registries *store.Registries
	// Translator is the process's catalogues, shared with its mailing
	// jobs; nil: New loads its own.
	Translator *view.Translator
}

// New builds the Fiber app with every route.
func New(cfg Config, d Deps) (*fiber.App, *Server, error) {
	tr := d.Translator
	if tr == nil {
		var err error
		if tr, err = view.NewTranslator(); err != nil {
			return nil, nil, err
		}
	}
	if cfg.PageCacheBytes == 0 {
		cfg.PageCacheBytes = DefaultPageCacheBytes
	}
	if cfg.PageCacheTTL <= 0 {
		cfg.PageCacheTTL = 5 * time.Minute
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 15 * time.Second
	}
	reg := d.Metrics
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	pages, err := newUI(cfg)
	if err != nil {
		return nil, nil, err
	}
	log := d.Log
	if log == nil {
		log = slog.Default()
	}
	mail := view.NewComposer(tr, cfg.BaseURL)
	// What the site's visitors submit, claim or report also mails the
	// region's staff who asked to be told at once.
	s := &Server{cfg: cfg, db: d.DB.WithStaffAlerts(mail.StaffAlert, mail.BuyerWaiting), search: d.Search, keys: d.Keys, registry: d.Registry, tr: tr, mail: mail,
		log: tenants.LogRequestIDs(log), metrics: newMetrics(reg, d.DB, d.Search), ui: pages,
		pages:    newPageCache(cfg.PageCacheBytes, cfg.PageCacheTTL),
		declared: map[string]tenants.Permission{}, registries: d.Registries}
	if s.registries == nil {
		s.registries = d.DB.Registries(nil, nil, nil)
	}
	app := fiber.New(fiber.Config{
		AppName:                 "katalogpes",
		ErrorHandler:            s.errorHandler,
		Views:                   pages.views,
		BodyLimit:               64 << 20, // imports and logos; JSON routes allow 1 MiB
		ReadTimeout:             30 * time.Second,
		WriteTimeout:            60 * time.Second,
		IdleTimeout:             120 * time.Second,
		DisableStartupMessage:   true,
		EnableTrustedProxyCheck: true,
		TrustedProxies:          fiberTrustedProxies(cfg.TrustedProxies),
		// Answers are encoded by goccy/go-json, encoding/json's drop-in
		// at half its CPU (search pages: bench/RESULTS.md); request bodies
		// stay with encoding/json, whose errors name the fields.
		JSONEncoder: gojson.Marshal,
	})
	s.routes(app)
	s.contract, s.contractErr = s.buildContract()
	return app, s, nil
}

// ReloadTenants refreshes the tenant registry from the database.
func (s *Server) ReloadTenants(ctx context.Context) error {
	list, err := s.db.FindTenants(ctx)
	if err != nil {
		return fmt.Errorf("reload tenants: %w", err)
	}
	s.registry.Replace(list)
	return nil
}

// FollowTenantChanges keeps this node's tenant registry and search caches
// in step with tenant changes saved on any node, until ctx ends.
func (s *Server) FollowTenantChanges(ctx context.Context) error {
	return s.db.ListenTenantChanges(ctx, func(n store.Notice) {
		if n.Err != nil {
			s.log.Warn("tenant changes: listener connection", "err", n.Err)
			return
		}
		s.search.ForgetTenants()
		// Pages rendered with the old branding or taxonomy go, after the
		// registry is reloaded (or given up on), so none is kept anew.
		if n.Missed {
			defer s.pages.forgetAll()
		} else {
			defer s.pages.dropTenant(n.Payload)
		}
		// A failed reload is retried a few times: the next notice may be
		// long in coming, and until then this node would show stale data.
		for attempt := 1; ; attempt++ {
			err := s.ReloadTenants(ctx)
			if err == nil || ctx.Err() != nil {
				return
			}
			s.log.Error("tenant changed elsewhere", "tenant_id", n.Payload, "attempt", attempt, "err", err)
			if attempt == 5 {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Duration(attempt) * time.Second):
			}
		}
	})
}
