package store

import (
	"bytes"
	"encoding/json"
	"testing"
)

// diffThroughMaps is how DiffListings compared before: both listings
// encoded whole, decoded into maps, field by field.
func diffThroughMaps(before, after ListingData) []FieldChange {
	var bm, am map[string]json.RawMessage
	bb, _ := json.Marshal(before)
	ab, _ := json.Marshal(after)
	_ = json.Unmarshal(bb, &bm)
	_ = json.Unmarshal(ab, &am)
	var out []FieldChange
	for _, k := range listingFieldOrder {
		if !bytes.Equal(bm[k], am[k]) {
			out = append(out, FieldChange{Field: k, Before: bm[k], After: am[k]})
		}
	}
	return out
}

// Encoding each field alone gives the very changes, values included, that
// the round trip through maps gave: new listings (from nothing), edits of
// one field, emptied fields and omitted ones.
func TestDiffListingsGivesWhatTheRoundTripGave(t *testing.T) {
	full := ListingData{
		Name: "Spółdzielnia Socjalna „Kłos” <&>", ShortName: "Kłos", LegalForm: "spoldzielnia_socjalna",
		Kinds: []string{"spoldzielnia_socjalna"}, NIP: "6342781930", Description: "Catering i sprzątanie.",
		Categories: []string{"catering"}, Offers: []Offer{{Title: "Obiady", Kind: "usluga"}},
		Address: Address{City: "Katowice", GminaTERYT: "2469011"}, Geo: &Geo{Lat: 50.26, Lng: 19.02},
		ServiceArea: ServiceArea{Scope: "voivodeship", TERYT: []string{"24"}}, Contact: Contact{Email: "biuro@klos.pl"},
		SocialEnterprise: &SocialEnterprise{DecisionNo: "1/2024", DecisionDate: "2024-01-01"}, FoundedYear: 2019,
	}
	edited := full
	edited.Description, edited.FoundedYear, edited.Geo = "Tylko catering.", 0, nil
	edited.Kinds = []string{}
	for _, c := range []struct {
		name          string
		before, after ListingData
	}{
		{"new", ListingData{}, full},
		{"same", full, full},
		{"edited", full, edited},
		{"emptied", edited, ListingData{}},
	} {
		got, want := DiffListings(c.before, c.after), diffThroughMaps(c.before, c.after)
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want)
		if !bytes.Equal(gj, wj) {
			t.Errorf("%s:\n got %s\nwant %s", c.name, gj, wj)
		}
	}
}
