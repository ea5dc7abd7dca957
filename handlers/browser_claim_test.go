package handlers_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"

	"katalogpes/tenants"
)

// TestBrowserClaimJourney: a new account of a real entity finds its NIP
// already listed by the region's import, claims the listing with the code
// mailed to the listing's contact address, and sees the claim in the
// listing's history; axe-core checks the new pages on a desktop and a phone.
func TestBrowserClaimJourney(t *testing.T) {
	b := newBrowserStack(t)
	id, nip, contact := b.importOne("slaskie", 760)
	email, _ := b.account("slaskie", tenants.RoleEnterprise)
	modEmail, _ := b.account("slaskie", tenants.RoleModerator)
	staleID, staleOwner := b.stalePublished("Spółdzielnia Socjalna Na Czasie", "5260250274")

	tb := b.tab(t, "e-claim")
	tb.open("/r/slaskie/logowanie")
	tb.signIn(email)
	tb.open("/r/slaskie/moje/nowy")
	tb.set("#f-name", "Nasza Spółdzielnia")
	tb.set("#f-legal_form", "spoldzielnia_socjalna")
	tb.do("tick a kind", chromedp.Click(chromedp.CSS(`#f-kinds-0`)))
	tb.set("#f-nip", nip)
	tb.set("#f-description", "Catering dla szkół i urzędów w Katowicach.")
	tb.do("tick a category", chromedp.Click(chromedp.CSS(`input[name="categories"][value="catering"]`)))
	tb.set("#f-address-postal_code", "40-001")
	tb.set("#f-address-city", "Katowice")
	tb.set("#f-powiat", "2469")
	tb.click(`button[value="pick"]`, 200)
	tb.set("#f-address-gmina_teryt", "2469011")
	tb.click("#submit-listing", 409)
	tb.see("To Twój podmiot? Przejmij wpis")
	tb.axe("the listing form offering a claim")
	tb.shot("claim-offer")

	tb.click(`#claim-offer a.button`, 200)
	tb.see("Wyślij kod", "b***@example.org")
	tb.click("#claim-start", 200)
	tb.see("Wysłaliśmy kod")
	b.checkAtBothWidths(t, tb, "the claim code form")
	tb.typeIn("#f-code", b.mailedCode(t, contact))
	tb.shot("claim-code")
	tb.click("#claim-confirm", 200)
	tb.see("Wpis jest Twój")
	tb.click(`a[href="/r/slaskie/moje/`+id+`/historia"]`, 200)
	tb.see("przejęcie wpisu")
	tb.shot("claim-history")

	for _, page := range []string{"/r/slaskie/konto", "/r/slaskie/konto/usun", "/r/slaskie/prywatnosc", "/r/slaskie/moje"} {
		tb.open(page)
		b.checkAtBothWidths(t, tb, page)
	}

	// The reminder mail's link: sign in, and back at the one button.
	owner := b.tab(t, "e-confirm")
	owner.open("/r/slaskie/moje/" + staleID + "/potwierdz")
	owner.signIn(staleOwner)
	owner.see("Potwierdź aktualność danych", "Spółdzielnia Socjalna Na Czasie")
	b.checkAtBothWidths(t, owner, "the confirm page")
	owner.click(`button.confirm-button`, 200)
	owner.see("potwierdzone jako aktualne")

	m := b.tab(t, "e-claims-queue")
	m.open("/r/slaskie/logowanie")
	m.signIn(modEmail)
	m.open("/r/slaskie/moderacja/przejecia")
	m.see("Wnioski o przejęcie wpisów")
	b.checkAtBothWidths(t, m, "the claims queue")
}

// checkAtBothWidths runs axe on the open page at 1280 px and at 375 px,
// where the page must not scroll sideways.
func (b *browserStack) checkAtBothWidths(t *testing.T, tb *tab, page string) {
	t.Helper()
	tb.do("a desktop's screen", chromedp.EmulateViewport(1280, 900))
	tb.axe(page + " at 1280 px")
	tb.do("a phone's screen", chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2)))
	tb.axe(page + " at 375 px")
	if w := tb.eval(`String(document.documentElement.scrollWidth)`); w != "375" {
		t.Errorf("%s is %s px wide on a 375 px screen", page, w)
	}
	tb.do("back to the desktop", chromedp.EmulateReset())
}

// mailedCode reads the claim code from the newest mail to an address in
// the development mailbox.
func (b *browserStack) mailedCode(t *testing.T, to string) string {
	t.Helper()
	body := b.newestMail(t, to)
	m := claimCodeRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no code in %q", body)
	}
	return m[1]
}

// newestMail is the body of the newest mail to an address, read from the
// development mailbox (GET /dev/mail?to= answers JSON).
func (b *browserStack) newestMail(t *testing.T, to string) string {
	t.Helper()
	resp, err := http.Get(b.base + "/dev/mail?to=" + url.QueryEscape(to))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var mails []struct{ Body string }
	if err := json.Unmarshal(raw, &mails); err != nil || len(mails) == 0 {
		t.Fatalf("no mail to %s: %s", to, raw)
	}
	return mails[0].Body
}

// signIn signs the tab in through the form it shows.
func (tb *tab) signIn(email string) {
	tb.t.Helper()
	tb.typeIn("#f-email", email)
	tb.typeIn("#f-password", goodPassword)
	tb.click(`main form button[type="submit"]`, 200)
}
