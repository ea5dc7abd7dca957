package store

import "testing"

func TestCompletenessHintsNameTheMissingPartsWithTheirPoints(t *testing.T) {
	d := ListingData{Description: "krótko", Contact: Contact{Email: "a@example.org"}}
	hints := d.CompletenessHints()
	got := map[string]int{}
	missing := 0
	for _, h := range hints {
		got[h.Field] = h.Points
		missing += h.Points
	}
	if got["description"] != 20 || got["logo_url"] != 5 || got["website"] != 5 {
		t.Fatalf("hints %+v", hints)
	}
	if _, ok := got["contact"]; ok {
		t.Fatalf("contact is filled, yet hinted: %+v", hints)
	}
	if hints[0].Points < hints[len(hints)-1].Points {
		t.Fatalf("not most points first: %+v", hints)
	}
	// The hints and the score come from the same weights.
	if d.Completeness()+missing != 100 {
		t.Fatalf("score %d + missing %d != 100", d.Completeness(), missing)
	}
	full := ListingData{Description: string(make([]byte, 80)), Offers: []Offer{{Title: "x"}}, Categories: []string{"c"},
		Contact: Contact{Phone: "1", Website: "https://example.org"}, LogoURL: "https://example.org/l.png",
		Employment: &Employment{Total: 1}, ServiceArea: ServiceArea{Scope: "country"}, Certificates: []Certificate{{Kind: "opp"}}}
	if h := full.CompletenessHints(); len(h) != 0 || full.Completeness() != 100 {
		t.Fatalf("complete listing: %d, hints %+v", full.Completeness(), h)
	}
}
