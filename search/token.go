package search

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/meilisearch/meilisearch-go"

	"katalogpes/tenants"
)

// MaxTokenTTL bounds tenant tokens: they cannot be revoked one by one.
const MaxTokenTTL = time.Hour

// keyUID derives the search key's uid from the indexes it may read, so
// every node finds the same key and a restart creates no second one.
// Meilisearch (and its client) want the uuid v4 shape.
func keyUID(pattern string) string {
	return uuid.NewHash(sha256.New(), uuid.NameSpaceURL, []byte("katalogpes-search-key:"+pattern), 4).String()
}

// tokenIndexes is the pattern of the indexes the search key may read: every
// region's listings index. Each token narrows it to one region's.
func (s *Service) tokenIndexes() string { return s.cfg.Prefix + string(ListingsIndex) + "_*" }

// searchKey finds or creates the search-only API key for the listings
// indexes.
func (s *Service) searchKey(ctx context.Context) (*meilisearch.Key, error) {
	s.mu.Lock()
	k := s.key
	s.mu.Unlock()
	if k != nil {
		return k, nil
	}
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	pattern := s.tokenIndexes()
	uid := keyUID(pattern)
	k, err := s.client.GetKeyWithContext(ctx, uid)
	if isCode(err, "api_key_not_found") {
		k, err = s.client.CreateKeyWithContext(ctx, &meilisearch.Key{
			UID:         uid,
			Name:        "katalogpes search " + pattern,
			Description: "Signs tenant tokens for browsers; search only, the regions' listings indexes.",
			Actions:     []string{"search"},
			Indexes:     []string{pattern},
		})
		if isCode(err, "api_key_already_exists") {
			k, err = s.client.GetKeyWithContext(ctx, uid)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("search API key: %w", err)
	}
	if k.Key == "" {
		return nil, errors.New("search API key: Meilisearch did not reveal the key (is MasterKey the master key?)")
	}
	s.mu.Lock()
	s.key = k
	s.mu.Unlock()
	return k, nil
}

// TenantToken signs a Meilisearch tenant token for browsers: it can only
// search its region's listings index (its rules name that index alone, and
// also pin tenant = slug, whatever filter the browser sends). It lives
// ttl, at most MaxTokenTTL.
func (s *Service) TenantToken(tenant *tenants.Tenant, ttl time.Duration) (string, time.Time, error) {
	if tenant == nil || tenant.Slug == "" {
		return "", time.Time{}, errors.New("tenant token: no tenant")
	}
	if ttl <= 0 || ttl > MaxTokenTTL {
		ttl = MaxTokenTTL
	}
	k, err := s.searchKey(context.Background())
	if err != nil {
		return "", time.Time{}, err
	}
	exp := s.now().Add(ttl).UTC().Truncate(time.Second)
	rules := map[string]any{
		s.IndexFor(ListingsIndex, tenant.Slug): map[string]any{"filter": "tenant = " + quote(tenant.Slug)},
	}
	token, err := s.client.GenerateTenantToken(k.UID, rules, &meilisearch.TenantTokenOptions{APIKey: k.Key, ExpiresAt: exp})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("tenant token for %s: %w", tenant.Slug, err)
	}
	return token, exp, nil
}
