package store_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// BenchmarkNeedMatching matches and notifies one need over 100,000
// published listings of śląskie (a third of them cleaning, spread over the
// region's gminas with their own powiat or gmina as service area): one
// op is a published need taken from the queue until its last mail is
// queued (MatchNextNeed commits them together).
func BenchmarkNeedMatching(b *testing.B) {
	db := storetest.New(b)
	storetest.LoadTERYT(b, db)
	raw, err := sql.Open("postgres", db.URL)
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	tn := storetest.Tenants(b, db)["slaskie"]
	start := time.Now()
	if _, err := raw.Exec(`
		WITH g AS (SELECT array_agg(code ORDER BY code) AS codes FROM teryt_gminas WHERE left(code, 2) = '24')
		INSERT INTO listings (tenant_id, status, data, published_at)
		SELECT $1, 'published', jsonb_build_object(
		         'name', 'Spółdzielnia Socjalna nr ' || i, 'legal_form', 'spoldzielnia_socjalna', 'kinds', '["spoldzielnia_socjalna"]'::jsonb,
		         'description', 'Usługi dla firm i urzędów.',
		         'categories', CASE WHEN i % 3 = 0 THEN '["sprzatanie"]'::jsonb ELSE '["catering"]'::jsonb END,
		         'address', jsonb_build_object('gmina_teryt', g.codes[1 + i % array_length(g.codes, 1)]),
		         'service_area', CASE WHEN i % 2 = 0
		             THEN jsonb_build_object('scope', 'powiats', 'teryt', jsonb_build_array(left(g.codes[1 + i % array_length(g.codes, 1)], 4)))
		             ELSE jsonb_build_object('scope', 'gminas', 'teryt', jsonb_build_array(g.codes[1 + i % array_length(g.codes, 1)])) END,
		         'contact', jsonb_build_object('email', 'biuro' || i || '@example.org'),
		         'employment', jsonb_build_object('total', 10, 'at_risk', 2 + i % 5, 'as_of', to_char(now() - interval '30 days', 'YYYY-MM-DD'))),
		       now()
		FROM generate_series(1, 100000) AS i, g`, tn.ID); err != nil {
		b.Fatal(err)
	}
	if _, err := raw.Exec(`ANALYZE listings; UPDATE need_settings SET skip_review = true, match_limit = 50`); err != nil {
		b.Fatal(err)
	}
	b.Logf("100,000 listings in %s", time.Since(start).Round(time.Millisecond))
	all := tenants.WithAllTenants(context.Background())
	buyer := newBenchBuyer(b, db)
	compose := func(n store.NeedNotice) store.NoticeMail {
		return store.NoticeMail{Mail: store.Mail{Subject: n.Need.Title, Body: n.InterestedToken + " " + n.DeclineToken}, Link: "/x"}
	}
	share := 40
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		n, err := db.CreateNeed(buyer, store.NeedInput{Title: "Sprzątanie", Description: "Sprzątanie urzędów w powiecie.", Kind: "zastrzezone_94",
			Categories: []string{"sprzatanie"}, PlaceOfDelivery: []string{"2469"}, Deadline: time.Now().Add(72 * time.Hour), MinAtRisk: &share})
		if err == nil {
			_, err = db.SubmitNeed(buyer, n.ID)
		}
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := db.MatchNextNeed(all, compose)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Notified), "notified/op")
	}
}

func newBenchBuyer(b *testing.B, db *storetest.DB) context.Context {
	b.Helper()
	ctx := storetest.Ctx(b, db, "slaskie", tenants.Principal{})
	email := storetest.Unique("zamowienia@um.katowice.pl")
	a, err := db.RegisterBuyer(ctx, store.NewAccount{Email: email, Name: "Jan", Password: "correct horse battery staple"},
		store.Institution{Name: "Urząd Miasta Katowice", NIP: "5260250274", TERYT: "2469011"}, func(string) store.Mail { return store.Mail{To: email, Subject: "v", Body: "v"} })
	if err != nil {
		b.Fatal(err)
	}
	return storetest.Ctx(b, db, "slaskie", tenants.Principal{AccountID: a.ID, Name: a.Name, Role: tenants.RoleBuyer})
}
