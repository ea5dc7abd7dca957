package registry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/sony/gobreaker/v2"
	"golang.org/x/time/rate"
)

// Limits is how a client treats its registry: how long one call may take,
// how often calls may go, and when the circuit opens.
type Limits struct {
	Timeout time.Duration // one call, connection to last byte
	Every   time.Duration // at most one call per Every (the registry's limit)
	Burst   int
	// Failures in a row that open the circuit, and how long it stays open.
	Failures uint32
	OpenFor  time.Duration
}

func (l Limits) withDefaults() Limits {
	if l.Timeout <= 0 {
		l.Timeout = 5 * time.Second
	}
	if l.Every <= 0 {
		l.Every = 200 * time.Millisecond
	}
	if l.Burst <= 0 {
		l.Burst = 5
	}
	if l.Failures == 0 {
		l.Failures = 3
	}
	if l.OpenFor <= 0 {
		l.OpenFor = time.Minute
	}
	return l
}

// maxAnswer bounds what is read from a registry: a KRS extract of a large
// company is some hundred kilobytes.
const maxAnswer = 4 << 20

// caller sends one registry's requests through its rate limit and circuit
// breaker, each bounded by the timeout.
type caller struct {
	name    string
	http    *http.Client
	limits  Limits
	limiter *rate.Limiter
	breaker *gobreaker.CircuitBreaker[answer]
}

// answer is a status and body; a 404 is an answer, not a failure.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func newCaller(name string, hc *http.Client, l Limits) *caller {
	l = l.withDefaults()
	if hc == nil {
		hc = &http.Client{}
	}
	return &caller{
		name:    name,
		http:    hc,
		limits:  l,
		limiter: rate.NewLimiter(rate.Every(l.Every), l.Burst),
		breaker: gobreaker.NewCircuitBreaker[answer](gobreaker.Settings{
			Name:        name,
			MaxRequests: 1,
			Timeout:     l.OpenFor,
			ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= l.Failures },
			// A caller that gave up is no sign the registry is down.
			IsExcluded: func(err error) bool { return errors.Is(err, context.Canceled) },
		}),
	}
}

// Open reports whether the circuit is open: calls fail at once.
func (c *caller) Open() bool { return c.breaker.State() == gobreaker.StateOpen }

// do sends req; build makes a fresh request for each try. Status ≥ 500, a
// timeout or a broken connection count against the circuit and answer
// ErrUnavailable.
func (c *caller) do(ctx context.Context, build func(ctx context.Context) (*http.Request, error)) (answer, error) {
	ctx, cancel := context.WithTimeout(ctx, c.limits.Timeout)
	defer cancel()
	if err := c.limiter.Wait(ctx); err != nil {
		return answer{}, fmt.Errorf("%s: %w: rate limit: %v", c.name, ErrUnavailable, err)
	}
	a, err := c.breaker.Execute(func() (answer, error) {
		req, err := build(ctx)
		if err != nil {
			return answer{}, err
		}
		res, err := c.http.Do(req)
		if err != nil {
			return answer{}, err
		}
		defer res.Body.Close()
		body, err := io.ReadAll(io.LimitReader(res.Body, maxAnswer+1))
		if err != nil {
			return answer{}, err
		}
		if len(body) > maxAnswer {
			return answer{}, fmt.Errorf("answer over %d bytes", maxAnswer)
		}
		if res.StatusCode >= 500 {
			return answer{status: res.StatusCode}, fmt.Errorf("status %d", res.StatusCode)
		}
		return answer{status: res.StatusCode, header: res.Header, body: body}, nil
	})
	if err != nil {
		return a, fmt.Errorf("%s: %w: %v", c.name, ErrUnavailable, err)
	}
	return a, nil
}

func (c *caller) get(ctx context.Context, url string) (answer, error) {
	return c.do(ctx, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err == nil {
			req.Header.Set("Accept", "application/json")
		}
		return req, err
	})
}

func (c *caller) post(ctx context.Context, url string, header http.Header, body []byte) (answer, error) {
	return c.do(ctx, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err == nil {
			for k, v := range header {
				req.Header[k] = v
			}
		}
		return req, err
	})
}
