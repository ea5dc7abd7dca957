package handlers_test

import (
	"net/url"
	"strings"
	"testing"

	"katalogpes/tenants"
)

// When all words together find nothing, the page and the API say the hits
// match some of the words; a query whose words all match says nothing.
func TestSearchSaysWhenItMatchedSomeOfTheWords(t *testing.T) {
	s := newTestServer(t)
	s.startSearch()
	_, owner := s.account("slaskie", tenants.RoleEnterprise)
	_, mod := s.account("slaskie", tenants.RoleModerator)
	publishAs(t, s, owner, mod, pageListing("Spółdzielnia Socjalna Czysty Dom", "5260250274")) // in Katowice, no "biur"
	s.waitIndexed()
	const notice = "Pokazujemy wyniki pasujące do części słów"

	w := s.web()
	relaxed := "/r/slaskie/szukaj?q=" + url.QueryEscape("sprzątanie biur Katowice")
	w.get(relaxed).expect(t, 200).contains(t, notice, "Czysty Dom", "Znaleziono 1 podmiot")
	w.get(relaxed+"&lang=en").expect(t, 200).contains(t, "Showing results that match some of the words")
	if p := w.get("/r/slaskie/szukaj?q="+url.QueryEscape("sprzątanie Katowice")).expect(t, 200); strings.Contains(p.Body, notice) {
		t.Error("a query whose words all match shows the relaxed notice")
	}
	if p := w.get("/r/slaskie/szukaj?q="+url.QueryEscape("żółw morski")).expect(t, 200); strings.Contains(p.Body, notice) {
		t.Error("a query that finds nothing at all shows the relaxed notice")
	}

	for q, want := range map[string]bool{"sprzątanie biur Katowice": true, "sprzątanie Katowice": false} {
		var res struct {
			Relaxed *bool `json:"relaxed"`
			Total   int   `json:"total"`
		}
		s.do("GET", "/r/slaskie/api/v1/search?q="+url.QueryEscape(q), nil).expect(t, 200).json(t, &res)
		if res.Relaxed == nil || *res.Relaxed != want || res.Total != 1 {
			t.Errorf("API %q: relaxed %v, total %d; want relaxed %v, total 1", q, res.Relaxed, res.Total, want)
		}
	}
}
