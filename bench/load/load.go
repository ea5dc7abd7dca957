package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// op is one request of a kind; i numbers it, so each kind walks its list
// of prepared requests in order (and the same list twice over, when the
// run outlasts it). buf is the worker's own, for the body.
type op func(ctx context.Context, i int, buf *bytes.Buffer) error

// result is what one kind measured.
type result struct {
	name    string
	n, errs int
	dur     time.Duration
	lat     []time.Duration // sorted, successful requests only
	samples []string        // the first errors, for the log
	cpu     perRequest
	from    time.Time // the measured window
	until   time.Time
}

func (r *result) rps() float64 {
	if r.dur <= 0 {
		return 0
	}
	return float64(r.n) / r.dur.Seconds()
}

// pct is the p-th percentile (nearest rank) of the latencies.
func (r *result) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	k := int(float64(len(r.lat))*p/100+0.5) - 1
	return r.lat[min(max(k, 0), len(r.lat)-1)]
}

// maxSamples bounds each worker's latencies (a 60 s run at 10,000 req/s
// is 600,000: a few MB, so the cap is only a guard).
const maxSamples = 4 << 20

// drive runs do with c workers, each sending its next request when the
// last one is answered (a closed loop), for warm + d; only what ends
// after the warm-up counts. It stops by itself.
func drive(ctx context.Context, name string, c int, warm, d time.Duration, do op, sample func() cpuUse) *result {
	var next atomic.Int64
	start := time.Now()
	from, until := start.Add(warm), start.Add(warm+d)
	ctx, cancel := context.WithDeadline(ctx, until.Add(10*time.Second))
	defer cancel()
	cpu0 := make(chan cpuUse, 1)
	go func() {
		sleepUntil(ctx, from)
		cpu0 <- sample()
	}()
	type worker struct {
		lat     []time.Duration
		errs    int
		samples []string
	}
	ws := make([]worker, c)
	var wg sync.WaitGroup
	for w := range ws {
		wg.Add(1)
		go func(w *worker) {
			defer wg.Done()
			var buf bytes.Buffer
			for ctx.Err() == nil {
				t0 := time.Now()
				if t0.After(until) {
					return
				}
				err := do(ctx, int(next.Add(1)-1), &buf)
				t1 := time.Now()
				if t1.Before(from) || t1.After(until) {
					continue
				}
				if err != nil {
					w.errs++
					if len(w.samples) < 3 {
						w.samples = append(w.samples, err.Error())
					}
					continue
				}
				if len(w.lat) < maxSamples {
					w.lat = append(w.lat, t1.Sub(t0))
				}
			}
		}(&ws[w])
	}
	wg.Wait()
	cpu1 := sample()
	r := &result{name: name, dur: d, from: from, until: until}
	for _, w := range ws {
		r.lat = append(r.lat, w.lat...)
		r.errs += w.errs
		r.samples = append(r.samples, w.samples...)
	}
	r.n = len(r.lat)
	r.cpu = cpuPerRequest(<-cpu0, cpu1, r.n+r.errs)
	sort.Slice(r.lat, func(i, j int) bool { return r.lat[i] < r.lat[j] })
	return r
}

// httpClient keeps one connection per worker to each server, no gzip
// (the server does not compress either), loopback only.
func httpClient(conns int) *http.Client {
	return &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
			MaxIdleConns:        2 * conns,
			MaxIdleConnsPerHost: conns,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
	}
}

// get is an op that GETs base+paths[i] with header and wants a 200;
// a search answered from PostgreSQL (degraded) counts as an error, since
// it is not the path being measured.
func get(client *http.Client, base string, paths []string, header func(i int) http.Header) op {
	return func(ctx context.Context, i int, buf *bytes.Buffer) error {
		path := paths[i%len(paths)]
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if err != nil {
			return err
		}
		if header != nil {
			req.Header = header(i)
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		buf.Reset()
		_, err = buf.ReadFrom(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %d %.200s", path, resp.StatusCode, buf.Bytes())
		}
		if bytes.Contains(buf.Bytes(), []byte(`"degraded":true`)) {
			return errors.New("GET " + path + ": degraded (answered by PostgreSQL)")
		}
		return nil
	}
}
