package search

import (
	stdjson "encoding/json"
	"testing"

	gojson "github.com/goccy/go-json"
	"github.com/meilisearch/meilisearch-go"

	"katalogpes/store"
)

// The multi-searches sent to Meilisearch are encoded by goccy/go-json: they
// must be byte for byte what encoding/json writes (an option it wrote that
// encoding/json omits could ask Meilisearch for more work).
func TestRequestsEncodeAsEncodingJSONEncodesThem(t *testing.T) {
	svc, err := New(Config{URL: "http://127.0.0.1:1"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	q := Query{Q: "catering szkoły", Page: 2, PerPage: 20, Sort: "name",
		ListingFilter: store.ListingFilter{LegalForms: []string{"fundacja"}, Categories: []string{"catering"}, SocialEnterprise: true}}
	page, counts := svc.federatedRequests(q, []regionIndex{{uid: "listings_slaskie", voivodeship: "24"}, {uid: "listings_opolskie", voivodeship: "16"}}, []string{q.Q})
	for i, req := range append([]*meilisearch.MultiSearchRequest{page}, counts...) {
		want, err := stdjson.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		got, err := gojson.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("request %d:\ngoccy         %s\nencoding/json %s", i, got, want)
		}
	}
}
