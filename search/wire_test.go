package search

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/meilisearch/meilisearch-go"
)

// sampleAnswer is a region's multi-search answer as Meilisearch 1.21
// writes it: a page of 20 hits (no match positions: none are asked) and its facets.
func sampleAnswer() []byte {
	var hits []string
	for i := 0; i < 20; i++ {
		hits = append(hits, fmt.Sprintf(`{"id":"00000000-0000-0000-0000-%012d","tenant":"slaskie","name":"Spółdzielnia Socjalna „Kłos %d”",
"legal_form":"spoldzielnia_socjalna","kinds":["spoldzielnia_socjalna"],"city":"Katowice","powiat":"2469","powiat_name":"Katowice",
"gmina":"2469011","gmina_name":"Katowice","description":"Gotujemy obiady dla szkół i przedszkoli, przygotowujemy catering na konferencje i wydarzenia.",
"categories":["catering","zywnosc"],"social_enterprise":true,"reserved_contracts_eligible":true,"ps_preference_eligible":false,
"_geo":{"lat":50.26,"lng":19.02}}`, i, i))
	}
	return []byte(`{"results":[{"indexUid":"listings_slaskie","hits":[` + strings.Join(hits, ",") + `],"query":"spoldzielnia","processingTimeMs":3,
"hitsPerPage":20,"page":1,"totalPages":5,"totalHits":97,"facetDistribution":{"legal_form":{"spoldzielnia_socjalna":60,"fundacja":37},
"kinds":{"spoldzielnia_socjalna":60},"powiat":{"2469":50,"2466":47},"categories":{"catering":80,"zywnosc":40}}}]}`)
}

func TestTheWireAnswerDecodesIntoTheAPIsHits(t *testing.T) {
	var ans wireAnswer
	if err := json.Unmarshal(sampleAnswer(), &ans); err != nil {
		t.Fatal(err)
	}
	if len(ans.Results) != 1 || ans.Results[0].TotalHits != 97 || len(ans.Results[0].Hits) != 20 {
		t.Fatalf("decoded %+v", ans.Results)
	}
	hits := hitsOf(ans.Results[0].Hits, Query{Q: "spoldzielnia catering"})
	h := hits[3]
	if h.Name != "Spółdzielnia Socjalna „Kłos 3”" || h.Gmina.Name != "Katowice" || !h.SocialEnterprise ||
		h.Highlight["name"] != "<mark>Spółdzielnia</mark> Socjalna „Kłos 3”" || !strings.Contains(h.Highlight["description"], "<mark>catering</mark>") {
		t.Errorf("hit %+v", h)
	}
	facets := emptyFacets(false)
	addFacetCounts(facets, ans.Results[0].FacetDistribution)
	if facets["legal_form"]["fundacja"] != 37 || facets["category"]["catering"] != 80 {
		t.Errorf("facets %v", facets)
	}
}

// A refusal keeps what unavailable() needs to tell an outage from our
// mistake: 5xx and a missing index degrade, a bad filter of ours as well
// (the index lacks our settings), anything else is an error.
func TestARefusedMultiSearchIsClassified(t *testing.T) {
	for _, c := range []struct {
		status int
		body   string
		down   bool
	}{
		{http.StatusServiceUnavailable, `{"message":"busy","code":"","type":"internal"}`, true},
		{http.StatusNotFound, `{"message":"Index missing","code":"index_not_found","type":"invalid_request"}`, true},
		{http.StatusBadRequest, `{"message":"bad page","code":"invalid_search_page","type":"invalid_request"}`, false},
		{http.StatusOK, `{"results":[`, true}, // cut short: unreadable
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(c.status)
			_, _ = w.Write([]byte(c.body))
		}))
		svc, err := New(Config{URL: srv.URL}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := svc.federatedRequests(Query{Page: 1, PerPage: 20}, []regionIndex{{uid: "listings_slaskie"}}, []string{""})
		_, err = svc.postMultiSearch(t.Context(), page)
		srv.Close()
		if err == nil || unavailable(err) != c.down {
			t.Errorf("%d %s: err %v, unavailable %v, want %v", c.status, c.body, err, unavailable(err), c.down)
		}
	}
}

func BenchmarkDecodeSearchAnswer(b *testing.B) {
	raw := sampleAnswer()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		ans, err := decodeAnswer(raw)
		if err != nil {
			b.Fatal(err)
		}
		if hits := hitsOf(ans.Results[0].Hits, Query{Q: "spoldzielnia catering"}); len(hits) != 20 {
			b.Fatal(len(hits))
		}
	}
}

// BenchmarkDecodeSearchAnswerViaClientTypes is the way answers were read
// before wire.go (the client's response types, then each hit decoded
// again), kept to show what the typed decoding saves.
func BenchmarkDecodeSearchAnswerViaClientTypes(b *testing.B) {
	raw := sampleAnswer()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		var resp meilisearch.MultiSearchResponse
		if err := json.NewDecoder(bytes.NewReader(raw)).Decode(&resp); err != nil {
			b.Fatal(err)
		}
		hits := make([]Hit, 0, 20)
		for _, h := range resp.Results[0].Hits {
			var d hitDoc
			if err := h.DecodeInto(&d); err != nil {
				b.Fatal(err)
			}
			hits = append(hits, d.hit(Query{}, newMarker(nil)))
		}
		var dist map[string]map[string]int
		if err := json.Unmarshal(resp.Results[0].FacetDistribution, &dist); err != nil || len(hits) != 20 {
			b.Fatal(err)
		}
	}
}
