package search

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/meilisearch/meilisearch-go"

	"katalogpes/store/polish"
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

// synonyms merges the built-in list (synonyms_pl.txt) with every tenant's
// own (one index serves all tenants, so synonyms are global) and adds folded twins, so that a
// query typed without Polish letters expands as well.
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

// indexSettings are the settings of the listings index.
func indexSettings(syn map[string][]string) *meilisearch.Settings {
	return &meilisearch.Settings{
		// "sort" right after "words": sort=name or distance orders the
		// results that match every word, not only ties.
		RankingRules:         []string{"words", "sort", "typo", "proximity", "attribute", "exactness"},
		SearchableAttributes: searchableAttributes,
		DisplayedAttributes:  []string{"*"},
		FilterableAttributes: filterableAttributes,
		SortableAttributes:   sortableAttributes,
		StopWords:            stopWords,
		Synonyms:             syn,
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
		// Totals are exact up to this many hits (the API promises a total).
		Pagination: &meilisearch.Pagination{MaxTotalHits: 100000},
	}
}

// EnsureSettings creates the index if it is missing, applies the settings
// (tenants' synonyms included) and finds or creates the search-only key
// that signs tenant tokens. It is idempotent: run it at every start and
// after a tenant changes its synonyms.
func (s *Service) EnsureSettings(ctx context.Context) error {
	if err := s.applySettings(ctx, s.cfg.Index); err != nil {
		return err
	}
	_, err := s.searchKey(ctx)
	return err
}

// applySettings creates index uid if needed and gives it our settings.
func (s *Service) applySettings(ctx context.Context, uid string) error {
	list, err := s.db.FindTenants(ctx)
	if err != nil {
		return fmt.Errorf("search settings: %w", err)
	}
	var extra []map[string][]string
	for _, t := range list {
		extra = append(extra, t.Settings.Synonyms)
	}
	if err := s.ensureIndex(ctx, uid); err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	info, err := s.client.Index(uid).UpdateSettingsWithContext(cctx, indexSettings(synonyms(extra...)))
	if err != nil {
		return fmt.Errorf("update settings of %s: %w", uid, err)
	}
	return s.waitTask(ctx, info, "update settings of "+uid)
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
	var te *TaskError
	if errors.As(err, &te) && te.Code == "index_already_exists" {
		return nil // another node created it meanwhile
	}
	return err
}

// isCode reports whether err is a Meilisearch API error with that code.
func isCode(err error, code string) bool {
	var me *meilisearch.Error
	return errors.As(err, &me) && me.MeilisearchApiError.Code == code
}
