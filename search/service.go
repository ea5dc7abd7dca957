// Package search is Katalog PES's side of Meilisearch: the index settings,
// the documents built from published listings, the outbox worker that keeps
// the index in step with PostgreSQL, full reindexing with an atomic swap,
// tenant-filtered queries with disjunctive facets, browser tenant tokens,
// and the degraded mode that answers from PostgreSQL when Meilisearch cannot
// be reached.
//
// It imports store (to read what it indexes and to fall back) and tenants
// (types and scopes), never handlers: the handlers call it.
package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/meilisearch/meilisearch-go"
	"github.com/sony/gobreaker/v2"
	"github.com/valyala/fasthttp"
	"golang.org/x/sync/semaphore"

	"katalogpes/store"
	"katalogpes/tenants"
)

// Config says where Meilisearch is and how our indexes are named.
type Config struct {
	URL       string
	MasterKey string
	// Prefix starts the name of every index of ours (IndexFor): empty in
	// production, a test's own in tests so parallel runs never meet.
	Prefix string
	// PublicURL is the address browsers use with tenant tokens, when it
	// differs from URL (a proxy in front); empty means URL.
	PublicURL string
	// FallbackSlots bounds the searches PostgreSQL answers at once on this
	// node when Meilisearch cannot (0 means DefaultFallbackSlots).
	FallbackSlots int
}

// DefaultFallbackSlots: a fallback search costs PostgreSQL 20 ms or more
// of CPU; a few at once keep the database serving everything else.
const DefaultFallbackSlots = 4

// Timeouts. Searches are cut short so a slow Meilisearch degrades to
// PostgreSQL instead of holding requests; task waits must end well inside
// the outbox lease (store.IndexLease) so a batch is never worked twice.
const (
	callTimeout   = 5 * time.Second
	searchTimeout = 1500 * time.Millisecond
	// lateTimeout is how long a search waits for a Meilisearch that is
	// answering others (see call), as long as any other call.
	lateTimeout = callTimeout
	taskTimeout = 20 * time.Second
	// settingsTimeout bounds EnsureSettings' wait for every region's
	// settings task: at a start, behind whatever else Meilisearch queued.
	settingsTimeout = 3 * time.Minute
)

// Service is the search client an App holds; safe for concurrent use.
type Service struct {
	cfg     Config
	db      *store.DB
	log     *slog.Logger
	client  meilisearch.ServiceManager
	wire    *fasthttp.Client // searches, decoded straight into typed hits (wire.go)
	breaker *gobreaker.CircuitBreaker[struct{}]
	// fallbacks are the slots for searches PostgreSQL answers (fallback.go).
	fallbacks *semaphore.Weighted
	// answered is when Meilisearch last answered a search (Unix ns): call
	// waits longer for one that is alive.
	answered atomic.Int64
	wake     chan struct{}
	now      func() time.Time

	mu         sync.Mutex
	key        *meilisearch.Key // search-only key that signs tenant tokens
	categories map[string]map[string]string
	catLoaded  time.Time
	regions    *regions
}

var indexUID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,200}$`)

// New builds the client; it does not call Meilisearch (EnsureSettings does).
func New(cfg Config, db *store.DB, log *slog.Logger) (*Service, error) {
	if cfg.URL == "" {
		return nil, errors.New("search: no Meilisearch URL")
	}
	if cfg.Prefix != "" && !indexUID.MatchString(cfg.Prefix) {
		return nil, fmt.Errorf("search: index prefix %q: letters, digits, - and _ only", cfg.Prefix)
	}
	if log == nil {
		log = slog.Default()
	}
	// One way to connect for both clients: the searches' (wireClient) and
	// the Go client's, for settings, documents and tasks.
	dialer := &net.Dialer{Timeout: 2 * time.Second, KeepAlive: 30 * time.Second}
	// Our own transport: the default one asks for gzip and keeps few idle
	// connections per host, which cost tens of milliseconds per call here.
	transport := &http.Transport{
		DialContext:         dialer.DialContext,
		MaxIdleConns:        128,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	httpClient := &http.Client{Transport: transport, Timeout: callTimeout}
	client := meilisearch.New(cfg.URL,
		meilisearch.WithCustomClient(httpClient),
		meilisearch.WithAPIKey(cfg.MasterKey),
		// We retry ourselves: the outbox backs off, searches fall back.
		meilisearch.DisableRetries(),
	)
	if cfg.FallbackSlots <= 0 {
		cfg.FallbackSlots = DefaultFallbackSlots
	}
	s := &Service{cfg: cfg, db: db, log: log, client: client, wire: wireClient(dialer), wake: make(chan struct{}, 1), now: time.Now,
		fallbacks: semaphore.NewWeighted(int64(cfg.FallbackSlots))}
	s.breaker = gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        "meilisearch",
		MaxRequests: 1,
		Timeout:     5 * time.Second, // open this long, then let one call try
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= 3 },
		// Only an unreachable Meilisearch trips it; a bad request is ours.
		IsSuccessful: func(err error) bool { return err == nil || !unavailable(err) },
		// A caller that went away says nothing about Meilisearch, nor does
		// a search that was merely slow (see slow).
		IsExcluded: func(err error) bool { return canceled(err) || slow(err) },
		OnStateChange: func(name string, from, to gobreaker.State) {
			log.Warn("search circuit breaker", "from", from.String(), "to", to.String())
		},
	})
	return s, nil
}

// Host is the Meilisearch address for browsers.
func (s *Service) Host() string {
	if s.cfg.PublicURL != "" {
		return s.cfg.PublicURL
	}
	return s.cfg.URL
}

// BreakerState says whether searches go to Meilisearch ("closed"), to
// PostgreSQL ("open"), or are probing ("half-open"): for metrics.
func (s *Service) BreakerState() string { return s.breaker.State().String() }

// IndexKind names one of a region's indexes: each region has its own
// index of each kind, so its settings never touch another region.
type IndexKind string

const (
	ListingsIndex IndexKind = "listings"
	NeedsIndex    IndexKind = "needs"
	LibraryIndex  IndexKind = "library"
)

// IndexFor is the name of region slug's index of kind k ("listings_slaskie").
func (s *Service) IndexFor(k IndexKind, slug string) string {
	return s.cfg.Prefix + string(k) + "_" + slug
}

// Healthy reports whether Meilisearch answers, for /readyz.
func (s *Service) Healthy(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	h, err := s.client.HealthWithContext(ctx)
	if err != nil {
		return fmt.Errorf("meilisearch health: %w", err)
	}
	if h.Status != "available" {
		return fmt.Errorf("meilisearch health: status %q", h.Status)
	}
	return nil
}

// unavailable reports whether err means Meilisearch cannot serve us now
// (unreachable, timing out, failing with 5xx, index missing, or the breaker
// open) rather than refusing a request we got wrong.
func unavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) ||
		errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var me *meilisearch.Error
	if errors.As(err, &me) {
		switch me.ErrCode {
		case meilisearch.MeilisearchTimeoutError, meilisearch.MeilisearchCommunicationError,
			meilisearch.MeilisearchMaxRetriesExceeded, meilisearch.ErrCodeResponseUnmarshalBody:
			return true
		}
		return me.StatusCode >= 500 || unservable(me.MeilisearchApiError.Code)
	}
	var ar *answerRefused
	if errors.As(err, &ar) {
		return ar.Status >= 500 || ar.Code == "undecodable" || unservable(ar.Code)
	}
	var ne net.Error
	return errors.As(err, &ne)
}

// unservable reports whether an API error code says the index cannot serve
// our queries: missing, or lacking our settings (filterable, sortable,
// searchable attributes). Better PostgreSQL than an error page until
// EnsureSettings runs.
func unservable(code string) bool {
	switch code {
	case "index_not_found", "invalid_search_filter", "invalid_search_facets", "invalid_search_sort",
		"invalid_search_attributes_to_search_on", "invalid_multi_search_facets_by_index":
		return true
	}
	return false
}

// waitTask waits for a Meilisearch task with a deadline and checks how it
// ended: the client's wait can hang without one, and it reports a failed
// task with a nil error.
func (s *Service) waitTask(ctx context.Context, info *meilisearch.TaskInfo, what string) error {
	ctx, cancel := context.WithTimeout(ctx, taskTimeout)
	defer cancel()
	return s.waitTaskUntil(ctx, info, what)
}

// waitTaskUntil is waitTask with ctx's deadline alone.
func (s *Service) waitTaskUntil(ctx context.Context, info *meilisearch.TaskInfo, what string) error {
	task, err := s.client.WaitForTaskWithContext(ctx, info.TaskUID, 20*time.Millisecond)
	if err != nil {
		return fmt.Errorf("%s: wait for task %d: %w", what, info.TaskUID, err)
	}
	if task.Status != meilisearch.TaskStatusSucceeded {
		return fmt.Errorf("%s: %w", what, &TaskError{UID: task.UID, Status: string(task.Status), Code: task.Error.Code, Message: task.Error.Message})
	}
	return nil
}

// TaskError is a Meilisearch task that ended other than succeeded.
type TaskError struct {
	UID     int64
	Status  string
	Code    string
	Message string
}

func (e *TaskError) Error() string {
	return fmt.Sprintf("task %d %s: %s (%s)", e.UID, e.Status, e.Message, e.Code)
}

// categoryNames returns tenant id → category code → Polish name, reloaded
// every few minutes (admins rename categories rarely; a reindex applies a
// rename everywhere).
func (s *Service) categoryNames(ctx context.Context) (map[string]map[string]string, error) {
	s.mu.Lock()
	names, at := s.categories, s.catLoaded
	s.mu.Unlock()
	if names != nil && s.now().Sub(at) < 5*time.Minute {
		return names, nil
	}
	names, err := s.db.FindCategoryNames(tenants.WithAllTenants(ctx))
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.categories, s.catLoaded = names, s.now()
	s.mu.Unlock()
	return names, nil
}

// ForgetTenants drops what the service keeps of tenants (the fallback's
// tenants, the category names), so the next use reads them afresh: called
// when a tenant changed on any node.
func (s *Service) ForgetTenants() {
	s.mu.Lock()
	s.regions, s.categories, s.catLoaded = nil, nil, time.Time{}
	s.mu.Unlock()
}
