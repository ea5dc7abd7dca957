package handlers_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/routers"
	"github.com/gofiber/fiber/v2"

	"katalogpes/handlers"
	"katalogpes/search"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// testServer is the whole HTTP app on a fresh database and a private
// search index, driven in memory.
type testServer struct {
	t       testing.TB
	app     *fiber.App
	srv     *handlers.Server
	cfg     handlers.Config
	db      *storetest.DB
	keys    *tenants.Keys
	signing []tenants.SigningKey
	svc     *search.Service
	index   string         // the start of its indexes' names
	router  routers.Router // the contract's, loaded at the first API request
}

func newSigningKeys(t testing.TB) []tenants.SigningKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return []tenants.SigningKey{{ID: "test-1", Private: priv}}
}

func newCSRFKey(t testing.TB) []byte {
	t.Helper()
	key := make([]byte, handlers.MinCSRFKey)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	return key
}

func keysFor(t testing.TB, signing []tenants.SigningKey, ttl time.Duration) *tenants.Keys {
	t.Helper()
	keys, err := tenants.NewKeys(signing, ttl)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func newTestServer(t testing.TB) *testServer {
	t.Helper()
	meili := os.Getenv("MEILI_URL")
	if meili == "" {
		t.Fatal("MEILI_URL is not set: run the tests with `make test`, which starts Meilisearch")
	}
	return newTestServerWithMeili(t, meili, handlers.Config{Development: true, BaseURL: "http://localhost:8080"})
}

// newTestServerWithMeili points search at meili (a closed port plays a
// Meilisearch that is down).
func newTestServerWithMeili(t testing.TB, meili string, cfg handlers.Config) *testServer {
	t.Helper()
	return newTestServerLogging(t, meili, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// newTestServerLogging is newTestServerWithMeili with the server and search
// writing to log.
func newTestServerLogging(t testing.TB, meili string, cfg handlers.Config, log *slog.Logger) *testServer {
	t.Helper()
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	// The test's name, and a random tail: the same test run from two
	// checkouts at once must not share indexes.
	tail := make([]byte, 3)
	_, _ = rand.Read(tail)
	index := "test_" + strings.ReplaceAll(strings.ToLower(t.Name()), "/", "_") + "_" + hex.EncodeToString(tail)
	if cfg.CSRFKey == nil {
		cfg.CSRFKey = newCSRFKey(t)
	}
	return newNode(t, db, meili, index, cfg, log, newSigningKeys(t))
}

// newNode is one app node on db: its own search client, tenant registry
// and server, as a second process on the same database would have.
func newNode(t testing.TB, db *storetest.DB, meili, index string, cfg handlers.Config, log *slog.Logger, signing []tenants.SigningKey) *testServer {
	t.Helper()
	svc, err := search.New(search.Config{URL: meili, MasterKey: os.Getenv("MEILI_MASTER_KEY"), Prefix: index + "_"}, db.DB, log)
	if err != nil {
		t.Fatal(err)
	}
	list, err := db.FindTenants(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	keys := keysFor(t, signing, 15*time.Minute)
	app, srv, err := handlers.New(cfg, handlers.Deps{
		DB: db.DB, Search: svc, Keys: keys, Registry: tenants.NewRegistry(list, "katalog.test"),
		Log: log,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &testServer{t: t, app: app, srv: srv, cfg: cfg, db: db, keys: keys, signing: signing, svc: svc, index: index}
}

// response is an answer with its decoded JSON.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// problem decodes a problem document.
func (r response) problem(t testing.TB) handlers.Problem {
	t.Helper()
	var p handlers.Problem
	r.json(t, &p)
	return p
}

type reqOpt func(*http.Request)

func bearer(token string) reqOpt {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
}

func header(k, v string) reqOpt { return func(r *http.Request) { r.Header.Set(k, v) } }

func (s *testServer) do(method, path string, body any, opts ...reqOpt) response {
	s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(req)
	}
	resp, err := s.app.Test(req, 30_000)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	s.checkContract(req, resp.StatusCode, resp.Header, raw)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// expect fails unless the answer has the status.
func (r response) expect(t testing.TB, status int) response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	return r
}
