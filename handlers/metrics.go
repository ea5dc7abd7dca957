package handlers

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"katalogpes/search"
	"katalogpes/store"
	"katalogpes/tenants"
)

// metrics are the Prometheus series the server exports.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(reg *prometheus.Registry, db *store.DB, svc *search.Service) *metrics {
	m := &metrics{
		registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "katalogpes_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "katalogpes_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route"}),
	}
	outboxDepth := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "katalogpes_search_outbox_depth", Help: "Listing changes waiting for the search index.",
	}, func() float64 {
		ctx, cancel := outboxCtx()
		defer cancel()
		depth, _, err := db.OutboxStats(ctx)
		if err != nil {
			return -1
		}
		return float64(depth)
	})
	outboxLag := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "katalogpes_search_outbox_lag_seconds", Help: "Age of the oldest change waiting for the search index.",
	}, func() float64 {
		ctx, cancel := outboxCtx()
		defer cancel()
		depth, oldest, err := db.OutboxStats(ctx)
		if err != nil || depth == 0 {
			return 0
		}
		return time.Since(oldest).Seconds()
	})
	degraded := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "katalogpes_search_degraded", Help: "1 while searches answer from PostgreSQL because Meilisearch is unreachable.",
	}, func() float64 {
		if svc.BreakerState() == "closed" {
			return 0
		}
		return 1
	})
	dbInUse := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "katalogpes_db_connections_in_use", Help: "Database connections of the pool in use.",
	}, func() float64 { return float64(db.PoolStats().InUse) })
	reg.MustRegister(m.requests, m.latency, outboxDepth, outboxLag, degraded, dbInUse,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func outboxCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(tenants.WithAllTenants(context.Background()), 2*time.Second)
}

// observe counts a request. Fiber's strings point into buffers it reuses,
// and Prometheus keeps label values for good: both labels are copies, the
// method one of a fixed set and the route the pattern, never the raw path.
func (m *metrics) observe(method, route string, status int, took time.Duration) {
	method = methodLabel(method)
	route = strings.Clone(route)
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(method, route).Observe(took.Seconds())
}

// methodLabel maps a request method to a constant string.
func methodLabel(method string) string {
	for _, known := range []string{fiber.MethodGet, fiber.MethodHead, fiber.MethodPost, fiber.MethodPut,
		fiber.MethodPatch, fiber.MethodDelete, fiber.MethodOptions} {
		if method == known {
			return known
		}
	}
	return "OTHER"
}
