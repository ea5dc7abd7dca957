package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

func TestSixteenTenantsWithTheirTERYTCodes(t *testing.T) {
	db := storetest.New(t)
	want := map[string]string{
		"dolnoslaskie": "02", "kujawsko-pomorskie": "04", "lubelskie": "06", "lubuskie": "08",
		"lodzkie": "10", "malopolskie": "12", "mazowieckie": "14", "opolskie": "16",
		"podkarpackie": "18", "podlaskie": "20", "pomorskie": "22", "slaskie": "24",
		"swietokrzyskie": "26", "warminsko-mazurskie": "28", "wielkopolskie": "30", "zachodniopomorskie": "32",
	}
	got := storetest.Tenants(t, db)
	if len(got) != 16 {
		t.Fatalf("got %d tenants, want 16", len(got))
	}
	for slug, code := range want {
		tn, ok := got[slug]
		if !ok {
			t.Errorf("tenant %s missing", slug)
			continue
		}
		if tn.TERYT != code {
			t.Errorf("tenant %s: TERYT %s, want %s", slug, tn.TERYT, code)
		}
		if tn.Name == "" || tn.City == "" {
			t.Errorf("tenant %s has no ROPS name or city", slug)
		}
	}
}

func TestMigrateTwiceIsANoOp(t *testing.T) {
	db := storetest.New(t)
	applied, err := store.Migrate(context.Background(), db.URL, nil)
	if err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	if len(applied) != 0 {
		t.Fatalf("second migrate applied %v, want nothing", applied)
	}
}

func TestTERYTLoadGivesTheOfficialCountsTwice(t *testing.T) {
	db := storetest.New(t)
	for run := 1; run <= 2; run++ {
		c := storetest.LoadTERYT(t, db)
		if c.Voivodeships != 16 || c.Powiats != 380 || c.Gminas != 2477 {
			t.Fatalf("run %d: %+v, want 16 voivodeships, 380 powiats, 2477 gminas", run, c)
		}
	}
	g, err := db.FindGmina(context.Background(), "1261029") // Kraków-Krowodrza, a delegatura
	if err != nil {
		t.Fatal(err)
	}
	if g.Code != "1261011" || g.Name != "Kraków" || g.VoivodeshipCode != "12" {
		t.Fatalf("delegatura resolved to %+v, want Kraków 1261011", g)
	}
	g, err = db.FindGmina(context.Background(), "0201044") // the town of Nowogrodziec, an urban-rural gmina
	if err != nil || g.Code != "0201043" {
		t.Fatalf("a RODZ 4 code resolved to %+v (%v), want its RODZ 3 gmina 0201043", g, err)
	}
	g, err = db.FindGmina(context.Background(), "1465028") // Bemowo, a district of Warsaw
	if err != nil || g.Code != "1465011" {
		t.Fatalf("a Warsaw district resolved to %+v (%v), want Warszawa 1465011", g, err)
	}
	if _, err := db.FindGmina(context.Background(), "9999991"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown gmina: %v, want not found", err)
	}
}

func TestMalformedTERCIsRefusedWithItsLineNumber(t *testing.T) {
	cases := []struct {
		name, file string
		line       int
	}{
		{"too few fields", "WOJ;POW;GMI;RODZ;NAZWA;NAZWA_DOD;STAN_NA\r\n02;;;;DOLNOŚLĄSKIE;województwo;2020-01-01\r\n02;01;;bolesławiecki;powiat;2020-01-01\r\n", 3},
		{"bad date", "\uFEFFWOJ;POW;GMI;RODZ;NAZWA;NAZWA_DOD;STAN_NA\n02;;;;DOLNOŚLĄSKIE;województwo;2020-13-01\n", 2},
		{"letters in a code", "WOJ;POW;GMI;RODZ;NAZWA;NAZWA_DOD;STAN_NA\n02;;;;X;w;2020-01-01\n02;0A;;;Y;powiat;2020-01-01\n", 3},
		{"unknown RODZ", "WOJ;POW;GMI;RODZ;NAZWA;NAZWA_DOD;STAN_NA\n02;01;01;7;Z;gmina;2020-01-01\n", 2},
		{"no header", "02;;;;DOLNOŚLĄSKIE;województwo;2020-01-01\n", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := store.ParseTERC(strings.NewReader(c.file))
			var te *store.TERCError
			if !errors.As(err, &te) {
				t.Fatalf("err = %v, want a TERCError", err)
			}
			if te.Line != c.line {
				t.Fatalf("line %d, want %d (%v)", te.Line, c.line, err)
			}
		})
	}
}

func TestRowLevelSecurityHidesOtherTenantsRowsWithoutAFilter(t *testing.T) {
	db := storetest.New(t)
	ts := storetest.Tenants(t, db)
	ctx := context.Background()
	// Write one account in each of two tenants, each inside its own scope.
	for _, slug := range []string{"slaskie", "malopolskie"} {
		tctx := tenants.NewContext(ctx, ts[slug])
		if _, err := db.CreateAccount(tctx, store.NewAccount{Email: slug + "@example.org", Name: slug, Role: tenants.RoleEnterprise, Password: "correct horse battery"}); err != nil {
			t.Fatalf("create account in %s: %v", slug, err)
		}
	}
	// A query that forgets tenant_id still only sees its own tenant's rows.
	emails, err := db.UnfilteredAccountEmails(tenants.NewContext(ctx, ts["slaskie"]))
	if err != nil {
		t.Fatal(err)
	}
	if len(emails) != 1 || emails[0] != "slaskie@example.org" {
		t.Fatalf("tenant slaskie saw %v, want only its own account", emails)
	}
	// Without any scope the store refuses.
	if _, err := db.UnfilteredAccountEmails(ctx); !errors.Is(err, store.ErrNoScope) {
		t.Fatalf("no scope: %v, want ErrNoScope", err)
	}
	// And the pooled role really is not the superuser that owns the tables.
	super, err := db.ActsAsSuperuser(ctx)
	if err != nil || super {
		t.Fatalf("pool acts as superuser=%v (%v), want the app role", super, err)
	}
}
