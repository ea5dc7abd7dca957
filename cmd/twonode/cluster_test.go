// Package twonode proves that katalogpes nodes keep no state of their own:
// two `katalogpes serve` processes (the real binary) behind HAProxy share
// sessions, forms, limits and workers through PostgreSQL and Meilisearch
// alone, and losing one of them under load loses no acknowledged write.
// It holds only this test; make test installs HAProxy (make haproxy).
package twonode

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

const haproxyBin = "/usr/sbin/haproxy"

// cluster is the system under test: one database, one set of indexes, two nodes
// and the proxy in front of them.
type cluster struct {
	t      *testing.T
	bin    string
	db     *storetest.DB
	raw    *sql.DB // the test database as its owner: row-level security does not filter it
	index  string
	meili  meilisearch.ServiceManager
	proxy  string // http://127.0.0.1:port
	nodes  []*node
	client *http.Client
}

// node is one `katalogpes serve` child process.
type node struct {
	name   string // the HAProxy server name, n1 or n2
	addr   string
	cmd    *exec.Cmd
	logs   *logTail
	exited chan struct{}
}

// logTail keeps the end of a child's output for failure messages.
type logTail struct {
	mu  sync.Mutex
	buf []byte
}

func (l *logTail) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	if over := len(l.buf) - 32<<10; over > 0 {
		l.buf = l.buf[over:]
	}
	return len(p), nil
}

func (l *logTail) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.buf)
}

// newCluster builds the binary and prepares the database and index; the
// nodes start with start, after the test has seeded what they must see at
// start (the stale listing the reminder workers race for).
func newCluster(t *testing.T) *cluster {
	t.Helper()
	if _, err := os.Stat(haproxyBin); err != nil {
		t.Fatalf("HAProxy is missing (%v): install it with `make haproxy` (make test does)", err)
	}
	meiliURL := os.Getenv("MEILI_URL")
	if meiliURL == "" {
		t.Fatal("MEILI_URL is not set: run the tests with `make test`, which starts Meilisearch")
	}
	c := &cluster{t: t, bin: buildBinary(t), db: storetest.New(t)}
	storetest.LoadTERYT(t, c.db)
	raw, err := sql.Open("postgres", c.db.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	c.raw = raw
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	c.index = "twonode_" + hex.EncodeToString(suffix) + "_" // the nodes' index prefix
	c.meili = meilisearch.New(meiliURL, meilisearch.WithAPIKey(os.Getenv("MEILI_MASTER_KEY")))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		list, err := c.meili.ListIndexesWithContext(ctx, &meilisearch.IndexesQuery{Limit: 1000})
		if err != nil {
			return
		}
		for _, idx := range list.Results {
			if strings.HasPrefix(idx.UID, c.index) {
				_, _ = c.meili.DeleteIndexWithContext(ctx, idx.UID)
			}
		}
	})
	c.client = &http.Client{
		Timeout:       10 * time.Second,
		Transport:     &http.Transport{MaxIdleConnsPerHost: 32, IdleConnTimeout: 30 * time.Second},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c
}

// buildBinary builds katalogpes into a temporary directory: the test runs
// the real binary of this checkout, never a stale one.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "katalogpes")
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = "/usr/local/go/bin/go"
	}
	out, err := exec.Command(goTool, "build", "-o", bin, "katalogpes/cmd/katalogpes").CombinedOutput()
	if err != nil {
		t.Fatalf("build katalogpes: %v\n%s", err, out)
	}
	return bin
}

// freePort asks the kernel for a free loopback port.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// sharedSecrets are what every node of one site must be given alike: the
// JWT signing key and the key of the signed CSRF tokens.
func sharedSecrets() []string {
	seed := make([]byte, ed25519.SeedSize)
	_, _ = rand.Read(seed)
	key := tenants.SigningKey{ID: "twonode", Private: ed25519.NewKeyFromSeed(seed)}
	csrf := make([]byte, 32)
	_, _ = rand.Read(csrf)
	return []string{"JWT_KEYS=" + tenants.FormatKey(key), "CSRF_KEY=" + base64.StdEncoding.EncodeToString(csrf)}
}

// nodeEnv is the environment of every katalogpes command of the test.
func (c *cluster) nodeEnv(extra ...string) []string {
	env := append(os.Environ(), "DATABASE_URL="+c.db.URL, "MEILI_INDEX_PREFIX="+c.index, "APP_ENV=development",
		"SMTP_URL=", "BASE_DOMAIN=")
	return append(env, extra...)
}

// cli runs a katalogpes command with stdin and fails the test if it fails.
func (c *cluster) cli(stdin string, args ...string) string {
	c.t.Helper()
	cmd := exec.Command(c.bin, args...)
	cmd.Env = c.nodeEnv()
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		c.t.Fatalf("katalogpes %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// start runs two nodes and HAProxy in front of them, and waits until the
// proxy reaches both.
func (c *cluster) start() {
	c.t.Helper()
	proxyPort := freePort(c.t)
	c.proxy = "http://127.0.0.1:" + strconv.Itoa(proxyPort)
	secrets := sharedSecrets()
	for _, name := range []string{"n1", "n2"} {
		n := &node{name: name, addr: "127.0.0.1:" + strconv.Itoa(freePort(c.t)), logs: &logTail{}, exited: make(chan struct{})}
		n.cmd = exec.Command(c.bin, "serve")
		n.cmd.Env = c.nodeEnv(append(secrets, "HTTP_ADDR="+n.addr, "DATA_DIR="+c.t.TempDir(),
			"BASE_URL="+c.proxy, "REMINDER_INTERVAL=1s")...)
		n.cmd.Stdout, n.cmd.Stderr = n.logs, n.logs
		if err := n.cmd.Start(); err != nil {
			c.t.Fatalf("start node %s: %v", name, err)
		}
		go func() { _ = n.cmd.Wait(); close(n.exited) }()
		c.t.Cleanup(func() { n.kill() })
		c.nodes = append(c.nodes, n)
	}
	for _, n := range c.nodes {
		c.waitReady(n)
	}
	c.startProxy(proxyPort)
	for _, n := range c.nodes {
		c.waitBehindProxy(n.name)
	}
}

// kill ends a node at once, as a crash would: SIGKILL, no graceful stop.
func (n *node) kill() {
	_ = n.cmd.Process.Kill()
	<-n.exited
}

func (c *cluster) waitReady(n *node) {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-n.exited:
			c.t.Fatalf("node %s exited at start; its log ends:\n%s", n.name, n.logs)
		default:
		}
		if r, err := c.client.Get("http://" + n.addr + "/readyz"); err == nil {
			r.Body.Close()
			if r.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.t.Fatalf("node %s not ready after 30 s; its log ends:\n%s", n.name, n.logs)
}

// haproxyConfig is the proxy of the test, and the example of the README:
// round-robin with health checks on /healthz, and a request that finds its
// node gone before it was sent is retried on the other one. The X-Node
// request header steers a request to a named node (the checks need to
// know which node served what), and X-Served-By says which one did.
// http-reuse never: every request opens its own connection to a node, so
// one sent after a crash is refused (and retried) rather than lost on a
// pooled connection that is already dead.
const haproxyConfig = `global
    maxconn 512
defaults
    mode http
    timeout connect 1s
    timeout client 15s
    timeout server 15s
    timeout check 500ms
    retries 3
    option redispatch 1
    http-reuse never
frontend www
    bind 127.0.0.1:%d
    default_backend nodes
backend nodes
    balance roundrobin
    option httpchk GET /healthz
    default-server check inter 200ms fastinter 100ms downinter 200ms fall 2 rise 2
    use-server n1 if { req.hdr(x-node) -m str n1 }
    use-server n2 if { req.hdr(x-node) -m str n2 }
    http-response set-header X-Served-By %%[srv_name]
    server n1 %s
    server n2 %s
`

func (c *cluster) startProxy(port int) {
	c.t.Helper()
	cfg := filepath.Join(c.t.TempDir(), "haproxy.cfg")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(haproxyConfig, port, c.nodes[0].addr, c.nodes[1].addr)), 0o600); err != nil {
		c.t.Fatal(err)
	}
	logs := &logTail{}
	cmd := exec.Command(haproxyBin, "-f", cfg, "-db")
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		c.t.Fatalf("start haproxy: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	c.t.Cleanup(func() { _ = cmd.Process.Kill(); <-exited })
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			c.t.Fatalf("haproxy exited at start:\n%s", logs)
		default:
		}
		if conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			conn.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.t.Fatalf("haproxy does not listen on %d:\n%s", port, logs)
}

// waitBehindProxy waits until the proxy's health checks let it reach node.
func (c *cluster) waitBehindProxy(name string) {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		r, err := c.send(http.MethodGet, "/healthz", nil, onNode(name))
		if err == nil && r.status == http.StatusOK && r.node == name {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.t.Fatalf("the proxy does not reach node %s", name)
}

// reply is an answer through the proxy.
type reply struct {
	status int
	header http.Header
	body   []byte
	node   string // the server that answered, from X-Served-By
}

func (r reply) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// option changes a request before it is sent.
type option func(*http.Request)

// onNode steers the request to a named node.
func onNode(name string) option { return func(r *http.Request) { r.Header.Set("X-Node", name) } }

func bearer(token string) option {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
}

func withCookies(cookies []*http.Cookie) option {
	return func(r *http.Request) {
		for _, ck := range cookies {
			r.AddCookie(ck)
		}
	}
}

// send makes a request through the proxy. A url.Values body is a form,
// any other non-nil body JSON.
func (c *cluster) send(method, path string, body any, opts ...option) (reply, error) {
	var rd io.Reader
	contentType := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, contentType = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		js, err := json.Marshal(b)
		if err != nil {
			return reply{}, err
		}
		rd, contentType = bytes.NewReader(js), "application/json"
	}
	req, err := http.NewRequest(method, c.proxy+path, rd)
	if err != nil {
		return reply{}, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for _, o := range opts {
		o(req)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, err
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: data, node: resp.Header.Get("X-Served-By")}, nil
}

// expect sends a request steered to node and checks the status and that
// node served it.
func (c *cluster) expect(t *testing.T, name, method, path string, body any, want int, opts ...option) reply {
	t.Helper()
	r, err := c.send(method, path, body, append(opts, onNode(name))...)
	if err != nil {
		t.Fatalf("%s %s on %s: %v", method, path, name, err)
	}
	if r.node != name {
		t.Fatalf("%s %s was steered to %s but served by %q", method, path, name, r.node)
	}
	if r.status != want {
		t.Fatalf("%s %s on %s: status %d, want %d: %s", method, path, name, r.status, want, r.body)
	}
	return r
}

// tokens is a sign-in's answer.
type tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

func (c *cluster) login(t *testing.T, name, email string) tokens {
	t.Helper()
	var tk tokens
	c.expect(t, name, http.MethodPost, "/r/slaskie/api/v1/auth/login",
		map[string]string{"email": email, "password": password}, http.StatusOK).decode(t, &tk)
	if tk.AccessToken == "" {
		t.Fatal("sign-in answered no access token")
	}
	return tk
}

// count runs a count query on the test database.
func (c *cluster) count(q string, args ...any) int {
	c.t.Helper()
	var n int
	if err := c.raw.QueryRow(q, args...).Scan(&n); err != nil {
		c.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return cond()
}
