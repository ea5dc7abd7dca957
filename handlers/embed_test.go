package handlers_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"katalogpes/store"
	"katalogpes/tenants"
)

// gliwiceListing is a second listing, in another gmina.
func gliwiceListing(name string) store.ListingData {
	d := pageListing(name, "1234563218")
	d.Address = store.Address{Street: "ul. Zwycięstwa 1", PostalCode: "44-100", City: "Gliwice", GminaTERYT: "2466011"}
	d.Geo = &store.Geo{Lat: 50.2945, Lng: 18.6714}
	return d
}

// TestTheFramePageIsFramedOnlyByListedSitesAndKeepsItsFilters: /osadz
// forbids every framing site by default, allows those the admin lists,
// and searches within the embedding site's gmina.
func TestTheFramePageIsFramedOnlyByListedSitesAndKeepsItsFilters(t *testing.T) {
	s := newTestServer(t)
	s.startSearch()
	_, owner := s.account("slaskie", tenants.RoleEnterprise)
	_, mod := s.account("slaskie", tenants.RoleModerator)
	publishAs(t, s, owner, mod, pageListing("Spółdzielnia Katowicka", "5260250274"))
	publishAs(t, s, owner, mod, gliwiceListing("Spółdzielnia Gliwicka"))
	s.waitIndexed()

	r := s.do("GET", "/r/slaskie/osadz?gmina=2466011&q=Spółdzielnia", nil).expect(t, 200)
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Fatalf("default CSP %q: want frame-ancestors 'none'", csp)
	}
	body := string(r.Body)
	if !strings.Contains(body, "Spółdzielnia Gliwicka") || strings.Contains(body, "Spółdzielnia Katowicka") {
		t.Fatalf("the frame ignored its gmina: %s", body)
	}
	if !strings.Contains(body, `name="gmina" value="2466011"`) {
		t.Fatal("the frame's search form drops its gmina")
	}

	email, _ := s.account("slaskie", tenants.RoleAdmin)
	w := s.web()
	w.signIn("slaskie", email)
	w.post("/r/slaskie/admin/integracje/osadzanie", url.Values{"frame_origins": {"https://owes.example.org/strona"}}).expect(t, 422).contains(t, "nie jest adresem strony")
	w.post("/r/slaskie/admin/integracje/osadzanie", url.Values{"frame_origins": {"https://OWES.example.org\r\nhttp://127.0.0.1:8099\r\n"}}).expect(t, 303)
	w.get("/r/slaskie/admin/integracje").expect(t, 200).contains(t, "https://owes.example.org\nhttp://127.0.0.1:8099")
	r = s.do("GET", "/r/slaskie/osadz", nil).expect(t, 200)
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors https://owes.example.org http://127.0.0.1:8099;") {
		t.Fatalf("CSP %q", csp)
	}
	if r.Header.Get("X-Frame-Options") != "" {
		t.Fatal("X-Frame-Options would forbid even the listed sites")
	}
	// Other regions keep their own list: none.
	r = s.do("GET", "/r/malopolskie/osadz", nil).expect(t, 200)
	if !strings.Contains(r.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Fatal("another region's frame took slaskie's list")
	}
	if s.do("GET", "/r/slaskie/szukaj", nil).Header.Get("X-Frame-Options") != "DENY" {
		t.Fatal("the other pages must still refuse every frame")
	}
}

func TestTheWidgetAndTheSearchItUsesAreOpenToOtherSites(t *testing.T) {
	s := newTestServer(t)
	r := s.do("GET", "/r/slaskie/widget.js", nil).expect(t, 200)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/javascript") || !strings.Contains(string(r.Body), "attachShadow") {
		t.Fatalf("widget.js: %s", r.Header.Get("Content-Type"))
	}
	s.do("GET", "/r/slaskie/widget.css", nil).expect(t, 200)
	r = s.do("GET", "/r/slaskie/api/v1/search?q=x", nil, header("Origin", "https://owes.example.org")).expect(t, 200)
	if r.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatal("the search is not readable from another site")
	}
	s.do("GET", "/widget.js", nil).expect(t, 404) // a region's widget only
}

// TestTheRegionsOpenDataIsDescribedInDCATAP: the catalog record points
// at the three exports with their licence.
func TestTheRegionsOpenDataIsDescribedInDCATAP(t *testing.T) {
	s := newTestServer(t)
	r := s.do("GET", "/r/slaskie/dane.jsonld", nil).expect(t, 200)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/ld+json") {
		t.Fatalf("content type %q", r.Header.Get("Content-Type"))
	}
	var doc struct {
		Type    string `json:"@type"`
		Dataset []struct {
			Type    string `json:"@type"`
			License struct {
				ID string `json:"@id"`
			} `json:"dct:license"`
			Distribution []struct {
				Download struct {
					ID string `json:"@id"`
				} `json:"dcat:downloadURL"`
				License struct {
					ID string `json:"@id"`
				} `json:"dct:license"`
			} `json:"dcat:distribution"`
		} `json:"dcat:dataset"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Type != "dcat:Catalog" || len(doc.Dataset) != 1 || doc.Dataset[0].License.ID != store.DataLicenseURL || len(doc.Dataset[0].Distribution) != 3 {
		t.Fatalf("DCAT-AP: %s", r.Body)
	}
	for _, d := range doc.Dataset[0].Distribution {
		u, err := url.Parse(d.Download.ID)
		if err != nil || d.License.ID != store.DataLicenseURL {
			t.Fatalf("distribution %+v", d)
		}
		s.do("GET", u.Path, nil).expect(t, 200) // it downloads
	}
}
