package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"katalogpes/tenants"
)

// NeedFilter is a public list of needs: open ones (published, deadline
// ahead) or closed ones kept as examples. Drafts, pending, rejected and
// withdrawn needs are never listed.
type NeedFilter struct {
	Q          string
	Categories []string
	Kinds      []string
	Serves     []string // gmina or powiat codes of the place of delivery
	Closed     bool
	IDs        []string // only these (the order of a search's hits)
	Page       int
	PerPage    int
}

// FindPublicNeeds lists public needs of the context's tenant, or of every
// region in the all-tenants scope (the national list), soonest deadline
// first for open needs, newest closed first otherwise.
func (db *DB) FindPublicNeeds(ctx context.Context, f NeedFilter) ([]Need, int, error) {
	b := &sqlBuilder{}
	where := []string{}
	if t, ok := tenants.FromContext(ctx); ok {
		where = append(where, "n.tenant_id = "+b.arg(t.ID))
	} else if !tenants.AllTenants(ctx) {
		return nil, 0, ErrNoScope
	}
	order := "n.deadline, n.id"
	if f.Closed {
		where = append(where, "n.status = 'closed'")
		order = "n.closed_at DESC, n.id"
	} else {
		where = append(where, "n.status = 'published'", "n.deadline > "+b.arg(db.now()))
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		where = append(where, "n.search_text LIKE '%' || fold_pl("+b.arg(q)+") || '%'")
	}
	if len(f.Categories) > 0 {
		where = append(where, "n.categories && "+b.arg(pq.Array(f.Categories))+"::text[]")
	}
	if len(f.Kinds) > 0 {
		where = append(where, "n.kind = ANY("+b.arg(pq.Array(f.Kinds))+"::text[])")
	}
	if len(f.Serves) > 0 {
		s := b.arg(pq.Array(f.Serves))
		where = append(where, `EXISTS (SELECT 1 FROM unnest(n.place) pl WHERE pl = ANY(`+s+`::text[])
			OR left(pl, 4) = ANY(`+s+`::text[]) OR pl = ANY(SELECT left(x, 4) FROM unnest(`+s+`::text[]) x))`)
	}
	if f.IDs != nil {
		where = append(where, "n.id::text = ANY("+b.arg(pq.Array(f.IDs))+"::text[])")
	}
	if f.PerPage <= 0 || f.PerPage > 100 {
		f.PerPage = 20
	}
	if f.Page < 1 {
		f.Page = 1
	}
	list := []Need{}
	var total int
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		w := joinAnd(where)
		if err := tx.GetContext(ctx, &total, `SELECT count(*) FROM needs n WHERE `+w, b.args...); err != nil {
			return fmt.Errorf("count needs: %w", err)
		}
		return tx.SelectContext(ctx, &list, needSelect+` WHERE `+w+` ORDER BY `+order+
			` LIMIT `+strconv.Itoa(f.PerPage)+` OFFSET `+strconv.Itoa((f.Page-1)*f.PerPage), b.args...)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("public needs: %w", err)
	}
	return list, total, nil
}

// NeedIndexJob is a need whose search document is due, with its region.
type NeedIndexJob struct {
	ID         int64  `db:"id"`
	NeedID     string `db:"need_id"`
	TenantSlug string `db:"tenant_slug"`
}

// ClaimNeedIndexJobs leases up to limit due jobs (all-tenants scope);
// a crashed worker's lease runs out and another takes them.
func (db *DB) ClaimNeedIndexJobs(ctx context.Context, limit int) ([]NeedIndexJob, error) {
	var list []NeedIndexJob
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &list, `
			UPDATE need_index_outbox o SET available_at = now() + interval '1 minute', attempts = attempts + 1
			FROM tenants t
			WHERE t.id = o.tenant_id AND o.id IN (SELECT id FROM need_index_outbox WHERE available_at <= now()
			                                      ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
			RETURNING o.id, o.need_id, t.slug AS tenant_slug`, limit)
	})
	if err != nil {
		return nil, fmt.Errorf("claim need index jobs: %w", err)
	}
	return list, nil
}

// FinishNeedIndexJobs deletes done jobs.
func (db *DB) FinishNeedIndexJobs(ctx context.Context, ids []int64) error {
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM need_index_outbox WHERE id = ANY($1::bigint[])`, pq.Array(ids))
		return err
	})
}

// FindNeedsByID reads needs in any status (all-tenants scope), for the
// indexer: those missing or no longer open are left out of the result.
func (db *DB) FindNeedsByID(ctx context.Context, ids []string) ([]Need, error) {
	list := []Need{}
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &list, needSelect+` WHERE n.id::text = ANY($1::text[])`, pq.Array(ids))
	})
	if err != nil {
		return nil, fmt.Errorf("read needs to index: %w", err)
	}
	return list, nil
}

// NeedStats are the figures of socially responsible purchasing: needs
// posted (published), answered, awarded, the value awarded and the
// entities that won, overall and by kind, category, powiat and month.
type NeedStats struct {
	NeedFigures
	ByKind     map[string]NeedFigures `json:"by_kind"`
	ByCategory map[string]NeedFigures `json:"by_category"`
	ByPowiat   map[string]NeedFigures `json:"by_powiat"`
	ByMonth    []MonthFigures         `json:"by_month"`
	ByTenant   map[string]NeedFigures `json:"by_tenant,omitempty"`
}

// NeedFigures are one group's counts.
type NeedFigures struct {
	Posted       int     `db:"posted" json:"posted"`
	Answered     int     `db:"answered" json:"answered"`
	Awarded      int     `db:"awarded" json:"awarded"`
	AwardedValue float64 `db:"awarded_value" json:"awarded_value_pln"`
	EntitiesWon  int     `db:"entities_won" json:"entities_won"`
}

// MonthFigures are a month's counts (by the month of publishing).
type MonthFigures struct {
	Month string `db:"key" json:"month"`
	NeedFigures
}

// needFiguresSQL counts one group of base's needs; the winners are
// counted once each across the group's needs.
const needFiguresSQL = `count(*)::int AS posted, count(*) FILTER (WHERE answered)::int AS answered,
	count(*) FILTER (WHERE outcome = 'awarded')::int AS awarded,
	coalesce(sum(value) FILTER (WHERE outcome = 'awarded'), 0)::float8 AS awarded_value,
	(SELECT count(DISTINCT w) FROM base b2, unnest(b2.awarded_to) AS w
	 WHERE b2.outcome = 'awarded' AND b2.id = ANY(array_agg(base.id)))::int AS entities_won`

// FindNeedStats counts the context's tenant, or every region (with
// by_tenant) in the all-tenants scope.
func (db *DB) FindNeedStats(ctx context.Context) (*NeedStats, error) {
	b := &sqlBuilder{}
	scope := "true"
	t, regional := tenants.FromContext(ctx)
	if regional {
		scope = "n.tenant_id = " + b.arg(t.ID)
	}
	base := `WITH base AS (
		SELECT n.id, t.slug, n.kind, n.categories, n.outcome, n.awarded_to, coalesce(n.value_pln, 0)::float8 AS value,
		       to_char(n.published_at AT TIME ZONE 'Europe/Warsaw', 'YYYY-MM') AS month,
		       ARRAY(SELECT DISTINCT left(p, 4) FROM unnest(n.place) AS p) AS powiats,
		       EXISTS (SELECT 1 FROM need_answers a WHERE a.need_id = n.id) AS answered
		FROM needs n JOIN tenants t ON t.id = n.tenant_id
		WHERE ` + scope + ` AND n.published_at IS NOT NULL AND n.status IN ('published', 'closed')) `
	type keyed struct {
		Key string `db:"key"`
		NeedFigures
	}
	s := &NeedStats{ByKind: map[string]NeedFigures{}, ByCategory: map[string]NeedFigures{}, ByPowiat: map[string]NeedFigures{}, ByMonth: []MonthFigures{}}
	groups := []struct {
		key, from string
		into      map[string]NeedFigures
	}{
		{"''", "base", nil},
		{"kind", "base", s.ByKind},
		{"c", "base, unnest(base.categories) AS c", s.ByCategory},
		{"pw", "base, unnest(base.powiats) AS pw", s.ByPowiat},
	}
	if !regional {
		s.ByTenant = map[string]NeedFigures{}
		groups = append(groups, struct {
			key, from string
			into      map[string]NeedFigures
		}{"slug", "base", s.ByTenant})
	}
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		for _, g := range groups {
			var list []keyed
			q := base + `SELECT ` + g.key + ` AS key, ` + needFiguresSQL + ` FROM ` + g.from + ` GROUP BY 1 ORDER BY 1`
			if err := tx.SelectContext(ctx, &list, q, b.args...); err != nil {
				return fmt.Errorf("needs by %s: %w", g.key, err)
			}
			for _, k := range list {
				if g.into == nil {
					s.NeedFigures = k.NeedFigures
				} else {
					g.into[k.Key] = k.NeedFigures
				}
			}
		}
		q := base + `SELECT month AS key, ` + needFiguresSQL + ` FROM base GROUP BY 1 ORDER BY 1`
		return tx.SelectContext(ctx, &s.ByMonth, q, b.args...)
	})
	if err != nil {
		return nil, fmt.Errorf("need figures: %w", err)
	}
	return s, nil
}
