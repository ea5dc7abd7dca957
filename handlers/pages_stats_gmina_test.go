package handlers_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestStatsAtGminaLevelCountOnePowiatGminaByGmina(t *testing.T) {
	f := newStatsFixture(t)
	var st struct {
		Published  int `json:"published"`
		Powiat     struct{ Code, Name string }
		ByGmina    map[string]int    `json:"by_gmina"`
		GminaNames map[string]string `json:"gmina_names"`
		ByPowiat   map[string]int    `json:"by_powiat"`
	}
	r := f.s.do("GET", "/r/slaskie/api/v1/stats?level=gmina&powiat=2466", nil).expect(t, 200)
	r.json(t, &st)
	// Gliwice holds one of śląskie's three published listings.
	if st.Published != 1 || st.ByGmina["2466011"] != 1 || st.GminaNames["2466011"] != "Gliwice" || st.Powiat.Code != "2466" {
		t.Fatalf("powiat figures %+v", st)
	}
	if st.ByPowiat != nil || strings.Contains(string(r.Body), `"by_powiat"`) {
		t.Fatalf("by_powiat alongside by_gmina: %s", r.Body)
	}
	// Katowice's powiat lists its gmina with 0 among the others' counts.
	st.ByGmina = nil
	f.s.do("GET", "/r/slaskie/api/v1/stats?level=gmina&powiat=2469", nil).expect(t, 200).json(t, &st)
	if st.ByGmina["2469011"] != 2 {
		t.Fatalf("Katowice %+v", st.ByGmina)
	}

	for _, q := range []string{"level=gmina&powiat=1465", "level=gmina&powiat=9999", "level=gmina&powiat=24x6", "level=gmina"} {
		p := f.s.do("GET", "/r/slaskie/api/v1/stats?"+q, nil).expect(t, 422).problem(t)
		if len(p.Errors) != 1 || p.Errors[0].Field != "powiat" {
			t.Errorf("%s: problem %+v, want the error at powiat", q, p)
		}
	}
	p := f.s.do("GET", "/r/slaskie/api/v1/stats?level=wojewodztwo", nil).expect(t, 422).problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "level" {
		t.Errorf("problem %+v, want the error at level", p)
	}
	// The hub takes any powiat.
	f.s.do("GET", "/api/v1/stats?level=gmina&powiat=1465", nil).expect(t, 200).json(t, &st)
	if st.ByGmina["1465011"] != 1 {
		t.Fatalf("Warszawa on the hub %+v", st.ByGmina)
	}

	// The page: a powiat picked shows its gminas with names; a wrong one
	// is an error at the picker.
	w := f.s.web()
	w.get("/r/slaskie/statystyki?powiat=2466").expect(t, 200).
		contains(t, `<option value="2466" selected>`, `id="by-gmina-h"`, "Gminy powiatu Gliwice", `<th scope="row">Gliwice</th><td class="num">1</td>`)
	w.get("/r/slaskie/statystyki?powiat=1465").expect(t, 422).contains(t, `id="f-powiat-err"`, "Nie ma powiatu o kodzie 1465")
	w.get("/r/slaskie/statystyki?powiat=2466&lang=en").expect(t, 200).contains(t, "Gminas of powiat Gliwice")
}

func TestTheReportCrossesVoivodeshipsAndDownloadsAsXLSX(t *testing.T) {
	f := newStatsFixture(t)
	var rep struct {
		Rows []struct {
			Keys  []string `json:"keys"`
			Count int      `json:"count"`
		} `json:"rows"`
	}
	f.s.do("GET", "/api/v1/report?dims=voivodeship", nil).expect(t, 200).json(t, &rep)
	got := map[string]int{}
	for _, r := range rep.Rows {
		got[r.Keys[0]] = r.Count
	}
	if len(got) != 2 || got["24"] != 3 || got["14"] != 1 {
		t.Fatalf("by voivodeship %+v", rep.Rows)
	}
	f.s.web().get("/statystyki/raport?dims=voivodeship&dims=legal_form").expect(t, 200).
		contains(t, `<option value="voivodeship" selected>Województwo</option>`, `<th scope="row">śląskie</th>`, `href="/statystyki/raport.xlsx?`)

	r := f.s.do("GET", "/statystyki/raport.xlsx?dims=voivodeship,legal_form", nil).expect(t, 200)
	if ct := r.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("content type %s", ct)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, `raport-polska-voivodeship-legal_form-`) || !strings.HasSuffix(cd, `.xlsx"`) {
		t.Fatalf("disposition %s", cd)
	}
	book, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	rows, err := book.GetRows(book.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || rows[0][1] != "Województwo" || rows[0][4] != "Liczba podmiotów" {
		t.Fatalf("workbook %q", rows)
	}
	found := false
	for _, row := range rows[1:] {
		if row[0] == "24" && row[1] == "śląskie" && row[2] == "spoldzielnia_socjalna" && row[4] == "1" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no śląskie row of social cooperatives in %q", rows)
	}
}
