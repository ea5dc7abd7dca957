package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"katalogpes/store"
	"katalogpes/store/registry"
	"katalogpes/store/registry/registrytest"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// replayed is the three registries on their recorded answers, through the
// store's cache.
func replayed(t *testing.T, db *storetest.DB, l registry.Limits) (*registrytest.Server, *store.Registries) {
	t.Helper()
	s := registrytest.New(t)
	hc := s.Client()
	if l.Timeout == 0 {
		l = registry.Limits{Timeout: 2 * time.Second, Every: time.Millisecond, Burst: 100}
	}
	return s, db.Registries(registry.NewKRS(s.KRSURL(), hc, l), registry.NewBIR(s.BIRURL(), "abcde12345abcde12345", hc, l), registry.NewVAT(s.VATURL(), hc, l))
}

func TestKRSNumberPrefillsNameFormAddressAndTERYT(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	srv, reg := replayed(t, db, registry.Limits{})
	ctx := storetest.Ctx(t, db, "slaskie", tenants.Principal{})
	a, err := reg.Look(ctx, store.RegistryQuery{KRS: "0000123456"})
	if err != nil {
		t.Fatal(err)
	}
	p := a.Prefill
	if p.Name != "SPÓŁDZIELNIA SOCJALNA „ZIELONY ZAKĄTEK”" || p.LegalForm != "spoldzielnia_socjalna" || p.NIP != "6341123416" || p.REGON != "241234560" || p.KRS != "0000123456" {
		t.Fatalf("prefill %+v", p)
	}
	if p.Address != (store.Address{Street: "ul. Mariacka 12/3", PostalCode: "40-014", City: "Katowice", GminaTERYT: "2469011"}) || p.GminaError != "" {
		t.Fatalf("address %+v (%s)", p.Address, p.GminaError)
	}
	if len(p.PKD) != 3 || p.PKD[0] != (store.PKD{Code: "56.29.Z", Version: 2007, Main: true}) {
		t.Fatalf("pkd %+v", p.PKD)
	}
	for _, name := range []string{"krs", "regon", "vat"} {
		s, ok := a.Source(name)
		if !ok || !s.OK || !s.Found {
			t.Fatalf("%s: %+v", name, s)
		}
	}
	// Asked again, the answers come from the cache.
	hits := srv.Hits("krs") + srv.Hits("regon") + srv.Hits("vat")
	if _, err := reg.Look(ctx, store.RegistryQuery{KRS: "0000123456"}); err != nil {
		t.Fatal(err)
	}
	if n := srv.Hits("krs") + srv.Hits("regon") + srv.Hits("vat"); n != hits {
		t.Fatalf("%d registry requests for a cached answer", n-hits)
	}
}

func TestVATExemptFoundationIsVerifiedNotInvalid(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	_, reg := replayed(t, db, registry.Limits{})
	ctx := storetest.Ctx(t, db, "slaskie", tenants.Principal{})
	a, err := reg.Look(ctx, store.RegistryQuery{NIP: "9541234501"})
	if err != nil {
		t.Fatal(err)
	}
	vat, _ := a.Source("vat")
	if !vat.OK || !vat.Found || vat.Data.VATStatus != "Zwolniony" {
		t.Fatalf("vat %+v", vat)
	}
	// Found by NIP in REGON, the foundation is read in KRS too.
	if a.Prefill.LegalForm != "fundacja" || a.Prefill.Address.GminaTERYT != "2466011" || !a.Prefill.OPP || len(a.Prefill.PKD) != 1 {
		t.Fatalf("prefill %+v", a.Prefill)
	}
}

func TestSeatOutsideTheRegionIsSaidNotFilled(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	_, reg := replayed(t, db, registry.Limits{})
	ctx := storetest.Ctx(t, db, "slaskie", tenants.Principal{})
	a, err := reg.Look(ctx, store.RegistryQuery{KRS: "0000444555"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Prefill.GminaError != "outside_region" || a.Prefill.Address.GminaTERYT != "" || a.Prefill.Address.City != "Kraków" {
		t.Fatalf("prefill %+v", a.Prefill)
	}
}

// A registry that is down answers ok:false while the others answer, and
// the error is kept for ten minutes, not a day.
func TestRegistryDownIsReportedAndCachedBriefly(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	srv, reg := replayed(t, db, registry.Limits{})
	srv.Set("krs", registrytest.Down)
	ctx := storetest.Ctx(t, db, "slaskie", tenants.Principal{})
	a, err := reg.Look(ctx, store.RegistryQuery{KRS: "0000123456"})
	if err != nil {
		t.Fatal(err)
	}
	krs, _ := a.Source("krs")
	regon, _ := a.Source("regon")
	if krs.OK || krs.Error != "unavailable" || !regon.OK || a.Prefill.Address.GminaTERYT != "2469011" {
		t.Fatalf("krs %+v regon %+v prefill %+v", krs, regon, a.Prefill)
	}
	raw := superuser(t, db)
	var ttl time.Duration
	var secs float64
	if err := raw.QueryRow(`SELECT extract(epoch FROM expires_at - checked_at) FROM registry_cache WHERE registry = 'krs'`).Scan(&secs); err != nil {
		t.Fatal(err)
	}
	if ttl = time.Duration(secs) * time.Second; ttl != store.RegistryErrorTTL {
		t.Fatalf("error kept %s", ttl)
	}
	if err := raw.QueryRow(`SELECT extract(epoch FROM expires_at - checked_at) FROM registry_cache WHERE registry = 'regon'`).Scan(&secs); err != nil {
		t.Fatal(err)
	}
	if ttl = time.Duration(secs) * time.Second; ttl != store.RegistryAnswerTTL {
		t.Fatalf("answer kept %s", ttl)
	}
}

// publishedWith publishes a listing of a new owner with identifiers.
func publishedWith(t *testing.T, db *storetest.DB, mod context.Context, name, nip, krs string) (id, email string) {
	t.Helper()
	base := storetest.Ctx(t, db, "slaskie", tenants.Principal{})
	email = storetest.Unique("wlasciciel@example.org")
	a, err := db.CreateAccount(base, store.NewAccount{Email: email, Name: "Właściciel", Password: "dobre-haslo-123", Role: tenants.RoleEnterprise, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	owner := tenants.WithPrincipal(base, tenants.Principal{AccountID: a.ID, Name: a.Name, Role: tenants.RoleEnterprise})
	d := validListing(name)
	d.NIP, d.KRS = nip, krs
	l, err := db.CreateListing(owner, d)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SubmitListing(owner, l.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Moderate(mod, l.ID, store.ActionApprove, ""); err != nil {
		t.Fatal(err)
	}
	return l.ID, email
}

func flagMail(m store.FlagMail) store.Mail {
	return store.Mail{Subject: "Rejestr: " + m.Flag, Body: m.ListingName}
}

func TestStruckOffEntityIsFlaggedNextNightAndOwnerMailedOnce(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	srv, reg := replayed(t, db, registry.Limits{})
	_, mod := actors(t, db, "slaskie")
	gone, goneEmail := publishedWith(t, db, mod, "Spółdzielnia Socjalna „Dawna Pralnia”", "6441238805", "0000222333")
	fine, fineEmail := publishedWith(t, db, mod, "Spółdzielnia Socjalna „Zielony Zakątek”", "6341123416", "0000123456")
	night := store.Night(time.Now())
	ctx := context.Background()
	if n, err := reg.CheckNight(ctx, night, 50, flagMail); err != nil || n != 2 {
		t.Fatalf("checked %d: %v", n, err)
	}
	flags, err := db.FindVerificationFlags(mod, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(flags) != 1 || flags[0].ListingID != gone || flags[0].Flags[0] != "struck_off" || flags[0].FlagState != "open" {
		t.Fatalf("flags %+v", flags)
	}
	v, err := db.FindVerification(mod, fine)
	if err != nil || len(v.Flags) != 0 || len(v.Sources) != 2 || len(v.Mismatches) != 0 {
		t.Fatalf("fine listing: %+v %v", v, err)
	}
	if srv.Hits("vat") != 0 {
		t.Fatal("the nightly check spent the VAT list's daily queries")
	}
	raw := superuser(t, db)
	if mailCount(t, raw, goneEmail) != 1 || mailCount(t, raw, fineEmail) != 0 {
		t.Fatal("the struck-off listing's owner is mailed once, the other not at all")
	}
	// Rechecked later (a check older than a month), the flag stays and
	// the owner is not mailed again.
	exec(t, raw, `UPDATE listing_verifications SET checked_at = checked_at - interval '40 days'`)
	if n, err := reg.CheckNight(ctx, night.AddDate(0, 0, 1), 50, flagMail); err != nil || n != 2 {
		t.Fatalf("next night checked %d: %v", n, err)
	}
	if mailCount(t, raw, goneEmail) != 1 {
		t.Fatal("owner mailed twice about one flag")
	}
}

func TestTwoWorkersNeverCheckOneListingTwiceANight(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	srv, reg := replayed(t, db, registry.Limits{})
	_, mod := actors(t, db, "slaskie")
	nips := []string{"6341123416", "9541234501", "6441238805", "6342222209"}
	krss := []string{"0000123456", "0000654321", "0000222333", "0000333444"}
	for i := range nips {
		publishedWith(t, db, mod, "Podmiot "+nips[i], nips[i], krss[i])
	}
	night := store.Night(time.Now())
	var wg sync.WaitGroup
	counts := make([]int, 2)
	for w := range counts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n, err := reg.CheckNight(context.Background(), night, 1, flagMail)
				if err != nil {
					t.Error(err)
					return
				}
				if n == 0 {
					return
				}
				counts[w] += n
			}
		}()
	}
	wg.Wait()
	if counts[0]+counts[1] != len(nips) {
		t.Fatalf("workers checked %v listings, want %d in all", counts, len(nips))
	}
	hits := srv.Hits("krs")
	// Even with every check made stale, the same night takes nothing more.
	exec(t, superuser(t, db), `UPDATE listing_verifications SET checked_at = checked_at - interval '40 days'`)
	if n, err := reg.CheckNight(context.Background(), night, 10, flagMail); err != nil || n != 0 {
		t.Fatalf("same night again checked %d: %v", n, err)
	}
	if srv.Hits("krs") != hits {
		t.Fatal("the registries were asked again the same night")
	}
}

func TestModeratorDecidesAFlag(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	_, reg := replayed(t, db, registry.Limits{})
	_, mod := actors(t, db, "slaskie")
	id, email := publishedWith(t, db, mod, "Spółdzielnia Pracy „Nadzieja”", "6342222209", "0000333444")
	if _, err := reg.VerifyListing(mod, id, flagMail); err != nil {
		t.Fatal(err)
	}
	raw := superuser(t, db)
	if mailCount(t, raw, email) != 1 {
		t.Fatal("owner not told of the bankruptcy flag")
	}
	if err := db.DecideVerificationFlag(mod, id, "nonsense", flagMail); fieldKeys(err)["action"] == "" {
		t.Fatalf("unknown decision: %v", err)
	}
	if err := db.DecideVerificationFlag(mod, id, store.FlagAsk, flagMail); err != nil {
		t.Fatal(err)
	}
	if mailCount(t, raw, email) != 2 {
		t.Fatal("asking the owner sends a mail")
	}
	if err := db.DecideVerificationFlag(mod, id, store.FlagDismiss, flagMail); err != nil {
		t.Fatal(err)
	}
	if flags, err := db.FindVerificationFlags(mod, "bankrupt"); err != nil || len(flags) != 0 {
		t.Fatalf("dismissed flag still listed: %+v %v", flags, err)
	}
	// Another region's moderator sees none of it.
	_, other := actors(t, db, "malopolskie")
	if err := db.DecideVerificationFlag(other, id, store.FlagAsk, flagMail); err == nil {
		t.Fatal("a moderator of another region decided the flag")
	}
}
