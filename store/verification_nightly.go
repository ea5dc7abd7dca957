package store

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"

	"katalogpes/tenants"
)

// RecheckAfter is how old a check may grow before the nightly check takes
// the listing again: every published listing is checked at least monthly.
const RecheckAfter = 27 * 24 * time.Hour

// NightlyConfig paces the nightly check. Between FromHour and ToHour
// (Polish time) it takes Batch listings every Every, so a month's checks
// spread over the nights and the registries' limits hold.
type NightlyConfig struct {
	Every            time.Duration
	Batch            int
	FromHour, ToHour int
	Log              *slog.Logger
	Compose          func(FlagMail) Mail
}

// RunNightly runs the nightly check until ctx ends; safe beside the same
// job on other nodes.
func (r *Registries) RunNightly(ctx context.Context, cfg NightlyConfig) {
	if cfg.Every <= 0 {
		cfg.Every = 5 * time.Minute
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 20
	}
	if cfg.ToHour == 0 {
		cfg.FromHour, cfg.ToHour = 1, 5
	}
	tick := time.NewTicker(cfg.Every)
	defer tick.Stop()
	for {
		now := r.db.now().In(warsaw)
		if h := now.Hour(); h >= cfg.FromHour && h < cfg.ToHour {
			n, err := r.CheckNight(ctx, Night(now), cfg.Batch, cfg.Compose)
			if err != nil && ctx.Err() == nil {
				cfg.Log.Warn("nightly registry check", "err", err)
			} else if n > 0 {
				cfg.Log.Info("nightly registry check", "listings", n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Night is the Polish calendar day a night's check belongs to.
func Night(t time.Time) time.Time {
	t = t.In(warsaw)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// CheckNight takes up to n due listings for the night and checks them.
// Taking marks them with the night in one statement under SKIP LOCKED, so
// two workers never take one listing, and none takes it twice a night.
func (r *Registries) CheckNight(ctx context.Context, night time.Time, n int, compose func(FlagMail) Mail) (int, error) {
	all := tenants.WithAllTenants(ctx)
	var due []checked
	err := r.db.tx(all, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO listing_verifications (listing_id, tenant_id)
			SELECT id, tenant_id FROM listings
			WHERE status = 'published' AND (nip IS NOT NULL OR krs IS NOT NULL OR coalesce(data->>'regon', '') <> '')
			ON CONFLICT (listing_id) DO NOTHING`); err != nil {
			return fmt.Errorf("seed verifications: %w", err)
		}
		// Answers long past their use go, so the cache stays small.
		if _, err := tx.ExecContext(ctx, `DELETE FROM registry_cache WHERE expires_at < $1`, r.db.now().Add(-RegistryAnswerTTL)); err != nil {
			return fmt.Errorf("trim registry cache: %w", err)
		}
		var ids []string
		if err := tx.SelectContext(ctx, &ids, `
			WITH due AS (
				SELECT v.listing_id FROM listing_verifications v
				JOIN listings l ON l.id = v.listing_id AND l.status = 'published'
				WHERE (v.night IS NULL OR v.night < $1) AND (v.checked_at IS NULL OR v.checked_at < $2)
				ORDER BY v.checked_at NULLS FIRST, v.listing_id
				LIMIT $3
				FOR UPDATE OF v SKIP LOCKED)
			UPDATE listing_verifications v SET night = $1 FROM due WHERE v.listing_id = due.listing_id
			RETURNING v.listing_id`, night, r.db.now().Add(-RecheckAfter), n); err != nil {
			return fmt.Errorf("take due listings: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		q, args, err := sqlx.In(checkedSelect+` WHERE l.id IN (?)`, ids)
		if err != nil {
			return err
		}
		return tx.SelectContext(ctx, &due, tx.Rebind(q), args...)
	})
	if err != nil {
		return 0, err
	}
	for _, l := range due {
		if err := r.check(all, l, true, compose); err != nil {
			return 0, fmt.Errorf("check listing %s: %w", l.ID, err)
		}
	}
	return len(due), nil
}
