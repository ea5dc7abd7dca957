package handlers

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"katalogpes/tenants"
)

// newRouteServer builds the app with no database or search behind it:
// enough for what happens before a handler runs.
func newRouteServer(t *testing.T, log *slog.Logger) (*fiber.App, *Server) {
	t.Helper()
	app, s, err := New(Config{Development: true, CSRFKey: make([]byte, MinCSRFKey)}, Deps{Registry: tenants.NewRegistry(nil, "katalog.test"), Log: log})
	if err != nil {
		t.Fatal(err)
	}
	return app, s
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestEveryRouteDeclaresAPermission(t *testing.T) {
	app, s := newRouteServer(t, discardLog())
	registered := app.GetRoutes(true)
	if len(registered) < 2*70 {
		t.Fatalf("only %d routes registered", len(registered))
	}
	for _, r := range registered {
		if perm, ok := s.declared[r.Method+" "+r.Path]; !ok || perm == "" {
			t.Errorf("%s %s declares no permission", r.Method, r.Path)
		}
	}
	for key, want := range map[string]tenants.Permission{
		"PATCH /r/:slug/api/v1/listings/:id": tenants.PermListingsOwn,
		"PATCH /api/v1/listings/:id":         tenants.PermListingsOwn,
		"POST /r/:slug/moje/:id":             tenants.PermListingsOwn,
		"GET /healthz":                       tenants.PermPublic,
		"HEAD /r/:slug/admin/wyglad":         tenants.PermAdmin,
	} {
		if got := s.declared[key]; got != want {
			t.Errorf("%s declares %q, want %q", key, got, want)
		}
	}
}

func TestARouteThatDeclaresNoScopeIsARegionsOnly(t *testing.T) {
	if (route{}).scope != region {
		t.Fatal("the zero scope must be a region's")
	}
	app, s := newRouteServer(t, discardLog())
	for _, r := range s.routeTable() {
		if r.scope != region {
			continue
		}
		path := strings.NewReplacer(":id", "8d4c1f53-6a0e-4f5e-9b7a-0c1d2e3f4a5b").Replace(r.path)
		if r.kind == api {
			path = "/api/v1" + path
		}
		req := httptest.NewRequest(r.method, path, nil)
		req.Host = "katalog.test" // the national hub
		resp, err := app.Test(req, 10_000)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != fiber.StatusNotFound {
			t.Errorf("%s %s on the hub: status %d, want 404", r.method, path, resp.StatusCode)
		}
	}
}

func TestTheRequestIDIsInTheRequestsContextAndItsLog(t *testing.T) {
	var buf bytes.Buffer
	_, s := newRouteServer(t, slog.New(slog.NewJSONHandler(&buf, nil)))
	var seen string
	app := fiber.New(fiber.Config{ErrorHandler: s.errorHandler})
	app.Use(requestIDMiddleware, s.base)
	app.Get("/probe", func(c *fiber.Ctx) error {
		seen = tenants.RequestIDFrom(c.UserContext())
		return c.SendStatus(fiber.StatusNoContent)
	})
	req := httptest.NewRequest("GET", "/probe", nil)
	req.Header.Set(fiber.HeaderXRequestID, "rid-probe-1")
	if _, err := app.Test(req, 10_000); err != nil {
		t.Fatal(err)
	}
	if seen != "rid-probe-1" {
		t.Fatalf("the handler's context carries request id %q", seen)
	}
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("log %q: %v", buf.String(), err)
	}
	if line["msg"] != "request" || line["request_id"] != "rid-probe-1" {
		t.Fatalf("request log line %v", line)
	}
	if n := strings.Count(buf.String(), "request_id"); n != 1 {
		t.Fatalf("request_id logged %d times: %s", n, buf.String())
	}
}
