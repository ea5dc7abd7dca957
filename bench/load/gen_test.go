package main

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"katalogpes/store/polish"
	"katalogpes/store/storetest"
)

// The same seed gives the same listings, spread over every voivodeship,
// legal form and kind; and the registers hold them all.
func TestGeneratorIsDeterministicAndCoversTheDomain(t *testing.T) {
	places, powiatsOf, err := loadPlaces(storetest.TERCPath(t))
	if err != nil {
		t.Fatal(err)
	}
	gen := func() []listing {
		g := newGenerator(7, places, powiatsOf)
		out := make([]listing, 3000)
		for i := range out {
			out[i] = g.next(i)
		}
		return out
	}
	a, b := gen(), gen()
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs with one seed differ")
	}
	voivs, forms, kinds, nips := map[string]int{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, l := range a {
		voivs[l.tenant]++
		forms[l.data.LegalForm] = true
		for _, k := range l.data.Kinds {
			kinds[k] = true
		}
		if nips[l.data.NIP] {
			t.Fatalf("NIP %s twice", l.data.NIP)
		}
		nips[l.data.NIP] = true
	}
	if len(voivs) != 16 || len(forms) != len(legalForms) || len(kinds) != 9 {
		t.Errorf("%d voivodeships, %d legal forms, %d kinds", len(voivs), len(forms), len(kinds))
	}
	if voivs["14"] <= voivs["08"] {
		t.Errorf("mazowieckie has %d listings, lubuskie %d: cities should draw more", voivs["14"], voivs["08"])
	}
	dir := t.TempDir()
	files, err := writeRegisters(dir, a)
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, f := range files {
		b, err := os.ReadFile(filepath.Clean(f))
		if err != nil {
			t.Fatal(err)
		}
		rows += strings.Count(string(b), "\n") - 1 // the header; descriptions have no line breaks
	}
	if rows != len(a) {
		t.Errorf("the registers hold %d rows, want %d", rows, len(a))
	}
}

// A typo never falls on the first letter, which Meilisearch would count
// as two.
func TestVariantKeepsTheFirstLetter(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		term := terms[r.IntN(len(terms))]
		v := []rune(variant(r, term))
		first := []rune(strings.ToLower(term))[0]
		if v[0] != first && string(v[0]) != polish.Fold(string(first)) {
			t.Fatalf("%q became %q", term, string(v))
		}
	}
}

// The benchmark's need fits a good share of the generated listings
// (enough mails to measure), spread over more than its own region.
func TestBenchNeedFitsManyListings(t *testing.T) {
	places, powiatsOf, err := loadPlaces(storetest.TERCPath(t))
	if err != nil {
		t.Fatal(err)
	}
	g := newGenerator(1, places, powiatsOf)
	fit, other := 0, 0
	for i := range 2000 {
		l := g.next(i)
		if fitsBenchNeed(l) {
			fit++
			if l.tenant != benchNeed.voiv {
				other++
			}
		}
	}
	if fit < 80 || other == 0 {
		t.Errorf("the need fits %d of 2,000 listings (%d of other regions); want at least 80 and some of other regions", fit, other)
	}
	t.Logf("the need fits %d of 2,000 listings, %d of them of other regions", fit, other)
}
