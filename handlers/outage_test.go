package handlers_test

import (
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"katalogpes/handlers"
	"katalogpes/search"
	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// tcpCut forwards connections to PostgreSQL until cut, then refuses them,
// as a database that went down does.
type tcpCut struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func newTCPCut(t *testing.T, target string) *tcpCut {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpCut{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
	t.Cleanup(p.cut)
	return p
}

func (p *tcpCut) cut() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
}

func TestADatabaseOutageIsA503WithRetryAfter(t *testing.T) {
	db := storetest.New(t)
	u, _ := url.Parse(db.URL)
	proxy := newTCPCut(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	viaProxy, err := store.Open(t.Context(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { viaProxy.Close() })
	list, err := viaProxy.FindTenants(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := search.New(search.Config{URL: os.Getenv("MEILI_URL"), MasterKey: os.Getenv("MEILI_MASTER_KEY"), Prefix: "test_outage_"}, viaProxy, quiet)
	if err != nil {
		t.Fatal(err)
	}
	app, _, err := handlers.New(handlers.Config{Development: true, BaseURL: "http://localhost:8080", CSRFKey: newCSRFKey(t)}, handlers.Deps{
		DB: viaProxy, Search: svc, Keys: keysFor(t, newSigningKeys(t), time.Minute),
		Registry: tenants.NewRegistry(list, "katalog.test"), Log: quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	get := func() (int, string, string) {
		resp, err := app.Test(httptest.NewRequest("GET", "/r/slaskie/api/v1/categories", nil), 30_000)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Retry-After"), string(body)
	}
	if status, _, body := get(); status != 200 {
		t.Fatalf("before the outage: %d %s", status, body)
	}
	proxy.cut()
	status, retry, body := get()
	if status != 503 || retry == "" {
		t.Fatalf("during the outage: %d, Retry-After %q: %s", status, retry, body)
	}
	if !strings.Contains(body, "database.unavailable") {
		t.Fatalf("problem does not name the cause: %s", body)
	}
}
