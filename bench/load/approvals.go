package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/lib/pq"
	"github.com/meilisearch/meilisearch-go"

	"katalogpes/store"
	"katalogpes/tenants"
)

// enrich gives the imported listings what a register has no column for
// (offers, service areas, certificates), as their owners would add them,
// in one statement per tenant and batch, and queues them for the index.
func enrich(ctx context.Context, e *env, list []listing) (int, error) {
	type extra struct {
		Offers       []store.Offer       `json:"offers"`
		ServiceArea  store.ServiceArea   `json:"service_area"`
		Certificates []store.Certificate `json:"certificates"`
	}
	byTenant := map[string][][2]string{}
	for _, l := range list {
		b, err := json.Marshal(extra{l.data.Offers, l.data.ServiceArea, l.data.Certificates})
		if err != nil {
			return 0, err
		}
		byTenant[l.tenant] = append(byTenant[l.tenant], [2]string{l.data.NIP, string(b)})
	}
	total := 0
	for voiv, rows := range byTenant {
		t := e.byTERYT[voiv]
		for start := 0; start < len(rows); start += 2000 {
			batch := rows[start:min(start+2000, len(rows))]
			nips, extras := make([]string, len(batch)), make([]string, len(batch))
			for i, r := range batch {
				nips[i], extras[i] = r[0], r[1]
			}
			tx, err := e.super.BeginTx(ctx, nil)
			if err != nil {
				return total, err
			}
			var ids []string
			err = func() error {
				rows, err := tx.QueryContext(ctx, `
					UPDATE listings l SET data = l.data || u.extra::jsonb, updated_at = now()
					FROM unnest($1::text[], $2::text[]) AS u(nip, extra)
					WHERE l.tenant_id = $3 AND l.nip = u.nip AND l.status = 'published'
					RETURNING l.id`, pq.Array(nips), pq.Array(extras), t.ID)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var id string
					if err := rows.Scan(&id); err != nil {
						return err
					}
					ids = append(ids, id)
				}
				return rows.Err()
			}()
			if err == nil {
				_, err = tx.ExecContext(ctx, `INSERT INTO search_outbox (tenant_id, listing_id) SELECT $1, unnest($2::uuid[])`, t.ID, pq.Array(ids))
			}
			if err != nil {
				tx.Rollback()
				return total, fmt.Errorf("enrich %s: %w", t.Slug, err)
			}
			if err := tx.Commit(); err != nil {
				return total, err
			}
			total += len(ids)
		}
	}
	return total, nil
}

// pendingRef is a listing waiting for a moderator.
type pendingRef struct{ id, slug string }

// createPending registers and submits n listings of tenant slug through
// the store, as an enterprise would through the API.
func createPending(ctx context.Context, e *env, g *generator, slug string, owner tenants.Principal, n int) ([]pendingRef, error) {
	t := e.bySlug[slug]
	octx := tenants.WithPrincipal(tenants.NewContext(ctx, t), owner)
	var out []pendingRef
	for i := 0; len(out) < n; i++ {
		l := g.next(1_000_000 + i)
		if l.tenant != t.TERYT {
			continue
		}
		created, err := e.db.CreateListing(octx, l.data)
		if err != nil {
			return nil, fmt.Errorf("create pending listing in %s: %w", slug, err)
		}
		if _, err := e.db.SubmitListing(octx, created.ID); err != nil {
			return nil, fmt.Errorf("submit listing in %s: %w", slug, err)
		}
		out = append(out, pendingRef{created.ID, slug})
	}
	return out, nil
}

// moderators signs the benchmark's moderators in through the API and
// keeps their access tokens fresh (they live 15 minutes).
type moderators struct {
	client *http.Client
	base   string
	mu     sync.Mutex
	emails map[string]string
	tokens map[string]string
	at     map[string]time.Time
}

func (m *moderators) token(ctx context.Context, slug string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if tok, ok := m.tokens[slug]; ok && time.Since(m.at[slug]) < 10*time.Minute {
		return tok, nil
	}
	body, _ := json.Marshal(map[string]string{"email": m.emails[slug], "password": benchPassword})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.base+"/r/"+slug+"/api/v1/auth/login", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := m.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &tr) != nil || tr.AccessToken == "" {
		return "", fmt.Errorf("sign in the moderator of %s: %d %.300s", slug, resp.StatusCode, b)
	}
	m.tokens[slug], m.at[slug] = tr.AccessToken, time.Now()
	return tr.AccessToken, nil
}

// approvalResult is approval → searchable over the run's approvals.
type approvalResult struct {
	lat     []time.Duration
	at      []time.Time // when each of lat began, before sorting
	fails   int
	samples []string
}

func (a *approvalResult) pct(p float64) time.Duration {
	r := result{lat: a.lat}
	return r.pct(p)
}

// approve approves each listing through the API, one at a time, spread
// over span, and measures from sending the approval until Meilisearch
// itself returns the document (polled every 10 ms, up to 20 s).
func approve(ctx context.Context, client *http.Client, base string, e *env, mods *moderators, list []pendingRef, span time.Duration) *approvalResult {
	res := &approvalResult{}
	fail := func(err error) {
		res.fails++
		if len(res.samples) < 3 {
			res.samples = append(res.samples, err.Error())
		}
	}
	start := time.Now()
	for i, p := range list {
		if !sleepUntil(ctx, start.Add(span*time.Duration(i)/time.Duration(len(list)))) {
			break
		}
		tok, err := mods.token(ctx, p.slug)
		if err != nil {
			fail(err)
			continue
		}
		t0 := time.Now()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/r/"+p.slug+"/api/v1/moderation/"+p.id+"/approve", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := client.Do(req)
		if err != nil {
			fail(err)
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			fail(fmt.Errorf("approve %s: %d %.200s", p.id, resp.StatusCode, b))
			continue
		}
		found := false
		for deadline := t0.Add(20 * time.Second); time.Now().Before(deadline) && ctx.Err() == nil; {
			var doc map[string]any
			err := e.meili.Index(e.listingsIndex(p.slug)).GetDocumentWithContext(ctx, p.id, &meilisearch.DocumentQuery{Fields: []string{"id"}}, &doc)
			if err == nil {
				found = true
				break
			}
			if me := (*meilisearch.Error)(nil); !errors.As(err, &me) || me.MeilisearchApiError.Code != "document_not_found" {
				fail(err)
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if found {
			res.lat, res.at = append(res.lat, time.Since(t0)), append(res.at, t0)
		} else if ctx.Err() == nil {
			fail(fmt.Errorf("listing %s not searchable 20 s after approval", p.id))
		}
	}
	return res
}

// split sorts the latencies of the approvals made while in(t) holds and
// of the others.
func (a *approvalResult) split(in func(t time.Time) bool) (yes, no *approvalResult) {
	yes, no = &approvalResult{}, &approvalResult{}
	for i, l := range a.lat {
		r := no
		if in(a.at[i]) {
			r = yes
		}
		r.lat = append(r.lat, l)
	}
	for _, r := range []*approvalResult{yes, no} {
		sort.Slice(r.lat, func(i, j int) bool { return r.lat[i] < r.lat[j] })
	}
	return yes, no
}

func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}

// taskTimes are how long Meilisearch took over its one-document tasks
// (what each approval becomes) since since: waiting in its queue, and
// processing.
type taskTimes struct {
	n           int
	wait, apply []time.Duration // sorted
}

func meiliTaskTimes(ctx context.Context, e *env, since time.Time) (*taskTimes, error) {
	tt := &taskTimes{}
	q := &meilisearch.TasksQuery{IndexUIDS: e.listingIndexes(), Types: []meilisearch.TaskType{meilisearch.TaskTypeDocumentAdditionOrUpdate},
		AfterEnqueuedAt: since, Limit: 1000}
	res, err := e.meili.GetTasksWithContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("meilisearch tasks: %w", err)
	}
	for _, t := range res.Results {
		// The query's time filter is to the second; ours is not.
		if t.Details.ReceivedDocuments != 1 || t.Status != meilisearch.TaskStatusSucceeded || t.EnqueuedAt.Before(since) {
			continue
		}
		tt.n++
		tt.wait = append(tt.wait, t.StartedAt.Sub(t.EnqueuedAt))
		tt.apply = append(tt.apply, t.FinishedAt.Sub(t.StartedAt))
	}
	for _, l := range [][]time.Duration{tt.wait, tt.apply} {
		sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	}
	return tt, nil
}
