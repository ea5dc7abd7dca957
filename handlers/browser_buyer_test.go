package handlers_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"katalogpes/tenants"
)

// A buyer on a phone: the first result on the first screen, the filters
// behind their button, the gmina picked by name; and the history table,
// whose last column stays reachable.
func TestBrowserBuyerJourney(t *testing.T) {
	b := newBrowserStack(t)
	ownerEmail, owner := b.account("slaskie", tenants.RoleEnterprise)
	_, mod := b.account("slaskie", tenants.RoleModerator)
	for i, nip := range []string{"5260250274", "1234563218", "7010035015"} {
		publishAs(t, b.testServer, owner, mod, pageListing("Spółdzielnia Socjalna Obiady nr "+strconv.Itoa(i+1), nip))
	}
	b.waitForSearch(t, "obiady", 3)

	tb := b.tab(t, "f-buyer")
	tb.open("/r/slaskie/szukaj?q=obiady")
	tb.axe("search results at 1280 px")
	if v := tb.eval(`String(document.getElementById("filters-box").open) + " " + getComputedStyle(document.getElementById("filters-summary")).display`); v != "true none" {
		t.Errorf("on a wide screen the filters are not open beside the results: %s", v)
	}
	// The gmina by name, through the suggest box.
	tb.typeIn("#serves-name", "ruda sl")
	for i := 0; tb.eval(`String(document.querySelectorAll("#serves-names option").length)`) == "0"; i++ {
		if i == 100 {
			t.Fatal("no gmina suggested for \"ruda sl\"")
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.set("#serves-name", tb.eval(`document.querySelector("#serves-names option").value`))
	tb.do("pick it", chromedp.Evaluate[chromedp.Void](`document.getElementById("serves-name").dispatchEvent(new Event("input"))`))
	if v := tb.eval(`document.getElementById("serves").value + " " + document.getElementById("serves-powiat").value`); v != "2472011 2472" {
		t.Fatalf("the name box chose %q", v)
	}
	tb.click("#apply-filters", 200)
	if loc := tb.location(); !strings.Contains(loc, "serves=2472011") {
		t.Fatalf("the search's address: %s", loc)
	}
	tb.see("Znaleziono 0 podmiotów")
	tb.shot("serves-ruda")

	tb.do("a phone's screen", chromedp.EmulateViewport(375, 800, chromedp.EmulateScale(2)))
	tb.open("/r/slaskie/szukaj?q=obiady&legal_form=spoldzielnia_socjalna")
	top := tb.eval(`String(document.querySelector("ol.hits li").getBoundingClientRect().top)`)
	if f, err := strconv.ParseFloat(top, 64); err != nil || f >= 800 {
		t.Errorf("the first result starts at %s px on an 800 px screen", top)
	}
	if v := tb.eval(`document.getElementById("filters-summary").innerText + " / " + String(document.getElementById("filters-box").open)`); !strings.HasSuffix(v, "Filtry (1) / false") {
		t.Errorf("the folded filters: %q", v)
	}
	if w := tb.eval(`String(document.documentElement.scrollWidth)`); w != "375" {
		t.Errorf("the results are %s px wide on a 375 px screen", w)
	}
	tb.axe("search results at 375 px")
	tb.shot("results-375px")
	tb.do("open the filters", chromedp.Click(chromedp.CSS("#filters-summary")))
	if v := tb.eval(`String(document.getElementById("filters-box").open) + " " + String(document.getElementById("facet-legal_form-spoldzielnia_socjalna").getBoundingClientRect().height > 0)`); v != "true true" {
		t.Errorf("the summary did not open the filters: %s", v)
	}
	tb.axe("search results at 375 px, filters open")
	tb.shot("filters-open-375px")
	tb.do("close the filters", chromedp.Click(chromedp.CSS("#filters-summary")))
	if v := tb.eval(`String(document.getElementById("filters-box").open)`); v != "false" {
		t.Errorf("the summary did not close the filters")
	}

	// The listing's history on the phone: its last column can be reached.
	tb.open("/r/slaskie/logowanie")
	tb.typeIn("#f-email", ownerEmail)
	tb.typeIn("#f-password", goodPassword)
	tb.click(`main form button[type="submit"]`, 200)
	tb.click(`main a[href$="/historia"]`, 200)
	reach := `(() => {
		const box = document.querySelector(".table-scroll");
		box.scrollLeft = box.scrollWidth;
		const last = document.querySelector(".history thead th:last-child").getBoundingClientRect();
		return [box.tabIndex, Math.round(last.right) <= innerWidth, document.documentElement.scrollWidth].join(" ");
	})()`
	if v := tb.eval(reach); v != "0 true 375" {
		t.Errorf("the history table on a phone (tabindex, last column in view, page width): %s", v)
	}
	tb.axe("a listing's history at 375 px")
	tb.shot("history-375px")
}
