package main

import (
	"context"
	"fmt"
	"time"

	"katalogpes/store"
	"katalogpes/tenants"
)

// needKindName is the need row's name, which -only selects.
const needKindName = "need: match and notify"

// benchNeed is the need the benchmark publishes: cleaning or green work
// delivered in Warszawa, open to other regions, so that it fits a good
// share of the generated listings (the city draws most of them, and a
// tenth of every region serve the whole country).
var benchNeed = struct {
	tenant, gmina, powiat, voiv string
	categories                  []string
}{"mazowieckie", "1465011", "1465", "14", []string{"sprzatanie", "zielen"}}

// needMatchLimit is the region's match limit during the run: the most
// the settings allow, so that what is measured is many mails.
const needMatchLimit = 500

// fitsBenchNeed says whether a generated listing fits benchNeed as the
// matcher sees it: a category shared and a service area covering the
// place (the country, the voivodeship, the powiat, the gmina, or the
// seat there, by which a radius matches).
func fitsBenchNeed(l listing) bool {
	shared := false
	for _, c := range l.data.Categories {
		shared = shared || contains(benchNeed.categories, c)
	}
	if !shared {
		return false
	}
	a := l.data.ServiceArea
	switch {
	case a.Scope == "country", l.data.Address.GminaTERYT == benchNeed.gmina:
		return true
	case a.Scope == "voivodeships":
		return contains(a.TERYT, benchNeed.voiv)
	case a.Scope == "powiats":
		return contains(a.TERYT, benchNeed.powiat)
	case a.Scope == "gminas":
		return contains(a.TERYT, benchNeed.gmina)
	}
	return false
}

// needResult is publish → last mail queued for one need.
type needResult struct {
	fit, matched, mailed int
	total                time.Duration // publishing → the mails seen committed (polled)
	wait                 time.Duration // publishing → the worker took the need (woken by the commit)
	work                 time.Duration // the worker took it → its last mail queued
}

// measureNeed has a confirmed buyer of benchNeed's region publish the
// need and waits until the server's own needs worker has matched it and
// queued its mails, polling the database every 10 ms (up to a minute).
func measureNeed(ctx context.Context, e *env, admin tenants.Principal, list []listing) (*needResult, error) {
	res := &needResult{}
	for _, l := range list {
		if fitsBenchNeed(l) {
			res.fit++
		}
	}
	buyer, err := benchBuyer(ctx, e, admin)
	if err != nil {
		return nil, err
	}
	n, err := e.db.CreateNeed(buyer, store.NeedInput{Title: "Sprzątanie i pielęgnacja zieleni w urzędach dzielnic",
		Description: "Sprzątanie budynków i pielęgnacja terenów zielonych przy urzędach dzielnic Warszawy.", Kind: "zapytanie",
		Categories: benchNeed.categories, PlaceOfDelivery: []string{benchNeed.gmina}, Deadline: time.Now().Add(14 * 24 * time.Hour),
		IncludeOtherRegions: true})
	if err != nil {
		return nil, fmt.Errorf("create the benchmark's need: %w", err)
	}
	t0 := time.Now()
	if _, err := e.db.SubmitNeed(buyer, n.ID); err != nil {
		return nil, fmt.Errorf("publish the benchmark's need: %w", err)
	}
	for {
		var done int
		if err := e.super.QueryRowContext(ctx, `SELECT count(*) FROM need_match_queue WHERE need_id = $1 AND done_at IS NOT NULL`, n.ID).Scan(&done); err != nil {
			return nil, err
		}
		if done > 0 {
			res.total = time.Since(t0)
			break
		}
		if time.Since(t0) > time.Minute {
			return nil, fmt.Errorf("need %s not matched a minute after publishing (is the needs worker running?)", n.ID)
		}
		if !sleepUntil(ctx, time.Now().Add(10*time.Millisecond)) {
			return nil, ctx.Err()
		}
	}
	return res, needFigures(ctx, e, n.ID, res)
}

// needFigures reads what the worker did, on the database's clock: when
// the need was published and taken, its matches, and its mails.
func needFigures(ctx context.Context, e *env, needID string, res *needResult) error {
	var wait, work float64
	err := e.super.QueryRowContext(ctx, `
		WITH q AS (SELECT q.done_at, n.published_at FROM need_match_queue q JOIN needs n ON n.id = q.need_id WHERE q.need_id = $1),
		     m AS (SELECT coalesce(CASE WHEN a.status = 'active' THEN a.email END, l.data->'contact'->>'email') AS email
		           FROM need_matches nm JOIN listings l ON l.id = nm.listing_id LEFT JOIN accounts a ON a.id = l.owner_id
		           WHERE nm.need_id = $1),
		     o AS (SELECT count(*) AS n, max(created_at) AS last FROM mail_outbox
		           WHERE created_at >= (SELECT done_at FROM q) AND to_email IN (SELECT email FROM m))
		SELECT (SELECT count(*) FROM m), o.n,
		       extract(epoch FROM (SELECT done_at - published_at FROM q)),
		       coalesce(extract(epoch FROM o.last - (SELECT done_at FROM q)), 0)
		FROM o`, needID).Scan(&res.matched, &res.mailed, &wait, &work)
	if err != nil {
		return fmt.Errorf("read the need's matches and mails: %w", err)
	}
	res.wait, res.work = time.Duration(wait*float64(time.Second)), time.Duration(work*float64(time.Second))
	if want := min(res.fit, needMatchLimit); res.matched < want*9/10 {
		logf("need: %d matched, but %d generated listings fit it (limit %d): the matcher or the import left some out", res.matched, res.fit, needMatchLimit)
	}
	return nil
}

// benchBuyer opens need posting in benchNeed's region (no review, the
// highest match limit, the city office's domain on the list) and
// registers a buyer there, confirmed by that domain; it returns the
// buyer's context.
func benchBuyer(ctx context.Context, e *env, admin tenants.Principal) (context.Context, error) {
	t := e.bySlug[benchNeed.tenant]
	tctx := tenants.NewContext(ctx, t)
	if err := e.db.UpdateNeedSettings(tenants.WithPrincipal(tctx, admin), store.NeedSettings{PublishUnreviewed: true,
		MatchLimit: needMatchLimit, WeeklyCap: 5, Domains: []string{"um.warszawa.pl"}}); err != nil {
		return nil, fmt.Errorf("need settings of %s: %w", t.Slug, err)
	}
	email := "bench-zamowienia@um.warszawa.pl"
	a, err := e.db.RegisterBuyer(tctx, store.NewAccount{Email: email, Name: "Bench kupujący", Password: benchPassword},
		store.Institution{Name: "Urząd m.st. Warszawy", NIP: "5252248481", TERYT: benchNeed.gmina},
		func(string) store.Mail { return store.Mail{To: email, Subject: "Potwierdź adres", Body: "-"} })
	if err != nil {
		return nil, fmt.Errorf("register the benchmark's buyer: %w", err)
	}
	return tenants.WithPrincipal(tctx, tenants.Principal{AccountID: a.ID, Name: a.Name, Role: tenants.RoleBuyer, TenantID: t.ID}), nil
}
