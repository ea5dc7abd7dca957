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

type demoEntity struct {
	name, legalForm string
	kinds           []string
	categories      []string
	description     string
	offers          []string
	social          bool
	employees       [2]int
}

var demoEntities = []demoEntity{
	{"Spółdzielnia Socjalna „Kłos”", "spoldzielnia_socjalna", []string{"spoldzielnia_socjalna"}, []string{"catering", "zywnosc"},
		"Gotujemy obiady dla szkół i przedszkoli, przygotowujemy catering na konferencje i wydarzenia. Zatrudniamy osoby wracające na rynek pracy.",
		[]string{"Catering na konferencje", "Obiady dla szkół"}, true, [2]int{9, 5}},
	{"Centrum Integracji Społecznej w %s", "jst", []string{"cis"}, []string{"sprzatanie", "zielen"},
		"Reintegracja społeczna i zawodowa: prowadzimy warsztaty sprzątania, pielęgnacji zieleni i drobnych remontów na zlecenie gmin i firm.",
		[]string{"Pielęgnacja terenów zielonych", "Sprzątanie obiektów"}, false, [2]int{14, 11}},
	{"Fundacja Pracownia Dobrego Druku", "fundacja", []string{"ngo_gospodarcza"}, []string{"poligrafia", "biuro_it"},
		"Drukarnia cyfrowa i studio graficzne, w którym pracują osoby z niepełnosprawnościami. Ulotki, plakaty, wizytówki, skład publikacji.",
		[]string{"Druk cyfrowy", "Projekty graficzne"}, true, [2]int{6, 3}},
	{"Zakład Aktywności Zawodowej „Pod Dębem”", "stowarzyszenie", []string{"zaz"}, []string{"pralnia", "szycie"},
		"Pralnia przemysłowa i szwalnia: pranie pościeli i odzieży roboczej dla szpitali, hoteli i urzędów, szycie na zamówienie.",
		[]string{"Pranie pościeli i odzieży", "Szycie toreb i odzieży"}, false, [2]int{32, 24}},
	{"Stowarzyszenie Zielony Ogród", "stowarzyszenie", []string{"ngo_odplatna"}, []string{"zielen", "edukacja"},
		"Zakładamy i pielęgnujemy ogrody społeczne, prowadzimy warsztaty ekologiczne dla szkół i seniorów.",
		[]string{"Warsztaty ekologiczne", "Zakładanie ogrodów"}, false, [2]int{4, 1}},
	{"Spółdzielnia Socjalna Smaki Regionu", "spoldzielnia_socjalna", []string{"spoldzielnia_socjalna"}, []string{"catering", "turystyka"},
		"Kuchnia regionalna, przetwory i catering na wydarzenia plenerowe; prowadzimy też agroturystykę.",
		[]string{"Catering regionalny", "Noclegi"}, true, [2]int{7, 4}},
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
	fmt.Printf("demo catalog: %d listings added (accounts: demo@{region}.example.org, moderator@…, admin@…; password %s)\n", created, demoPassword)
	return nil
}

// seedCity adds the demo listings of one city, unless they are there.
func seedCity(ctx context.Context, db *store.DB, city demoCity, offset int) (int, error) {
	tctx, err := scopeFor(ctx, db, city.tenant)
	if err != nil {
		return 0, err
	}
	owner, err := demoAccount(tctx, db, "demo", tenants.RoleEnterprise)
	if err != nil {
		return 0, err
	}
	mod, err := demoAccount(tctx, db, "moderator", tenants.RoleModerator)
	if err != nil {
		return 0, err
	}
	if _, err := demoAccount(tctx, db, "admin", tenants.RoleAdmin); err != nil {
		return 0, err
	}
	octx := tenants.WithPrincipal(tctx, tenants.Principal{AccountID: owner.ID, Name: owner.Name, Role: owner.Role})
	mine, err := db.FindOwnListings(octx)
	if err != nil {
		return 0, err
	}
	have := map[string]bool{}
	for _, l := range mine {
		have[l.Name] = true
	}
	mctx := tenants.WithPrincipal(tctx, tenants.Principal{AccountID: mod.ID, Name: mod.Name, Role: mod.Role})
	created := 0
	for j, e := range demoEntities {
		if (j+offset)%3 == 2 { // not every entity in every city
			continue
		}
		name := e.name
		if strings.Contains(name, "%s") {
			name = fmt.Sprintf(name, city.locative)
		} else {
			name += " — " + city.city
		}
		if have[name] {
			continue
		}
		d := store.ListingData{
			Name: name, LegalForm: e.legalForm, Kinds: e.kinds, Categories: e.categories,
			Description: e.description,
			Address:     store.Address{Street: fmt.Sprintf("ul. Społeczna %d", 3+j*7), PostalCode: city.postal, City: city.city, GminaTERYT: city.gmina},
			Geo:         &store.Geo{Lat: city.lat + float64(j)*0.004, Lng: city.lng - float64(j)*0.005},
			Contact:     store.Contact{Email: fmt.Sprintf("kontakt%d@%s.example.org", j+1, city.tenant), Phone: fmt.Sprintf("+4860%07d", offset*100+j), Website: "https://example.org"},
			ServiceArea: store.ServiceArea{Scope: "powiats", TERYT: []string{city.gmina[:4]}},
			Employment:  &store.Employment{Total: e.employees[0], AtRisk: e.employees[1], AsOf: "2026-09-30", TargetGroups: []string{"niepelnosprawni", "bezrobotni"}},
		}
		for _, o := range e.offers {
			d.Offers = append(d.Offers, store.Offer{Title: o, Kind: "usluga", Category: e.categories[0]})
		}
		if e.social {
			d.SocialEnterprise = &store.SocialEnterprise{DecisionNo: fmt.Sprintf("PS/%s/%d/2025", strings.ToUpper(city.tenant[:3]), j+1), DecisionDate: "2025-03-14"}
			d.Certificates = []store.Certificate{{Kind: "zakup_prospoleczny", Issuer: "ROPS", ValidUntil: "2027-06-30"}}
		}
		l, err := db.CreateListing(octx, d)
		if err != nil {
			return created, explain(err)
		}
		if _, err := db.SubmitListing(octx, l.ID); err != nil {
			return created, explain(err)
		}
		if _, err := db.Moderate(mctx, l.ID, store.ActionApprove, ""); err != nil {
			return created, explain(err)
		}
		created++
	}
	return created, nil
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
