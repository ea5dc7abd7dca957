package search

import (
	"errors"
	"math"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"katalogpes/store"
)

// FuzzParseQuery reads raw query strings as the search handler does
// (url.ParseQuery, then ParseQuery) and builds the Meilisearch requests and
// the PostgreSQL fallback query from what it accepts. Properties: no panic;
// a refusal is field errors keyed by a parameter the request has; an
// accepted query is within its limits, survives being written back into a
// query string unchanged, and normalising it twice changes nothing.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		"", "q=sp%C3%B3%C5%82dzielnia+socjalna+katowice&legal_form=spoldzielnia_socjalna&legal_form=fundacja",
		"q=%20catering%20%20krak%C3%B3w%20&legal_form=kgw&legal_form=fundacja,stowarzyszenie&kind=wtz&powiat=2469",
		"near=50.26,19.02&radius_km=25&sort=distance", "near=-90,180&radius_km=1000", "near=50,19&radius_km=NaN",
		"gmina=2469011&gmina=2469014&serves=1465108,1465109", "category=catering,,catering&certificate=opp",
		"social_enterprise=TRUE&reserved_contracts=0&page=2&per_page=100", "page=9223372036854775807",
		"sort=name&q=%00%E2%80%8B%ff", "per_page=ten&radius_km=5&sort=distance&kind=xyz",
		"at_risk_min=50&ps_preference=true", "at_risk_min=29", "at_risk_min=100%25&ps_preference=no",
	} {
		f.Add(s)
	}
	svc := &Service{cfg: Config{}, now: time.Now}
	f.Fuzz(func(t *testing.T, raw string) {
		values, err := url.ParseQuery(raw)
		if err != nil {
			return // the handler answers 400 before parsing
		}
		q, err := ParseQuery(values)
		if err != nil {
			checkRefusal(t, values, err)
			return
		}
		checkQuery(t, q)
		again, err := ParseQuery(queryValues(q))
		if err != nil || !reflect.DeepEqual(again, q) {
			t.Fatalf("%q parses to %+v; written back as %q it parses to %+v, %v", raw, q, queryValues(q).Encode(), again, err)
		}
		n := q.normalized()
		if twice := n.normalized(); !reflect.DeepEqual(twice, n) {
			t.Fatalf("normalising %+v again gives %+v", n, twice)
		}
		reqs, counted := svc.requests(n)
		if len(reqs) != 1+len(counted) || reqs[0].Query != n.Q {
			t.Fatalf("requests for %+v: %d requests for %d counted facets", n, len(reqs), len(counted))
		}
		fq := fallbackQuery(n)
		if fq.Page != n.Page || fq.PerPage != n.PerPage {
			t.Fatalf("fallback query %+v lost the page of %+v", fq, n)
		}
	})
}

func checkRefusal(t *testing.T, values url.Values, err error) {
	t.Helper()
	var se *store.Error
	if !errors.As(err, &se) || se.Code != store.EInvalid || len(se.Fields) == 0 {
		t.Fatalf("refusal %v is not field errors", err)
	}
	for _, fe := range se.Fields {
		if !values.Has(fe.Field) || fe.Key == "" {
			t.Fatalf("field error %+v names no parameter of %v", fe, values)
		}
	}
}

// checkQuery asserts the limits ParseQuery promises.
func checkQuery(t *testing.T, q Query) {
	t.Helper()
	if !utf8.ValidString(q.Q) || utf8.RuneCountInString(q.Q) > MaxQueryLen || cleanQ(q.Q) != q.Q ||
		strings.IndexFunc(q.Q, unicode.IsControl) >= 0 {
		t.Fatalf("q %q is not clean", q.Q)
	}
	if q.Page < 1 || q.PerPage < 1 || q.PerPage > MaxPerPage {
		t.Fatalf("page %d, per_page %d out of range", q.Page, q.PerPage)
	}
	lists := map[string][]string{"legal_form": q.LegalForms, "kind": q.Kinds, "certificate": q.Certificates,
		"category": q.Categories, "powiat": q.Powiats, "gmina": q.Gminas, "serves": q.Serves}
	for name, list := range lists {
		seen := map[string]bool{}
		for _, s := range list {
			if seen[s] || s == "" || strings.TrimSpace(s) != s {
				t.Fatalf("%s has %q twice or untrimmed: %q", name, s, list)
			}
			seen[s] = true
		}
		if len(list) > maxValues {
			t.Fatalf("%s has %d values", name, len(list))
		}
	}
	for _, g := range append(append([]string{}, q.Gminas...), q.Serves...) {
		if !gminaRe.MatchString(g) || GminaOf(g) != g {
			t.Fatalf("gmina %q is not a gmina code", g)
		}
	}
	if g := q.Near; g != nil && (math.IsNaN(g.Lat) || math.IsNaN(g.Lng) || math.Abs(g.Lat) > 90 || math.Abs(g.Lng) > 180) {
		t.Fatalf("near %+v is off the globe", g)
	}
	if q.RadiusKm != 0 && (q.Near == nil || !(q.RadiusKm > 0 && q.RadiusKm <= MaxRadiusKm)) {
		t.Fatalf("radius %v without a point or out of range", q.RadiusKm)
	}
	if q.Sort != "" && !contains(Sorts, q.Sort) || q.Sort == "distance" && q.Near == nil {
		t.Fatalf("sort %q", q.Sort)
	}
}

// queryValues writes q back as the API's parameters.
func queryValues(q Query) url.Values {
	v := url.Values{}
	set := func(name, s string) {
		if s != "" {
			v.Set(name, s)
		}
	}
	set("q", q.Q)
	for name, list := range map[string][]string{"legal_form": q.LegalForms, "kind": q.Kinds,
		"certificate": q.Certificates, "category": q.Categories, "powiat": q.Powiats, "gmina": q.Gminas, "serves": q.Serves} {
		v[name] = list
	}
	for name, on := range map[string]bool{"social_enterprise": q.SocialEnterprise, "reserved_contracts": q.ReservedContracts, "ps_preference": q.PSPreference} {
		if on {
			v.Set(name, "true")
		}
	}
	v.Set("page", strconv.Itoa(q.Page))
	v.Set("per_page", strconv.Itoa(q.PerPage))
	if q.Near != nil {
		v.Set("near", ftoa(q.Near.Lat)+","+ftoa(q.Near.Lng))
	}
	if q.RadiusKm != 0 {
		set("radius_km", ftoa(q.RadiusKm))
	}
	if q.AtRiskMin != 0 {
		set("at_risk_min", strconv.Itoa(q.AtRiskMin))
	}
	set("sort", q.Sort)
	return v
}
