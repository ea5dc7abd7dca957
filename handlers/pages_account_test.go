package handlers_test

import (
	"net/url"
	"strings"
	"testing"

	"katalogpes/store"
	"katalogpes/tenants"
)

func TestTheAccountPageChangesThePasswordWithErrorsAtTheField(t *testing.T) {
	s := newTestServer(t)
	email, _ := s.account("slaskie", tenants.RoleEnterprise)
	w := s.web()
	w.signIn("slaskie", email)
	w.get("/r/slaskie/konto").expect(t, 200).contains(t, "Zmiana hasła", `href="/r/slaskie/konto/dane"`, `href="/r/slaskie/konto/usun"`)
	w.post("/r/slaskie/konto/haslo", url.Values{"current_password": {"nie-to-haslo-123"}, "new_password": {"nowe-haslo-do-konta-7"}}).
		expect(t, 422).contains(t, `id="f-current_password-err"`, `href="#f-current_password"`)
	p := w.post("/r/slaskie/konto/haslo", url.Values{"current_password": {goodPassword}, "new_password": {"nowe-haslo-do-konta-7"}}).expect(t, 303)
	if p.Location != "/r/slaskie/logowanie?msg=password_changed" {
		t.Fatalf("after the change: %q", p.Location)
	}
	s.do("POST", "/r/slaskie/api/v1/auth/login", map[string]string{"email": email, "password": goodPassword}).expect(t, 401)
	s.do("POST", "/r/slaskie/api/v1/auth/login", map[string]string{"email": email, "password": "nowe-haslo-do-konta-7"}).expect(t, 200)
}

func TestMyDataDownloadsAsAFileWithTheAccountsEmail(t *testing.T) {
	s := newTestServer(t)
	email, _ := s.account("slaskie", tenants.RoleEnterprise)
	w := s.web()
	w.signIn("slaskie", email)
	p := w.get("/r/slaskie/konto/dane").expect(t, 200)
	if cd := p.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ".json") {
		t.Fatalf("Content-Disposition %q", cd)
	}
	if !strings.HasPrefix(p.Header.Get("Content-Type"), "application/json") || !strings.Contains(p.Body, `"email":"`+email+`"`) {
		t.Fatalf("my data: %s %s", p.Header.Get("Content-Type"), p.Body)
	}
}

func TestDeletingTheAccountSaysWhatHappensAndLeavesNoPersonalData(t *testing.T) {
	s := newTestServer(t)
	email, owner := s.account("slaskie", tenants.RoleEnterprise)
	_, mod := s.account("slaskie", tenants.RoleModerator)
	id := publishAs(t, s, owner, mod, pageListing("Pracownia Anny Usuwającej", "5260250274"))
	claimed, _, _ := s.importOne("slaskie", 770)
	if _, err := s.rawDB().Exec(`UPDATE listings SET data = jsonb_set(data, '{contact,email}', '""') WHERE id = $1`, claimed); err != nil {
		t.Fatal(err)
	}
	w := s.web()
	w.signIn("slaskie", email)
	w.get("/r/slaskie/przejmij/"+claimed).expect(t, 200)
	w.post("/r/slaskie/przejmij/"+claimed, url.Values{"note": {"Pisze " + owner.Name + ", " + email}}).expect(t, 303)
	w.get("/r/slaskie/konto/usun").expect(t, 200).contains(t, "zostaną zarchiwizowane", "Pracownia Anny Usuwającej",
		"Nie wrócą do regionu", store.ErasedName)
	w.post("/r/slaskie/konto/usun", url.Values{"password": {"zle-haslo-12345"}}).expect(t, 422).contains(t, `id="f-password-err"`)
	p := w.post("/r/slaskie/konto/usun", url.Values{"password": {goodPassword}}).expect(t, 303)
	if p.Location != "/r/slaskie/?msg=account_deleted" {
		t.Fatalf("after deletion: %q", p.Location)
	}
	for _, needle := range []string{email, owner.Name} {
		if found := s.tablesHolding(needle); len(found) > 0 {
			t.Errorf("%q is still in %v", needle, found)
		}
	}
	var status string
	if err := s.rawDB().QueryRow(`SELECT status FROM listings WHERE id = $1`, id).Scan(&status); err != nil || status != store.StatusArchived {
		t.Fatalf("the listing is %q (%v), the page said archived", status, err)
	}
	w.get("/r/slaskie/konto").expect(t, 303)
}

func TestThePrivacyNoticeIsLinkedFromSignUpAndNamesTheRegion(t *testing.T) {
	s := newTestServer(t)
	w := s.web()
	w.get("/r/slaskie/rejestracja").expect(t, 200).contains(t, `<a href="/r/slaskie/prywatnosc">`)
	w.get("/r/slaskie/").expect(t, 200).contains(t, `href="/r/slaskie/prywatnosc"`)
	name := storetestTenantName(t, s, "slaskie")
	w.get("/r/slaskie/prywatnosc").expect(t, 200).contains(t, name, "art. 6 ust. 1 lit. b", "lit. e", "lit. c",
		"Prezesa Urzędu Ochrony Danych Osobowych", "sprostowania", "sprzeciwu", "ograniczenia")
	w.get("/r/slaskie/prywatnosc?lang=en").expect(t, 200).contains(t, "Article 6(1)(b)", "President of the Personal Data Protection Office")
}

func TestTheClaimAndAccountPagesAnswerInPolishAndEnglish(t *testing.T) {
	s := newTestServer(t)
	id, _, _ := s.importOne("slaskie", 750)
	confirmID, email := s.stalePublished("Spółdzielnia Dwujęzyczna", "5260250274")
	modEmail, _ := s.account("slaskie", tenants.RoleModerator)
	for _, lang := range []string{"pl", "en"} {
		w := s.web()
		checkPage(t, "/r/slaskie/prywatnosc", lang, w.get(withLang("/r/slaskie/prywatnosc", lang)))
		w.signIn("slaskie", email)
		for _, path := range []string{"/r/slaskie/konto", "/r/slaskie/konto/usun", "/r/slaskie/przejmij/" + id,
			"/r/slaskie/moje/" + confirmID + "/potwierdz", "/r/slaskie/moje", "/r/slaskie/podmiot/" + confirmID} {
			checkPage(t, path, lang, w.get(withLang(path, lang)))
		}
		m := s.web()
		m.signIn("slaskie", modEmail)
		checkPage(t, "/r/slaskie/moderacja/przejecia", lang, m.get(withLang("/r/slaskie/moderacja/przejecia", lang)))
	}
}

func storetestTenantName(t *testing.T, s *testServer, slug string) string {
	t.Helper()
	var name string
	if err := s.rawDB().QueryRow(`SELECT name FROM tenants WHERE slug = $1`, slug).Scan(&name); err != nil {
		t.Fatal(err)
	}
	return name
}
