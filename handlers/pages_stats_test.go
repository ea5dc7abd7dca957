package handlers_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"katalogpes/handlers/view"
	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// statsFixture is a catalog of two regions: three published listings in
// śląskie crossing legal forms, kinds, powiats, categories, certificates
// and employment, a pending one that no figure may count, and one
// published listing in mazowieckie that no regional figure may count.
type statsFixture struct {
	s        *testServer
	regional context.Context
	national context.Context
}

func newStatsFixture(t *testing.T) *statsFixture {
	t.Helper()
	s := newTestServer(t)
	pub := storetest.NewPublisher(t, s.db)
	asOf := time.Now().AddDate(0, -1, 0).Format("2006-01-02")

	a := pageListing("Spółdzielnia Socjalna Zielony Śląsk", "5260250274")
	a.Employment = &store.Employment{Total: 12, AtRisk: 5, AsOf: asOf}
	pub.Publish("slaskie", a)

	b := pageListing("Fundacja Dobry Ogród", "1234563218")
	b.LegalForm, b.Kinds, b.Categories = "fundacja", []string{"ngo_odplatna", "cis"}, []string{"zielen", "catering"}
	b.Address.GminaTERYT, b.Address.City, b.Address.PostalCode = "2466011", "Gliwice", "44-100"
	b.SocialEnterprise, b.Geo = nil, nil
	b.Certificates = []store.Certificate{{Kind: "opp", Issuer: "Sąd", ValidUntil: "2099-01-01"}}
	b.Employment = &store.Employment{Total: 8, AtRisk: 2, AsOf: asOf}
	pub.Publish("slaskie", b)

	c := pageListing("Stowarzyszenie Czyste Miasto", "7010035015")
	c.LegalForm, c.Kinds, c.Categories = "stowarzyszenie", []string{"ngo_gospodarcza"}, []string{"sprzatanie"}
	c.SocialEnterprise, c.Certificates, c.Geo = nil, nil, nil
	pub.Publish("slaskie", c)

	owner, _ := pub.Ctxs("slaskie")
	pending := pageListing("Koło czekające", "5213017228")
	pending.LegalForm, pending.Kinds, pending.Categories = "kgw", []string{"kis"}, []string{"edukacja"}
	l, err := s.db.CreateListing(owner, pending)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.SubmitListing(owner, l.ID); err != nil {
		t.Fatal(err)
	}

	m := pageListing("Spółdzielnia Socjalna Warszawianka", "5213017228")
	m.LegalForm, m.Kinds, m.Categories = "spoldzielnia_pracy", []string{"zaz"}, []string{"pralnia"}
	m.Address = store.Address{Street: "ul. Marszałkowska 1", PostalCode: "00-950", City: "Warszawa", GminaTERYT: "1465011"}
	m.Geo = nil
	pub.Publish("mazowieckie", m)

	return &statsFixture{s: s, regional: storetest.Ctx(t, s.db, "slaskie", tenants.Principal{}),
		national: tenants.WithAllTenants(context.Background())}
}

func TestStatsPagesAnswerInPolishAndEnglish(t *testing.T) {
	f := newStatsFixture(t)
	paths := []string{
		"/statystyki", "/statystyki/raport", "/statystyki/raport?dims=powiat", "/statystyki/raport?dims=legal_form&dims=kind",
		"/r/slaskie/statystyki", "/r/slaskie/statystyki/raport",
		"/r/slaskie/statystyki/raport?dims=legal_form", "/r/slaskie/statystyki/raport?dims=kind,category&legal_form=fundacja",
		"/r/slaskie/statystyki/raport?dims=social_enterprise&powiat=2469", "/r/slaskie/statystyki/raport?dims=certificate&category=remonty",
	}
	for _, lang := range []string{"pl", "en"} {
		w := f.s.web()
		for _, path := range paths {
			p := w.get(withLang(path, lang))
			checkPage(t, path, lang, p)
			if !strings.Contains(p.Body, `<a href="`+strings.SplitN(path, "/statystyki", 2)[0]+`/statystyki" aria-current="page">`) {
				t.Errorf("%s: the navigation does not mark the statistics", path)
			}
		}
	}
	f.s.web().get("/r/slaskie/statystyki?lang=en").contains(t, "Statistics", "Entities by legal form", "foundation", "Bar chart.")
}

// blockRe finds a figure's section; rowRe a row of its table.
var (
	rowRe   = regexp.MustCompile(`<tr><th scope="row">(?:<a href="([^"]*)">)?(.*?)(?:</a>)?</th>((?:<td class="num">[^<]*</td>)+)</tr>`)
	cellRe  = regexp.MustCompile(`<td class="num">([^<]*)</td>`)
	labelPL = map[string]string{
		"legal_form:spoldzielnia_socjalna": "spółdzielnia socjalna", "legal_form:fundacja": "fundacja",
		"legal_form:stowarzyszenie": "stowarzyszenie", "legal_form:spoldzielnia_pracy": "spółdzielnia pracy",
		"kind:spoldzielnia_socjalna": "spółdzielnia socjalna", "kind:cis": "centrum integracji społecznej (CIS)",
		"kind:ngo_odplatna":    "organizacja pozarządowa z odpłatną działalnością pożytku publicznego",
		"kind:ngo_gospodarcza": "organizacja pozarządowa z działalnością gospodarczą", "kind:zaz": "zakład aktywności zawodowej (ZAZ)",
		"category:catering": "Catering i gastronomia", "category:zielen": "Zieleń i ogrodnictwo",
		"category:sprzatanie": "Sprzątanie", "category:pralnia": "Pralnia",
		"certificate:opp": "organizacja pożytku publicznego", "certificate:zakup_prospoleczny": "Zakup Prospołeczny",
		"social_enterprise:true": "przedsiębiorstwo społeczne", "social_enterprise:false": "bez statusu przedsiębiorstwa społecznego",
	}
)

// blockRows reads the table of the figure with id: label → its numbers
// as shown, joined by "|".
func blockRows(t *testing.T, body, id string) map[string]string {
	t.Helper()
	start := strings.Index(body, `<section class="stat-block" aria-labelledby="`+id+`-h">`)
	if start < 0 {
		t.Fatalf("no figure %s", id)
	}
	sec := body[start:]
	sec = sec[:strings.Index(sec, "</section>")]
	if !strings.Contains(sec, `<svg `) || !strings.Contains(sec, `role="img" aria-labelledby="chart-`+id) ||
		!strings.Contains(sec, "<caption>") || !strings.Contains(sec, `<th scope="col"`) {
		t.Errorf("figure %s lacks its chart, caption or headers: %s", id, sec)
	}
	out := map[string]string{}
	for _, m := range rowRe.FindAllStringSubmatch(sec, -1) {
		var cells []string
		for _, c := range cellRe.FindAllStringSubmatch(m[3], -1) {
			cells = append(cells, c[1])
		}
		out[html.UnescapeString(m[2])] = strings.Join(cells, "|")
	}
	return out
}

// want turns counts by code into what the table shows.
func want(t *testing.T, dim string, counts map[string]int, names map[string]string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for code, n := range counts {
		label, ok := labelPL[dim+":"+code]
		if names != nil {
			label, ok = names[code]
		}
		if !ok {
			t.Fatalf("no label for %s:%s in the test", dim, code)
		}
		out[label] = view.FormatInt("pl", n)
	}
	return out
}

func sameRows(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: rows %v, want %v", what, got, want)
		return
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q is %q, want %q (all: %v)", what, k, got[k], v, got)
		}
	}
}

func TestStatsTablesEqualStoreStats(t *testing.T) {
	f := newStatsFixture(t)
	for _, tc := range []struct {
		path string
		ctx  context.Context
	}{{"/r/slaskie/statystyki", f.regional}, {"/statystyki", f.national}} {
		st, err := f.s.db.ComputeStats(tc.ctx)
		if err != nil {
			t.Fatal(err)
		}
		body := f.s.web().get(tc.path).expect(t, 200).Body
		for _, fig := range []struct {
			n    int
			noun string
		}{{st.Published, "opublikowan"}, {st.SocialEnterprises, "przedsiębiorstw"},
			{st.EmployeesTotal, "zatrudnion"}, {st.EmployeesAtRisk, "z grup zagrożonych wykluczeniem"}} {
			if !regexp.MustCompile(`<strong>` + view.FormatInt("pl", fig.n) + `</strong> [^<]*` + fig.noun).MatchString(body) {
				t.Errorf("%s: the figure %q is not %d", tc.path, fig.noun, fig.n)
			}
		}
		sameRows(t, tc.path+" legal form", blockRows(t, body, "by-legal_form"), want(t, "legal_form", st.ByLegalForm, nil))
		sameRows(t, tc.path+" kind", blockRows(t, body, "by-kind"), want(t, "kind", st.ByKind, nil))
		sameRows(t, tc.path+" category", blockRows(t, body, "by-category"), want(t, "category", st.ByCategory, nil))
		sameRows(t, tc.path+" certificate", blockRows(t, body, "by-certificate"), want(t, "certificate", st.ByCertificate, nil))
		sameRows(t, tc.path+" powiat", blockRows(t, body, "by-powiat"), want(t, "powiat", st.ByPowiat, st.PowiatNames))
		months := map[string]string{}
		for i, m := range st.RegistrationsByMonth {
			p := st.PublicationsByMonth[i]
			if p.Month != m.Month {
				t.Fatalf("the series' months differ: %v, %v", st.RegistrationsByMonth, st.PublicationsByMonth)
			}
			months[view.MonthName("pl", m.Month, false)] = view.FormatInt("pl", m.Count) + "|" + view.FormatInt("pl", p.Count)
		}
		sameRows(t, tc.path+" months", blockRows(t, body, "by-month"), months)
		if tc.ctx == f.national {
			names := map[string]string{}
			for slug := range st.ByTenant {
				names[slug] = storetest.Tenants(t, f.s.db)[slug].Voivodeship
			}
			sameRows(t, "regions", blockRows(t, body, "by-region"), want(t, "tenant", st.ByTenant, names))
			if !strings.Contains(body, `<a href="/r/slaskie/statystyki">śląskie</a>`) {
				t.Error("a region's row does not link to its statistics")
			}
		}
	}
	// The fixture's own numbers, so that a store that counts nothing
	// cannot pass: three in śląskie (the pending one not counted).
	body := f.s.web().get("/r/slaskie/statystyki").Body
	if got := blockRows(t, body, "by-category")["Catering i gastronomia"]; got != "2" {
		t.Errorf("catering: %q, want 2", got)
	}
	if _, ok := blockRows(t, body, "by-legal_form")["koło gospodyń wiejskich"]; ok {
		t.Error("a pending listing is counted")
	}
	if !strings.Contains(body, "<strong>3</strong> opublikowane podmioty") || !strings.Contains(body, "<strong>1</strong> przedsiębiorstwo społeczne") ||
		!strings.Contains(body, "<strong>20</strong> zatrudnionych osób") || !strings.Contains(body, "(35,0%)") {
		t.Errorf("employment figures: %s", body)
	}
}

// reportCases are the reports both the CSV and the API are checked on.
var reportCases = []struct {
	query string
	dims  []string
	f     store.ReportFilter
}{
	{"dims=legal_form", []string{"legal_form"}, store.ReportFilter{}},
	{"dims=kind,category", []string{"kind", "category"}, store.ReportFilter{}},
	{"dims=category&dims=powiat&legal_form=fundacja&legal_form=stowarzyszenie", []string{"category", "powiat"},
		store.ReportFilter{LegalForms: []string{"fundacja", "stowarzyszenie"}}},
	{"dims=social_enterprise,certificate&powiat=2469", []string{"social_enterprise", "certificate"}, store.ReportFilter{Powiats: []string{"2469"}}},
	{"dims=legal_form&kind=ngo_odplatna,cis&category=zielen", []string{"legal_form"},
		store.ReportFilter{Kinds: []string{"ngo_odplatna", "cis"}, Categories: []string{"zielen"}}},
	{"dims=powiat&category=remonty", []string{"powiat"}, store.ReportFilter{Categories: []string{"remonty"}}},
}

func TestStatsReportCSVHasTheRowsOfStoreReport(t *testing.T) {
	f := newStatsFixture(t)
	for _, scope := range []struct {
		base string
		ctx  context.Context
	}{{"/r/slaskie", f.regional}, {"", f.national}} {
		for _, tc := range reportCases {
			rows, err := f.s.db.Report(scope.ctx, tc.dims, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			r := f.s.do("GET", scope.base+"/statystyki/raport.csv?"+tc.query, nil).expect(t, 200)
			if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
				t.Errorf("content type %q", ct)
			}
			if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="raport-`) {
				t.Errorf("disposition %q", cd)
			}
			if !bytes.HasPrefix(r.Body, []byte("\uFEFF")) || !bytes.Contains(r.Body, []byte("\r\n")) {
				t.Fatalf("%s: no BOM or CRLF: %q", tc.query, r.Body)
			}
			cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.Body, []byte("\uFEFF"))))
			cr.Comma = ';'
			recs, err := cr.ReadAll()
			if err != nil {
				t.Fatalf("%s: %v: %s", tc.query, err, r.Body)
			}
			if len(recs) != len(rows)+1 || len(recs[0]) != 2*len(tc.dims)+1 || recs[0][len(recs[0])-1] != "Liczba podmiotów" {
				t.Fatalf("%s%s: %v, want the %d rows of %v", scope.base, tc.query, recs, len(rows), rows)
			}
			for i, row := range rows {
				rec := recs[i+1]
				for d, key := range row.Keys {
					if rec[2*d] != key || rec[2*d+1] == "" {
						t.Errorf("%s row %d: %v, want keys %v", tc.query, i, rec, row.Keys)
					}
				}
				if rec[len(rec)-1] != strconv.Itoa(row.Count) {
					t.Errorf("%s row %d: %v, want count %d", tc.query, i, rec, row.Count)
				}
			}
			if tc.query == "dims=legal_form" && scope.base != "" && (recs[0][0] != "Forma prawna (kod)" || !strings.Contains(string(r.Body), ";spółdzielnia socjalna;1\r\n")) {
				t.Errorf("the CSV's Polish names: %s", r.Body)
			}
		}
	}
}

func TestStatsReportAPIAnswersTheRowsOfStoreReport(t *testing.T) {
	f := newStatsFixture(t)
	for _, scope := range []struct {
		base string
		ctx  context.Context
	}{{"/r/slaskie", f.regional}, {"", f.national}} {
		for _, tc := range reportCases {
			rows, err := f.s.db.Report(scope.ctx, tc.dims, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				Dims []string          `json:"dims"`
				Rows []store.ReportRow `json:"rows"`
			}
			f.s.do("GET", scope.base+"/api/v1/report?"+tc.query, nil).expect(t, 200).json(t, &got)
			if strings.Join(got.Dims, ",") != strings.Join(tc.dims, ",") || len(got.Rows) != len(rows) {
				t.Fatalf("%s%s: %+v, want %+v", scope.base, tc.query, got, rows)
			}
			for i := range rows {
				if strings.Join(got.Rows[i].Keys, "|") != strings.Join(rows[i].Keys, "|") || got.Rows[i].Count != rows[i].Count {
					t.Errorf("%s row %d: %+v, want %+v", tc.query, i, got.Rows[i], rows[i])
				}
			}
		}
	}
	p := f.s.do("GET", "/r/slaskie/api/v1/report?dims=kind,kind", nil).expect(t, 422).problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "dims" || p.Errors[0].Code != "report.dims" {
		t.Errorf("problem %+v: want the error at dims", p)
	}
	f.s.do("GET", "/r/slaskie/api/v1/report?dims=legal_form&legal_form=nieznana", nil).expect(t, 422)
}

func TestStatsReportWithBadDimensionsShowsTheFormWithTheError(t *testing.T) {
	f := newStatsFixture(t)
	for _, q := range []string{"dims=kind&dims=kind", "dims=nazwa", "dims=legal_form,kind,powiat", "dims=", "dims=&dims="} {
		for _, base := range []string{"/r/slaskie", ""} {
			p := f.s.web().get(base+"/statystyki/raport?"+q).expect(t, 422)
			p.contains(t, `id="error-summary"`, `<a href="#f-dims">Wymiary: Wybierz jeden lub dwa wymiary (najwyżej 2).</a>`,
				`<fieldset id="f-dims" class="field field--error" aria-describedby="f-dims-hint f-dims-err">`,
				`<p class="field-error" id="f-dims-err">Wybierz jeden lub dwa wymiary`, `aria-invalid="true"`)
			if strings.Contains(p.Body, "raport.csv") || strings.Contains(p.Body, `aria-labelledby="report-h"`) {
				t.Errorf("%s: a result beside the error", q)
			}
		}
	}
	// What was asked comes back chosen.
	p := f.s.web().get("/r/slaskie/statystyki/raport?dims=kind&dims=kind&legal_form=fundacja").expect(t, 422)
	p.contains(t, `<option value="kind" selected>`, `id="rf-legal_form-fundacja" name="legal_form" value="fundacja" checked`)
	// A bad filter is an error at its field.
	f.s.web().get("/r/slaskie/statystyki/raport?dims=kind&legal_form=nieznana").expect(t, 422).
		contains(t, `<a href="#f-legal_form">`, `<fieldset id="f-legal_form" class="field field--error">`, `<details class="report-filters" open>`)
	// Without dims, the form alone: no error.
	blank := f.s.web().get("/r/slaskie/statystyki/raport").expect(t, 200)
	if strings.Contains(blank.Body, "error-summary") || strings.Contains(blank.Body, "raport.csv") {
		t.Error("the blank form shows an error or a result")
	}
}

func TestStatsReportPageShowsTotalsChartAndGroups(t *testing.T) {
	f := newStatsFixture(t)
	q := "dims=category&dims=legal_form&kind=ngo_odplatna&kind=spoldzielnia_socjalna"
	p := f.s.web().get("/r/slaskie/statystyki/raport?"+q).expect(t, 200)
	totals, err := f.s.db.Report(f.regional, []string{"category"}, store.ReportFilter{Kinds: []string{"ngo_odplatna", "spoldzielnia_socjalna"}})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, r := range totals {
		counts[r.Keys[0]] = r.Count
	}
	sameRows(t, "totals", blockRows(t, p.Body, "report"), want(t, "category", counts, nil))
	rows, err := f.s.db.Report(f.regional, []string{"category", "legal_form"}, store.ReportFilter{Kinds: []string{"ngo_odplatna", "spoldzielnia_socjalna"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		cell := `<th scope="row">` + labelPL["legal_form:"+r.Keys[1]] + `</th><td class="num">` + strconv.Itoa(r.Count) + `</td>`
		group := `<th scope="rowgroup" rowspan="`
		if !strings.Contains(p.Body, cell) || !strings.Contains(p.Body, group) {
			t.Errorf("the grouped table lacks %v", r)
		}
	}
	csvURL := html.EscapeString("/r/slaskie/statystyki/raport.csv?" + url.Values{"dims": {"category", "legal_form"}, "kind": {"ngo_odplatna", "spoldzielnia_socjalna"}}.Encode())
	p.contains(t, `href="`+csvURL+`"`, "Zestawienie: Kategoria oferty i Forma prawna", "liczy się przy każdym z nich",
		`<option value="legal_form" selected>`, `id="rf-kind-cis" name="kind" value="cis">`)
	// Nothing matches: the result says so.
	f.s.web().get("/r/slaskie/statystyki/raport?dims=legal_form&category=remonty").expect(t, 200).
		contains(t, "Żaden opublikowany podmiot nie pasuje do wybranych filtrów.")
}
