package handlers_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"katalogpes/tenants"
)

// buyerJourney checks a supplier from the hub, opens its profile and
// reports outdated data, with a mistake first.
func (b *browserStack) buyerJourney(t *testing.T) {
	_, owner := b.account("slaskie", tenants.RoleEnterprise)
	_, mod := b.account("slaskie", tenants.RoleModerator)
	nip := registerNIP(901)
	d := pageListing("Spółdzielnia Socjalna Sprawdzona", nip)
	d.KRS = "7788"
	id := publishAs(t, b.testServer, owner, mod, d)

	tb := b.tab(t, "e-buyer")
	tb.open("/")
	tb.click(`a[href="/sprawdz"]`, 200)
	tb.axe("the supplier check")
	tb.set("#f-value", "1234567890")
	tb.click(`form.narrow-form button[type="submit"]`, 422)
	tb.see("NIP ma błędną cyfrę kontrolną")
	tb.axe("the supplier check with an error")
	tb.set("#f-value", nip)
	tb.click(`form.narrow-form button[type="submit"]`, 200)
	tb.see("Znaleziono 1 wpis", "Spółdzielnia Socjalna Sprawdzona", "województwo śląskie", "Przedsiębiorstwo społeczne")
	tb.axe("the supplier found")
	tb.shot("lookup-found")

	tb.click(`#lookup-result a[href="/r/slaskie/podmiot/`+id+`"]`, 200)
	tb.see("Sprawdź w rejestrach urzędowych", "KRS 0000007788", "NIP "+nip)
	tb.click(`a[href="/r/slaskie/podmiot/`+id+`/zglos"]`, 200)
	tb.axe("the report form")
	tb.click(`form.narrow-form button[type="submit"]`, 422)
	tb.see("To pole jest wymagane")
	tb.axe("the report form with an error")
	tb.do("describe what is wrong", chromedp.SendKeys(chromedp.CSS("#f-body"), "Nieaktualny adres siedziby."))
	tb.click(`form.narrow-form button[type="submit"]`, 200)
	tb.see("Dziękujemy")
	tb.axe("the thank-you page")

	tb.do("a phone's screen", chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2)))
	tb.open("/r/slaskie/sprawdz?kind=nip&value=" + nip)
	if w := tb.eval(`String(document.documentElement.scrollWidth)`); w != "375" {
		t.Errorf("the supplier check is %s px wide on a 375 px screen", w)
	}
}
