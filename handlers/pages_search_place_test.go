package handlers_test

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"katalogpes/handlers"
	"katalogpes/store"
	"katalogpes/tenants"
)

type gminaAnswer struct {
	Code, Name, Kind, Label string
	Powiat                  store.Unit
	Voivodeship             store.Unit
}

func TestGminaSuggestFindsRudaSlaskaWithOrWithoutPolishLetters(t *testing.T) {
	s := newTestServerWithMeili(t, "http://127.0.0.1:1", handlers.Config{Development: true, BaseURL: "http://localhost:8080"})
	for _, path := range []string{"/r/slaskie/api/v1/teryt/gminas?q=Ruda", "/r/slaskie/api/v1/teryt/gminas?q=ruda+slaska", "/api/v1/teryt/gminas?q=RUDA%20%C5%9Al"} {
		var list []gminaAnswer
		s.do("GET", path, nil).expect(t, 200).json(t, &list)
		if len(list) == 0 || len(list) > 10 {
			t.Fatalf("%s: %d gminas", path, len(list))
		}
		g := list[0]
		if g.Code != "2472011" || g.Name != "Ruda Śląska" || g.Kind != "miasto" || g.Label != "Ruda Śląska (miasto)" ||
			g.Powiat.Code != "2472" || g.Voivodeship.Name != "śląskie" {
			t.Errorf("%s: first %+v, want Ruda Śląska (miasto) 2472011", path, g)
		}
	}
	// Another region's own come first; a letter is too little to ask.
	var list []gminaAnswer
	s.do("GET", "/r/dolnoslaskie/api/v1/teryt/gminas?q=ruda", nil).expect(t, 200).json(t, &list)
	if len(list) < 2 || list[0].Name != "Nowa Ruda" || list[0].Voivodeship.Code != "02" {
		t.Errorf("ruda in dolnośląskie: %+v", list)
	}
	s.do("GET", "/r/slaskie/api/v1/teryt/gminas?q=r", nil).expect(t, 200).json(t, &list)
	if len(list) != 0 {
		t.Errorf("one letter found %d", len(list))
	}
}

func TestServesPickerWorksWithoutJavaScript(t *testing.T) {
	s := newTestServerWithMeili(t, "http://127.0.0.1:1", handlers.Config{Development: true, BaseURL: "http://localhost:8080"})
	_, owner := s.account("slaskie", tenants.RoleEnterprise)
	_, mod := s.account("slaskie", tenants.RoleModerator)
	publishAs(t, s, owner, mod, pageListing("Spółdzielnia Socjalna Katowicka", "5260250274"))
	w := s.web()
	// Step one: the region's powiats, no gminas yet; filters fold behind a button.
	p := w.get("/r/slaskie/szukaj").expect(t, 200)
	p.contains(t, `<select id="serves-powiat" name="serves_powiat"`, `<optgroup label="śląskie">`, `<option value="2472">Ruda Śląska</option>`,
		`— najpierw wybierz powiat —`, `<summary id="filters-summary">Filtry (0)</summary>`)
	if strings.Contains(p.Body, `<option value="2472011"`) {
		t.Fatal("gminas before a powiat is chosen")
	}
	// Step two: the chosen powiat's gminas.
	p = w.get("/r/slaskie/szukaj?serves_powiat=2472&pick=serves").expect(t, 200)
	p.contains(t, `<option value="2472" selected>`, `<option value="2472011">Ruda Śląska (miasto)</option>`)
	// Step three: the gmina filters; nobody serves Ruda Śląska, someone Katowice.
	p = w.get("/r/slaskie/szukaj?serves_powiat=2472&serves=2472011").expect(t, 200)
	p.contains(t, `<option value="2472011" selected>Ruda Śląska (miasto)</option>`, "Znaleziono 0 podmiotów", "Filtry (1)")
	p = w.get("/r/slaskie/szukaj?serves=2469011").expect(t, 200)
	p.contains(t, `<option value="2469" selected>`, `<option value="2469011" selected>Katowice (miasto)</option>`, "Znaleziono 1 podmiot", "Spółdzielnia Socjalna Katowicka")
	// Choosing another powiat forgets the previous powiat's gmina.
	p = w.get("/r/slaskie/szukaj?serves_powiat=2472&serves=2469011&pick=serves").expect(t, 200)
	p.contains(t, `<option value="2472011">Ruda Śląska (miasto)</option>`, "Filtry (0)")
	// The hub lists every region's powiats, by region.
	w.get("/szukaj").expect(t, 200).contains(t, `<optgroup label="małopolskie">`, `<optgroup label="śląskie">`)
	w.get("/r/slaskie/szukaj?serves_powiat=2472&pick=serves&lang=en").expect(t, 200).contains(t, "Who serves my municipality", "Ruda Śląska (miasto)")
}

// The gmina facet counts by TERYT code and shows names; a radius search
// says how many listings it could not place and lists those of the place.
func TestGminaFacetAndTheListingsARadiusCannotPlace(t *testing.T) {
	s := newTestServer(t)
	s.startSearch()
	_, owner := s.account("slaskie", tenants.RoleEnterprise)
	_, mod := s.account("slaskie", tenants.RoleModerator)
	located := publishAs(t, s, owner, mod, pageListing("Spółdzielnia Socjalna Mariacka", "5260250274"))
	ruda := pageListing("Fundacja Rudzka", "1234563218")
	ruda.Address = store.Address{Street: "ul. Niedurnego 1", PostalCode: "41-709", City: "Ruda Śląska", GminaTERYT: "2472011"}
	ruda.Geo = &store.Geo{Lat: 50.2558, Lng: 18.8556}
	publishAs(t, s, owner, mod, ruda)
	nowhere := pageListing("Stowarzyszenie Bez Mapy", "7010035015")
	nowhere.Address = store.Address{Street: "ul. Zwycięstwa 1", PostalCode: "44-100", City: "Gliwice", GminaTERYT: "2466011"}
	nowhere.Geo = nil
	nowhere.ServiceArea = store.ServiceArea{Scope: "gminas", TERYT: []string{"2469011"}}
	unlocated := publishAs(t, s, owner, mod, nowhere)
	s.waitIndexed()

	var res struct {
		Total int
		Hits  []struct {
			ID         string
			DistanceKm *float64 `json:"distance_km"`
		}
		Facets    map[string]map[string]int
		Unlocated *struct {
			Count     int
			AreaTotal int `json:"area_total"`
			Area      []string
			Hits      []struct{ ID, Name string }
		}
	}
	s.do("GET", "/r/slaskie/api/v1/search", nil).expect(t, 200).json(t, &res)
	if g := res.Facets["gmina"]; g["2469011"] != 1 || g["2472011"] != 1 || g["2466011"] != 1 || res.Unlocated != nil {
		t.Fatalf("gmina facet %v, unlocated %+v", res.Facets["gmina"], res.Unlocated)
	}
	w := s.web()
	p := w.get("/r/slaskie/szukaj?gmina=2472011").expect(t, 200)
	p.contains(t, `id="facet-gmina-2472011" name="gmina" value="2472011" checked`, `Ruda Śląska (miasto) <span class="count">(1)</span>`,
		`Katowice (miasto) <span class="count">(1)</span>`, "Znaleziono 1 podmiot", "Fundacja Rudzka")

	// Near Katowice: the located one with its distance, the other reported.
	const near = "/r/slaskie/api/v1/search?near=50.2599,19.0216&radius_km=5"
	res.Unlocated = nil
	s.do("GET", near, nil).expect(t, 200).json(t, &res)
	if res.Total != 1 || res.Hits[0].ID != located || res.Hits[0].DistanceKm == nil || *res.Hits[0].DistanceKm > 0.1 {
		t.Fatalf("near Katowice: %+v", res)
	}
	u := res.Unlocated
	if u == nil || u.Count != 1 || u.AreaTotal != 1 || len(u.Hits) != 1 || u.Hits[0].ID != unlocated || strings.Join(u.Area, ",") != "2469011" {
		t.Fatalf("unlocated near Katowice: %+v", u)
	}
	// The place searched may be given: Ruda Śląska's gmina, which nobody without a point serves.
	s.do("GET", near+"&serves=2472011", nil).expect(t, 200).json(t, &res)
	if res.Unlocated == nil || res.Unlocated.Count != 0 || len(res.Unlocated.Hits) != 0 {
		t.Fatalf("serving Ruda Śląska: %+v", res.Unlocated)
	}
	p = w.get(strings.Replace(near, "/api/v1/search", "/szukaj", 1)).expect(t, 200)
	p.contains(t, "Spółdzielnia Socjalna Mariacka", "0,0 km", "1 podmiot bez lokalizacji na mapie", "Stowarzyszenie Bez Mapy",
		`<span class="badge badge--nogeo">brak lokalizacji na mapie</span>`, `<option value="distance">najbliżej</option>`, "Filtry (1)")
	if i, j := strings.Index(p.Body, "Mariacka"), strings.Index(p.Body, "Bez Mapy"); i < 0 || j < i {
		t.Fatal("the unlocated listing is not after the located one")
	}
	// PostgreSQL answers the same while Meilisearch is down.
	down := newNode(t, s.db, "http://127.0.0.1:1", "test_down", handlers.Config{Development: true, BaseURL: "http://localhost:8080", CSRFKey: newCSRFKey(t)}, slog.New(slog.NewTextHandler(io.Discard, nil)), newSigningKeys(t))
	res.Unlocated = nil
	down.do("GET", near, nil).expect(t, 200).json(t, &res)
	if res.Total != 1 || res.Unlocated == nil || res.Unlocated.Count != 1 || len(res.Unlocated.Hits) != 1 || res.Unlocated.Hits[0].ID != unlocated {
		t.Fatalf("degraded near Katowice: %+v %+v", res, res.Unlocated)
	}
}
