package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"strings"

	"katalogpes/store"
	"katalogpes/tenants"
)

// demoTERC holds the few units the demo's listings use, so the demo works
// on a bare clone; `katalogpes teryt load` brings the full register.
const demoTERC = `WOJ;POW;GMI;RODZ;NAZWA;NAZWA_DOD;STAN_NA
02;;;;DOLNOŚLĄSKIE;województwo;2020-01-01
02;64;;;Wrocław;miasto na prawach powiatu;2020-01-01
02;64;01;1;Wrocław;gmina miejska;2020-01-01
06;;;;LUBELSKIE;województwo;2020-01-01
06;63;;;Lublin;miasto na prawach powiatu;2020-01-01
06;63;01;1;Lublin;gmina miejska;2020-01-01
10;;;;ŁÓDZKIE;województwo;2020-01-01
10;61;;;Łódź;miasto na prawach powiatu;2020-01-01
10;61;01;1;Łódź;gmina miejska;2020-01-01
12;;;;MAŁOPOLSKIE;województwo;2020-01-01
12;61;;;Kraków;miasto na prawach powiatu;2020-01-01
12;61;01;1;Kraków;gmina miejska;2020-01-01
12;62;;;Nowy Sącz;miasto na prawach powiatu;2020-01-01
12;62;01;1;Nowy Sącz;gmina miejska;2020-01-01
12;63;;;Tarnów;miasto na prawach powiatu;2020-01-01
12;63;01;1;Tarnów;gmina miejska;2020-01-01
14;;;;MAZOWIECKIE;województwo;2020-01-01
14;63;;;Radom;miasto na prawach powiatu;2020-01-01
14;63;01;1;Radom;gmina miejska;2020-01-01
14;65;;;Warszawa;miasto stołeczne, na prawach powiatu;2020-01-01
14;65;01;1;Warszawa;gmina miejska, miasto stołeczne;2020-01-01
22;;;;POMORSKIE;województwo;2020-01-01
22;61;;;Gdańsk;miasto na prawach powiatu;2020-01-01
22;61;01;1;Gdańsk;gmina miejska;2020-01-01
24;;;;ŚLĄSKIE;województwo;2020-01-01
24;66;;;Gliwice;miasto na prawach powiatu;2020-01-01
24;66;01;1;Gliwice;gmina miejska;2020-01-01
24;69;;;Katowice;miasto na prawach powiatu;2020-01-01
24;69;01;1;Katowice;gmina miejska;2020-01-01
30;;;;WIELKOPOLSKIE;województwo;2020-01-01
30;64;;;Poznań;miasto na prawach powiatu;2020-01-01
30;64;01;1;Poznań;gmina miejska;2020-01-01
`

// demoPassword is every demo account's password (development only).
const demoPassword = "demo-katalog-2026"

type demoCity struct {
	tenant, gmina, city, postal, locative string
	lat, lng                              float64
}

var demoCities = []demoCity{
	{"slaskie", "2469011", "Katowice", "40-001", "Katowicach", 50.2599, 19.0216},
	{"slaskie", "2466011", "Gliwice", "44-100", "Gliwicach", 50.2945, 18.6714},
	{"malopolskie", "1261011", "Kraków", "30-001", "Krakowie", 50.0614, 19.9366},
	{"malopolskie", "1263011", "Tarnów", "33-100", "Tarnowie", 50.0121, 20.9858},
	{"malopolskie", "1262011", "Nowy Sącz", "33-300", "Nowym Sączu", 49.6249, 20.6915},
	{"mazowieckie", "1465011", "Warszawa", "00-001", "Warszawie", 52.2297, 21.0122},
	{"mazowieckie", "1463011", "Radom", "26-600", "Radomiu", 51.4027, 21.1471},
	{"lodzkie", "1061011", "Łódź", "90-001", "Łodzi", 51.7592, 19.4560},
	{"dolnoslaskie", "0264011", "Wrocław", "50-001", "Wrocławiu", 51.1079, 17.0385},
	{"wielkopolskie", "3064011", "Poznań", "60-001", "Poznaniu", 52.4064, 16.9252},
	{"pomorskie", "2261011", "Gdańsk", "80-001", "Gdańsku", 54.3520, 18.6466},
	{"lubelskie", "0663011", "Lublin", "20-001", "Lublinie", 51.2465, 22.5684},
}

func runSeed(ctx context.Context, cfg Config, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	demo := fs.Bool("demo", false, "load the demo catalog (development)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: katalogpes seed --demo\n\nLoads a believable demo catalog: listings across several regions, with demo accounts\n(enterprise, moderator and admin in each region; password "+demoPassword+"). Running it again changes nothing.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*demo {
		fs.Usage()
		return fmt.Errorf("only --demo is available")
	}
	if err := cfg.needDatabase(); err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.FindGmina(ctx, "2469011"); store.ErrorCode(err) == store.ENotFound {
		terc, err := store.ParseTERC(strings.NewReader(demoTERC))
		if err != nil {
			return err
		}
		if _, err := db.LoadTERC(ctx, terc); err != nil {
			return err
		}
		fmt.Println("The full TERYT register is not loaded; the demo uses the few units it needs.")
		fmt.Println("Load it with: katalogpes teryt load PATH/TO/TERC.csv (or TERYT_FILE=… make run)")
	}
	created := 0
	for i, city := range demoCities {
		n, err := seedCity(ctx, db, city, i)
		if err != nil {
			return fmt.Errorf("demo %s: %w", city.city, err)
		}
		created += n
	}
	imported, err := seedImported(ctx, db)
	if err != nil {
		return fmt.Errorf("demo import: %w", err)
	}
	if _, err := seedBuyer(ctx, db); err != nil {
		return fmt.Errorf("demo buyer: %w", err)
	}
	fmt.Printf("demo catalog: %d listings added, %d imported without an owner (accounts: demo@{region}.example.org, moderator@…, admin@…, buyer %s; password %s)\n",
		created, imported, demoBuyerEmail, demoPassword)
	return nil
}

// demoAccount finds or makes a region's demo account of a role.
func demoAccount(ctx context.Context, db *store.DB, who string, role tenants.Role) (*store.Account, error) {
	t, _ := tenants.FromContext(ctx)
	email := fmt.Sprintf("%s@%s.example.org", who, t.Slug)
	a, err := db.Authenticate(ctx, email, demoPassword)
	if err == nil {
		return a, nil
	}
	names := map[tenants.Role]string{tenants.RoleEnterprise: "Anna Demo", tenants.RoleModerator: "Moderator " + t.Voivodeship, tenants.RoleAdmin: "Administrator " + t.Voivodeship}
	return db.CreateAccount(ctx, store.NewAccount{Email: email, Name: names[role], Password: demoPassword, Role: role, Active: true})
}
