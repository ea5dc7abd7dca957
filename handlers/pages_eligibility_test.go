package handlers_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"katalogpes/handlers"
	"katalogpes/store"
	"katalogpes/tenants"
)

func TestSearchPageFiltersByShareAtRiskAndPSPreference(t *testing.T) {
	s := newTestServerWithMeili(t, "http://127.0.0.1:1", handlers.Config{Development: true, BaseURL: "http://localhost:8080"})
	_, owner := s.account("slaskie", tenants.RoleEnterprise)
	_, mod := s.account("slaskie", tenants.RoleModerator)
	recent := time.Now().AddDate(0, -1, 0).Format("2006-01-02")
	high := pageListing("Spółdzielnia Wysoka", "5260250274")
	high.Employment = &store.Employment{Total: 10, AtRisk: 6, AsOf: recent}
	low := pageListing("Fundacja Niska", "1234563218")
	low.LegalForm, low.Kinds, low.SocialEnterprise = "fundacja", []string{"ngo_odplatna"}, nil
	low.Employment = &store.Employment{Total: 10, AtRisk: 2, AsOf: recent}
	publishAs(t, s, owner, mod, high)
	publishAs(t, s, owner, mod, low)
	w := s.web()
	p := w.get("/r/slaskie/szukaj").expect(t, 200)
	p.contains(t, `name="ps_preference" value="true"`, "preferencja PS (do 130 tys. zł)", `<select id="at-risk-min" name="at_risk_min">`,
		`<option value="30">30% lub więcej</option>`, "Preferencja PS (zamówienia do 130 tys. zł)")
	for _, path := range []string{"/r/slaskie/szukaj?at_risk_min=50", "/r/slaskie/szukaj?ps_preference=true"} {
		p = w.get(path).expect(t, 200)
		p.contains(t, "Spółdzielnia Wysoka", "Wyczyść filtry")
		if strings.Contains(p.Body, "Fundacja Niska") {
			t.Errorf("%s shows the listing it filters out", path)
		}
	}
	w.get("/r/slaskie/szukaj?at_risk_min=50&ps_preference=true").expect(t, 200).contains(t, `<option value="50" selected>`, `id="facet-ps" name="ps_preference" value="true" checked`)
	w.get("/r/slaskie/szukaj?at_risk_min=20").expect(t, 422).contains(t, `role="alert"`, "od 30 do 100%")
	w.get("/r/slaskie/szukaj?at_risk_min=20&lang=en").expect(t, 422).contains(t, "30 to 100%")
	pr := s.do("GET", "/r/slaskie/api/v1/search?at_risk_min=101", nil).expect(t, 422).problem(t)
	if len(pr.Errors) != 1 || pr.Errors[0].Field != "at_risk_min" {
		t.Fatalf("at_risk_min=101: %+v", pr)
	}
}

func TestTheOwnerStatesTheIntegrationAimOnTheForm(t *testing.T) {
	s := newTestServer(t)
	email, _ := s.account("slaskie", tenants.RoleEnterprise)
	w := s.web()
	w.signIn("slaskie", email)
	w.get("/r/slaskie/moje/nowy").expect(t, 200).contains(t, `name="reintegration_aim" value="true"`, "integracja społeczna i zawodowa")
	form := newListingForm()
	form.Set("nip", "526-025-02-74")
	form.Set("legal_form", "fundacja")
	form.Del("kinds")
	form.Set("reintegration_aim", "true")
	form.Set("action", "save")
	p := w.post("/r/slaskie/moje/nowy", form).expect(t, 303)
	m := regexp.MustCompile(`/r/slaskie/moje/([0-9a-f-]{36})`).FindStringSubmatch(w.get(p.Location).expect(t, 200).Body)
	if m == nil {
		t.Fatal("no link to the saved listing")
	}
	w.get("/r/slaskie/moje/"+m[1]).expect(t, 200).contains(t, `name="reintegration_aim" value="true" checked`)
}
