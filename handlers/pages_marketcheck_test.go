package handlers_test

import (
	"bytes"
	"encoding/csv"
	"html"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"katalogpes/store"
	"katalogpes/store/storetest"
)

// pdfText extracts a PDF's text with poppler's pdftotext (make test
// installs it): the test fails without it, it does not skip.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext is missing: install poppler-utils (make poppler-utils)")
	}
	cmd := exec.Command(bin, "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

var hrefRe = regexp.MustCompile(`href="([^"]+)"`)

// A results page links its exports and its market-check record, with its
// filters and language; the record says when, where, by what criteria,
// how many and which entities, with Polish letters intact, in a region
// and on the hub.
func TestResultsPageLinksExportsAndTheMarketCheckRecord(t *testing.T) {
	s := newTestServer(t)
	s.startSearch()
	pub := storetest.NewPublisher(t, s.db)
	a := pageListing("Spółdzielnia Socjalna Żółć", "5260250274")
	a.REGON, a.Contact.Email = "123456785", "zolc@example.org"
	// A social cooperative is eligible by its figures, not by its kind alone.
	a.Employment = &store.Employment{Total: 10, AtRisk: 4, AsOf: time.Now().AddDate(0, -1, 0).Format("2006-01-02")}
	pub.Publish("slaskie", a)
	b := pageListing("Fundacja Ćma", "1234563218")
	b.LegalForm, b.Kinds, b.SocialEnterprise = "fundacja", []string{"cis"}, nil
	pub.Publish("slaskie", b)
	s.waitIndexed()

	page := s.do("GET", "/r/slaskie/szukaj?legal_form=spoldzielnia_socjalna&category=catering&page=1", nil).expect(t, 200)
	links := map[string]string{}
	for _, m := range hrefRe.FindAllStringSubmatch(string(page.Body), -1) {
		u := html.UnescapeString(m[1])
		for _, file := range []string{"export.xlsx", "export.csv", "export.json", "rozeznanie.pdf"} {
			if strings.Contains(u, "/"+file+"?") {
				links[file] = u
			}
		}
	}
	if len(links) != 4 {
		t.Fatalf("the results page links %v", links)
	}
	for file, u := range links {
		if !strings.HasPrefix(u, "/r/slaskie/") || !strings.Contains(u, "legal_form=spoldzielnia_socjalna") ||
			!strings.Contains(u, "category=catering") || !strings.Contains(u, "lang=pl") || strings.Contains(u, "page=") {
			t.Errorf("%s link %q: not the page's query", file, u)
		}
	}

	csvFile := s.do("GET", strings.Replace(links["export.csv"], "lang=pl", "lang=en", 1), nil).expect(t, 200).Body
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(csvFile, []byte("\uFEFF"))))
	cr.Comma = ';'
	recs, err := cr.ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("csv: %d records, %v", len(recs), err)
	}
	col := func(name string) string { return recs[1][slices.Index(recs[0], name)] }
	if col("forma_prawna") != "social cooperative" || col("forma_prawna_kod") != "spoldzielnia_socjalna" ||
		col("kategorie") != "Catering and food service" || col("gmina") != "Katowice" {
		t.Fatalf("the English export: forma_prawna %q, kod %q, kategorie %q", col("forma_prawna"), col("forma_prawna_kod"), col("kategorie"))
	}

	r := s.do("GET", links["rozeznanie.pdf"], nil).expect(t, 200)
	if r.Header.Get("Content-Type") != "application/pdf" || !strings.Contains(r.Header.Get("Content-Disposition"), `filename="rozeznanie-rynku-slaskie-`) {
		t.Fatalf("headers %v", r.Header)
	}
	text := pdfText(t, r.Body)
	flat := strings.Join(strings.Fields(text), " ")
	for _, want := range []string{
		"Rozeznanie rynku", "czas warszawski", "Zakres terytorialny: województwo śląskie",
		"Forma prawna: spółdzielnia socjalna", "Kategoria oferty: Catering i gastronomia (catering)",
		"Liczba znalezionych podmiotów: 1", "1. Spółdzielnia Socjalna Żółć", "NIP 5260250274 · REGON 123456785",
		"Zamówienia zastrzeżone (art. 94 Pzp): rodzaj podmiotu", "zolc@example.org · +48 600 100 200", "Miejscowość: Katowice",
		"Katalog: http://localhost:8080",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the record lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(flat, "Fundacja Ćma") {
		t.Errorf("the record lists an entity the criteria leave out")
	}
	link := strings.Join(strings.Fields(text[strings.Index(text, "Odnośnik do tego wyszukiwania"):]), "")
	if !strings.Contains(link, "http://localhost:8080/r/slaskie/szukaj?") || !strings.Contains(link, "legal_form=spoldzielnia_socjalna") {
		t.Errorf("no link back to the same search in %q", text)
	}

	hub := pdfText(t, s.do("GET", "/szukaj/rozeznanie.pdf?lang=en", nil).expect(t, 200).Body)
	flat = strings.Join(strings.Fields(hub), " ")
	for _, want := range []string{"Market check", "Area: all of Poland", "none: every published entity",
		"Number of entities found: 2", "Spółdzielnia Socjalna Żółć", "Fundacja Ćma", "Legal form: foundation"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the national record lacks %q:\n%s", want, hub)
		}
	}
	s.do("GET", "/r/slaskie/szukaj/rozeznanie.pdf?legal_form=korporacja", nil).expect(t, 422)
}
