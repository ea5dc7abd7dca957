package handlers_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"katalogpes/handlers"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

const regionHost = "slaskie.katalog.test"

func onHost(host string) reqOpt { return func(r *http.Request) { r.Host = host } }

// newTrustingServer is a test server behind a proxy at app.Test's peer
// address (0.0.0.0) and in 10.0.0.0/8.
func newTrustingServer(t *testing.T) *testServer {
	t.Helper()
	return newTestServerWithMeili(t, os.Getenv("MEILI_URL"), handlers.Config{Development: true, BaseURL: "http://localhost:8080",
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/32"), netip.MustParsePrefix("10.0.0.0/8")}})
}

// secondNode is another server on the same database: a second node
// behind the load balancer.
func (s *testServer) secondNode() *testServer {
	s.t.Helper()
	list, err := s.db.FindTenants(s.t.Context())
	if err != nil {
		s.t.Fatal(err)
	}
	app, _, err := handlers.New(handlers.Config{Development: true, BaseURL: "http://localhost:8080", CSRFKey: newCSRFKey(s.t)}, handlers.Deps{
		DB: s.db.DB, Search: s.svc, Keys: s.keys, Registry: tenants.NewRegistry(list, "katalog.test"),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		s.t.Fatal(err)
	}
	node := *s
	node.app = app
	return &node
}

// loginRoutes tries a wrong password through each way in: the API and the
// page, under /r/slaskie and on the region's host, and the hub's API.
func loginRoutes(s *testServer, w *webClient) []func(email string, opts ...reqOpt) int {
	api := func(path string, host ...reqOpt) func(string, ...reqOpt) int {
		return func(email string, opts ...reqOpt) int {
			return s.do("POST", path, map[string]string{"email": email, "password": "zle-haslo-123456"}, append(host, opts...)...).Status
		}
	}
	page := func(path string, host string) func(string, ...reqOpt) int {
		return func(email string, opts ...reqOpt) int {
			req := httptest.NewRequest("GET", path, nil)
			req.Host = host
			w.send(req)
			form := url.Values{"email": {email}, "password": {"zle-haslo-123456"}, "_csrf": {w.csrf}}
			req = httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
			req.Host = host
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for _, o := range opts {
				o(req)
			}
			return w.send(req).Status
		}
	}
	return []func(string, ...reqOpt) int{
		api("/r/slaskie/api/v1/auth/login"),
		api("/api/v1/auth/login", onHost(regionHost)),
		api("/api/v1/auth/login", onHost("katalog.test")),
		page("/r/slaskie/logowanie", "example.com"),
		page("/logowanie", regionHost),
	}
}

// One address gets 10 guesses a minute in all, whichever way it comes in.
func TestLoginLimitIsOneCounterForEveryRoute(t *testing.T) {
	s := newTestServer(t)
	routes := loginRoutes(s, s.web())
	for i := range 10 {
		if st := routes[i%len(routes)](fmt.Sprintf("kto%d@example.org", i)); st == 429 {
			t.Fatalf("guess %d refused", i+1)
		}
	}
	for i, try := range routes {
		if st := try("ktos-inny@example.org"); st != 429 {
			t.Fatalf("route %d let the 11th guess through: %d", i, st)
		}
	}
}

// One account gets 10 guesses a minute in all, from whichever address.
func TestLoginLimitPerEmailHoldsAcrossAddressesAndRoutes(t *testing.T) {
	s := newTrustingServer(t)
	routes := loginRoutes(s, s.web())
	from := func(i int) reqOpt { return header("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i)) }
	for i := range 10 {
		if st := routes[i%len(routes)]("ofiara@example.org", from(i)); st == 429 {
			t.Fatalf("guess %d refused", i+1)
		}
	}
	for i, try := range routes {
		if st := try("OFIARA@example.org ", from(100+i)); st != 429 {
			t.Fatalf("route %d let the 11th guess on the account through: %d", i, st)
		}
	}
}

// Two nodes on one database share the counter, so a restart or a second
// node gives no one more guesses.
func TestLoginLimitIsSharedByNodes(t *testing.T) {
	a := newTestServer(t)
	b := a.secondNode()
	for i := range 10 {
		node := a
		if i%2 == 1 {
			node = b
		}
		node.do("POST", "/r/slaskie/api/v1/auth/login", map[string]string{"email": fmt.Sprintf("kto%d@example.org", i), "password": "zle-haslo-123456"}).expect(t, 401)
	}
	b.do("POST", "/r/slaskie/api/v1/auth/login", map[string]string{"email": "kto@example.org", "password": "zle-haslo-123456"}).expect(t, 429)
	a.secondNode().do("POST", "/api/v1/auth/login", map[string]string{"email": "kto@example.org", "password": "zle-haslo-123456"}, onHost(regionHost)).expect(t, 429)
}

var secondsRe = regexp.MustCompile(`(\d+) s\.`)

// The Retry-After header and the message give the same wait.
func TestRetryAfterAgreesWithTheMessage(t *testing.T) {
	s := newTestServer(t)
	for i := range 10 {
		s.do("POST", "/r/slaskie/api/v1/auth/login", map[string]string{"email": fmt.Sprintf("kto%d@example.org", i), "password": "zle-haslo-123456"})
	}
	for _, lang := range []string{"pl", "en"} {
		r := s.do("POST", "/r/slaskie/api/v1/auth/login", map[string]string{"email": "kto@example.org", "password": "zle-haslo-123456"},
			header("Accept-Language", lang)).expect(t, 429)
		m := secondsRe.FindStringSubmatch(r.problem(t).Detail)
		if m == nil || m[1] != r.Header.Get("Retry-After") {
			t.Fatalf("%s: Retry-After %q, message %q", lang, r.Header.Get("Retry-After"), r.problem(t).Detail)
		}
	}
}

// A registration that fails validation does not use up the limit; five
// that pass do.
func TestRegistrationLimitCountsOnlyValidAttempts(t *testing.T) {
	s := newTestServer(t)
	w := s.web()
	w.get("/r/slaskie/rejestracja").expect(t, 200)
	for i := range 6 {
		s.do("POST", "/r/slaskie/api/v1/auth/register", map[string]string{"email": "zly-adres", "password": goodPassword, "name": "Jan"}).expect(t, 422)
		w.post("/r/slaskie/rejestracja", url.Values{"name": {"Ewa"}, "email": {fmt.Sprintf("ewa%d@example.org", i)}, "password": {"krotkie"}}).expect(t, 422)
	}
	for i := range 5 {
		email := fmt.Sprintf("nowy%d@example.org", i)
		if i%2 == 0 {
			s.do("POST", "/r/slaskie/api/v1/auth/register", map[string]string{"email": email, "password": goodPassword, "name": "Jan"}).expect(t, 201)
		} else {
			w.post("/r/slaskie/rejestracja", url.Values{"name": {"Ewa"}, "email": {email}, "password": {goodPassword}}).expect(t, 200)
		}
	}
	s.do("POST", "/api/v1/auth/register", map[string]string{"email": "szosty@example.org", "password": goodPassword, "name": "Jan"}, onHost(regionHost)).expect(t, 429)
	w.post("/r/slaskie/rejestracja", url.Values{"name": {"Ewa"}, "email": {"szosta@example.org"}, "password": {goodPassword}}).expect(t, 429)
}

// login guesses a password of a new account each time, so only the limit
// by address can refuse it.
func login(s *testServer, opts ...reqOpt) int {
	email := storetest.Unique("kto@example.org")
	return s.do("POST", "/r/slaskie/api/v1/auth/login", map[string]string{"email": email, "password": "zle-haslo-123456"}, opts...).Status
}

// A client that is not a trusted proxy cannot name another address.
func TestForwardedForFromAnUntrustedPeerIsIgnored(t *testing.T) {
	s := newTestServer(t)
	for i := range 10 {
		login(s, header("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i)))
	}
	if st := login(s, header("X-Forwarded-For", "198.51.100.1")); st != 429 {
		t.Fatalf("a new X-Forwarded-For bought another guess: %d", st)
	}
}

// Behind a trusted proxy the client is the right-most address that is
// not a proxy: what the client wrote to the left of it does not count.
func TestForwardedForFromATrustedProxyNamesTheClient(t *testing.T) {
	s := newTrustingServer(t)
	for i := range 10 {
		login(s, header("X-Forwarded-For", fmt.Sprintf("192.0.2.%d, 203.0.113.1, 10.0.0.7", i)))
	}
	if st := login(s, header("X-Forwarded-For", "203.0.113.1")); st != 429 {
		t.Fatalf("the client's 11th guess: %d, want 429", st)
	}
	if st := login(s, header("X-Forwarded-For", "203.0.113.2")); st != 401 {
		t.Fatalf("another client behind the proxy: %d, want 401", st)
	}
}

// X-Forwarded-Host picks a region only when a trusted proxy sends it.
func TestForwardedHostFromAnUntrustedClientDoesNotPickTheRegion(t *testing.T) {
	s := newTestServer(t)
	fwd := header("X-Forwarded-Host", regionHost)
	s.do("GET", "/api/v1/categories", nil, onHost("katalog.test"), fwd).expect(t, 404)
	s.do("GET", "/api/v1/categories", nil, onHost("katalog.test"), fwd, header("X-Forwarded-Proto", "https")).expect(t, 404)
	newTrustingServer(t).do("GET", "/api/v1/categories", nil, onHost("katalog.test"), fwd).expect(t, 200)
}

// A region's logo and theme are cached publicly; a cache must keep one
// copy per host.
func TestHostDependentFilesVaryByHost(t *testing.T) {
	s := newTestServer(t)
	for _, path := range []string{"/logo", "/motyw.css"} {
		r := s.do("GET", path, nil, onHost(regionHost))
		if !strings.Contains(r.Header.Get("Vary"), "Host") {
			t.Fatalf("%s: Vary %q, want Host", path, r.Header.Get("Vary"))
		}
	}
}
