package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/meilisearch/meilisearch-go"
	"github.com/prometheus/client_golang/prometheus"

	"katalogpes/handlers"
	"katalogpes/search"
	"katalogpes/store"
	"katalogpes/tenants"
)

// env is the run's own world: a fresh database on DATABASE_URL's server
// and a fresh index on MEILI_URL, never the developer's data.
type env struct {
	dbName, dbURL string
	super         *sql.DB   // the bench database as DATABASE_URL's user (bypasses RLS)
	db            *store.DB // the bench database as the application role
	meiliURL      string
	meiliKey      string
	index         string
	meili         meilisearch.ServiceManager
	bySlug        map[string]*tenants.Tenant
	byTERYT       map[string]*tenants.Tenant
	cleanups      []func()
}

// meiliClient is a client as search.New builds it: no gzip, pooled idle
// connections, a timeout (see issue 4, trap 2).
func meiliClient(url, key string, conns int) meilisearch.ServiceManager {
	transport := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 2 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        2 * conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return meilisearch.New(url, meilisearch.WithCustomClient(&http.Client{Transport: transport, Timeout: 5 * time.Second}),
		meilisearch.WithAPIKey(key), meilisearch.DisableRetries())
}

// newEnv creates the run's database (migrated, with TERC and the
// tenants loaded) and names its index; e.close undoes what was made, or
// keeps it with keep. On an error after the database exists it returns e
// with the error, so that the caller can still close it.
func newEnv(ctx context.Context, seed uint64, tercPath string, keep bool) (*env, error) {
	base := os.Getenv("DATABASE_URL")
	if base == "" {
		return nil, errors.New("DATABASE_URL is not set: source .data/env (make bench does)")
	}
	e := &env{meiliURL: os.Getenv("MEILI_URL"), meiliKey: os.Getenv("MEILI_MASTER_KEY")}
	if e.meiliURL == "" {
		return nil, errors.New("MEILI_URL is not set: source .data/env (make bench does)")
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	suffix := fmt.Sprintf("%d_%s", seed, hex.EncodeToString(b))
	e.dbName, e.index = "kp_bench_"+suffix, "bench_"+suffix+"_"

	admin, err := sql.Open("postgres", base)
	if err != nil {
		return nil, err
	}
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+e.dbName); err != nil {
		admin.Close()
		return nil, fmt.Errorf("create database %s: %w", e.dbName, err)
	}
	e.cleanups = append(e.cleanups, func() {
		defer admin.Close()
		if keep {
			fmt.Fprintf(os.Stderr, "bench: kept database %s\n", e.dbName)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+e.dbName+` WITH (FORCE)`); err != nil {
			fmt.Fprintf(os.Stderr, "bench: drop database %s: %v\n", e.dbName, err)
		}
	})
	if err := e.openDatabase(ctx, base); err != nil {
		return e, err
	}
	if err := e.loadTenants(ctx, tercPath); err != nil {
		return e, err
	}
	e.meili = meiliClient(e.meiliURL, e.meiliKey, 64)
	e.cleanups = append(e.cleanups, func() {
		if keep {
			fmt.Fprintf(os.Stderr, "bench: kept the indexes %s*\n", e.index)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// Every index of the run: the listings', and the needs' and the
		// library's that the server made for itself.
		list, err := e.meili.ListIndexesWithContext(ctx, &meilisearch.IndexesQuery{Limit: 1000})
		if err != nil {
			fmt.Fprintf(os.Stderr, "bench: list indexes: %v\n", err)
			return
		}
		for _, idx := range list.Results {
			if !strings.HasPrefix(idx.UID, e.index) {
				continue
			}
			if _, err := e.meili.DeleteIndexWithContext(ctx, idx.UID); err != nil {
				fmt.Fprintf(os.Stderr, "bench: delete index %s: %v\n", idx.UID, err)
			}
		}
	})
	return e, nil
}

// listingsIndex is region slug's listings index in this run.
func (e *env) listingsIndex(slug string) string { return e.index + "listings_" + slug }

// listingIndexes are every region's listings index in this run.
func (e *env) listingIndexes() []string {
	var out []string
	for slug := range e.bySlug {
		out = append(out, e.listingsIndex(slug))
	}
	sort.Strings(out)
	return out
}

// openDatabase migrates the run's database on base's server and opens it
// as the superuser and as the application role.
func (e *env) openDatabase(ctx context.Context, base string) error {
	u, err := url.Parse(base)
	if err != nil {
		return err
	}
	u.Path = "/" + e.dbName
	e.dbURL = u.String()
	if _, err := store.Migrate(ctx, e.dbURL, nil); err != nil {
		return err
	}
	if e.super, err = sql.Open("postgres", e.dbURL); err != nil {
		return err
	}
	e.cleanups = append(e.cleanups, func() { e.super.Close() })
	if e.db, err = store.Open(ctx, e.dbURL); err != nil {
		return err
	}
	e.cleanups = append(e.cleanups, func() { e.db.Close() })
	return nil
}

// loadTenants loads the TERC register, which makes the tenants, and
// indexes them by slug and by voivodeship code.
func (e *env) loadTenants(ctx context.Context, tercPath string) error {
	f, err := os.Open(tercPath)
	if err != nil {
		return fmt.Errorf("TERC register: %w", err)
	}
	terc, err := store.ParseTERC(f)
	f.Close()
	if err != nil {
		return err
	}
	if _, err := e.db.LoadTERC(ctx, terc); err != nil {
		return err
	}
	list, err := e.db.FindTenants(ctx)
	if err != nil {
		return err
	}
	e.bySlug, e.byTERYT = map[string]*tenants.Tenant{}, map[string]*tenants.Tenant{}
	for i := range list {
		e.bySlug[list[i].Slug], e.byTERYT[list[i].TERYT] = &list[i], &list[i]
	}
	return nil
}

func (e *env) close() {
	for i := len(e.cleanups) - 1; i >= 0; i-- {
		e.cleanups[i]()
	}
}

// account makes a staff or enterprise account of a tenant.
func (e *env) account(ctx context.Context, slug string, role tenants.Role) (tenants.Principal, string, error) {
	t := e.bySlug[slug]
	email := fmt.Sprintf("bench-%s@%s.example.org", role, slug)
	a, err := e.db.CreateAccount(tenants.NewContext(ctx, t), store.NewAccount{
		Email: email, Name: "Bench " + string(role), Password: benchPassword, Role: role, Active: true})
	if err != nil {
		return tenants.Principal{}, "", fmt.Errorf("create %s of %s: %w", role, slug, err)
	}
	return tenants.Principal{AccountID: a.ID, Name: a.Name, Role: role, TenantID: t.ID}, email, nil
}

const benchPassword = "Bench-haslo-2026-katalog"

// count runs a count over every tenant.
func (e *env) count(ctx context.Context, q string) (int, error) {
	var n int
	err := e.super.QueryRowContext(ctx, q).Scan(&n)
	return n, err
}

// server is the server under test: a child `katalogpes serve` (so its
// peak RSS is its own) or, with -inprocess, the same parts in this process.
type server struct {
	base   string
	cmd    *exec.Cmd
	logs   *logTail
	stop   func()
	inproc bool
	exited chan struct{} // closed when the child ends
	status error
}

// pid is the server's process id for sampleCPU, "" when it runs in this
// process.
func (s *server) pid() string {
	if s.cmd == nil {
		return ""
	}
	return strconv.Itoa(s.cmd.Process.Pid)
}

// alive says why the server is gone, if it is.
func (s *server) alive() error {
	if s.exited == nil {
		return nil
	}
	select {
	case <-s.exited:
		return fmt.Errorf("the server exited (%v); its log ends:\n%s", s.status, s.logs.String())
	default:
		return nil
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func startServer(ctx context.Context, e *env, bin string, inprocess bool, dir, logPath string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &server{base: "http://127.0.0.1:" + strconv.Itoa(port), logs: &logTail{}}
	if logPath != "" {
		if s.logs.file, err = os.Create(logPath); err != nil {
			return nil, err
		}
	}
	if inprocess {
		if err := s.startInProcess(e, port); err != nil {
			return nil, err
		}
	} else {
		cmd := exec.Command(bin, "serve")
		cmd.Env = append(os.Environ(),
			"DATABASE_URL="+e.dbURL, "MEILI_URL="+e.meiliURL, "MEILI_MASTER_KEY="+e.meiliKey, "MEILI_INDEX_PREFIX="+e.index,
			"HTTP_ADDR=127.0.0.1:"+strconv.Itoa(port), "APP_ENV=development", "DATA_DIR="+dir, "JWT_KEYS=", "BASE_DOMAIN=")
		stderr, err := cmd.StderrPipe()
		if err != nil {
			return nil, err
		}
		cmd.Stdout = io.Discard
		if err := cmd.Start(); err != nil {
			return nil, fmt.Errorf("start %s serve: %w", bin, err)
		}
		s.cmd, s.exited = cmd, make(chan struct{})
		go func() {
			s.logs.read(stderr)
			s.status = cmd.Wait()
			close(s.exited)
		}()
		s.stop = func() {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			t := time.AfterFunc(25*time.Second, func() { _ = cmd.Process.Kill() })
			<-s.exited
			t.Stop()
			s.logs.close()
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s, nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			s.stop()
			return nil, fmt.Errorf("server did not answer /healthz within 30 s; its log ends:\n%s", s.logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// startInProcess wires the server as `katalogpes serve` does.
func (s *server) startInProcess(e *env, port int) error {
	s.inproc = true
	log := slog.New(slog.NewJSONHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	svc, err := search.New(search.Config{URL: e.meiliURL, MasterKey: e.meiliKey, Prefix: e.index}, e.db, log)
	if err != nil {
		return err
	}
	seed := make([]byte, ed25519.SeedSize)
	_, _ = rand.Read(seed)
	keys, err := tenants.NewKeys([]tenants.SigningKey{{ID: "bench", Private: ed25519.NewKeyFromSeed(seed)}}, 15*time.Minute)
	if err != nil {
		return err
	}
	csrfKey := make([]byte, handlers.MinCSRFKey)
	_, _ = rand.Read(csrfKey)
	var list []tenants.Tenant
	for _, t := range e.bySlug {
		list = append(list, *t)
	}
	app, hs, err := handlers.New(handlers.Config{Development: true, BaseURL: s.base, CSRFKey: csrfKey},
		handlers.Deps{DB: e.db, Search: svc, Keys: keys, Registry: tenants.NewRegistry(list, ""), Log: log, Metrics: prometheus.NewRegistry()})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return err
	}
	workers, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(4)
	go func() { defer wg.Done(); hs.NeedJobs(workers, 10*time.Second) }() // as `katalogpes serve` runs it
	// The page cache serves only while it hears of changes, as in serve.
	go func() { defer wg.Done(); _ = hs.FollowListingChanges(workers) }()
	go func() {
		defer wg.Done()
		if err := svc.EnsureSettings(workers); err != nil {
			log.Error("search settings", "err", err)
		}
		_ = svc.RunWorker(tenants.WithAllTenants(workers))
	}()
	go func() { defer wg.Done(); _ = app.Listener(ln) }()
	s.stop = func() {
		_ = app.ShutdownWithTimeout(10 * time.Second)
		cancel()
		wg.Wait()
	}
	return nil
}

// peakRSS is the server's VmHWM, in bytes.
func (s *server) peakRSS() (int64, error) {
	path := "/proc/self/status"
	if s.cmd != nil {
		path = "/proc/" + strconv.Itoa(s.cmd.Process.Pid) + "/status"
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmHWM in " + path)
}

// logTail keeps the server's last log lines that are not request lines
// (those would be gigabytes in a full run).
type logTail struct {
	mu    sync.Mutex
	lines []string
	warns int
	file  *os.File // every line kept, when set
}

func (l *logTail) close() {
	if l.file != nil {
		l.file.Close()
	}
}

func (l *logTail) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		b := sc.Bytes()
		if bytes.Contains(b, []byte(`"msg":"request"`)) && !bytes.Contains(b, []byte(`"status":5`)) {
			continue
		}
		l.add(string(b))
	}
}

func (l *logTail) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		l.add(line)
	}
	return len(p), nil
}

func (l *logTail) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if strings.Contains(line, `"level":"WARN"`) || strings.Contains(line, `"level":"ERROR"`) || !strings.HasPrefix(line, "{") {
		l.warns++
	}
	if l.file != nil {
		fmt.Fprintln(l.file, line)
	}
	l.lines = append(l.lines, line)
	if len(l.lines) > 200 {
		l.lines = l.lines[len(l.lines)-100:]
	}
}

func (l *logTail) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.lines)
	return strings.Join(l.lines[max(0, n-30):], "\n")
}

func (l *logTail) warnings() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.warns
}

// bare is the limit for pages: a Fiber handler that returns a fixed page
// of the same bytes (compressed as the server sent it), with none of our
// work.
func startBare(page samplePage) (string, func(), error) {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/*", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, page.contentType)
		if page.encoding != "" {
			c.Set(fiber.HeaderContentEncoding, page.encoding)
		}
		return c.Send(page.body)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	go func() { _ = app.Listener(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = app.Shutdown() }, nil
}

func tempDir() (string, error) {
	return os.MkdirTemp("", "katalogpes-bench-")
}
