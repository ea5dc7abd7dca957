package handlers_test

// Two whole journeys in a real browser: an enterprise from sign-up to a
// published listing it confirms from its desk, through a moderator's
// request for changes and the mails in between; and a region's admin whose
// synonym changes that region's search and no other's.

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

func TestBrowserWholeJourneys(t *testing.T) {
	b := newBrowserStack(t)
	t.Run("enterprise: sign-up, listing with an area by name, changes asked, mail, edit, approval, mail, confirmation", b.enterpriseWalk)
	t.Run("a synonym saved in Śląskie changes Śląskie's results and not Małopolska's", b.regionSynonymWalk)
}

// deskLink is the link to the enterprise's desk in the newest mail to
// whom, once a mail whose subject part says want has arrived.
func (b *browserStack) deskLink(t *testing.T, to, want string) string {
	t.Helper()
	var body string
	for i := 0; i < 100; i++ {
		if body = b.newestMail(t, to); strings.Contains(body, want) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(body, want) {
		t.Fatalf("no mail saying %q to %s; the newest: %q", want, to, body)
	}
	link := regexp.MustCompile(`https?://\S+/r/slaskie/moje\S*`).FindString(body) // the desk or one of its listings
	if link == "" {
		t.Fatalf("no link to the desk in %q", body)
	}
	return link
}

func (b *browserStack) enterpriseWalk(t *testing.T) {
	e := b.tab(t, "g-enterprise")
	e.open("/r/slaskie/rejestracja")
	email := storetest.Unique("spoldzielnia@example.org")
	e.set("#f-name", "Marta Kowalczyk")
	e.typeIn("#f-email", email)
	e.typeIn("#f-password", "zielona-herbata-42")
	e.click(`main form button[type="submit"]`, 200)
	e.see("Sprawdź skrzynkę", email)
	e.load("open the verification link", 200, chromedp.Navigate(b.mailLink(t, email)))
	e.click(`main a.button`, 200)
	e.typeIn("#f-email", email)
	e.typeIn("#f-password", "zielona-herbata-42")
	e.click(`main form button[type="submit"]`, 200)
	e.click(`a[href="/r/slaskie/moje/nowy"]`, 200)

	e.set("#f-name", "Spółdzielnia Socjalna Całość")
	e.set("#f-legal_form", "spoldzielnia_socjalna")
	e.do("tick a kind", chromedp.Click(chromedp.CSS(`#f-kinds-0`)))
	e.set("#f-nip", "5260250274")
	e.set("#f-description", "Sprzątanie biur i pielęgnacja zieleni dla urzędów w Katowicach.")
	e.do("tick a category", chromedp.Click(chromedp.CSS(`input[name="categories"][value="sprzatanie"]`)))
	e.set("#f-offers-0-title", "Sprzątanie biur")
	e.set("#f-address-postal_code", "40-001")
	e.set("#f-address-city", "Katowice")
	e.set("#f-powiat", "2469")
	e.click(`button[value="pick"]`, 200)
	e.set("#f-address-gmina_teryt", "2469011")
	e.set("#f-contact-email", "biuro@calosc.example.org")
	// The service area: a gmina picked by its name, no code typed.
	e.set("#f-service_area-scope", "gminas")
	e.pickGminaByName("Knur", "2405011", "Knurów (miasto)")
	e.click("#submit-listing", 200)
	e.see("Wpis wysłany do moderacji", "Spółdzielnia Socjalna Całość")
	id := e.eval(`(document.querySelector('a[href^="/r/slaskie/moje/"][href$="/historia"]') || {getAttribute: () => ""}).getAttribute("href").split("/")[4] || ""`)
	if id == "" {
		id = listingIDByName(t, b.testServer, "Spółdzielnia Socjalna Całość")
	}

	modEmail, _ := b.account("slaskie", tenants.RoleModerator)
	m := b.signInAs(t, "g-moderator", modEmail)
	m.open("/r/slaskie/moderacja")
	m.see("Spółdzielnia Socjalna Całość", "Knurów")
	if strings.Contains(m.eval(`document.getElementById("qi-`+id+`").parentElement.innerText`), "2405011") {
		t.Error("the moderator's diff shows a raw TERYT code")
	}
	m.typeIn("#reason-"+id, "Dopisz ofertę pielęgnacji zieleni.")
	m.click(`form[action="/r/slaskie/moderacja/`+id+`"] button[value="request_changes"]`, 200)
	m.see("Poprosiliśmy o zmiany")

	// The mail says what to fix and leads to the desk.
	e.load("follow the mail's link", 200, chromedp.Navigate(b.deskLink(t, email, "Dopisz ofertę pielęgnacji zieleni.")))
	e.see("Edycja: Spółdzielnia Socjalna Całość", "Uwagi moderatora: Dopisz ofertę pielęgnacji zieleni.")
	e.set("#f-offers-1-title", "Pielęgnacja zieleni")
	e.click("#submit-listing", 200)
	e.see("Wpis wysłany do moderacji")

	// The moderator sees what changed since the request, not every field.
	m.open("/r/slaskie/moderacja")
	m.see("Zmiany od prośby o poprawki", "Pielęgnacja zieleni")
	rows := m.eval(`String(document.getElementById("qi-` + id + `").parentElement.querySelectorAll("table.diff tbody tr").length)`)
	if rows != "1" {
		t.Errorf("the diff since the request shows %s rows, want the one changed field", rows)
	}
	m.axeBothWidths("the queue after a resubmission")
	m.click(`form[action="/r/slaskie/moderacja/`+id+`"] button[value="approve"]`, 200)
	m.see("Wpis zatwierdzony")

	// The approval's mail leads to the desk, where one click confirms.
	e.load("follow the approval mail", 200, chromedp.Navigate(b.deskLink(t, email, "zatwierdził wpis")))
	e.see("opublikowany")
	e.click(`form[action="/r/slaskie/moje/`+id+`/potwierdz"] button`, 200)
	e.see("dane wpisu są potwierdzone jako aktualne")
	e.shot("confirmed-from-desk")
}

// listingIDByName finds a listing's id in slaskie by its name.
func listingIDByName(t *testing.T, s *testServer, name string) string {
	t.Helper()
	var id string
	if err := s.rawDB().QueryRow(`SELECT id FROM listings WHERE name = $1`, name).Scan(&id); err != nil {
		t.Fatalf("listing %q: %v", name, err)
	}
	return id
}

func (b *browserStack) regionSynonymWalk(t *testing.T) {
	_, owner := b.account("slaskie", tenants.RoleEnterprise)
	_, mod := b.account("slaskie", tenants.RoleModerator)
	d := pageListing("Pracownia Ceramiki Śląskiej", "1112223303")
	publishAs(t, b.testServer, owner, mod, d)
	k := pageListing("Pracownia Ceramiki Krakowskiej", "1112223326")
	k.Address = store.Address{Street: "ul. Floriańska 3", PostalCode: "31-019", City: "Kraków", GminaTERYT: "1261011"}
	storetest.NewPublisher(t, b.db).Publish("malopolskie", k)
	b.waitForSearch(t, "ceramiki", 1)

	admin, _ := b.account("slaskie", tenants.RoleAdmin)
	a := b.signInAs(t, "h-admin", admin)
	a.open("/r/slaskie/admin/synonimy")
	a.see("Każdy region ma własny indeks")
	a.axeBothWidths("the synonyms page")
	a.set("#f-synonyms", "garncarstwo: ceramiki")
	a.click(`main form button[type="submit"]`, 200)
	a.see("wyszukiwarka już ich używa")

	v := b.tab(t, "h-visitor")
	v.open("/r/slaskie/szukaj?q=garncarstwo")
	v.see("Pracownia Ceramiki Śląskiej")
	v.open("/r/malopolskie/szukaj?q=garncarstwo")
	if body := v.eval(`document.querySelector("main").innerText`); strings.Contains(body, "Pracownia Ceramiki") {
		t.Errorf("Śląskie's synonym changed Małopolska's results: %q", body)
	}
	v.see("Nie znaleźliśmy")
	v.shot("synonym-only-in-slaskie")
}
