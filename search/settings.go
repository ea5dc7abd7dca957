package search

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/meilisearch/meilisearch-go"

	"katalogpes/store/polish"
	"katalogpes/tenants"
)

// Searchable attributes, most telling first (Meilisearch ranks a match in
// an earlier attribute higher). Each text has a folded twin: a query word
// with "ł" matches the original, one typed without Polish letters the twin.
var searchableAttributes = []string{
	"name", "name_folded", "short_name", "short_name_folded", "identifiers",
	"offers", "offers_folded", "category_names", "category_names_folded",
	"city", "places", "places_folded",
	"description", "description_folded",
}

var filterableAttributes = []string{
	"tenant", "legal_form", "kinds", "voivodeship", "powiat", "gmina", "categories", "certificates",
	"social_enterprise", "reserved_contracts_eligible", "ps_preference_eligible", "at_risk_share", "at_risk_lapses_on",
	"serves_country", "serves_voivodeships", "serves_powiats", "serves_gminas", "_geo",
}

// maxFacetValues bounds the values counted per facet.
const maxFacetValues = 200

var sortableAttributes = []string{"name", "name_folded", "updated_at", "_geo"}

// Polish function words: ignored in queries so that "catering w krakowie"
// asks for catering and Kraków, not for a word "w".
var stopWords = []string{"w", "we", "z", "ze", "i", "oraz", "na", "do", "dla", "od", "o", "u", "po", "przy", "a", "lub", "the", "of"}

// synonyms merges the built-in list (synonyms_pl.txt) with a region's own
// (each region has its own index, so its synonyms touch no other region)
// and adds folded twins, so that a query typed without Polish letters
// expands as well.
func synonyms(extra ...map[string][]string) map[string][]string {
	out := map[string][]string{}
	add := func(word string, alts []string) {
		for _, a := range alts {
			if a != "" && a != word && !contains(out[word], a) {
				out[word] = append(out[word], a)
			}
		}
	}
	for _, m := range append([]map[string][]string{defaultSynonyms}, extra...) {
		for word, alts := range m {
			if word == "" {
				continue
			}
			add(word, alts)
			add(polish.Fold(word), foldAll(alts))
			add(polish.Fold(word), alts)
		}
	}
	for w := range out {
		sort.Strings(out[w])
	}
	return out
}

// regionStopWords are the built-in stop words and a region's own, folded
// twins included (a query typed without Polish letters drops them too).
func regionStopWords(own []string) []string {
	out := append([]string{}, stopWords...)
	for _, w := range own {
		for _, v := range []string{w, polish.Fold(w)} {
			if !contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// indexSettings are the settings of a region's listings index.
func indexSettings(t *tenants.Tenant) *meilisearch.Settings {
	return &meilisearch.Settings{
		// "sort" right after "words": sort=name or distance orders the
		// results that match every word, not only ties.
		// id last: listings that rank alike come back in one order on every
		// node and after every reindex or restore (Meilisearch would break
		// the tie by its internal ids, which a rebuild renumbers).
		RankingRules:         []string{"words", "sort", "typo", "proximity", "attribute", "exactness", "id:asc"},
		SearchableAttributes: searchableAttributes,
		DisplayedAttributes:  []string{"*"},
		FilterableAttributes: filterableAttributes,
		SortableAttributes:   sortableAttributes,
		StopWords:            regionStopWords(t.Settings.StopWords),
		Synonyms:             synonyms(t.Settings.Synonyms),
		LocalizedAttributes: []*meilisearch.LocalizedAttributes{{
			Locales:           []string{"pol"},
			AttributePatterns: []string{"name*", "short_name*", "offers*", "category_names*", "city", "places*", "description*"},
		}},
		TypoTolerance: &meilisearch.TypoTolerance{
			Enabled:             true,
			MinWordSizeForTypos: meilisearch.MinWordSizeForTypos{OneTypo: 5, TwoTypos: 9},
			DisableOnWords:      []string{},
			DisableOnAttributes: []string{"identifiers"},
		},
		Faceting: &meilisearch.Faceting{
			MaxValuesPerFacet: maxFacetValues,
			SortFacetValuesBy: map[string]meilisearch.SortFacetType{"*": meilisearch.SortFacetTypeCount},
		},
		// Proximity counted between attributes, not words: half the cost
		// of indexing a listing (bench/RESULTS.md); listing texts are short,
		// so words of one attribute are near each other anyway.
		ProximityPrecision: meilisearch.ByAttribute,
		// Totals are exact up to this many hits (the API promises a total).
		Pagination: &meilisearch.Pagination{MaxTotalHits: 100000},
	}
}

// EnsureSettings gives every region's listings index its settings (its
// own synonyms and stop words; Meilisearch creates an index that is
// missing) and finds or creates the search-only key that signs tenant
// tokens. It is idempotent: run it at every start. The tasks are queued
// first and awaited together, with a start's patience rather than a
// request's: Meilisearch works through every index's task in turn.
func (s *Service) EnsureSettings(ctx context.Context) error {
	r, err := s.loadRegions(ctx)
	if err != nil {
		return fmt.Errorf("search settings: %w", err)
	}
	var tasks []*meilisearch.TaskInfo
	for _, slug := range r.slugs {
		queued, err := s.updateSettings(ctx, s.IndexFor(ListingsIndex, slug), r.bySlug[slug])
		if err != nil {
			return err
		}
		tasks = append(tasks, queued...)
	}
	wctx, cancel := context.WithTimeout(ctx, settingsTimeout)
	defer cancel()
	for _, t := range tasks {
		if err := s.waitTaskUntil(wctx, t, "search settings"); err != nil {
			return err
		}
	}
	_, err = s.searchKey(ctx)
	return err
}

// EnsureRegionSettings applies a region's settings to its listings index,
// after the region changed its synonyms or stop words.
func (s *Service) EnsureRegionSettings(ctx context.Context, t *tenants.Tenant) error {
	return s.applySettings(ctx, s.IndexFor(ListingsIndex, t.Slug), t)
}

// applySettings creates index uid if needed and gives it t's settings.
func (s *Service) applySettings(ctx context.Context, uid string, t *tenants.Tenant) error {
	if err := s.ensureIndex(ctx, uid); err != nil {
		return err
	}
	queued, err := s.updateSettings(ctx, uid, t)
	if err != nil {
		return err
	}
	return s.waitTasks(ctx, queued, "update settings of "+uid)
}

// updateSettings queues the settings of t's index uid. Facet search
// (searching within a facet's values) is off: no page or API asks for it,
// and Meilisearch then keeps no facet-search structures up to date on
// every write. The client's settings type cannot send false (omitempty),
// so it is a task of its own.
func (s *Service) updateSettings(ctx context.Context, uid string, t *tenants.Tenant) ([]*meilisearch.TaskInfo, error) {
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	info, err := s.client.Index(uid).UpdateSettingsWithContext(cctx, indexSettings(t))
	if err != nil {
		return nil, fmt.Errorf("update settings of %s: %w", uid, err)
	}
	off, err := s.client.Index(uid).UpdateFacetSearchWithContext(cctx, false)
	if err != nil {
		return nil, fmt.Errorf("turn facet search off in %s: %w", uid, err)
	}
	return []*meilisearch.TaskInfo{info, off}, nil
}

// ensureIndex creates index uid with primary key id unless it exists.
func (s *Service) ensureIndex(ctx context.Context, uid string) error {
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	if _, err := s.client.GetIndexWithContext(cctx, uid); err == nil {
		return nil
	} else if !isCode(err, "index_not_found") {
		return fmt.Errorf("look up index %s: %w", uid, err)
	}
	info, err := s.client.CreateIndexWithContext(cctx, &meilisearch.IndexConfig{Uid: uid, PrimaryKey: "id"})
	if err != nil {
		return fmt.Errorf("create index %s: %w", uid, err)
	}
	err = s.waitTask(ctx, info, "create index "+uid)
	if isTaskCode(err, "index_already_exists") {
		return nil // another node created it meanwhile
	}
	return err
}

// isTaskCode reports whether err is a failed task with that code.
func isTaskCode(err error, code string) bool {
	var te *TaskError
	return errors.As(err, &te) && te.Code == code
}

// isCode reports whether err is a Meilisearch API error with that code.
func isCode(err error, code string) bool {
	var me *meilisearch.Error
	return errors.As(err, &me) && me.MeilisearchApiError.Code == code
}
