package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"

	"github.com/meilisearch/meilisearch-go"

	"katalogpes/search"
	"katalogpes/store"
	"katalogpes/store/polish"
)

// terms are what people type: services, kinds of entity, places, and the
// entities' own words, in Polish; queries use them as they are, without
// Polish letters, and with a typo.
var terms = []string{
	"spółdzielnia socjalna", "catering", "sprzątanie biur", "pralnia", "zieleń", "pielęgnacja zieleni", "szycie",
	"rękodzieło", "usługi opiekuńcze", "przewóz osób", "drukarnia", "poligrafia", "noclegi", "przetwory", "miód",
	"remonty", "malowanie", "warsztaty ekologiczne", "centrum integracji społecznej", "zakład aktywności zawodowej",
	"warsztat terapii zajęciowej", "koło gospodyń wiejskich", "fundacja", "stowarzyszenie", "catering w krakowie",
	"sprzątanie warszawa", "łódź", "kraków", "gdańsk", "wrocław", "poznań", "katowice", "obiady dla szkół",
	"odzież robocza", "digitalizacja dokumentów", "organizacja festynów", "kosze prezentowe", "mycie okien",
}

// queryWords are terms and entity words together.
var queryWords = append(append([]string{}, terms...), words...)

// variant gives a term as typed: as is, folded (no Polish letters, the
// way many type), or with one typo past the first letter (Meilisearch
// counts a first-letter typo as two).
func variant(r *rand.Rand, s string) string {
	switch r.IntN(3) {
	case 0:
		return strings.ToLower(s)
	case 1:
		return polish.Fold(s)
	}
	w := []rune(strings.ToLower(s))
	if len(w) < 5 {
		return string(w)
	}
	i := 1 + r.IntN(len(w)-2)
	for try := 0; try < 10 && (w[i] == ' ' || w[i+1] == ' '); try++ {
		i = 1 + r.IntN(len(w)-2)
	}
	switch r.IntN(3) {
	case 0: // a letter left out
		return string(append(w[:i:i], w[i+1:]...))
	case 1: // two letters swapped
		w[i], w[i+1] = w[i+1], w[i]
		return string(w)
	}
	w[i] = rune("aeiouyklmnprstz"[r.IntN(15)]) // a wrong letter
	return string(w)
}

// workload is every kind's list of requests, prepared before the clock
// starts, deterministic from the seed.
type workload struct {
	words, facets, geo, national, suggest []string
	profiles, listings                    []string
}

type publishedRef struct{ id, slug string }

func buildWorkload(seed uint64, e *env, places []place, counts map[string]int, refs []publishedRef, profileHTML bool) *workload {
	r := rand.New(rand.NewPCG(seed, 0x776f726b))
	var slugs []string
	var weights []int
	for slug, n := range counts {
		slugs = append(slugs, slug)
		weights = append(weights, n)
	}
	sortTogether(slugs, weights)
	bySlug := newPicker(weights)
	slug := func() string { return slugs[bySlug.pick(r)] }
	placesOf := map[string][]place{}
	for _, p := range places {
		t := e.byTERYT[p.voiv]
		placesOf[t.Slug] = append(placesOf[t.Slug], p)
	}
	// A place in the tenant, cities more often, as people search near them.
	near := func(s string) place {
		ps := placesOf[s]
		w := make([]int, len(ps))
		for i, p := range ps {
			w[i] = p.weight
		}
		return ps[newPicker(w).pick(r)]
	}
	const n = 2000
	w := &workload{}
	for range n {
		v := url.Values{"q": {variant(r, queryWords[r.IntN(len(queryWords))])}}
		if r.IntN(10) == 0 {
			v.Set("page", "2")
		}
		w.words = append(w.words, "/r/"+slug()+"/api/v1/search?"+v.Encode())
	}
	for range n {
		s := slug()
		v := url.Values{}
		if r.IntN(2) == 0 {
			v.Set("q", variant(r, terms[r.IntN(len(terms))]))
		}
		for k := 1 + r.IntN(3); k > 0; k-- {
			switch r.IntN(8) {
			case 0:
				v.Add("legal_form", legalForms[r.IntN(len(legalForms))].code)
			case 1:
				v.Add("kind", store.Kinds[r.IntN(len(store.Kinds))])
			case 2:
				v.Add("category", categoryCodes[r.IntN(len(categoryCodes))])
			case 3:
				v.Add("powiat", near(s).powiat)
			case 4:
				v.Add("certificate", store.CertificateKinds[r.IntN(3)])
			case 5:
				v.Set("social_enterprise", "true")
			case 6:
				v.Set("reserved_contracts", "true")
			case 7:
				v.Add("serves", near(s).code)
			}
		}
		if r.IntN(10) == 0 {
			v.Set("page", "2")
		}
		w.facets = append(w.facets, "/r/"+s+"/api/v1/search?"+v.Encode())
	}
	for range n {
		s := slug()
		p := near(s)
		v := url.Values{"near": {fmt.Sprintf("%.4f,%.4f", p.lat, p.lng)}}
		if r.IntN(10) < 7 {
			v.Set("radius_km", strconv.Itoa([]int{5, 10, 25, 50}[r.IntN(4)]))
		}
		if r.IntN(10) < 4 {
			v.Set("q", variant(r, terms[r.IntN(len(terms))]))
		} else {
			v.Set("sort", "distance")
		}
		w.geo = append(w.geo, "/r/"+s+"/api/v1/search?"+v.Encode())
	}
	for range n {
		v := url.Values{"q": {variant(r, queryWords[r.IntN(len(queryWords))])}}
		switch r.IntN(10) {
		case 0, 1:
			v.Set("kind", store.Kinds[r.IntN(len(store.Kinds))])
		case 2:
			v.Set("legal_form", legalForms[r.IntN(len(legalForms))].code)
		case 3:
			p := places[r.IntN(len(places))]
			v.Set("near", fmt.Sprintf("%.4f,%.4f", p.lat, p.lng))
			v.Set("radius_km", "50")
		}
		w.national = append(w.national, "/api/v1/search?"+v.Encode())
	}
	for range n {
		word := []rune(variant(r, queryWords[r.IntN(len(queryWords))]))
		k := min(len(word), 3+r.IntN(6))
		v := url.Values{"q": {strings.TrimSpace(string(word[:k]))}}
		w.suggest = append(w.suggest, "/r/"+slug()+"/api/v1/search/suggest?"+v.Encode())
	}
	for _, ref := range refs {
		w.listings = append(w.listings, "/r/"+ref.slug+"/api/v1/listings/"+ref.id)
		if profileHTML {
			w.profiles = append(w.profiles, "/r/"+ref.slug+"/podmiot/"+ref.id)
		}
	}
	if !profileHTML {
		w.profiles = w.listings
	}
	return w
}

func sortTogether(keys []string, vals []int) {
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
			vals[j], vals[j-1] = vals[j-1], vals[j]
		}
	}
}

// meiliTwin sends each search of paths straight to Meilisearch: the very
// multi-search our server would send (search.Service.MultiSearch), with
// the tenant the server would add, through a client tuned as ours.
func meiliTwin(client meilisearch.ServiceManager, svc *search.Service, paths []string) (op, error) {
	reqs := make([]*meilisearch.MultiSearchRequest, len(paths))
	for i, p := range paths {
		q, err := queryOf(p)
		if err != nil {
			return nil, err
		}
		reqs[i] = svc.MultiSearch(q)
	}
	return func(ctx context.Context, i int, _ *bytes.Buffer) error {
		resp, err := client.MultiSearchWithContext(ctx, reqs[i%len(reqs)])
		if err == nil && len(resp.Results) != len(reqs[i%len(reqs)].Queries) {
			err = fmt.Errorf("%d results for %d queries", len(resp.Results), len(reqs[i%len(reqs)].Queries))
		}
		return err
	}, nil
}

// suggestTwin sends the suggestions' searches straight to Meilisearch, as
// search.Service.Suggest builds them.
func suggestTwin(client meilisearch.ServiceManager, index string, paths []string) op {
	type sq struct {
		q   string
		req *meilisearch.SearchRequest
	}
	reqs := make([]sq, len(paths))
	for i, p := range paths {
		u, _ := url.Parse(p)
		reqs[i] = sq{u.Query().Get("q"), &meilisearch.SearchRequest{
			Limit: 8, AttributesToRetrieve: []string{"name"},
			AttributesToSearchOn: []string{"name", "name_folded", "short_name", "short_name_folded"},
			Locales:              []string{"pol"},
			Filter:               `tenant = "` + strings.Split(u.Path, "/")[2] + `"`,
		}}
	}
	idx := client.Index(index)
	return func(ctx context.Context, i int, _ *bytes.Buffer) error {
		s := reqs[i%len(reqs)]
		_, err := idx.SearchWithContext(ctx, s.q, s.req)
		return err
	}
}

// queryOf reads a search path as the handler does: the parameters, and
// the tenant from /r/{slug}/.
func queryOf(path string) (search.Query, error) {
	u, err := url.Parse(path)
	if err != nil {
		return search.Query{}, err
	}
	q, err := search.ParseQuery(u.Query())
	if err != nil {
		return q, fmt.Errorf("%s: %w", path, err)
	}
	if parts := strings.Split(u.Path, "/"); len(parts) > 2 && parts[1] == "r" {
		q.Tenant = parts[2]
	}
	return q, nil
}
