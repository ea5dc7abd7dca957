package search

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"katalogpes/store"
	"katalogpes/store/polish"
	"katalogpes/tenants"
)

// A region's open needs have an index of their own (IndexFor(NeedsIndex,
// slug)): only published needs whose deadline is ahead are in it, so a
// draft, a pending, a withdrawn or a closed need is never found.

// NeedDocument is an open need as its region's needs index holds it.
type NeedDocument struct {
	ID                string   `json:"id"`
	Tenant            string   `json:"tenant"`
	Title             string   `json:"title"`
	TitleFolded       string   `json:"title_folded"`
	Description       string   `json:"description"`
	DescriptionFolded string   `json:"description_folded"`
	Institution       string   `json:"institution"`
	Places            []string `json:"places"`
	Kind              string   `json:"kind"`
	Categories        []string `json:"categories"`
	Place             []string `json:"place"`
	Powiats           []string `json:"powiats"`
	DeadlineTS        int64    `json:"deadline_ts"`
}

func needDocument(n *store.Need) NeedDocument {
	d := NeedDocument{ID: n.ID, Tenant: n.Tenant, Title: n.Title, TitleFolded: polish.Fold(n.Title), Description: n.Description,
		DescriptionFolded: polish.Fold(n.Description), Institution: n.Institution, Places: n.PlaceNames, Kind: n.Kind,
		Categories: n.Categories, Place: n.Place, DeadlineTS: n.Deadline.Unix()}
	for _, p := range n.Place {
		if len(p) >= 4 {
			d.Powiats = append(d.Powiats, p[:4])
		}
	}
	return d
}

func needIndexSettings() *meilisearch.Settings {
	return &meilisearch.Settings{
		SearchableAttributes: []string{"title", "title_folded", "institution", "places", "description", "description_folded"},
		FilterableAttributes: []string{"tenant", "kind", "categories", "place", "powiats", "deadline_ts"},
		SortableAttributes:   []string{"deadline_ts"},
		StopWords:            stopWords,
		LocalizedAttributes: []*meilisearch.LocalizedAttributes{{
			Locales: []string{"pol"}, AttributePatterns: []string{"title", "description", "institution", "places"},
		}},
	}
}

// RunNeedIndexer drains the needs' outbox into the regions' needs indexes
// until ctx ends (all-tenants scope); safe beside the same job on other
// nodes: jobs are leased with SKIP LOCKED.
func (s *Service) RunNeedIndexer(ctx context.Context, every time.Duration) {
	failures := 0
	for {
		n, err := s.drainNeedIndex(ctx)
		wait := every
		switch {
		case err != nil && ctx.Err() == nil:
			failures++
			wait = backoff(failures)
			s.log.Warn("needs index: batch failed; retrying", "err", err, "in", wait)
		case n > 0:
			failures, wait = 0, 0
		default:
			failures = 0
		}
		if !sleep(ctx, wait) {
			return
		}
	}
}

// DrainNeedIndex applies every due job now (tests and the CLI).
func (s *Service) DrainNeedIndex(ctx context.Context) error {
	for {
		n, err := s.drainNeedIndex(ctx)
		if err != nil || n == 0 {
			return err
		}
	}
}

func (s *Service) drainNeedIndex(ctx context.Context) (int, error) {
	jobs, err := s.db.ClaimNeedIndexJobs(ctx, 100)
	if err != nil || len(jobs) == 0 {
		return 0, err
	}
	ids := make([]string, 0, len(jobs))
	done := make([]int64, 0, len(jobs))
	bySlug := map[string]bool{}
	for _, j := range jobs {
		ids = append(ids, j.NeedID)
		done = append(done, j.ID)
		bySlug[j.TenantSlug] = true
	}
	needs, err := s.db.FindNeedsByID(ctx, ids)
	if err != nil {
		return 0, err
	}
	now := s.now()
	docs, gone := map[string][]NeedDocument{}, map[string][]string{}
	seen := map[string]bool{}
	for i := range needs {
		n := &needs[i]
		seen[n.ID] = true
		if n.Status == store.NeedPublished && n.Deadline.After(now) {
			docs[n.Tenant] = append(docs[n.Tenant], needDocument(n))
		} else {
			gone[n.Tenant] = append(gone[n.Tenant], n.ID)
		}
	}
	for _, j := range jobs {
		if !seen[j.NeedID] {
			gone[j.TenantSlug] = append(gone[j.TenantSlug], j.NeedID)
		}
	}
	for slug := range bySlug {
		if err := s.writeNeeds(ctx, s.IndexFor(NeedsIndex, slug), docs[slug], gone[slug]); err != nil {
			return 0, err
		}
	}
	return len(jobs), s.db.FinishNeedIndexJobs(ctx, done)
}

// writeNeeds applies the index's settings (a no-op when unchanged) and
// the documents, and waits for Meilisearch to have done both.
func (s *Service) writeNeeds(ctx context.Context, uid string, docs []NeedDocument, gone []string) error {
	ctx, cancel := context.WithTimeout(ctx, taskTimeout)
	defer cancel()
	index := s.client.Index(uid)
	info, err := index.UpdateSettingsWithContext(ctx, needIndexSettings())
	if err != nil {
		return fmt.Errorf("needs index %s settings: %w", uid, err)
	}
	tasks := []*meilisearch.TaskInfo{info}
	if len(docs) > 0 {
		if info, err = index.AddDocumentsWithContext(ctx, docs, &meilisearch.DocumentOptions{PrimaryKey: ptr("id")}); err != nil {
			return fmt.Errorf("add needs to %s: %w", uid, err)
		}
		tasks = append(tasks, info)
	}
	if len(gone) > 0 {
		if info, err = index.DeleteDocumentsWithContext(ctx, gone, nil); err != nil {
			return fmt.Errorf("delete needs from %s: %w", uid, err)
		}
		tasks = append(tasks, info)
	}
	for _, t := range tasks {
		if err := s.waitTask(ctx, t, "index needs"); err != nil {
			return err
		}
	}
	return nil
}

// NeedQuery is a search of a region's open needs.
type NeedQuery struct {
	Q          string
	Categories []string
	Kinds      []string
	Serves     []string // gmina (7) or powiat (4) codes
	Page       int
	PerPage    int
}

// ErrNeedsDegraded says the needs index could not answer; the caller
// lists from PostgreSQL instead.
var ErrNeedsDegraded = errors.New("search: needs index unavailable")

// SearchNeeds finds the ids of a region's open needs, best match first
// (soonest deadline without words), and their total.
func (s *Service) SearchNeeds(ctx context.Context, slug string, q NeedQuery) ([]string, int, error) {
	if q.PerPage <= 0 || q.PerPage > 100 {
		q.PerPage = 20
	}
	if q.Page < 1 {
		q.Page = 1
	}
	filter := []string{"deadline_ts > " + strconv.FormatInt(s.now().Unix(), 10)}
	anyOf := func(attr string, vals []string) {
		if len(vals) == 0 {
			return
		}
		parts := make([]string, 0, len(vals))
		for _, v := range vals {
			parts = append(parts, attr+" = "+strconv.Quote(v))
		}
		filter = append(filter, "("+strings.Join(parts, " OR ")+")")
	}
	anyOf("categories", q.Categories)
	anyOf("kind", q.Kinds)
	if len(q.Serves) > 0 {
		var parts []string
		for _, c := range q.Serves {
			parts = append(parts, "place = "+strconv.Quote(c))
			if len(c) >= 4 {
				parts = append(parts, "place = "+strconv.Quote(c[:4]), "powiats = "+strconv.Quote(c[:4]))
			}
		}
		filter = append(filter, "("+strings.Join(parts, " OR ")+")")
	}
	req := &meilisearch.SearchRequest{Filter: strings.Join(filter, " AND "), HitsPerPage: ptr(int64(q.PerPage)), Page: int64(q.Page),
		AttributesToRetrieve: []string{"id"}}
	if strings.TrimSpace(q.Q) == "" {
		req.Sort = []string{"deadline_ts:asc"}
	}
	ctx, cancel := context.WithTimeout(ctx, searchTimeout)
	defer cancel()
	res, err := s.client.Index(s.IndexFor(NeedsIndex, slug)).SearchWithContext(ctx, q.Q, req)
	if err != nil {
		if unavailable(err) || canceled(err) {
			return nil, 0, fmt.Errorf("%w: %v", ErrNeedsDegraded, err)
		}
		return nil, 0, fmt.Errorf("search needs of %s: %w", slug, err)
	}
	ids := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		var doc struct {
			ID string `json:"id"`
		}
		if err := h.DecodeInto(&doc); err == nil {
			ids = append(ids, doc.ID)
		}
	}
	return ids, int(res.TotalHits), nil
}

// ReindexNeeds queues every open need of every region for its index
// (after a fresh start or a lost index).
func (s *Service) ReindexNeeds(ctx context.Context) error {
	if !tenants.AllTenants(ctx) {
		return store.ErrNoScope
	}
	return s.DrainNeedIndex(ctx)
}
