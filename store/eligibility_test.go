package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// monthsAgo is the day n months before today, as listing data writes it.
func monthsAgo(n int) string { return time.Now().AddDate(0, -n, 0).Format("2006-01-02") }

// lapsesOn is the last day figures as of asOf count.
func lapsesOn(t *testing.T, asOf string) string {
	d, err := time.Parse("2006-01-02", asOf)
	if err != nil {
		t.Fatal(err)
	}
	return store.FiguresLapseOn(d).Format("2006-01-02")
}

func employed(total, atRisk int, asOf string) *store.Employment {
	return &store.Employment{Total: total, AtRisk: atRisk, AsOf: asOf}
}

func TestReservedContractsNeedKindOrAimAndCurrentFiguresOfThirtyPercent(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	p := storetest.NewPublisher(t, db)
	coop := func(e *store.Employment) store.ListingData {
		return store.ListingData{LegalForm: "spoldzielnia_socjalna", Kinds: []string{"spoldzielnia_socjalna"}, Address: katowice("Katowice"), Employment: e}
	}
	foundation := func(aim bool, e *store.Employment) store.ListingData {
		return store.ListingData{LegalForm: "fundacja", Kinds: []string{"ngo_odplatna"}, ReintegrationAim: aim, Address: katowice("Katowice"), Employment: e}
	}
	cases := []struct {
		name      string
		data      store.ListingData
		eligible  bool
		basis     *store.Basis // nil: none
		otherSlug bool
	}{
		{"coop 20%", coop(employed(10, 2, monthsAgo(1))), false, nil, false},
		{"coop 35% 11 months", coop(employed(20, 7, monthsAgo(11))), true,
			&store.Basis{Reason: "kind", Kind: "spoldzielnia_socjalna", AtRiskShare: 35, AsOf: monthsAgo(11), LapsesOn: lapsesOn(t, monthsAgo(11))}, false},
		{"coop 35% 13 months", coop(employed(20, 7, monthsAgo(13))), false,
			&store.Basis{Reason: "kind", Kind: "spoldzielnia_socjalna", AtRiskShare: 35, AsOf: monthsAgo(13), LapsesOn: lapsesOn(t, monthsAgo(13))}, false},
		{"coop no figures", coop(nil), false, nil, false},
		{"foundation aim 40%", foundation(true, employed(10, 4, monthsAgo(2))), true,
			&store.Basis{Reason: "reintegration_aim", AtRiskShare: 40, AsOf: monthsAgo(2), LapsesOn: lapsesOn(t, monthsAgo(2))}, false},
		{"foundation no aim 40%", foundation(false, employed(10, 4, monthsAgo(2))), false, nil, false},
		{"zpch 30% elsewhere", store.ListingData{LegalForm: "inna", Kinds: []string{"zpch"}, Employment: employed(10, 3, monthsAgo(6)),
			Address: store.Address{City: "Kraków", PostalCode: "30-001", GminaTERYT: "1261011"}}, true,
			&store.Basis{Reason: "kind", Kind: "zpch", AtRiskShare: 30, AsOf: monthsAgo(6), LapsesOn: lapsesOn(t, monthsAgo(6))}, true},
	}
	wantFound := map[string]bool{}
	for _, c := range cases {
		slug := "slaskie"
		if c.otherSlug {
			slug = "malopolskie"
		}
		c.data.Name = c.name
		id := p.Publish(slug, c.data)
		l, err := db.FindListingByID(storetest.Ctx(t, db, slug, tenants.Principal{}), id)
		if err != nil {
			t.Fatal(err)
		}
		if l.ReservedContractsEligible != c.eligible || fmt.Sprint(l.ReservedContractsBasis) != fmt.Sprint(c.basis) {
			t.Errorf("%s: eligible %v basis %+v, want %v %+v", c.name, l.ReservedContractsEligible, l.ReservedContractsBasis, c.eligible, c.basis)
		}
		if c.eligible {
			wantFound[c.name] = true
		}
	}
	// The SQL of search's fallback and of exports says the same.
	all := tenants.WithAllTenants(context.Background())
	res, err := db.FallbackSearch(all, store.FallbackQuery{PerPage: 50, ListingFilter: store.ListingFilter{ReservedContracts: true}})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(res); len(got) != len(wantFound) || !wantFound[got[0]] || !wantFound[got[1]] || !wantFound[got[2]] {
		t.Errorf("reserved_contracts found %v, want %v", got, wantFound)
	}
	slaskie := storetest.Ctx(t, db, "slaskie", tenants.Principal{})
	exported, err := db.ExportPage(slaskie, store.ListingFilter{ReservedContracts: true}, "", 50)
	if err != nil || len(exported) != 2 {
		t.Errorf("export of reserved: %d listings (%v), want the two of slaskie", len(exported), err)
	}
}

func TestAtRiskMinAndPSPreferenceFilterPublishedListings(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	p := storetest.NewPublisher(t, db)
	inForce := &store.SocialEnterprise{DecisionNo: "PS/1/2025", DecisionDate: "2025-03-01"}
	withdrawn := &store.SocialEnterprise{DecisionNo: "PS/2/2024", DecisionDate: "2024-03-01", WithdrawnAt: monthsAgo(1)}
	p.Publish("slaskie", store.ListingData{Name: "Share 40", Employment: employed(10, 4, monthsAgo(1)), Address: katowice("Katowice"), SocialEnterprise: inForce})
	p.Publish("slaskie", store.ListingData{Name: "Share 60", Employment: employed(10, 6, monthsAgo(1)), Address: katowice("Katowice"), SocialEnterprise: withdrawn})
	p.Publish("slaskie", store.ListingData{Name: "Share 60 old", Employment: employed(10, 6, monthsAgo(13)), Address: katowice("Katowice")})
	p.Publish("malopolskie", store.ListingData{Name: "Share 100 elsewhere", Employment: employed(3, 3, monthsAgo(1)), SocialEnterprise: inForce,
		Address: store.Address{City: "Kraków", PostalCode: "30-001", GminaTERYT: "1261011"}})
	slaskie := storetest.Ctx(t, db, "slaskie", tenants.Principal{})
	cases := []struct {
		f    store.ListingFilter
		want string
	}{
		{store.ListingFilter{AtRiskMin: 50}, "[Share 60]"},
		{store.ListingFilter{AtRiskMin: 40}, "[Share 40 Share 60]"},
		{store.ListingFilter{AtRiskMin: 61}, "[]"},
		{store.ListingFilter{PSPreference: true}, "[Share 40]"},
		{store.ListingFilter{PSPreference: true, AtRiskMin: 50}, "[]"},
	}
	for _, c := range cases {
		res, err := db.FallbackSearch(slaskie, store.FallbackQuery{Facets: true, ListingFilter: c.f})
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(nonNilNames(names(res))); got != c.want || res.Total != len(res.Hits) {
			t.Errorf("%+v found %s (total %d), want %s", c.f, got, res.Total, c.want)
		}
		exported, err := db.ExportPage(slaskie, c.f, "", 50)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range exported {
			got = append(got, l.Name)
		}
		if len(got) != len(res.Hits) {
			t.Errorf("%+v exported %v, searched %s", c.f, got, c.want)
		}
	}
	l, err := db.FindListingByID(slaskie, mustFind(t, db, slaskie, "Share 40"))
	if err != nil || !l.PSPreferenceEligible {
		t.Errorf("a social enterprise in force: ps_preference_eligible %v (%v)", l != nil && l.PSPreferenceEligible, err)
	}
}

func nonNilNames(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func mustFind(t *testing.T, db *storetest.DB, ctx context.Context, name string) string {
	t.Helper()
	res, err := db.FallbackSearch(ctx, store.FallbackQuery{Q: name})
	if err != nil || len(res.Hits) == 0 {
		t.Fatalf("find %q: %v", name, err)
	}
	return res.Hits[0].Listing.ID
}

// admin runs SQL past row-level security, as time passing would: the
// listing itself is not edited, so nothing queues it for the index.
func admin(t *testing.T, db *storetest.DB, query string, args ...any) {
	t.Helper()
	conn, err := sql.Open("postgres", db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// drainOutbox empties the search outbox and returns the listing ids it held.
func drainOutbox(t *testing.T, db *storetest.DB) []string {
	t.Helper()
	ctx := tenants.WithAllTenants(context.Background())
	jobs, err := db.ClaimIndexBatch(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	var jobIDs []int64
	for _, j := range jobs {
		ids = append(ids, j.ListingID)
		jobIDs = append(jobIDs, j.ID)
	}
	if err := db.CompleteIndexJobs(ctx, jobIDs); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestRecomputeQueuesListingsWhoseDerivedStateChangedWithTime(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	p := storetest.NewPublisher(t, db)
	// Figures that count for three more days.
	justUnderAYear := time.Now().AddDate(-1, 0, 3).Format("2006-01-02")
	ageing := p.Publish("slaskie", store.ListingData{Name: "Ageing", Kinds: []string{"spoldzielnia_socjalna"}, Employment: employed(10, 4, justUnderAYear), Address: katowice("Katowice")})
	p.Publish("slaskie", store.ListingData{Name: "Fresh", Kinds: []string{"spoldzielnia_socjalna"}, Employment: employed(10, 4, monthsAgo(1)), Address: katowice("Katowice")})
	withdrawing := p.Publish("malopolskie", store.ListingData{Name: "Withdrawn", Address: store.Address{City: "Kraków", PostalCode: "30-001", GminaTERYT: "1261011"},
		SocialEnterprise: &store.SocialEnterprise{DecisionNo: "PS/1", DecisionDate: "2025-01-01", WithdrawnAt: time.Now().AddDate(0, 0, 3).Format("2006-01-02")}})
	drainOutbox(t, db)
	all := tenants.WithAllTenants(context.Background())
	if n, err := db.RecomputeAgedListings(all); err != nil || n != 0 {
		t.Fatalf("first run: queued %d (%v), want nothing: nothing changed since yesterday", n, err)
	}
	l, err := db.FindListingByID(storetest.Ctx(t, db, "slaskie", tenants.Principal{}), ageing)
	if err != nil || !l.ReservedContractsEligible {
		t.Fatalf("figures three days short of a year do not count: %+v (%v)", l.ReservedContractsBasis, err)
	}
	// Five days pass: the figures of Ageing are now two days past their
	// twelve months, and the status of Withdrawn ended two days ago. The
	// last run was five days ago.
	shift := func(id, path string) {
		admin(t, db, `UPDATE listings SET data = jsonb_set(data, $2::text[], to_jsonb(to_char((data #>> $2::text[])::date - 5, 'YYYY-MM-DD'))) WHERE id = $1`, id, path)
	}
	shift(ageing, "{employment,as_of}")
	shift(withdrawing, "{social_enterprise,withdrawn_at}")
	admin(t, db, `UPDATE eligibility_recompute SET last_day = current_date - 5`)
	l, err = db.FindListingByID(storetest.Ctx(t, db, "slaskie", tenants.Principal{}), ageing)
	if err != nil || l.ReservedContractsEligible {
		t.Fatalf("figures of 12 months and 2 days still count: %+v (%v)", l.ReservedContractsBasis, err)
	}
	if n, err := db.RecomputeAgedListings(all); err != nil || n != 2 {
		t.Fatalf("queued %d (%v), want the two whose state changed", n, err)
	}
	got := drainOutbox(t, db)
	if len(got) != 2 || !(got[0] == ageing && got[1] == withdrawing || got[1] == ageing && got[0] == withdrawing) {
		t.Fatalf("outbox held %v, want %s and %s", got, ageing, withdrawing)
	}
	if n, err := db.RecomputeAgedListings(all); err != nil || n != 0 {
		t.Fatalf("a second run the same day queued %d (%v)", n, err)
	}
}

func TestTheModeratorSeesAChangedIntegrationAim(t *testing.T) {
	before := store.ListingData{Name: "A", LegalForm: "fundacja"}
	after := before
	after.ReintegrationAim = true
	changes := store.DiffListings(before, after)
	if len(changes) != 1 || changes[0].Field != "reintegration_aim" || string(changes[0].After) != "true" {
		t.Fatalf("diff %+v, want reintegration_aim false → true", changes)
	}
}
