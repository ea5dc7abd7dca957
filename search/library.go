package search

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"katalogpes/store"
)

// The library's search (issue 18): one index of library items per region
// (IndexFor(LibraryIndex, slug)), kept in step by its own outbox; the
// text of the items' PDFs is searchable with their titles.

// LibraryDocument is one published item as its region's library index
// holds it.
type LibraryDocument struct {
	ID          string   `json:"id"`
	Region      string   `json:"region"`
	Kind        string   `json:"kind"`
	Title       string   `json:"title"`
	Summary     string   `json:"summary"`
	Authors     []string `json:"authors"`
	Tags        []string `json:"tags"`
	Categories  []string `json:"categories"`
	Year        int      `json:"year"`
	Language    string   `json:"language"`
	Text        string   `json:"text"`
	StartsAt    int64    `json:"starts_at,omitempty"`
	PublishedAt int64    `json:"published_at"`
}

// maxLibraryText bounds the PDF text one document carries: Meilisearch
// indexes the first 65,535 words of an attribute anyway.
const maxLibraryText = 400_000

// BuildLibraryDocument is the document of a published item with the text
// of its PDFs.
func BuildLibraryDocument(it *store.LibraryItem, text string) LibraryDocument {
	if len(text) > maxLibraryText {
		text = text[:maxLibraryText]
	}
	d := LibraryDocument{ID: it.ID, Region: it.Region, Kind: it.Kind, Title: it.Title, Summary: it.Summary,
		Authors: it.Authors, Tags: it.Tags, Categories: it.Categories, Year: it.Year(), Language: it.Language, Text: text}
	if it.Event != nil {
		d.StartsAt = it.Event.StartsAt.Unix()
	}
	if it.PublishedAt != nil {
		d.PublishedAt = it.PublishedAt.Unix()
	}
	return d
}

// libraryFacets are the attributes the library counts and filters on.
var libraryFacets = []string{"kind", "year", "tags", "categories"}

func librarySettings() *meilisearch.Settings {
	return &meilisearch.Settings{
		SearchableAttributes: []string{"title", "tags", "authors", "summary", "text"},
		FilterableAttributes: append([]string{"starts_at", "region"}, libraryFacets...),
		SortableAttributes:   []string{"published_at", "starts_at"},
		DisplayedAttributes:  []string{"id", "region", "kind", "title", "summary", "tags", "year", "starts_at", "published_at", "text"},
		Faceting:             &meilisearch.Faceting{MaxValuesPerFacet: 100},
	}
}

// ensureLibraryIndex creates a region's library index when missing and
// gives it the library's settings when it lacks them.
func (s *Service) ensureLibraryIndex(ctx context.Context, uid string) error {
	if _, err := s.client.GetIndexWithContext(ctx, uid); err != nil {
		if libraryErrCode(err) != "index_not_found" {
			return fmt.Errorf("look up index %s: %w", uid, err)
		}
		info, err := s.client.CreateIndexWithContext(ctx, &meilisearch.IndexConfig{Uid: uid, PrimaryKey: "id"})
		if err != nil {
			return fmt.Errorf("create index %s: %w", uid, err)
		}
		var te *TaskError
		if err := s.waitTask(ctx, info, "create index "+uid); err != nil && !(errors.As(err, &te) && te.Code == "index_already_exists") {
			return err
		}
	}
	// Settings are a task that reindexes the index's documents: applied
	// only when missing (a new index, or one a settings change did not reach).
	want := librarySettings()
	have, err := s.client.Index(uid).GetSettingsWithContext(ctx)
	if err != nil {
		return fmt.Errorf("read settings of %s: %w", uid, err)
	}
	if slices.Equal(have.SearchableAttributes, want.SearchableAttributes) && slices.Equal(have.SortableAttributes, want.SortableAttributes) &&
		len(have.FilterableAttributes) == len(want.FilterableAttributes) {
		return nil
	}
	info, err := s.client.Index(uid).UpdateSettingsWithContext(ctx, want)
	if err != nil {
		return fmt.Errorf("update settings of %s: %w", uid, err)
	}
	return s.waitTask(ctx, info, "update settings of "+uid)
}

// libraryErrCode is Meilisearch's error code of err, "" when none.
func libraryErrCode(err error) string {
	var me *meilisearch.Error
	if errors.As(err, &me) {
		return me.MeilisearchApiError.Code
	}
	return ""
}

// RunLibraryWorker drains the library outbox until ctx ends, as RunWorker
// does for listings: published items are upserted into their region's
// library index, every other item deleted from it; failures back off.
func (s *Service) RunLibraryWorker(ctx context.Context) error {
	return s.drainLoop(ctx, "library outbox", nil, 200*time.Millisecond, s.drainLibrary)
}

func (s *Service) drainLibrary(ctx context.Context) (int, error) {
	jobs, err := s.db.ClaimLibraryBatch(ctx, batchSize)
	if err != nil || len(jobs) == 0 {
		return 0, err
	}
	ids := make([]int64, len(jobs))
	attempts := 0
	for i, j := range jobs {
		ids[i] = j.ID
		attempts = max(attempts, j.Attempts)
	}
	if err := s.applyLibrary(ctx, jobs); err != nil {
		bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		return len(jobs), errors.Join(err, s.db.RetryLibraryJobs(bg, ids, err.Error(), backoff(attempts+1)))
	}
	return len(jobs), s.db.CompleteLibraryJobs(ctx, ids)
}

// applyLibrary writes the jobs' items into their regions' indexes.
func (s *Service) applyLibrary(ctx context.Context, jobs []store.LibraryJob) error {
	var ids []string
	for _, j := range jobs {
		ids = appendNew(ids, j.ItemID)
	}
	items, err := s.db.FindLibraryItemsByIDs(ctx, ids)
	if err != nil {
		return err
	}
	texts, err := s.db.FindLibraryTexts(ctx, ids)
	if err != nil {
		return err
	}
	type batch struct {
		docs []LibraryDocument
		gone []string
	}
	byIndex := map[string]*batch{}
	for _, it := range items {
		uid := s.IndexFor(LibraryIndex, it.Region)
		b := byIndex[uid]
		if b == nil {
			b = &batch{}
			byIndex[uid] = b
		}
		if it.Status == store.LibraryPublished {
			b.docs = append(b.docs, BuildLibraryDocument(it, texts[it.ID]))
		} else {
			b.gone = append(b.gone, it.ID)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, taskTimeout)
	defer cancel()
	primaryKey := "id"
	for uid, b := range byIndex {
		if err := s.ensureLibraryIndex(ctx, uid); err != nil {
			return err
		}
		index := s.client.Index(uid)
		if len(b.docs) > 0 {
			info, err := index.AddDocumentsWithContext(ctx, b.docs, &meilisearch.DocumentOptions{PrimaryKey: &primaryKey})
			if err != nil {
				return fmt.Errorf("add %d library documents to %s: %w", len(b.docs), uid, err)
			}
			if err := s.waitTask(ctx, info, "index library items"); err != nil {
				return err
			}
		}
		if len(b.gone) > 0 {
			info, err := index.DeleteDocumentsWithContext(ctx, b.gone, nil)
			if err != nil {
				return fmt.Errorf("delete %d library documents from %s: %w", len(b.gone), uid, err)
			}
			if err := s.waitTask(ctx, info, "unindex library items"); err != nil {
				return err
			}
		}
	}
	return nil
}
