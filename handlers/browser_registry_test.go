package handlers_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"katalogpes/store/registry"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// TestBrowserFillsANewListingFromAKRSNumber: an enterprise types its KRS
// number, presses "Pobierz z rejestru", finds the form filled from the
// replayed KRS, REGON and VAT answers (the gmina picked through REGON's
// TERYT symbols), completes what registries do not know, and submits;
// then a moderator's flags page. axe-core checks the pages at 1280 and
// 375 px.
func TestBrowserFillsANewListingFromAKRSNumber(t *testing.T) {
	b := newBrowserStack(t)
	b.withRegistries(registry.Limits{})
	email, owner := b.account("slaskie", tenants.RoleEnterprise)
	modEmail, _ := b.account("slaskie", tenants.RoleModerator)

	tb := b.tab(t, "registry-fill")
	tb.open("/r/slaskie/logowanie")
	tb.signIn(email)
	tb.open("/r/slaskie/moje/nowy")
	tb.see("Pobierz z rejestru")
	tb.set("#f-krs", "123456")
	tb.click(`button[value="registry"]`, 200)
	tb.see("Uzupełniliśmy formularz danymi z rejestrów", "KRS: znaleziono", "REGON (GUS): znaleziono", "Biała lista VAT: znaleziono (Czynny)")
	for sel, want := range map[string]string{
		"#f-name": "SPÓŁDZIELNIA SOCJALNA „ZIELONY ZAKĄTEK”", "#f-legal_form": "spoldzielnia_socjalna",
		"#f-krs": "0000123456", "#f-nip": "6341123416", "#f-regon": "241234560",
		"#f-address-street": "ul. Mariacka 12/3", "#f-address-postal_code": "40-014", "#f-address-city": "Katowice",
		"#f-address-gmina_teryt": "2469011", "#f-pkd": "56.29.Z, 81.30.Z, 88.99.Z",
	} {
		if got := tb.eval(`document.querySelector("` + sel + `").value`); got != want {
			tb.shot("failed")
			t.Fatalf("%s = %q, want %q", sel, got, want)
		}
	}
	tb.shot("filled")
	b.checkAtBothWidths(t, tb, "the listing form filled from the registries")

	tb.do("tick a kind", chromedp.Click(chromedp.CSS(`#f-kinds-0`)))
	tb.set("#f-description", "Catering dla szkół i urzędów w Katowicach.")
	tb.do("tick a category", chromedp.Click(chromedp.CSS(`input[name="categories"][value="catering"]`)))
	tb.set("#f-contact-email", "biuro@zielony.example.org")
	tb.click("#submit-listing", 200)
	mine, err := b.db.FindOwnListings(storetest.Ctx(t, b.db, "slaskie", owner))
	if err != nil || len(mine) != 1 {
		t.Fatalf("listings %d: %v", len(mine), err)
	}
	l := mine[0]
	if l.Name != "SPÓŁDZIELNIA SOCJALNA „ZIELONY ZAKĄTEK”" || l.Address.GminaTERYT != "2469011" || l.KRS != "0000123456" || l.PKD[0].Version != 2007 {
		t.Fatalf("saved %+v", l.ListingData)
	}

	m := b.tab(t, "registry-flags")
	m.open("/r/slaskie/logowanie")
	m.signIn(modEmail)
	m.open("/r/slaskie/moderacja")
	m.click(`main a[href="/r/slaskie/admin/weryfikacja"]`, 200)
	m.see("Weryfikacja w rejestrach", "Brak sygnałów")
	b.checkAtBothWidths(t, m, "the register checks page")
	m.open("/r/slaskie/moderacja")
	m.see("SPÓŁDZIELNIA SOCJALNA „ZIELONY ZAKĄTEK”", "Sprawdź teraz w rejestrach")
	m.click(`form.registry-check button`, 200)
	m.see("Sprawdź teraz w rejestrach")
	b.checkAtBothWidths(t, m, "the queue after a register check")

	// An admin checks an import's rows in the registries.
	adminEmail, _ := b.account("slaskie", tenants.RoleAdmin)
	file := filepath.Join(t.TempDir(), "rejestr.csv")
	if err := os.WriteFile(file, []byte("nazwa;nip;krs\r\nFundacja Pomocna Dłoń;9541234501;0000654321\r\nPralnia Dawna;6441238805;0000222333\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	a := b.signInAs(t, "registry-import", adminEmail)
	a.open("/r/slaskie/admin/import")
	a.do("choose the file", chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{file}))
	a.click("#import-dry-run", 200)
	a.waitFor("#import-registry-check")
	a.click("#import-registry-check", 200)
	a.waitFor("#check-status.notice--ok")
	a.see("Sprawdzono 2 wiersze", "wykreślony z KRS", "zgodne z rejestrami")
	a.shot("import-checked")
	a.axeBothWidths("the import's registry check")
}
