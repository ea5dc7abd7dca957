package handlers_test

import (
	"testing"

	"katalogpes/store"
	"katalogpes/store/storetest"
)

// BenchmarkProfilePage renders a listing's profile (store read, template,
// layout) through the whole Fiber stack, in memory.
func BenchmarkProfilePage(b *testing.B) {
	s := newTestServer(b)
	id := benchListing(b, s)
	w := s.web()
	for b.Loop() {
		w.get("/r/slaskie/podmiot/"+id).expect(b, 200)
	}
}

// BenchmarkCachedProfilePage is the same page as an anonymous visitor gets
// it from the page cache: the middleware before the cache, the lookup and
// the bytes, through the Fiber stack in memory.
func BenchmarkCachedProfilePage(b *testing.B) {
	s := cachingServer(b)
	id := benchListing(b, s)
	path := "/r/slaskie/podmiot/" + id
	s.kept(path)
	for b.Loop() {
		if r := s.anonymous(path); r.Status != 200 || hasCSRFCookie(r) {
			b.Fatalf("status %d, or rendered instead of kept", r.Status)
		}
	}
}

// benchListing publishes the benchmarks' listing and returns its id.
func benchListing(b *testing.B, s *testServer) string {
	return storetest.NewPublisher(b, s.db).Publish("slaskie", store.ListingData{
		Name: "Spółdzielnia Socjalna Kłos", LegalForm: "spoldzielnia_socjalna", Kinds: []string{"spoldzielnia_socjalna"},
		Address: store.Address{City: "Katowice", PostalCode: "40-001", GminaTERYT: "2469011"},
		Offers:  []store.Offer{{Title: "Catering", Kind: "usluga"}},
	})
}
