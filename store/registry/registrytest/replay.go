// Package registrytest replays the registries' recorded answers
// (store/registry/testdata) from a local HTTP server, byte for byte with
// their headers, for the tests of every package that asks a registry.
package registrytest

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Mode is how one registry behaves.
type Mode int

const (
	Normal Mode = iota // replays the recorded answer
	Down               // answers the recorded 503
	Hang               // answers nothing until the caller gives up (at most 30 s)
)

// Server replays the three registries under /krs, /bir and /vat.
type Server struct {
	srv  *httptest.Server
	dir  string
	mu   sync.Mutex
	mode map[string]Mode
	hits map[string]int
	stop chan struct{}
}

// New starts a server, closed with the test.
func New(t testing.TB) *Server {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	s := &Server{dir: filepath.Join(filepath.Dir(file), "..", "testdata"),
		mode: map[string]Mode{}, hits: map[string]int{}, stop: make(chan struct{})}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(func() {
		close(s.stop)
		s.srv.Close()
	})
	return s
}

// KRSURL, BIRURL and VATURL are the bases to configure the clients with.
func (s *Server) KRSURL() string { return s.srv.URL + "/krs" }
func (s *Server) BIRURL() string { return s.srv.URL + "/bir/wsBIR/UslugaBIRzewnPubl.svc" }
func (s *Server) VATURL() string { return s.srv.URL + "/vat" }

// Set changes how a registry ("krs", "regon", "vat") behaves.
func (s *Server) Set(registry string, m Mode) {
	s.mu.Lock()
	s.mode[registry] = m
	s.mu.Unlock()
}

// Hits is how many requests a registry has had.
func (s *Server) Hits(registry string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[registry]
}

var (
	krsPath = regexp.MustCompile(`^/krs/OdpisAktualny/([0-9]{1,10})$`)
	vatPath = regexp.MustCompile(`^/vat/api/search/nip/([0-9]{1,12})$`)
	soapOp  = regexp.MustCompile(`<ns:(Zaloguj|DaneSzukajPodmioty|DanePobierzPelnyRaport|GetValue)>`)
	soapArg = regexp.MustCompile(`<(?:dat:Nip|dat:Regon|dat:Krs|ns:pRegon|ns:pNazwaParametru)>([^<]*)<`)
)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	registry, name := s.route(r)
	s.mu.Lock()
	s.hits[registry]++
	mode := s.mode[registry]
	s.mu.Unlock()
	switch mode {
	case Hang:
		select {
		case <-r.Context().Done():
		case <-s.stop:
		case <-time.After(30 * time.Second):
		}
		return
	case Down:
		name = strings.SplitN(name, "/", 2)[0] + "/503.http"
	}
	s.replay(w, name)
}

// route names the registry and the recorded answer for a request.
func (s *Server) route(r *http.Request) (registry, file string) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/krs/"):
		if m := krsPath.FindStringSubmatch(r.URL.Path); m != nil {
			return "krs", s.pick("krs/"+m[1]+"-"+r.URL.Query().Get("rejestr")+".http", "krs/notfound.http")
		}
		return "krs", "krs/notfound.http"
	case strings.HasPrefix(r.URL.Path, "/vat/"):
		if m := vatPath.FindStringSubmatch(r.URL.Path); m != nil && len(m[1]) == 10 {
			return "vat", s.pick("vat/"+m[1]+".http", "vat/notfound.http")
		}
		return "vat", "vat/400.http"
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	op, arg := "", ""
	if m := soapOp.FindSubmatch(body); m != nil {
		op = string(m[1])
	}
	if m := soapArg.FindSubmatch(body); m != nil {
		arg = string(m[1])
	}
	switch op {
	case "Zaloguj":
		return "regon", "bir/zaloguj.http"
	case "DaneSzukajPodmioty":
		return "regon", s.pick("bir/szukaj-"+arg+".http", "bir/szukaj-notfound.http")
	case "DanePobierzPelnyRaport":
		return "regon", s.pick("bir/raport-"+arg+".http", "bir/szukaj-notfound.http")
	case "GetValue":
		return "regon", "bir/getvalue-4.http"
	}
	return "regon", "bir/503.http"
}

func (s *Server) pick(name, otherwise string) string {
	if _, err := os.Stat(filepath.Join(s.dir, name)); err == nil {
		return name
	}
	return otherwise
}

// replay writes the recorded file to the connection as it is: status
// line, headers and body, then closes it.
func (s *Server) replay(w http.ResponseWriter, name string) {
	raw, err := os.ReadFile(filepath.Join(s.dir, name))
	if err != nil {
		http.Error(w, "no recorded answer "+name, http.StatusInternalServerError)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "cannot hijack", http.StatusInternalServerError)
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	_, _ = buf.Write(raw)
	_ = buf.Flush()
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	}
}

// Client is an HTTP client for the replay server: it opens a connection
// per request, since each replayed answer closes its own.
func (s *Server) Client() *http.Client {
	return &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
}
