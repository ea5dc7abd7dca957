package store_test

import (
	"context"
	"testing"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

func TestNewLookupWantsExactlyOneWellFormedIdentifier(t *testing.T) {
	cases := []struct {
		name  string
		given map[string]string
		want  store.Lookup
		field string
		key   string
	}{
		{"NIP with dashes", map[string]string{"nip": "526-025-02-74"}, store.Lookup{Kind: "nip", Value: "5260250274"}, "", ""},
		{"short KRS is padded", map[string]string{"krs": "12345"}, store.Lookup{Kind: "krs", Value: "0000012345"}, "", ""},
		{"REGON-9", map[string]string{"regon": " 891129301 ", "nip": " "}, store.Lookup{Kind: "regon", Value: "891129301"}, "", ""},
		{"NIP with a wrong check digit", map[string]string{"nip": "1234567890"}, store.Lookup{}, "nip", "nip.checksum"},
		{"REGON too short", map[string]string{"regon": "12345"}, store.Lookup{}, "regon", "regon.format"},
		{"nothing", map[string]string{}, store.Lookup{}, "nip", "lookup.one_identifier"},
		{"two", map[string]string{"nip": "5260250274", "krs": "1"}, store.Lookup{}, "krs", "lookup.one_identifier"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := store.NewLookup(c.given)
			if c.field == "" {
				if err != nil || got != c.want {
					t.Fatalf("got %+v, %v; want %+v", got, err, c.want)
				}
				return
			}
			if keys := fieldKeys(err); keys[c.field] != c.key || store.ErrorCode(err) != store.EInvalid {
				t.Fatalf("error %v, want %s at %s", err, c.key, c.field)
			}
		})
	}
}

func TestLookupFindsPublishedListingsInTheRegionOrAcrossRegions(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	owner, mod := actors(t, db, "slaskie")
	d := validListing("Spółdzielnia Lookup")
	d.REGON = "891129301"
	d.Employment = &store.Employment{Total: 10, AtRisk: 4, AsOf: monthsAgo(1)} // the kind alone does not make it eligible
	d.KRS = "123"
	l, err := db.CreateListing(owner, d)
	if err != nil {
		t.Fatal(err)
	}
	draft := validListing("Szkic")
	draft.NIP = "1234563218"
	if _, err := db.CreateListing(owner, draft); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SubmitListing(owner, l.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Moderate(mod, l.ID, store.ActionApprove, ""); err != nil {
		t.Fatal(err)
	}
	ts := storetest.Tenants(t, db)
	scopes := map[string]context.Context{
		"slaskie":     tenants.NewContext(context.Background(), ts["slaskie"]),
		"malopolskie": tenants.NewContext(context.Background(), ts["malopolskie"]),
		"hub":         tenants.WithAllTenants(context.Background()),
	}
	for _, c := range []struct {
		scope string
		q     store.Lookup
		found bool
	}{
		{"slaskie", store.Lookup{Kind: "nip", Value: "5260250274"}, true},
		{"hub", store.Lookup{Kind: "krs", Value: "0000000123"}, true},
		{"hub", store.Lookup{Kind: "regon", Value: "891129301"}, true},
		{"malopolskie", store.Lookup{Kind: "nip", Value: "5260250274"}, false},
		{"hub", store.Lookup{Kind: "nip", Value: "1234563218"}, false}, // a draft
	} {
		got, err := db.FindListingsByIdentifier(scopes[c.scope], c.q)
		if err != nil {
			t.Fatal(err)
		}
		if c.found != (len(got) == 1) || c.found && (got[0].ID != l.ID || got[0].Tenant != "slaskie") {
			t.Errorf("%s %+v: got %d listings, want found=%v", c.scope, c.q, len(got), c.found)
		}
		if c.found {
			// A social cooperative with 40% at risk: reserved contracts, no PS status.
			if b := got[0].StatusBadges(got[0].UpdatedAt); len(b) != 1 || b[0] != "reserved_contracts" {
				t.Errorf("badges %v", b)
			}
		}
	}
}
