package store_test

import (
	"context"
	"testing"

	"katalogpes/store/storetest"
)

func TestGminasAreFoundByTheirNameWithOrWithoutPolishLetters(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	ctx := context.Background()
	for _, tc := range []struct{ q, prefer, first, label string }{
		{"Ruda", "24", "2472011", "Ruda Śląska (miasto)"},
		{"ruda slaska", "", "2472011", "Ruda Śląska (miasto)"},
		{"  RUDA   Śląska ", "02", "2472011", "Ruda Śląska (miasto)"},
		{"kłodzk", "", "0208021", "Kłodzko (miasto)"},
	} {
		list, err := db.FindGminasByName(ctx, tc.q, tc.prefer)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 0 || list[0].Code != tc.first || list[0].Label() != tc.label {
			t.Errorf("%q: %+v, want %s %s first", tc.q, list, tc.first, tc.label)
		}
	}
	// A word inside the name counts too, and a region's own gminas lead.
	list, err := db.FindGminasByName(ctx, "ruda", "02")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) < 5 || list[0].Name != "Nowa Ruda" || list[0].Label() == list[1].Label() {
		t.Errorf("ruda in dolnośląskie: %+v", list)
	}
	// Wildcards are letters, not patterns; the answer is bounded.
	for _, q := range []string{"%", "_", "", "a"} {
		list, err := db.FindGminasByName(ctx, q, "")
		if err != nil {
			t.Fatal(err)
		}
		if (q == "%" || q == "_" || q == "") && len(list) != 0 || len(list) > 10 {
			t.Errorf("%q found %d gminas", q, len(list))
		}
	}
	named, err := db.FindGminasByCode(ctx, []string{"2469011", "2472011", "9999999"})
	if err != nil || len(named) != 2 || named[0].Name != "Katowice" || named[1].PowiatName != "Ruda Śląska" {
		t.Fatalf("by code: %+v %v", named, err)
	}
}
