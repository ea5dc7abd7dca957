package handlers_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"katalogpes/store"
	"katalogpes/tenants"
)

// rudaCleaner is a cleaning cooperative of Ruda Śląska with atRisk of its
// ten employees at risk, counted two months ago.
func rudaCleaner(name, nip string, atRisk int, categories ...string) store.ListingData {
	d := pageListing(name, nip)
	d.Description = "Sprzątanie biur, klatek schodowych i terenów zielonych."
	d.Categories = categories
	d.Offers = []store.Offer{{Title: "Sprzątanie", Kind: "usluga", Category: categories[0]}}
	d.Address = store.Address{Street: "ul. Niedurnego 10", PostalCode: "41-709", City: "Ruda Śląska", GminaTERYT: "2472011"}
	d.Geo = &store.Geo{Lat: 50.2925, Lng: 18.8856}
	d.ServiceArea = store.ServiceArea{Scope: "gminas", TERYT: []string{"2472011", "2466011"}}
	d.Employment = &store.Employment{Total: 10, AtRisk: atRisk, AsOf: time.Now().AddDate(0, -2, 0).Format("2006-01-02")}
	return d
}

// TestBrowserBuyersErrand walks the municipal buyer's errand on the
// pages: from the hub, who serves Ruda Śląska with cleaning and can take a
// contract reserved for at least 50% at risk; the list as XLSX and as the
// market-check PDF, read back; a profile; the supplier checked by its NIP.
// axe looks at every page at 1280 and at 375 px.
func TestBrowserBuyersErrand(t *testing.T) {
	b := newBrowserStack(t)
	_, owner := b.account("slaskie", tenants.RoleEnterprise)
	_, mod := b.account("slaskie", tenants.RoleModerator)
	publishAs(t, b.testServer, owner, mod, rudaCleaner("Spółdzielnia Socjalna Czysta Ruda", "5260250274", 6, "sprzatanie"))
	publishAs(t, b.testServer, owner, mod, rudaCleaner("Spółdzielnia Socjalna Porządek", "1234563218", 4, "sprzatanie"))
	publishAs(t, b.testServer, owner, mod, rudaCleaner("Spółdzielnia Socjalna Obiady Rudzkie", "7010035015", 6, "catering"))
	b.waitForSearch(t, "spoldzielnia socjalna", 3) // all three: the catering one is asked for too

	for _, width := range []int64{1280, 375} {
		tb := b.tab(t, "g-errand-"+map[int64]string{1280: "wide", 375: "phone"}[width])
		if width == 375 {
			tb.do("a phone's screen", chromedp.EmulateViewport(375, 800, chromedp.EmulateScale(2)))
		}
		tb.open("/")
		tb.axe("the hub")
		tb.open("/szukaj")
		if width == 375 {
			tb.do("open the filters", chromedp.Click(chromedp.CSS("#filters-summary")))
		}
		// The gmina by name, as a buyer types it.
		tb.typeIn("#serves-name", "Ruda")
		for i := 0; tb.eval(`String(document.querySelectorAll("#serves-names option").length)`) == "0"; i++ {
			if i == 100 {
				t.Fatal(`no gmina suggested for "Ruda"`)
			}
			time.Sleep(50 * time.Millisecond)
		}
		tb.set("#serves-name", tb.eval(`Array.from(document.querySelectorAll("#serves-names option")).map(o => o.value).find(v => v.startsWith("Ruda Śląska")) || ""`))
		tb.do("pick it", chromedp.Evaluate[chromedp.Void](`document.getElementById("serves-name").dispatchEvent(new Event("input"))`))
		if v := tb.eval(`document.getElementById("serves").value`); v != "2472011" {
			t.Fatalf("the picker chose %q for Ruda Śląska", v)
		}
		tb.click("#apply-filters", 200)
		tb.see("Spółdzielnia Socjalna Czysta Ruda", "Spółdzielnia Socjalna Obiady Rudzkie")
		// Cleaning, reserved contracts, at least 50% at risk.
		if width == 375 {
			tb.do("open the filters", chromedp.Click(chromedp.CSS("#filters-summary")))
		}
		tb.do("tick cleaning", chromedp.Click(chromedp.CSS("#facet-category-sprzatanie")))
		tb.do("tick reserved", chromedp.Click(chromedp.CSS("#facet-reserved")))
		tb.do("50% at risk", chromedp.SetValue(chromedp.CSS("#at-risk-min"), "50"))
		tb.click("#apply-filters", 200)
		loc := tb.location()
		for _, p := range []string{"serves=2472011", "category=sprzatanie", "reserved_contracts=true", "at_risk_min=50"} {
			if !strings.Contains(loc, p) {
				t.Fatalf("the search's address lacks %s: %s", p, loc)
			}
		}
		tb.see("Spółdzielnia Socjalna Czysta Ruda")
		if body := tb.eval(`document.getElementById("main").innerText`); strings.Contains(body, "Porządek") || strings.Contains(body, "Obiady Rudzkie") {
			t.Fatalf("the list shows a listing below 50%% or outside cleaning:\n%s", body)
		}
		tb.axe("the buyer's results")
		tb.shot("results")

		// The files the page links, fetched as the browser would.
		hrefs := strings.Split(tb.eval(`Array.from(document.querySelectorAll(".downloads a")).map(a => a.href).join("\n")`), "\n")
		var xlsxURL, pdfURL string
		for _, h := range hrefs {
			switch {
			case strings.Contains(h, "export.xlsx"):
				xlsxURL = h
			case strings.Contains(h, "rozeznanie.pdf"):
				pdfURL = h
			}
		}
		if xlsxURL == "" || pdfURL == "" {
			t.Fatalf("the page links no XLSX or PDF: %v", hrefs)
		}
		book, err := excelize.OpenReader(bytes.NewReader(download(t, xlsxURL)))
		if err != nil {
			t.Fatalf("the XLSX: %v", err)
		}
		rows, err := book.GetRows(book.GetSheetList()[0])
		if err != nil || len(rows) != 2 || !strings.Contains(strings.Join(rows[1], "|"), "Spółdzielnia Socjalna Czysta Ruda") {
			t.Fatalf("the XLSX rows (%v): %v", err, rows)
		}
		text := pdfText(t, download(t, pdfURL))
		for _, want := range []string{"Spółdzielnia Socjalna Czysta Ruda", "Ruda Śląska", "5260250274"} {
			if !strings.Contains(text, want) {
				t.Fatalf("the market-check PDF lacks %q:\n%s", want, text)
			}
		}

		// A profile, then the supplier checked by its NIP.
		tb.click(`ol.hits li a[href*="/podmiot/"]`, 200)
		tb.see("Spółdzielnia Socjalna Czysta Ruda")
		tb.axe("a profile")
		tb.open("/sprawdz")
		tb.do("by NIP", chromedp.Evaluate[chromedp.Void](`document.querySelector('input[name="kind"][value="nip"]').checked = true`))
		tb.typeIn(`input[name="value"]`, "526-025-02-74")
		tb.click(`main form button[type="submit"]`, 200)
		tb.see("Spółdzielnia Socjalna Czysta Ruda", "Śląskie")
		tb.axe("the supplier check")
		tb.shot("lookup")
	}
}

// download fetches a URL of the test server.
func download(t *testing.T, u string) []byte {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %.300s", u, resp.StatusCode, body)
	}
	return body
}
