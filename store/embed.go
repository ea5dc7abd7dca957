package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// maxFrameOrigins bounds a region's list of sites that may frame it.
const maxFrameOrigins = 50

// FindFrameOrigins lists the sites allowed to frame the context's
// region's embeddable search; none by default.
func (db *DB) FindFrameOrigins(ctx context.Context) ([]string, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	var list pq.StringArray
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &list, `SELECT frame_origins FROM region_embed WHERE tenant_id = $1`, tid)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return []string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("frame origins: %w", err)
	}
	return list, nil
}

// NormalizeOrigin is an origin as a browser sends it (scheme://host[:port]),
// or "" when s is not one.
func NormalizeOrigin(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(u.Host, " ;,'\"*") {
		return ""
	}
	return u.Scheme + "://" + strings.ToLower(u.Host)
}

// SetFrameOrigins replaces the context's region's list; every entry must
// be an origin, or nothing is saved.
func (db *DB) SetFrameOrigins(ctx context.Context, origins []string) ([]string, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	clean := []string{}
	seen := map[string]bool{}
	for _, o := range origins {
		if strings.TrimSpace(o) == "" {
			continue
		}
		n := NormalizeOrigin(o)
		if n == "" {
			return nil, Invalid([]FieldError{{Field: "frame_origins", Key: "embed.origin", Params: map[string]any{"Value": strings.TrimSpace(o)}}})
		}
		if !seen[n] {
			seen[n] = true
			clean = append(clean, n)
		}
	}
	if len(clean) > maxFrameOrigins {
		return nil, Invalid([]FieldError{{Field: "frame_origins", Key: "embed.too_many", Params: map[string]any{"Max": maxFrameOrigins}}})
	}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO region_embed (tenant_id, frame_origins) VALUES ($1, $2)
			ON CONFLICT (tenant_id) DO UPDATE SET frame_origins = EXCLUDED.frame_origins, updated_at = now()`, tid, pq.StringArray(clean))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("set frame origins: %w", err)
	}
	return clean, nil
}
