package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"katalogpes/tenants"
)

// APIKeyPrefix starts every integrator's key, so a key is told from a JWT.
const APIKeyPrefix = "kp_"

// DefaultAPIKeyRate is a key's requests a minute unless its admin says.
const DefaultAPIKeyRate = 120

// APIKey is an integrator's key as its region's admin sees it (never the key).
type APIKey struct {
	ID            string         `db:"id" json:"id"`
	Name          string         `db:"name" json:"name"`
	Scopes        pq.StringArray `db:"scopes" json:"scopes"`
	Prefix        string         `db:"prefix" json:"prefix"`
	RatePerMinute int            `db:"rate_per_minute" json:"rate_per_minute"`
	UsageCount    int64          `db:"usage_count" json:"usage_count"`
	LastUsedAt    *time.Time     `db:"last_used_at" json:"last_used_at"`
	CreatedAt     time.Time      `db:"created_at" json:"created_at"`
	RevokedAt     *time.Time     `db:"revoked_at" json:"revoked_at"`
}

// NewAPIKey is what an admin asks for.
type NewAPIKey struct {
	Name          string   `json:"name"`
	Scopes        []string `json:"scopes"`
	RatePerMinute int      `json:"rate_per_minute"`
}

// APIKeyUse is a key found valid for a request.
type APIKeyUse struct {
	ID            string `db:"id"`
	TenantID      string `db:"tenant_id"`
	RatePerMinute int    `db:"rate_per_minute"`
}

func hashAPIKey(key string) []byte {
	sum := sha256.Sum256([]byte(key))
	return sum[:]
}

func (n *NewAPIKey) validate() error {
	var errs []FieldError
	n.Name = strings.TrimSpace(n.Name)
	if n.Name == "" || utf8.RuneCountInString(n.Name) > 100 {
		errs = append(errs, FieldError{Field: "name", Key: "apikey.name", Params: map[string]any{"Max": 100}})
	}
	if len(n.Scopes) == 0 {
		n.Scopes = []string{"read"}
	}
	for _, s := range n.Scopes {
		if s != "read" {
			errs = append(errs, FieldError{Field: "scopes", Key: "apikey.scope", Params: map[string]any{"Value": s}})
			break
		}
	}
	if n.RatePerMinute == 0 {
		n.RatePerMinute = DefaultAPIKeyRate
	}
	if n.RatePerMinute < 1 || n.RatePerMinute > 10000 {
		errs = append(errs, FieldError{Field: "rate_per_minute", Key: "apikey.rate", Params: map[string]any{"Max": 10000}})
	}
	if len(errs) > 0 {
		return Invalid(errs)
	}
	return nil
}

// CreateAPIKey makes a key for the context's tenant and returns it with
// the key itself, which is never stored and never shown again.
func (db *DB) CreateAPIKey(ctx context.Context, n NewAPIKey) (*APIKey, string, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := n.validate(); err != nil {
		return nil, "", err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, "", fmt.Errorf("api key: %w", err)
	}
	key := APIKeyPrefix + base64.RawURLEncoding.EncodeToString(raw)
	var k APIKey
	var creator *string
	if p := tenants.PrincipalFrom(ctx); p.AccountID != "" {
		creator = &p.AccountID
	}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &k, `
			INSERT INTO api_keys (tenant_id, name, scopes, prefix, key_hash, rate_per_minute, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			RETURNING `+apiKeyColumns, tid, n.Name, pq.StringArray(n.Scopes), key[:len(APIKeyPrefix)+6], hashAPIKey(key), n.RatePerMinute, creator)
	})
	if err != nil {
		return nil, "", fmt.Errorf("create api key: %w", err)
	}
	return &k, key, nil
}

const apiKeyColumns = `id, name, scopes, prefix, rate_per_minute, usage_count, last_used_at, created_at, revoked_at`

// FindAPIKeys lists the context's tenant's keys, newest first.
func (db *DB) FindAPIKeys(ctx context.Context) ([]APIKey, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	list := []APIKey{}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &list, `SELECT `+apiKeyColumns+` FROM api_keys WHERE tenant_id = $1 ORDER BY created_at DESC, id`, tid)
	})
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	return list, nil
}

// RevokeAPIKey ends a key of the context's tenant; from the next request
// on it is refused everywhere. Revoking twice is not an error.
func (db *DB) RevokeAPIKey(ctx context.Context, id string) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !ValidID(id) {
		return Errorf(ENotFound, "not_found")
	}
	var n int64
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND tenant_id = $2`, id, tid)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("revoke api key %s: %w", id, err)
	}
	if n == 0 {
		return Errorf(ENotFound, "not_found")
	}
	return nil
}

// UseAPIKey finds a key that is not revoked and counts its use, in one
// statement: the row is the truth on every node. A key of another region
// than the context's is not found; on the national hub any region's is.
func (db *DB) UseAPIKey(ctx context.Context, key string) (*APIKeyUse, error) {
	var u APIKeyUse
	tid := ""
	if t, ok := tenants.FromContext(ctx); ok {
		tid = t.ID
	}
	err := db.tx(tenants.WithAllTenants(tenants.NewContext(ctx, nil)), func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &u, `
			UPDATE api_keys SET usage_count = usage_count + 1, last_used_at = now()
			WHERE key_hash = $1 AND revoked_at IS NULL AND ($2 = '' OR tenant_id::text = $2)
			RETURNING id, tenant_id, rate_per_minute`, hashAPIKey(key), tid)
	})
	if err != nil {
		if ErrorCode(notFound(err, "")) == ENotFound {
			return nil, Errorf(EUnauthorized, "auth.bad_token")
		}
		return nil, fmt.Errorf("use api key: %w", err)
	}
	return &u, nil
}
