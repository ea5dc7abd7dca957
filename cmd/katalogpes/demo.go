package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"katalogpes/store"
	"katalogpes/store/polish"
	"katalogpes/tenants"
)

// demoKind is one kind of entity the demo shows, with what such an entity
// typically offers. The name takes one of demoWords.
type demoKind struct {
	nameFormat, legalForm string
	kinds, categories     []string
	description           string
	offers                []string
	social                bool   // holds a social-enterprise (PS) decision
	employees             [2]int // total, at risk
	noKRS                 bool   // a unit of local government has no KRS number
}

var demoKinds = []demoKind{
	{"Spółdzielnia Socjalna „%s”", "spoldzielnia_socjalna", []string{"spoldzielnia_socjalna"}, []string{"catering", "zywnosc"},
		"Gotujemy obiady dla szkół i przedszkoli, przygotowujemy catering na konferencje i wydarzenia. Zatrudniamy osoby wracające na rynek pracy.",
		[]string{"Catering na konferencje", "Obiady dla szkół"}, true, [2]int{9, 5}, false},
	{"Centrum Integracji Społecznej „%s”", "jst", []string{"cis"}, []string{"sprzatanie", "zielen"},
		"Reintegracja społeczna i zawodowa: prowadzimy warsztaty sprzątania, pielęgnacji zieleni i drobnych remontów na zlecenie gmin i firm.",
		[]string{"Pielęgnacja terenów zielonych", "Sprzątanie obiektów"}, false, [2]int{14, 11}, true},
	{"Fundacja „%s”", "fundacja", []string{"ngo_gospodarcza"}, []string{"poligrafia", "biuro_it"},
		"Drukarnia cyfrowa i studio graficzne, w którym pracują osoby z niepełnosprawnościami. Ulotki, plakaty, wizytówki, skład publikacji.",
		[]string{"Druk cyfrowy", "Projekty graficzne"}, true, [2]int{6, 3}, false},
	{"Zakład Aktywności Zawodowej „%s”", "stowarzyszenie", []string{"zaz"}, []string{"pralnia", "szycie"},
		"Pralnia przemysłowa i szwalnia: pranie pościeli i odzieży roboczej dla szpitali, hoteli i urzędów, szycie na zamówienie.",
		[]string{"Pranie pościeli i odzieży", "Szycie toreb i odzieży"}, false, [2]int{32, 24}, false},
	{"Stowarzyszenie „%s”", "stowarzyszenie", []string{"ngo_odplatna"}, []string{"zielen", "edukacja"},
		"Zakładamy i pielęgnujemy ogrody społeczne, prowadzimy warsztaty ekologiczne dla szkół i seniorów.",
		[]string{"Warsztaty ekologiczne", "Zakładanie ogrodów"}, false, [2]int{4, 1}, false},
	{"Warsztat Terapii Zajęciowej „%s”", "jst", []string{"wtz"}, []string{"rekodzielo", "kultura"},
		"Pracownie ceramiki, stolarstwa i rękodzieła; przyjmujemy zamówienia na upominki i dekoracje dla firm i urzędów.",
		[]string{"Upominki z ceramiki", "Dekoracje okolicznościowe"}, false, [2]int{25, 25}, true},
	{"Spółdzielnia Socjalna „%s” – usługi remontowe", "spoldzielnia_socjalna", []string{"spoldzielnia_socjalna"}, []string{"remonty", "sprzatanie"},
		"Remonty mieszkań i lokali użytkowych, malowanie, drobne naprawy i utrzymanie czystości budynków.",
		[]string{"Malowanie i remonty", "Utrzymanie czystości budynków"}, true, [2]int{8, 3}, false},
	{"„%s” sp. z o.o. non-profit", "spolka_non_profit", []string{"ngo_gospodarcza"}, []string{"transport", "opieka"},
		"Przewóz osób z niepełnosprawnościami i usługi opiekuńcze w domu; współpracujemy z ośrodkami pomocy społecznej.",
		[]string{"Przewóz osób", "Usługi opiekuńcze"}, true, [2]int{18, 7}, false},
	{"Klub Integracji Społecznej „%s”", "stowarzyszenie", []string{"kis"}, []string{"turystyka", "edukacja"},
		"Organizujemy wycieczki, warsztaty i szkolenia; pomagamy wrócić do pracy osobom długotrwale bezrobotnym.",
		[]string{"Wycieczki krajoznawcze", "Szkolenia"}, false, [2]int{5, 4}, false},
}

// demoWords name the demo's entities: each listing its own word.
var demoWords = []string{
	"Kłos", "Wierzba", "Przystań", "Perła", "Razem", "Tęcza", "Horyzont", "Dąb", "Jutrzenka", "Most",
	"Kotwica", "Promyk", "Stokrotka", "Sokół", "Bursztyn", "Modrzew", "Żagiel", "Kompas", "Latarnia", "Ogniwo",
	"Przyszłość", "Słonecznik", "Wrzos", "Jarzębina", "Źródło", "Mozaika", "Nadzieja", "Pszczoła", "Kasztan", "Klon",
	"Lipa", "Brzoza", "Jaśmin", "Malwa", "Rumianek", "Koniczyna", "Bratek", "Fiołek", "Kalina", "Szarotka",
	"Żurawina", "Jagoda", "Poziomka", "Malina", "Orzech", "Zorza", "Iskra", "Wiatrak", "Młyn", "Spichlerz",
	"Kuźnia", "Pasieka", "Zdrój", "Strumień", "Polana", "Dolina", "Sosna", "Cyprys", "Wrzosowisko", "Ostoja",
}

// listingsPerCity is how many listings each demo city gets.
const listingsPerCity = 5

// seedCity adds the demo listings of one city, unless they are there: each
// entity distinct (name, identifiers, e-mail), kinds and service areas
// varied, some with a PS decision, certificates valid, expiring or lapsed,
// figures recent or old, and some not confirmed for over a year.
func seedCity(ctx context.Context, db *store.DB, city demoCity, cityNo int) (int, error) {
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
	now := time.Now()
	created := 0
	for j := 0; j < listingsPerCity; j++ {
		n := cityNo*listingsPerCity + j // the listing's number in the whole demo
		d := demoListing(city, n, j, now)
		if have[d.Name] {
			continue
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
		if n%6 == 4 { // not confirmed for over a year: on the stale page
			if err := db.BackdateConfirmation(tctx, l.ID, now.AddDate(-1, -1, -n)); err != nil {
				return created, err
			}
		}
		created++
	}
	return created, nil
}

// demoListing is the n-th demo listing (j-th of its city).
func demoListing(city demoCity, n, j int, now time.Time) store.ListingData {
	k := demoKinds[n%len(demoKinds)]
	word := demoWords[n%len(demoWords)]
	name := fmt.Sprintf(k.nameFormat, word)
	slug := strings.ReplaceAll(strings.ToLower(polish.Fold(word)), " ", "-")
	d := store.ListingData{
		Name: name, LegalForm: k.legalForm, Kinds: k.kinds, Categories: k.categories,
		Description: k.description,
		NIP:         demoNIP(n), REGON: demoREGON(n),
		Address: store.Address{Street: fmt.Sprintf("ul. %s %d", []string{"Społeczna", "Ogrodowa", "Rzemieślnicza", "Polna", "Szkolna"}[j], 3+n%40),
			PostalCode: city.postal, City: city.city, GminaTERYT: city.gmina},
		Geo:         &store.Geo{Lat: city.lat + float64(j)*0.004, Lng: city.lng - float64(j)*0.005},
		Contact:     store.Contact{Email: fmt.Sprintf("biuro@%s-%s.example.org", slug, strings.ToLower(polish.Fold(city.city[:3]))), Phone: fmt.Sprintf("+4832%07d", 1000+n*37), Website: "https://" + slug + ".example.org"},
		ServiceArea: demoArea(city, j),
		Employment:  demoEmployment(k, n, now),
	}
	if !k.noKRS {
		d.KRS = demoKRS(n)
	}
	if k.legalForm == "jst" {
		d.Operator = "Gmina " + city.city
	}
	for _, o := range k.offers {
		d.Offers = append(d.Offers, store.Offer{Title: o, Kind: "usluga", Category: k.categories[0]})
	}
	if k.social {
		d.SocialEnterprise = &store.SocialEnterprise{
			DecisionNo:   fmt.Sprintf("PS/%s/%d/%d", strings.ToUpper(city.tenant[:3]), 10+n, 2022+n%4),
			DecisionDate: time.Date(2022+n%4, time.Month(1+n%12), 1+n%27, 0, 0, 0, 0, time.UTC).Format(time.DateOnly),
		}
	}
	d.Certificates = demoCertificates(n, now)
	return d
}

// demoArea varies the service area: the powiat, the gmina alone, the whole
// voivodeship, a radius around the seat, the whole country.
func demoArea(city demoCity, j int) store.ServiceArea {
	switch j % 5 {
	case 1:
		return store.ServiceArea{Scope: "gminas", TERYT: []string{city.gmina}}
	case 2:
		return store.ServiceArea{Scope: "voivodeships", TERYT: []string{city.gmina[:2]}}
	case 3:
		return store.ServiceArea{Scope: "radius", RadiusKm: 30}
	case 4:
		return store.ServiceArea{Scope: "country"}
	}
	return store.ServiceArea{Scope: "powiats", TERYT: []string{city.gmina[:4]}}
}

// demoEmployment gives most listings recent figures; every fifth has
// figures over a year old (no longer proof of the 30% share).
func demoEmployment(k demoKind, n int, now time.Time) *store.Employment {
	asOf := now.AddDate(0, -1-n%4, 0)
	if n%5 == 3 {
		asOf = now.AddDate(-1, -3, 0)
	}
	return &store.Employment{Total: k.employees[0] + n%3, AtRisk: k.employees[1], AsOf: asOf.Format(time.DateOnly),
		TargetGroups: []string{"niepelnosprawni", "bezrobotni"}}
}

// demoCertificates: most listings none; some a valid mark, some one that
// lapses within 30 days (its owner is mailed), some a lapsed one ("wygasł").
func demoCertificates(n int, now time.Time) []store.Certificate {
	var until time.Time
	switch n % 4 {
	case 0:
		until = now.AddDate(1, 2, 0)
	case 1:
		until = now.AddDate(0, 0, 10+n%15)
	case 2:
		until = now.AddDate(0, -2, 0)
	default:
		return nil
	}
	return []store.Certificate{{Kind: "zakup_prospoleczny", Issuer: "Regionalny Ośrodek Polityki Społecznej", ValidUntil: until.Format(time.DateOnly)}}
}

// demoNIP, demoREGON and demoKRS make the n-th demo entity's numbers:
// distinct, with valid check digits, in no real register's typical range.
func demoNIP(n int) string {
	w := []int{6, 5, 7, 2, 3, 4, 5, 6, 7}
	for base := 950000000 + n*7919; ; base++ {
		d := fmt.Sprintf("%09d", base)
		sum := 0
		for i, wi := range w {
			sum += int(d[i]-'0') * wi
		}
		if c := sum % 11; c != 10 {
			return d + fmt.Sprint(c)
		}
	}
}

func demoREGON(n int) string {
	w := []int{8, 9, 2, 3, 4, 5, 6, 7}
	d := fmt.Sprintf("%08d", 38000000+n*131)
	sum := 0
	for i, wi := range w {
		sum += int(d[i]-'0') * wi
	}
	return d + fmt.Sprint(sum%11%10)
}

func demoKRS(n int) string { return fmt.Sprintf("%010d", 980000+n) }

// demoImportCSV is what a region's office imports from its old register:
// listings without an owner, one of which a new account can claim.
const demoImportCSV = `name,legal_form,kinds,nip,krs,address.street,address.postal_code,address.city,address.gmina_teryt,contact.email,categories,description
Spółdzielnia Socjalna „Kowadło”,spoldzielnia_socjalna,spoldzielnia_socjalna,%s,%s,ul. Hutnicza 4,44-100,Gliwice,2466011,kowadlo@demo-import.example.org,remonty|sprzatanie,Spawanie i ślusarstwo; drobne konstrukcje stalowe na zamówienie.
Fundacja „Nowy Start”,fundacja,ngo_gospodarcza,%s,%s,ul. Mariacka 12,40-001,Katowice,2469011,nowystart@demo-import.example.org,edukacja,Kursy zawodowe i doradztwo dla osób wracających na rynek pracy.
`

// seedImported imports two listings without an owner into Śląskie, as its
// admin would from the old register (again: nothing changes).
func seedImported(ctx context.Context, db *store.DB) (int, error) {
	tctx, err := scopeFor(ctx, db, "slaskie")
	if err != nil {
		return 0, err
	}
	admin, err := demoAccount(tctx, db, "admin", tenants.RoleAdmin)
	if err != nil {
		return 0, err
	}
	actx := tenants.WithPrincipal(tctx, tenants.Principal{AccountID: admin.ID, Name: admin.Name, Role: admin.Role})
	base := len(demoCities) * listingsPerCity
	csv := fmt.Sprintf(demoImportCSV, demoNIP(base), demoKRS(base), demoNIP(base+1), demoKRS(base+1))
	res, err := db.ImportWith(actx, strings.NewReader(csv), store.ImportOptions{Format: store.ImportCSV})
	if err != nil {
		return 0, err
	}
	if len(res.Errors) > 0 {
		return 0, fmt.Errorf("row %d, %s: %s", res.Errors[0].Row, res.Errors[0].Field, res.Errors[0].Key)
	}
	return res.Imported, nil
}

// demoBuyerEmail is the demo's confirmed buyer in Śląskie: a municipal
// office that posts needs (password demoPassword).
const demoBuyerEmail = "zamowienia@katowice.example.org"

// seedBuyer registers the demo buyer and has Śląskie's moderator confirm
// it, as the pages would (again: nothing changes).
func seedBuyer(ctx context.Context, db *store.DB) (bool, error) {
	tctx, err := scopeFor(ctx, db, "slaskie")
	if err != nil {
		return false, err
	}
	if _, err := db.Authenticate(tctx, demoBuyerEmail, demoPassword); err == nil {
		return false, nil
	}
	var token string
	a, err := db.RegisterBuyer(tctx, store.NewAccount{Email: demoBuyerEmail, Name: "Wydział Zamówień Publicznych", Password: demoPassword},
		store.Institution{Name: "Urząd Miasta Katowice (demo)", NIP: demoNIP(900), TERYT: "2469011"},
		func(t string) store.Mail {
			token = t
			return store.Mail{Subject: "Katalog PES: potwierdź adres (demo)", Body: "Konto demonstracyjne zamawiającego."}
		})
	if err != nil {
		return false, explain(err)
	}
	if err := db.VerifyEmail(tctx, token); err != nil {
		return false, err
	}
	mod, err := demoAccount(tctx, db, "moderator", tenants.RoleModerator)
	if err != nil {
		return false, err
	}
	mctx := tenants.WithPrincipal(tctx, tenants.Principal{AccountID: mod.ID, Name: mod.Name, Role: mod.Role})
	_, err = db.DecideBuyer(mctx, a.ID, true, "", func(store.Buyer) store.Mail {
		return store.Mail{Subject: "Katalog PES: konto zamawiającego potwierdzone (demo)", Body: "Możesz publikować zapytania."}
	})
	return err == nil, explain(err)
}
