package search_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"katalogpes/search"
	"katalogpes/store"
	"katalogpes/tenants"
)

func day(t time.Time) string { return t.Format("2006-01-02") }

func figures(total, atRisk int, asOf time.Time) *store.Employment {
	return &store.Employment{Total: total, AtRisk: atRisk, AsOf: day(asOf)}
}

func TestAtRiskMinAndPSPreferenceFindTheSameInTheIndexAndTheFallback(t *testing.T) {
	e := newEnv(t)
	startWorker(t, e.svc)
	now := time.Now()
	inForce := &store.SocialEnterprise{DecisionNo: "PS/1/2025", DecisionDate: "2025-03-01"}
	withdrawn := &store.SocialEnterprise{DecisionNo: "PS/2/2024", DecisionDate: "2024-03-01", WithdrawnAt: day(now.AddDate(0, -1, 0))}
	e.pub.Publish("slaskie", store.ListingData{Name: "Fundacja Czterdzieści", Address: katowice, Employment: figures(10, 4, now.AddDate(0, -1, 0)), SocialEnterprise: inForce})
	e.pub.Publish("slaskie", store.ListingData{Name: "Fundacja Sześćdziesiąt", Address: gliwice, Employment: figures(10, 6, now.AddDate(0, -1, 0)), SocialEnterprise: withdrawn})
	e.pub.Publish("slaskie", store.ListingData{Name: "Fundacja Dawna", Address: gliwice, Employment: figures(10, 6, now.AddDate(0, -13, 0))})
	e.pub.Publish("malopolskie", store.ListingData{Name: "Fundacja Krakowska", Address: krakow, Employment: figures(5, 5, now.AddDate(0, -1, 0)), SocialEnterprise: inForce})
	e.waitIndexed(4)
	pg := e.service("http://127.0.0.1:1") // Meilisearch unreachable: PostgreSQL answers
	cases := []struct {
		q    search.Query
		want string
	}{
		{search.Query{Tenant: "slaskie", ListingFilter: store.ListingFilter{AtRiskMin: 50}}, "[Fundacja Sześćdziesiąt]"},
		{search.Query{Tenant: "slaskie", ListingFilter: store.ListingFilter{AtRiskMin: 40}}, "[Fundacja Czterdzieści Fundacja Sześćdziesiąt]"},
		{search.Query{ListingFilter: store.ListingFilter{AtRiskMin: 100}}, "[Fundacja Krakowska]"},
		{search.Query{ListingFilter: store.ListingFilter{PSPreference: true}}, "[Fundacja Czterdzieści Fundacja Krakowska]"},
		{search.Query{Tenant: "slaskie", ListingFilter: store.ListingFilter{PSPreference: true, AtRiskMin: 50}}, "[]"},
	}
	for _, c := range cases {
		for name, svc := range map[string]*search.Service{"meilisearch": e.svc, "postgresql": pg} {
			res := e.search(svc, c.q)
			if got := sorted(hitNames(res)); fmtList(got) != c.want || res.Total != len(got) {
				t.Errorf("%s %+v: %v (total %d), want %s", name, c.q.ListingFilter, got, res.Total, c.want)
			}
			for _, h := range res.Hits {
				if c.q.PSPreference && !h.PSPreferenceEligible {
					t.Errorf("%s: hit %s has no ps_preference_eligible", name, h.Name)
				}
			}
		}
	}
}

func fmtList(s []string) string {
	out := "["
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out + "]"
}

// adminExec runs SQL past row-level security, as time passing would: the
// listing itself is not edited, so nothing queues it for the index.
func adminExec(t *testing.T, e *env, query string, args ...any) {
	t.Helper()
	conn, err := sql.Open("postgres", e.db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func TestAgeingRecomputeTakesLapsedFiguresOutOfReservedResultsWithoutAnEdit(t *testing.T) {
	e := newEnv(t)
	startWorker(t, e.svc)
	now := time.Now()
	// Figures that count for three more days when indexed.
	ageing := e.pub.Publish("slaskie", store.ListingData{Name: "Spółdzielnia Starzejąca", Kinds: []string{"spoldzielnia_socjalna"},
		Address: katowice, Employment: figures(10, 4, now.AddDate(-1, 0, 3))})
	e.pub.Publish("slaskie", store.ListingData{Name: "Spółdzielnia Świeża", Kinds: []string{"spoldzielnia_socjalna"},
		Address: katowice, Employment: figures(10, 4, now.AddDate(0, -1, 0))})
	e.waitIndexed(2)
	reserved := func() []string {
		return sorted(hitNames(e.search(e.svc, search.Query{Tenant: "slaskie", ListingFilter: store.ListingFilter{ReservedContracts: true}})))
	}
	if got := fmtList(reserved()); got != "[Spółdzielnia Starzejąca Spółdzielnia Świeża]" {
		t.Fatalf("reserved before: %s", got)
	}
	// Five days pass (the figures move five days back): they are now two
	// days past their twelve months. The last recompute ran five days ago.
	adminExec(t, e, `UPDATE listings SET data = jsonb_set(data, '{employment,as_of}',
		to_jsonb(to_char((data #>> '{employment,as_of}')::date - 5, 'YYYY-MM-DD'))) WHERE id = $1`, ageing)
	adminExec(t, e, `UPDATE eligibility_recompute SET last_day = current_date - 5`)
	time.Sleep(300 * time.Millisecond) // the worker would have picked up anything queued
	if got := fmtList(reserved()); got != "[Spółdzielnia Starzejąca Spółdzielnia Świeża]" {
		t.Fatalf("the index changed with no edit and no recompute: %s", got)
	}
	n, err := e.db.RecomputeAgedListings(tenants.WithAllTenants(context.Background()))
	if err != nil || n != 1 {
		t.Fatalf("recompute queued %d (%v), want the ageing listing", n, err)
	}
	e.svc.Notify()
	eventually(t, indexWait, "lapsed listing out of reserved results", func() bool {
		return fmtList(reserved()) == "[Spółdzielnia Świeża]"
	})
	res := e.search(e.svc, search.Query{Tenant: "slaskie", Q: "starzejąca"})
	if len(res.Hits) != 1 || res.Hits[0].ReservedContractsEligible {
		t.Errorf("the lapsed listing: %+v, want it found without the badge", res.Hits)
	}
}
