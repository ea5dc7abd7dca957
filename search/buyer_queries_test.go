package search_test

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"

	"katalogpes/search"
	"katalogpes/store"
	"katalogpes/store/storetest"
)

// buyerListing is one supplier of the buyer-queries fixture.
type buyerListing struct {
	name, gmina, category, legalForm, description string
	kinds                                         []string
}

// buyerListings are the suppliers the buyer queries look for, one or two
// per service and city; gmina is the seat's 7-digit TERYT code (its first
// two digits pick the region).
var buyerListings = []buyerListing{
	{"Spółdzielnia Socjalna Czysty Dom", "2469011", "sprzatanie", "spoldzielnia_socjalna", "Sprzątanie klatek schodowych i mieszkań, prace porządkowe wokół budynków.", nil},
	{"Spółdzielnia Socjalna Blask", "2466011", "sprzatanie", "spoldzielnia_socjalna", "Sprzątanie biur i mycie okien.", nil},
	{"Fundacja Smaki Śląska", "2469011", "catering", "fundacja", "Catering na konferencje i przyjęcia okolicznościowe.", nil},
	{"Catering Wawelski", "1261011", "catering", "fundacja", "Posiłki dla szkół i przedszkoli z dowozem.", nil},
	{"Spółdzielnia Socjalna Biała Pościel", "2466011", "pralnia", "spoldzielnia_socjalna", "Pranie i maglowanie pościeli, obrusów i odzieży roboczej.", nil},
	{"Zielony Zakątek", "2473011", "zielen", "stowarzyszenie", "Pielęgnacja terenów zielonych, koszenie trawników, przycinanie żywopłotów.", nil},
	{"Spółdzielnia Socjalna Fach", "1061011", "remonty", "spoldzielnia_socjalna", "Remonty mieszkań, malowanie i prace wykończeniowe.", nil},
	{"Stowarzyszenie Nić", "0264011", "szycie", "stowarzyszenie", "Szwalnia: odzież robocza, pościel i torby na zamówienie.", nil},
	{"Drukarnia Integracyjna", "3064011", "poligrafia", "fundacja", "Druk ulotek, plakatów i wizytówek.", nil},
	{"Fundacja Transport Bez Barier", "1465011", "transport", "fundacja", "Przewóz osób z niepełnosprawnościami busami przystosowanymi.", nil},
	{"Fundacja Dobry Czas", "0663011", "opieka", "fundacja", "Usługi opiekuńcze w domu dla seniorów.", nil},
	{"Pracownia Len i Drewno", "2061011", "rekodzielo", "stowarzyszenie", "Ręcznie robione upominki z lnu i drewna.", nil},
	{"Bar Mleczny Przystań", "2261011", "catering", "spoldzielnia_socjalna", "Kuchnia domowa, obiady na wynos i stołówka pracownicza.", nil},
	{"Spółdzielnia Socjalna Gastro", "3262011", "catering", "spoldzielnia_socjalna", "Gastronomia: obsługa bufetów i przerw kawowych.", nil},
	{"Centrum Integracji Społecznej w Rzeszowie", "1863011", "sprzatanie", "stowarzyszenie", "Reintegracja zawodowa; prace porządkowe i sprzątanie terenów.", []string{"cis"}},
	{"Koło Gospodyń Wiejskich Smaczna Kuźnia", "2661011", "zywnosc", "kgw", "Pierogi, wypieki i przetwory na zamówienie.", nil},
	{"Ogrody Warmii", "2862011", "zielen", "fundacja", "Projektowanie ogrodów i zakładanie trawników.", nil},
	{"Pralnia Opolska", "1661011", "pralnia", "spoldzielnia_socjalna", "Pralnia wodna i chemiczna dla firm.", nil},
	{"Spółdzielnia Socjalna Remix", "0463011", "remonty", "spoldzielnia_socjalna", "Drobne prace budowlane i remontowe.", nil},
	{"Catering Bydgoski", "0461011", "catering", "fundacja", "Obiady domowe dla firm.", nil},
	{"Spółdzielnia Socjalna Porządek", "0862011", "sprzatanie", "spoldzielnia_socjalna", "Sprzątanie biur i urzędów.", nil},
	{"Stowarzyszenie Dobre Ręce", "0861011", "opieka", "stowarzyszenie", "Opieka nad osobami starszymi i niepełnosprawnymi.", nil},
	{"Fundacja Szyjemy Razem", "1261011", "szycie", "fundacja", "Krawiectwo: przeróbki i szycie na miarę.", nil},
	{"Spółdzielnia Socjalna Zieleń Miejska", "2469011", "zielen", "spoldzielnia_socjalna", "Utrzymanie zieleni miejskiej i koszenie.", nil},
}

// cityOf names the seats of the fixture.
var cityOf = map[string]string{
	"2469011": "Katowice", "2466011": "Gliwice", "1261011": "Kraków", "2473011": "Rybnik", "1061011": "Łódź",
	"0264011": "Wrocław", "3064011": "Poznań", "1465011": "Warszawa", "0663011": "Lublin", "2061011": "Białystok",
	"2261011": "Gdańsk", "3262011": "Szczecin", "1863011": "Rzeszów", "2661011": "Kielce", "2862011": "Olsztyn",
	"1661011": "Opole", "0463011": "Toruń", "0461011": "Bydgoszcz", "0862011": "Zielona Góra", "0861011": "Gorzów Wielkopolski",
}

// regionOf is the tenant of a voivodeship's TERYT code.
var regionOf = map[string]string{
	"02": "dolnoslaskie", "04": "kujawsko-pomorskie", "06": "lubelskie", "08": "lubuskie", "10": "lodzkie",
	"12": "malopolskie", "14": "mazowieckie", "16": "opolskie", "18": "podkarpackie", "20": "podlaskie",
	"22": "pomorskie", "24": "slaskie", "26": "swietokrzyskie", "28": "warminsko-mazurskie",
	"30": "wielkopolskie", "32": "zachodniopomorskie",
}

// publishBuyerListings publishes the fixture and waits until it is indexed.
func publishBuyerListings(e *env) {
	e.t.Helper()
	startWorker(e.t, e.svc)
	for _, l := range buyerListings {
		e.pub.Publish(regionOf[l.gmina[:2]], store.ListingData{
			Name: l.name, LegalForm: l.legalForm, Kinds: l.kinds, Description: l.description,
			Categories: []string{l.category}, Address: store.Address{City: cityOf[l.gmina], PostalCode: "00-001", GminaTERYT: l.gmina},
		})
	}
	e.waitIndexed(len(buyerListings))
}

// buyerQuery is one line of testdata/buyer_queries.txt.
type buyerQuery struct {
	line        int
	q, region   string
	want        []string
	wantRelaxed bool
}

func readBuyerQueries(t *testing.T) []buyerQuery {
	t.Helper()
	f, err := os.Open("testdata/buyer_queries.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []buyerQuery
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, " | ")
		if len(fields) != 4 || (fields[3] != "exact" && fields[3] != "relaxed") {
			t.Fatalf("buyer_queries.txt:%d: want query | region | hits | exact or relaxed, got %q", n, line)
		}
		bq := buyerQuery{line: n, q: fields[0], region: fields[1], wantRelaxed: fields[3] == "relaxed"}
		if bq.region == "*" {
			bq.region = ""
		}
		for _, name := range strings.Split(fields[2], ";") {
			bq.want = append(bq.want, strings.TrimSpace(name))
		}
		out = append(out, bq)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Real buyer queries find their suppliers: typed without Polish letters,
// inflected, with cities, with words no listing has (relaxed), and with no
// tenant synonyms configured: the built-in list does it.
func TestBuyerQueriesFindTheirSuppliers(t *testing.T) {
	e := newEnv(t)
	for slug, tn := range storetest.Tenants(t, e.db) {
		if len(tn.Settings.Synonyms) > 0 {
			t.Fatalf("tenant %s has synonyms of its own: the test is about the built-in ones", slug)
		}
	}
	publishBuyerListings(e)
	queries := readBuyerQueries(t)
	if len(queries) < 30 {
		t.Fatalf("%d buyer queries, want at least 30", len(queries))
	}
	names := map[string]bool{}
	for _, l := range buyerListings {
		names[l.name] = true
	}
	for _, bq := range queries {
		for _, w := range bq.want {
			if !names[w] {
				t.Fatalf("buyer_queries.txt:%d: no listing %q in the fixture", bq.line, w)
			}
		}
		res := e.search(e.svc, search.Query{Tenant: bq.region, Q: bq.q})
		got := hitNames(res)
		top := got[:min(len(bq.want), len(got))]
		if res.Degraded || res.Relaxed != bq.wantRelaxed || !sameSet(top, bq.want) {
			t.Errorf("buyer_queries.txt:%d %q in %q: relaxed %v, degraded %v, hits %v\n\twant relaxed %v, first hits %v",
				bq.line, bq.q, bq.region, res.Relaxed, res.Degraded, got, bq.wantRelaxed, bq.want)
		}
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
