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
	"golang.org/x/sync/errgroup"

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
	d := newWorkloadDraw(seed, e, places, counts)
	const n = 2000
	w := &workload{}
	w.words = d.words(n)
	w.facets = d.facets(n)
	w.geo = d.geo(n)
	w.national = d.national(n, places)
	w.suggest = d.suggest(n)
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

// workloadDraw draws requests: a tenant as often as it has listings, a
// place in it as often as its weight.
type workloadDraw struct {
	r        *rand.Rand
	slugs    []string
	bySlug   *picker
	placesOf map[string][]place
}

func newWorkloadDraw(seed uint64, e *env, places []place, counts map[string]int) *workloadDraw {
	d := &workloadDraw{r: rand.New(rand.NewPCG(seed, 0x776f726b)), placesOf: map[string][]place{}}
	var weights []int
	for slug, n := range counts {
		d.slugs = append(d.slugs, slug)
		weights = append(weights, n)
	}
	sortTogether(d.slugs, weights)
	d.bySlug = newPicker(weights)
	for _, p := range places {
		t := e.byTERYT[p.voiv]
		d.placesOf[t.Slug] = append(d.placesOf[t.Slug], p)
	}
	return d
}

func (d *workloadDraw) slug() string { return d.slugs[d.bySlug.pick(d.r)] }

// near is a place in the tenant, cities more often, as people search near them.
func (d *workloadDraw) near(s string) place {
	ps := d.placesOf[s]
	w := make([]int, len(ps))
	for i, p := range ps {
		w[i] = p.weight
	}
	return ps[newPicker(w).pick(d.r)]
}

// words are regional searches by words, a tenth of them for page 2.
func (d *workloadDraw) words(n int) []string {
	var out []string
	for range n {
		v := url.Values{"q": {variant(d.r, queryWords[d.r.IntN(len(queryWords))])}}
		if d.r.IntN(10) == 0 {
			v.Set("page", "2")
		}
		out = append(out, "/r/"+d.slug()+"/api/v1/search?"+v.Encode())
	}
	return out
}

// facets are regional searches by one to three filters, half with words.
func (d *workloadDraw) facets(n int) []string {
	var out []string
	for range n {
		s := d.slug()
		v := url.Values{}
		if d.r.IntN(2) == 0 {
			v.Set("q", variant(d.r, terms[d.r.IntN(len(terms))]))
		}
		for k := 1 + d.r.IntN(3); k > 0; k-- {
			switch d.r.IntN(8) {
			case 0:
				v.Add("legal_form", legalForms[d.r.IntN(len(legalForms))].code)
			case 1:
				v.Add("kind", store.Kinds[d.r.IntN(len(store.Kinds))])
			case 2:
				v.Add("category", categoryCodes[d.r.IntN(len(categoryCodes))])
			case 3:
				v.Add("powiat", d.near(s).powiat)
			case 4:
				v.Add("certificate", store.CertificateKinds[d.r.IntN(3)])
			case 5:
				v.Set("social_enterprise", "true")
			case 6:
				v.Set("reserved_contracts", "true")
			case 7:
				v.Add("serves", d.near(s).code)
			}
		}
		if d.r.IntN(10) == 0 {
			v.Set("page", "2")
		}
		out = append(out, "/r/"+s+"/api/v1/search?"+v.Encode())
	}
	return out
}

// geo are regional searches near a place, most within a radius.
func (d *workloadDraw) geo(n int) []string {
	var out []string
	for range n {
		s := d.slug()
		p := d.near(s)
		v := url.Values{"near": {fmt.Sprintf("%.4f,%.4f", p.lat, p.lng)}}
		if d.r.IntN(10) < 7 {
			v.Set("radius_km", strconv.Itoa([]int{5, 10, 25, 50}[d.r.IntN(4)]))
		}
		if d.r.IntN(10) < 4 {
			v.Set("q", variant(d.r, terms[d.r.IntN(len(terms))]))
		} else {
			v.Set("sort", "distance")
		}
		out = append(out, "/r/"+s+"/api/v1/search?"+v.Encode())
	}
	return out
}

// national are searches of every region, some with a filter or a point.
func (d *workloadDraw) national(n int, places []place) []string {
	var out []string
	for range n {
		v := url.Values{"q": {variant(d.r, queryWords[d.r.IntN(len(queryWords))])}}
		switch d.r.IntN(10) {
		case 0, 1:
			v.Set("kind", store.Kinds[d.r.IntN(len(store.Kinds))])
		case 2:
			v.Set("legal_form", legalForms[d.r.IntN(len(legalForms))].code)
		case 3:
			p := places[d.r.IntN(len(places))]
			v.Set("near", fmt.Sprintf("%.4f,%.4f", p.lat, p.lng))
			v.Set("radius_km", "50")
		}
		out = append(out, "/api/v1/search?"+v.Encode())
	}
	return out
}

// suggest are suggestions for the first letters of a word.
func (d *workloadDraw) suggest(n int) []string {
	var out []string
	for range n {
		word := []rune(variant(d.r, queryWords[d.r.IntN(len(queryWords))]))
		k := min(len(word), 3+d.r.IntN(6))
		v := url.Values{"q": {strings.TrimSpace(string(word[:k]))}}
		out = append(out, "/r/"+d.slug()+"/api/v1/search/suggest?"+v.Encode())
	}
	return out
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
// multi-searches our server sent for it (search.Service.RecordSearch: the
// page and its facet counts, the relaxed levels when every word together
// found nothing, the searches for what a radius leaves out), recorded
// once, before the twin is measured, through a client tuned as ours.
func meiliTwin(client meilisearch.ServiceManager, svc *search.Service, paths []string) (op, error) {
	reqs := make([][]*meilisearch.MultiSearchRequest, len(paths))
	var g errgroup.Group
	g.SetLimit(4)
	for i, p := range paths {
		g.Go(func() error {
			q, err := queryOf(p)
			if err != nil {
				return err
			}
			_, reqs[i], err = svc.RecordSearch(context.Background(), q)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("record the server's searches: %w", err)
	}
	return func(ctx context.Context, i int, _ *bytes.Buffer) error {
		for _, req := range reqs[i%len(reqs)] {
			resp, err := client.MultiSearchWithContext(ctx, req)
			switch {
			case err != nil:
				return err
			case req.Federation == nil && len(resp.Results) != len(req.Queries):
				return fmt.Errorf("%d results for %d queries", len(resp.Results), len(req.Queries))
			}
		}
		return nil
	}, nil
}

// suggestTwin sends the suggestions' searches straight to Meilisearch, as
// search.Service.Suggest builds them.
func suggestTwin(client meilisearch.ServiceManager, svc *search.Service, paths []string) (op, error) {
	reqs := make([]*meilisearch.MultiSearchRequest, len(paths))
	for i, p := range paths {
		u, err := url.Parse(p)
		if err != nil {
			return nil, err
		}
		tenant := ""
		if parts := strings.Split(u.Path, "/"); len(parts) > 2 && parts[1] == "r" {
			tenant = parts[2]
		}
		if reqs[i], err = svc.SuggestSearch(context.Background(), tenant, u.Query().Get("q")); err != nil {
			return nil, err
		}
	}
	return func(ctx context.Context, i int, _ *bytes.Buffer) error {
		_, err := client.MultiSearchWithContext(ctx, reqs[i%len(reqs)])
		return err
	}, nil
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
