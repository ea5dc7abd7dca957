package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"

	"katalogpes/tenants"
)

// Reserved contracts (art. 94 of the public procurement law) and the
// social-enterprise preference, as DOMAIN.md reads them. The rules live
// here twice, in Go for a listing read and in SQL for the filters; the
// tests hold the two together.

// MinAtRiskShare is the lowest share of employees at risk of exclusion, in
// percent, that art. 94 ust. 2 lets a buyer ask for.
const MinAtRiskShare = 30

// dateLayout is how the listing data writes a day.
const dateLayout = "2006-01-02"

// AtRiskFigures are a listing's employment figures as they count for
// reserved contracts on some day.
type AtRiskFigures struct {
	Share    int    // employees at risk among all, percent rounded down
	AsOf     string // the day the figures are true for
	LapsesOn string // the last day they count: AsOf plus 12 months
	Future   bool   // AsOf lies more than a day ahead: not true yet
	Current  bool   // they count today
}

// FiguresLapseOn is the last day figures as of asOf count: twelve months
// on, or the month's last day when that day does not exist (29 February),
// as PostgreSQL's date + interval '12 months' has it.
func FiguresLapseOn(asOf time.Time) time.Time {
	d := asOf.AddDate(1, 0, 0)
	if d.Day() != asOf.Day() {
		d = d.AddDate(0, 0, -d.Day())
	}
	return d
}

// AtRiskFigures reads the employment figures as of now's date; false when
// there are none to count (no employees, no valid date).
func (d *ListingData) AtRiskFigures(now time.Time) (AtRiskFigures, bool) {
	e := d.Employment
	if e == nil || e.Total <= 0 || e.AtRisk < 0 {
		return AtRiskFigures{}, false
	}
	asOf, err := time.Parse(dateLayout, e.AsOf)
	if err != nil {
		return AtRiskFigures{}, false
	}
	today := now.Format(dateLayout)
	f := AtRiskFigures{Share: e.AtRisk * 100 / e.Total, AsOf: e.AsOf, LapsesOn: FiguresLapseOn(asOf).Format(dateLayout)}
	f.Future = e.AsOf > now.AddDate(0, 0, 1).Format(dateLayout)
	f.Current = !f.Future && today <= f.LapsesOn
	return f, true
}

// reservedReason says what opens reserved contracts to the listing apart
// from its figures: a social cooperative or a sheltered workshop (ZPCH),
// else the stated integration aim; "" when neither.
func (d *ListingData) reservedReason() (reason, kind string) {
	for _, k := range d.Kinds {
		if k == "spoldzielnia_socjalna" || k == "zpch" {
			return "kind", k
		}
	}
	if d.LegalForm == "spoldzielnia_socjalna" {
		return "kind", "spoldzielnia_socjalna"
	}
	if d.ReintegrationAim {
		return "reintegration_aim", ""
	}
	return "", ""
}

// ReservedEligibility applies art. 94: a qualifying kind or the stated
// aim, and at least 30% of employees at risk by figures at most 12 months
// old. The kind alone never suffices. The basis is given whenever the kind
// or aim and the share hold, also once the figures have lapsed.
func (d *ListingData) ReservedEligibility(now time.Time) (bool, *Basis) {
	reason, kind := d.reservedReason()
	if reason == "" {
		return false, nil
	}
	f, ok := d.AtRiskFigures(now)
	if !ok || f.Future || f.Share < MinAtRiskShare {
		return false, nil
	}
	return f.Current, &Basis{Reason: reason, Kind: kind, AtRiskShare: f.Share, AsOf: f.AsOf, LapsesOn: f.LapsesOn}
}

// PSPreference reports whether municipalities may prefer the
// listing in contracts below 130,000 PLN: its social-enterprise status is
// in force (a decision, not withdrawn).
func (d *ListingData) PSPreference(now time.Time) bool {
	return d.SocialEnterprise != nil && d.SocialEnterprise.DecisionNo != "" && d.IsSocialEnterprise(now)
}

// eligibilityConditions are the filters of f on employment and status, on
// listings l, for search's fallback and exports alike; today yields the
// parameter holding today's date.
func eligibilityConditions(b *sqlBuilder, f ListingFilter, today func() string) []string {
	var where []string
	if f.ReservedContracts {
		where = append(where, reservedExpr(today()))
	}
	if f.AtRiskMin > 0 {
		where = append(where, "("+figuresCurrentExpr(today())+" AND "+atRiskShareAtLeast(b.arg(f.AtRiskMin))+")")
	}
	if f.PSPreference {
		where = append(where, psPreferenceExpr(today()))
	}
	return where
}

const employmentJSON = "l.data->'employment'"

// figuresCurrentExpr is AtRiskFigures' Current in SQL. today is a text
// parameter (other conditions compare it as text).
func figuresCurrentExpr(today string) string {
	e := employmentJSON
	asOf := `CASE WHEN (` + e + `->>'as_of') ~ '^\d{4}-\d{2}-\d{2}$' THEN (` + e + `->>'as_of')::date END`
	return `(jsonb_typeof(` + e + `) = 'object'
		AND coalesce((` + e + `->>'total')::int, 0) > 0
		AND ` + asOf + ` <= ` + today + `::text::date + 1
		AND (` + asOf + ` + interval '12 months')::date >= ` + today + `::text::date)`
}

// atRiskShareAtLeast holds when the share at risk is at least pct percent
// (exact: at_risk·100 ≥ pct·total, as the rounded-down share compares).
func atRiskShareAtLeast(pct string) string {
	e := employmentJSON
	return `coalesce((` + e + `->>'at_risk')::int, 0) * 100 >= (` + e + `->>'total')::int * ` + pct + `::int`
}

// reservedExpr is ListingData.ReservedEligibility in SQL.
func reservedExpr(today string) string {
	return `((l.kinds && ARRAY['spoldzielnia_socjalna', 'zpch'] OR l.legal_form = 'spoldzielnia_socjalna'
		OR l.data->'reintegration_aim' = 'true'::jsonb)
		AND ` + figuresCurrentExpr(today) + ` AND ` + atRiskShareAtLeast(fmt.Sprint(MinAtRiskShare)) + `)`
}

// psPreferenceExpr is ListingData.PSPreference in SQL.
func psPreferenceExpr(today string) string {
	return `(` + socialEnterpriseExpr(today) + ` AND coalesce(l.data->'social_enterprise'->>'decision_no', '') <> '')`
}

// dayChangesSQL lists, per published listing, the days on which what is
// derived from it changes with no edit: its figures start or stop counting
// (as_of, the day after as_of + 12 months), its status ends (withdrawn_at,
// the day after valid_until), a certificate expires.
const dayChangesSQL = `
	SELECT l.id, l.tenant_id, c.day
	FROM listings l
	CROSS JOIN LATERAL (
		SELECT iso_date_or_null(l.data->'employment'->>'as_of') - 1
		UNION ALL SELECT (iso_date_or_null(l.data->'employment'->>'as_of') + interval '12 months')::date + 1
		UNION ALL SELECT iso_date_or_null(l.data->'social_enterprise'->>'withdrawn_at')
		UNION ALL SELECT iso_date_or_null(l.data->'social_enterprise'->>'valid_until') + 1
		UNION ALL SELECT iso_date_or_null(cert->>'valid_until') + 1
		          FROM jsonb_array_elements(` + "CASE WHEN jsonb_typeof(l.data->'certificates') = 'array' THEN l.data->'certificates' ELSE '[]'::jsonb END" + `) AS cert
	) AS c(day)
	WHERE l.status = 'published'`

// RecomputeAgedListings queues for reindexing every published listing
// whose derived state changed with time since the last run (a day passed
// that dayChangesSQL names), and returns how many it queued. One run at a
// time across all nodes: the run holds the state row, and a node that
// finds it held returns at once. It needs the all-tenants scope.
func (db *DB) RecomputeAgedListings(ctx context.Context) (int, error) {
	today := db.now().Format(dateLayout)
	var queued int
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		var lastDay string
		err := tx.GetContext(ctx, &lastDay, `SELECT to_char(last_day, 'YYYY-MM-DD') FROM eligibility_recompute WHERE id = 1 FOR UPDATE SKIP LOCKED`)
		if errors.Is(err, sql.ErrNoRows) || err == nil && lastDay >= today {
			return nil // another node is at it, or today is done
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			WITH due AS (
				SELECT DISTINCT id, tenant_id FROM (`+dayChangesSQL+`) d
				WHERE d.day > $1::date AND d.day <= $2::date)
			INSERT INTO search_outbox (tenant_id, listing_id) SELECT tenant_id, id FROM due`, lastDay, today)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		queued = int(n)
		_, err = tx.ExecContext(ctx, `UPDATE eligibility_recompute SET last_day = $1::date WHERE id = 1`, today)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("recompute aged listings: %w", err)
	}
	return queued, nil
}

// RunAgedRecompute runs RecomputeAgedListings every `every` (an hour when
// zero or less) until ctx ends, across all tenants; notify, when set, is
// called after a run that queued anything (to wake the index worker).
func (db *DB) RunAgedRecompute(ctx context.Context, every time.Duration, log *slog.Logger, notify func()) {
	if every <= 0 {
		every = time.Hour
	}
	if log == nil {
		log = slog.Default()
	}
	ctx = tenants.WithAllTenants(ctx)
	for {
		n, err := db.RecomputeAgedListings(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("aged-listing recompute", "err", err)
		case n > 0:
			log.Info("aged listings queued for reindexing", "count", n)
			if notify != nil {
				notify()
			}
		}
		t := time.NewTimer(every)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}
