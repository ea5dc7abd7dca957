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
	id := storetest.NewPublisher(b, s.db).Publish("slaskie", store.ListingData{
		Name: "Spółdzielnia Socjalna Kłos", LegalForm: "spoldzielnia_socjalna", Kinds: []string{"spoldzielnia_socjalna"},
		Address: store.Address{City: "Katowice", PostalCode: "40-001", GminaTERYT: "2469011"},
		Offers:  []store.Offer{{Title: "Catering", Kind: "usluga"}},
	})
	w := s.web()
	for b.Loop() {
		w.get("/r/slaskie/podmiot/"+id).expect(b, 200)
	}
}
