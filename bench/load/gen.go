package main

import (
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"katalogpes/store"
	"katalogpes/store/polish"
	"katalogpes/store/sheet"
)

// place is a gmina of the TERC register, with what a listing seated there
// needs: a point near it, a postal code and a weight (cities draw more).
type place struct {
	code, name, powiat, voiv string
	lat, lng                 float64
	weight                   int
}

// A few big cities, where a good share of the sector is: their real
// centres and an extra weight; other gminas sit near their voivodeship's
// capital, spread over roughly the voivodeship.
var bigCities = map[string]struct {
	lat, lng float64
	weight   int
}{
	"1465011": {52.2297, 21.0122, 180}, "1261011": {50.0614, 19.9366, 80}, "1061011": {51.7592, 19.4560, 70},
	"0264011": {51.1079, 17.0385, 70}, "3064011": {52.4064, 16.9252, 55}, "2261011": {54.3520, 18.6466, 50},
	"3262011": {53.4285, 14.5528, 40}, "0461011": {53.1235, 18.0084, 35}, "0663011": {51.2465, 22.5684, 35},
	"2061011": {53.1325, 23.1688, 30}, "2469011": {50.2649, 19.0238, 30}, "2262011": {54.5189, 18.5305, 25},
	"2464011": {50.8118, 19.1203, 25}, "1463011": {51.4027, 21.1471, 20}, "0463011": {53.0138, 18.5984, 20},
	"2661011": {50.8661, 20.6286, 20}, "1863011": {50.0412, 21.9991, 20}, "2466011": {50.2945, 18.6714, 15},
	"2862011": {53.7784, 20.4801, 20}, "0862011": {51.9356, 15.5062, 15}, "1661011": {50.6751, 17.9213, 15},
}

// capitals are the voivodeships' seats: the centre other gminas scatter from.
var capitals = map[string][2]float64{
	"02": {51.1079, 17.0385}, "04": {53.0600, 18.3000}, "06": {51.2465, 22.5684}, "08": {52.1000, 15.3000},
	"10": {51.7592, 19.4560}, "12": {49.9500, 20.2000}, "14": {52.2297, 21.0122}, "16": {50.6751, 17.9213},
	"18": {50.0412, 21.9991}, "20": {53.1325, 23.1688}, "22": {54.2000, 18.1000}, "24": {50.3000, 19.0000},
	"26": {50.8661, 20.6286}, "28": {53.7784, 20.4801}, "30": {52.4064, 17.2000}, "32": {53.6000, 15.3000},
}

// postalPrefixes are the first two digits of postal codes in each voivodeship.
var postalPrefixes = map[string][2]int{
	"02": {50, 59}, "04": {85, 89}, "06": {20, 24}, "08": {65, 68}, "10": {90, 99}, "12": {30, 34},
	"14": {0, 9}, "16": {45, 49}, "18": {35, 39}, "20": {15, 19}, "22": {80, 84}, "24": {40, 44},
	"26": {25, 28}, "28": {10, 14}, "30": {60, 64}, "32": {70, 78},
}

// loadPlaces reads the gminas of the TERC register.
func loadPlaces(path string) ([]place, map[string][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	terc, err := store.ParseTERC(f)
	if err != nil {
		return nil, nil, err
	}
	powiatNames := map[string]string{}
	for _, p := range terc.Powiats {
		powiatNames[p.Code] = p.Name
	}
	var out []place
	powiatsOf := map[string][]string{} // voivodeship → powiat codes
	for _, p := range terc.Powiats {
		powiatsOf[p.Code[:2]] = append(powiatsOf[p.Code[:2]], p.Code)
	}
	for _, g := range terc.Gminas {
		p := place{code: g.Code, name: g.Name, powiat: g.Code[:4], voiv: g.Code[:2]}
		h := fnv.New64a()
		h.Write([]byte(g.Code))
		r := rand.New(rand.NewPCG(h.Sum64(), 7))
		c := capitals[p.voiv]
		p.lat = clamp(c[0]+(r.Float64()*2-1)*0.65, 49.1, 54.75)
		p.lng = clamp(c[1]+(r.Float64()*2-1)*1.0, 14.2, 24.0)
		switch {
		case g.Code[2:4] >= "61": // a city with powiat rights
			p.weight = 12
		case g.RODZ == "1":
			p.weight = 4
		case g.RODZ == "3":
			p.weight = 3
		default:
			p.weight = 1
		}
		if b, ok := bigCities[g.Code]; ok {
			p.lat, p.lng, p.weight = b.lat, b.lng, b.weight
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].code < out[j].code })
	return out, powiatsOf, nil
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// picker draws items by weight.
type picker struct {
	cum   []int
	total int
}

func newPicker(weights []int) *picker {
	p := &picker{cum: make([]int, len(weights))}
	for i, w := range weights {
		p.total += w
		p.cum[i] = p.total
	}
	return p
}

func (p *picker) pick(r *rand.Rand) int {
	x := r.IntN(p.total)
	return sort.SearchInts(p.cum, x+1)
}

// legalForms: every form of DOMAIN.md, roughly as common as in the sector,
// with the kinds each tends to run.
var legalForms = []struct {
	code   string
	weight int
	kinds  [][]string
}{
	{"stowarzyszenie", 25, [][]string{{"ngo_odplatna"}, {"ngo_gospodarcza"}, {"cis"}, {"kis"}, {"wtz"}, {"zaz"}, {"ngo_odplatna", "ngo_gospodarcza"}}},
	{"fundacja", 25, [][]string{{"ngo_gospodarcza"}, {"ngo_odplatna"}, {"wtz"}, {"zaz"}, {"ngo_gospodarcza", "ngo_odplatna"}}},
	{"spoldzielnia_socjalna", 15, [][]string{{"spoldzielnia_socjalna"}}},
	{"kgw", 8, [][]string{{"ngo_odplatna"}, {"ngo_gospodarcza"}}},
	{"spolka_non_profit", 6, [][]string{{"ngo_gospodarcza"}, {"zaz"}, {"inny"}}},
	{"jst", 6, [][]string{{"cis"}, {"kis"}, {"zaz"}}},
	{"spoldzielnia_pracy", 4, [][]string{{"inny"}, {"zpch"}}},
	{"spoldzielnia_inwalidow", 3, [][]string{{"zpch"}, {"zpch", "zaz"}}},
	{"koscielna_osoba_prawna", 3, [][]string{{"wtz"}, {"cis"}, {"ngo_odplatna"}}},
	{"spoldzielnia_produkcji_rolnej", 2, [][]string{{"inny"}}},
	{"inna", 3, [][]string{{"inny"}}},
}

// words name entities; with Polish letters, so searches without them and
// with typos have something to find.
var words = []string{
	"Kłos", "Pod Dębem", "Zielony Ogród", "Smaki Regionu", "Szansa", "Nadzieja", "Razem", "Dobre Ręce",
	"Łączka", "Żurawie", "Źródło", "Świetlik", "Ślimak", "Wrzos", "Jarzębina", "Ogniwo", "Przystań",
	"Tęcza", "Złoty Kłos", "Mozaika", "Spichlerz", "Promyk", "Krokus", "Sasanka", "Pszczółka", "Dąbrowa",
	"Gościniec", "Rękodzieło", "Pracownia Marzeń", "Wspólna Sprawa", "Nowy Start", "Przyszłość", "Szczęśliwy Dom",
	"Kuźnia", "Młyn", "Stokrotka", "Bociany", "Żółty Rower", "Wiśniowy Sad", "Leśna Polana", "Czyste Miasto",
	"Ekoogród", "Łuk", "Ostoja", "Bławatek", "Perła", "Kaczeńce", "Modrzew", "Pasieka", "Wierzba",
	"Solidarni", "Aktywni", "Pomocna Dłoń", "Otwarte Drzwi", "Wspólnota", "Pogodni", "Sąsiedzi", "Drugi Brzeg",
}

var saints = []string{"Wojciecha", "Józefa", "Jadwigi", "Stanisława", "Kazimierza", "Faustyny", "Brata Alberta"}

var streets = []string{"Mickiewicza", "Słowackiego", "Kościuszki", "Długa", "Krótka", "Polna", "Leśna", "Ogrodowa",
	"Szkolna", "Kościelna", "Rynek", "Spółdzielcza", "Żeromskiego", "Piłsudskiego", "Wojska Polskiego", "Łąkowa", "Źródlana"}

// categoryText: per category, sentences for descriptions and offers.
var categoryText = map[string]struct {
	sentences []string
	offers    []string
}{
	"catering": {[]string{"Gotujemy obiady dla szkół i przedszkoli oraz przygotowujemy catering na konferencje i uroczystości.",
		"Prowadzimy stołówkę i dowozimy posiłki do urzędów i firm."}, []string{"Catering na konferencje", "Obiady dla szkół", "Przerwy kawowe"}},
	"sprzatanie": {[]string{"Sprzątamy biura, klatki schodowe i obiekty użyteczności publicznej.",
		"Myjemy okna, pierzemy wykładziny i utrzymujemy czystość terenów zewnętrznych."}, []string{"Sprzątanie biur", "Mycie okien", "Utrzymanie czystości klatek schodowych"}},
	"zielen": {[]string{"Pielęgnujemy tereny zielone, koszimy trawniki i przycinamy żywopłoty.",
		"Zakładamy ogrody, sadzimy drzewa i prowadzimy szkółkę roślin."}, []string{"Pielęgnacja zieleni", "Koszenie trawników", "Zakładanie ogrodów"}},
	"remonty": {[]string{"Wykonujemy drobne remonty, malowanie i prace wykończeniowe.",
		"Remontujemy mieszkania komunalne na zlecenie gmin."}, []string{"Malowanie pomieszczeń", "Drobne remonty", "Prace wykończeniowe"}},
	"pralnia": {[]string{"Prowadzimy pralnię przemysłową: pierzemy pościel i odzież roboczą dla szpitali i hoteli.",
		"Odbieramy i dostarczamy pranie w całym powiecie."}, []string{"Pranie pościeli", "Pranie odzieży roboczej"}},
	"poligrafia": {[]string{"Drukujemy ulotki, plakaty i wizytówki, projektujemy materiały graficzne.",
		"Oprawiamy dokumenty i składamy publikacje."}, []string{"Druk cyfrowy", "Projekty graficzne", "Introligatorstwo"}},
	"szycie": {[]string{"Szyjemy odzież roboczą, torby i stroje na zamówienie.",
		"Naprawiamy i przerabiamy odzież, szyjemy zasłony."}, []string{"Szycie toreb", "Szycie odzieży roboczej", "Krawiectwo"}},
	"rekodzielo": {[]string{"Tworzymy rękodzieło, ceramikę i upominki okolicznościowe.",
		"Przygotowujemy zestawy prezentowe dla firm i instytucji."}, []string{"Upominki firmowe", "Ceramika", "Kosze prezentowe"}},
	"turystyka": {[]string{"Prowadzimy agroturystykę i organizujemy wycieczki po regionie.",
		"Oferujemy noclegi i salę na szkolenia."}, []string{"Noclegi", "Wycieczki", "Wynajem sali"}},
	"opieka": {[]string{"Świadczymy usługi opiekuńcze w domu dla seniorów i osób z niepełnosprawnościami.",
		"Prowadzimy dzienny dom pobytu."}, []string{"Usługi opiekuńcze", "Asystencja osobista", "Opieka wytchnieniowa"}},
	"edukacja": {[]string{"Prowadzimy warsztaty i szkolenia zawodowe dla dorosłych i młodzieży.",
		"Organizujemy zajęcia ekologiczne dla szkół."}, []string{"Warsztaty ekologiczne", "Szkolenia zawodowe", "Zajęcia dla dzieci"}},
	"transport": {[]string{"Przewozimy osoby z niepełnosprawnościami i dowozimy dzieci do szkół.",
		"Świadczymy usługi transportowe i przeprowadzki."}, []string{"Przewóz osób", "Przeprowadzki", "Dowóz dzieci do szkół"}},
	"biuro_it": {[]string{"Digitalizujemy dokumenty, prowadzimy archiwizację i obsługę biurową.",
		"Tworzymy strony internetowe i wprowadzamy dane."}, []string{"Digitalizacja dokumentów", "Strony internetowe", "Wprowadzanie danych"}},
	"zywnosc": {[]string{"Produkujemy przetwory, miód i pieczywo z lokalnych składników.",
		"Uprawiamy warzywa i prowadzimy sklep z żywnością."}, []string{"Przetwory", "Miód z pasieki", "Pieczywo"}},
	"kultura": {[]string{"Organizujemy wydarzenia kulturalne, festyny i koncerty.",
		"Prowadzimy kawiarnię artystyczną i galerię."}, []string{"Organizacja festynów", "Obsługa wydarzeń", "Nagłośnienie"}},
}

// categoryNames are the Polish names the register file uses for some rows.
var categoryNames = map[string]string{"catering": "Catering i gastronomia", "sprzatanie": "Sprzątanie", "zielen": "Zieleń i ogrodnictwo",
	"remonty": "Remonty i budownictwo", "pralnia": "Pralnia", "poligrafia": "Poligrafia i druk", "szycie": "Szycie i tekstylia",
	"rekodzielo": "Rękodzieło i upominki", "turystyka": "Turystyka i noclegi", "opieka": "Usługi opiekuńcze",
	"edukacja": "Edukacja i szkolenia", "transport": "Transport", "biuro_it": "Usługi biurowe i IT",
	"zywnosc": "Żywność i rolnictwo", "kultura": "Kultura i wydarzenia"}

var categoryCodes = func() []string {
	var out []string
	for c := range categoryText {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}()

var targetGroups = []string{"niepelnosprawni", "bezrobotni", "bezdomni", "opuszczajacy_zaklady_karne", "zaburzenia_psychiczne", "uchodzcy"}

// listing is one generated entity: the register's row, and what the
// register has no column for (offers, service area, certificates).
type listing struct {
	tenant string // voivodeship code
	data   store.ListingData
}

// generator makes listings deterministically from a seed.
type generator struct {
	r         *rand.Rand
	places    []place
	byPlace   *picker
	forms     *picker
	powiatsOf map[string][]string
	gminasOf  map[string][]string // powiat → gmina codes
	nip, krs  int
}

func newGenerator(seed uint64, places []place, powiatsOf map[string][]string) *generator {
	g := &generator{r: rand.New(rand.NewPCG(seed, 0x6b617461)), places: places, powiatsOf: powiatsOf,
		gminasOf: map[string][]string{}, nip: 100000000 + int(seed%1000)*100000, krs: 1}
	w := make([]int, len(places))
	for i, p := range places {
		w[i] = p.weight
		g.gminasOf[p.powiat] = append(g.gminasOf[p.powiat], p.code)
	}
	g.byPlace = newPicker(w)
	fw := make([]int, len(legalForms))
	for i, f := range legalForms {
		fw[i] = f.weight
	}
	g.forms = newPicker(fw)
	return g
}

func (g *generator) one(xs []string) string { return xs[g.r.IntN(len(xs))] }
func (g *generator) chance(p float64) bool  { return g.r.Float64() < p }

// nextNIP returns the next valid NIP: unique across the run.
func (g *generator) nextNIP() string {
	w := []int{6, 5, 7, 2, 3, 4, 5, 6, 7}
	for {
		d := fmt.Sprintf("%09d", g.nip)
		g.nip++
		s := 0
		for i := range w {
			s += int(d[i]-'0') * w[i]
		}
		if s%11 != 10 {
			return d + strconv.Itoa(s%11)
		}
	}
}

// regon returns a valid 9-digit REGON.
func (g *generator) regon() string {
	w := []int{8, 9, 2, 3, 4, 5, 6, 7}
	d := fmt.Sprintf("%08d", 10000000+g.r.IntN(89999999))
	s := 0
	for i := range w {
		s += int(d[i]-'0') * w[i]
	}
	return d + strconv.Itoa(s%11%10)
}

// next generates listing number i.
func (g *generator) next(i int) listing {
	p := g.places[g.byPlace.pick(g.r)]
	form := legalForms[g.forms.pick(g.r)]
	kinds := form.kinds[g.r.IntN(len(form.kinds))]
	word := g.one(words)
	name := g.name(form.code, kinds, word, p)
	cats, desc := g.categories(p)
	d := store.ListingData{
		Name: name, LegalForm: form.code, Kinds: kinds, Categories: cats, Description: strings.Join(desc, " "),
		NIP: g.nextNIP(),
		Address: store.Address{
			Street:     fmt.Sprintf("ul. %s %d", g.one(streets), 1+g.r.IntN(120)),
			PostalCode: g.postal(p.voiv), City: p.name, GminaTERYT: p.code,
		},
		Contact: store.Contact{
			Email: fmt.Sprintf("biuro%d@%s.pl", i, slug(word)),
			Phone: fmt.Sprintf("%d%08d", 5+g.r.IntN(4), g.r.IntN(100000000)),
		},
	}
	g.optional(&d, form.code, p, i, word)
	g.unregistered(&d, cats, p)
	return listing{tenant: p.voiv, data: d}
}

// name names a listing as its kind or legal form is usually named, in
// the place half of the time.
func (g *generator) name(form string, kinds []string, word string, p place) string {
	var name string
	switch {
	case kinds[0] == "cis":
		name = "Centrum Integracji Społecznej „" + word + "”"
	case kinds[0] == "kis":
		name = "Klub Integracji Społecznej „" + word + "”"
	case kinds[0] == "wtz":
		name = "Warsztat Terapii Zajęciowej „" + word + "”"
	case kinds[0] == "zaz":
		name = "Zakład Aktywności Zawodowej „" + word + "”"
	case form == "spoldzielnia_socjalna":
		name = "Spółdzielnia Socjalna „" + word + "”"
	case form == "fundacja":
		name = "Fundacja " + word
	case form == "stowarzyszenie":
		name = "Stowarzyszenie " + word
	case form == "kgw":
		name = "Koło Gospodyń Wiejskich „" + word + "” w gminie " + p.name
	case form == "spolka_non_profit":
		name = word + " sp. z o.o. non profit"
	case form == "spoldzielnia_pracy":
		name = "Spółdzielnia Pracy „" + word + "”"
	case form == "spoldzielnia_inwalidow":
		name = "Spółdzielnia Inwalidów „" + word + "”"
	case form == "spoldzielnia_produkcji_rolnej":
		name = "Rolnicza Spółdzielnia Produkcyjna „" + word + "”"
	case form == "koscielna_osoba_prawna":
		name = "Caritas Parafii św. " + g.one(saints)
	case form == "jst":
		name = "Centrum Usług Społecznych – " + p.name
	default:
		name = word + " – przedsiębiorstwo społeczne"
	}
	if g.chance(0.5) {
		name += " – " + p.name
	}
	return name
}

// categories picks one to three categories and describes them, and the
// listing's work, in the place.
func (g *generator) categories(p place) (cats, desc []string) {
	cats = []string{g.one(categoryCodes)}
	for len(cats) < 1+g.r.IntN(3) {
		if c := g.one(categoryCodes); !contains(cats, c) {
			cats = append(cats, c)
		}
	}
	for _, c := range cats {
		desc = append(desc, g.one(categoryText[c].sentences))
	}
	desc = append(desc, "Zatrudniamy osoby zagrożone wykluczeniem społecznym; działamy w miejscowości "+p.name+" i okolicach.")
	return cats, desc
}

// optional fills what only some listings have: KRS, REGON, website,
// point, employment, social-enterprise status, founding year.
func (g *generator) optional(d *store.ListingData, form string, p place, i int, word string) {
	if form != "jst" && form != "kgw" || g.chance(0.3) {
		d.KRS = fmt.Sprintf("%010d", 100000+g.krs)
		g.krs++
	}
	if g.chance(0.8) {
		d.REGON = g.regon()
	}
	if g.chance(0.5) {
		d.Contact.Website = "https://www." + slug(word) + strconv.Itoa(i) + ".pl"
	}
	if g.chance(0.85) {
		d.Geo = &store.Geo{Lat: round6(p.lat + (g.r.Float64()*2-1)*0.03), Lng: round6(p.lng + (g.r.Float64()*2-1)*0.045)}
	}
	if g.chance(0.6) {
		total := 3 + g.r.IntN(60)
		d.Employment = &store.Employment{Total: total, AtRisk: g.r.IntN(total + 1), AsOf: "2025-12-31"}
	}
	if (form == "spoldzielnia_socjalna" || form == "fundacja" || form == "stowarzyszenie") && g.chance(0.3) {
		d.SocialEnterprise = &store.SocialEnterprise{DecisionNo: fmt.Sprintf("PS/%s/%d/2024", p.voiv, i), DecisionDate: "2024-05-20"}
	}
	if g.chance(0.7) {
		d.FoundedYear = 1990 + g.r.IntN(35)
	}
}

// unregistered fills what the register has no column for: offers,
// service area, certificates.
func (g *generator) unregistered(d *store.ListingData, cats []string, p place) {
	// What the register has no column for.
	for _, c := range cats {
		for _, o := range categoryText[c].offers {
			if g.chance(0.5) {
				d.Offers = append(d.Offers, store.Offer{Title: o, Kind: "usluga", Category: c})
			}
		}
	}
	d.ServiceArea = g.serviceArea(p, d.Geo != nil)
	switch x := g.r.Float64(); {
	case x < 0.25:
		d.Certificates = []store.Certificate{{Kind: "zakup_prospoleczny", Issuer: "ROPS", ValidUntil: "2027-06-30"}}
	case x < 0.33:
		d.Certificates = []store.Certificate{{Kind: "znak_jakosci_es", Issuer: "Ministerstwo", ValidUntil: "2028-01-31"}}
	case x < 0.45:
		d.Certificates = []store.Certificate{{Kind: "opp", Issuer: "KRS"}}
	case x < 0.5:
		d.Certificates = []store.Certificate{{Kind: "zakup_prospoleczny", Issuer: "ROPS", ValidUntil: "2024-12-31"}} // expired
	}
}

func (g *generator) serviceArea(p place, geo bool) store.ServiceArea {
	switch x := g.r.Float64(); {
	case x < 0.3:
		codes := []string{p.code}
		for _, c := range g.gminasOf[p.powiat] {
			if c != p.code && g.chance(0.3) && len(codes) < 5 {
				codes = append(codes, c)
			}
		}
		return store.ServiceArea{Scope: "gminas", TERYT: codes}
	case x < 0.65:
		codes := []string{p.powiat}
		for _, c := range g.powiatsOf[p.voiv] {
			if c != p.powiat && g.chance(0.1) && len(codes) < 4 {
				codes = append(codes, c)
			}
		}
		return store.ServiceArea{Scope: "powiats", TERYT: codes}
	case x < 0.85:
		return store.ServiceArea{Scope: "voivodeships", TERYT: []string{p.voiv}}
	case x < 0.95 || !geo:
		return store.ServiceArea{Scope: "country", TERYT: []string{}}
	}
	return store.ServiceArea{Scope: "radius", TERYT: []string{}, RadiusKm: 30}
}

func (g *generator) postal(voiv string) string {
	pr := postalPrefixes[voiv]
	return fmt.Sprintf("%02d-%03d", pr[0]+g.r.IntN(pr[1]-pr[0]+1), g.r.IntN(1000))
}

func round6(f float64) float64 { return math.Round(f*1e6) / 1e6 }

// slug makes an ASCII domain label of a name.
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(polish.Fold(s)) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// registerColumns are the register's columns, in the Polish names regions use.
var registerColumns = []string{"nazwa", "forma_prawna", "rodzaj", "nip", "krs", "regon", "ulica", "kod_pocztowy",
	"miejscowosc", "gmina_teryt", "email", "telefon", "www", "opis", "kategorie", "zatrudnieni",
	"zagrozeni_wykluczeniem", "stan_na", "ps_decyzja_nr", "ps_decyzja_data", "lat", "lng", "rok_zalozenia"}

// writeRegisters writes one CSV register per voivodeship, as a region's
// spreadsheet would look (';', Polish headers, some names for codes).
func writeRegisters(dir string, list []listing) (map[string]string, error) {
	files := map[string]*sheet.CSVWriter{}
	closers := map[string]io.Closer{}
	paths := map[string]string{}
	defer func() {
		for _, c := range closers {
			c.Close()
		}
	}()
	for i, l := range list {
		w, ok := files[l.tenant]
		if !ok {
			path := filepath.Join(dir, "rejestr-"+l.tenant+".csv")
			f, err := os.Create(path)
			if err != nil {
				return nil, err
			}
			closers[l.tenant], paths[l.tenant] = f, path
			if w, err = sheet.NewCSVWriter(f); err != nil {
				return nil, err
			}
			files[l.tenant] = w
			if err := w.Write(registerColumns); err != nil {
				return nil, err
			}
		}
		d := l.data
		cats := make([]string, len(d.Categories))
		for j, c := range d.Categories {
			cats[j] = c
			if i%3 == 0 {
				cats[j] = categoryNames[c]
			}
		}
		rec := []string{d.Name, d.LegalForm, strings.Join(d.Kinds, ","), d.NIP, d.KRS, d.REGON, d.Address.Street,
			d.Address.PostalCode, d.Address.City, d.Address.GminaTERYT, d.Contact.Email, d.Contact.Phone, d.Contact.Website,
			d.Description, strings.Join(cats, "|"), "", "", "", "", "", "", "", ""}
		if e := d.Employment; e != nil {
			rec[15], rec[16], rec[17] = strconv.Itoa(e.Total), strconv.Itoa(e.AtRisk), "31.12.2025"
		}
		if se := d.SocialEnterprise; se != nil {
			rec[18], rec[19] = se.DecisionNo, se.DecisionDate
		}
		if d.Geo != nil {
			rec[20], rec[21] = strconv.FormatFloat(d.Geo.Lat, 'f', -1, 64), strconv.FormatFloat(d.Geo.Lng, 'f', -1, 64)
		}
		if d.FoundedYear != 0 {
			rec[22] = strconv.Itoa(d.FoundedYear)
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	for t, w := range files {
		if err := w.Flush(); err != nil {
			return nil, fmt.Errorf("register %s: %w", t, err)
		}
	}
	return paths, nil
}
