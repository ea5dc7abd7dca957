package handlers_test

import (
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"katalogpes/handlers"
	"katalogpes/tenants"
)

var formActionRe = regexp.MustCompile(`<form method="post" action="([^"]+)"`)

func TestEveryFormPostWithoutItsCSRFTokenIs403(t *testing.T) {
	f := newPagesFixture(t)
	posts := map[string]bool{}
	for _, p := range []string{"rejestracja", "logowanie", "wyloguj", "przypomnij-haslo", "nowe-haslo", "moje/nowy",
		"moje/" + f.pending, "moje/" + f.pending + "/wyslij", "moderacja/" + f.pending, "podmiot/" + f.published + "/status",
		"admin/wyglad", "admin/synonimy", "moje/" + f.published + "/potwierdz", "przejmij/" + f.published,
		"przejmij/" + f.published + "/kod", "moderacja/przejecia/" + f.pending, "konto/haslo", "konto/usun",
		"moderacja/ustawienia/powiadomienia"} {
		posts["/r/slaskie/"+p] = true
	}
	// Every form the pages draw is on the list too, so a new form cannot
	// slip by without a test.
	admin, owner := f.s.web(), f.s.web()
	admin.signIn("slaskie", f.admin)
	owner.signIn("slaskie", f.owner)
	pages := map[*webClient][]string{
		owner: {"/r/slaskie/moje", "/r/slaskie/moje/nowy", "/r/slaskie/moje/" + f.pending, "/r/slaskie/konto", "/r/slaskie/konto/usun",
			"/r/slaskie/moje/" + f.published + "/potwierdz", "/r/slaskie/podmiot/" + f.published},
		admin: {"/r/slaskie/moderacja", "/r/slaskie/podmiot/" + f.published, "/r/slaskie/admin/wyglad", "/r/slaskie/admin/synonimy"},
	}
	for _, anon := range []string{"/r/slaskie/rejestracja", "/r/slaskie/logowanie", "/r/slaskie/przypomnij-haslo", "/r/slaskie/nowe-haslo?token=x"} {
		pages[f.s.web()] = append(pages[f.s.web()], anon)
		for _, m := range formActionRe.FindAllStringSubmatch(f.s.web().get(anon).Body, -1) {
			posts[m[1]] = true
		}
	}
	for w, paths := range pages {
		for _, path := range paths {
			for _, m := range formActionRe.FindAllStringSubmatch(w.get(path).Body, -1) {
				if !posts[m[1]] {
					t.Errorf("form posting to %s (on %s) is not in the CSRF test", m[1], path)
				}
			}
		}
	}
	var list []string
	for p := range posts {
		list = append(list, p)
	}
	sort.Strings(list)
	body := url.Values{"email": {f.owner}, "password": {goodPassword}, "reason": {"powód"}, "action": {"approve"},
		"name": {"X"}, "synonyms": {"a: b"}, "tagline": {"x"}}
	for _, who := range []*webClient{admin, owner} {
		for _, path := range list {
			p := who.postRaw(path, body)
			if p.Status != 403 || !strings.Contains(p.Body, "Formularz wygasł") {
				t.Errorf("POST %s without a token: status %d", path, p.Status)
			}
			tampered := cloneValues(body)
			tampered.Set("_csrf", who.csrf+"x")
			if p := who.postRaw(path, tampered); p.Status != 403 {
				t.Errorf("POST %s with a tampered token: status %d", path, p.Status)
			}
		}
	}
	// Another visitor's token does not match this visitor's cookie.
	stranger := f.s.web()
	stranger.get("/r/slaskie/logowanie")
	stolen := cloneValues(body)
	stolen.Set("_csrf", stranger.csrf)
	if p := owner.postRaw("/r/slaskie/moje/nowy", stolen); p.Status != 403 {
		t.Errorf("a token of another visitor: status %d", p.Status)
	}
}

// newListingForm is the listing form as a newcomer fills it in.
func newListingForm() url.Values {
	return url.Values{
		"name": {"Spółdzielnia Socjalna Pod Dębem"}, "legal_form": {"spoldzielnia_socjalna"},
		"kinds": {"spoldzielnia_socjalna"}, "nip": {"1234567890"},
		"description": {"Sprzątanie biur i klatek schodowych, pielęgnacja zieleni."}, "categories": {"sprzatanie", "zielen"},
		"offers[0].title": {"Sprzątanie biur"}, "offers[0].kind": {"usluga"},
		"address.street": {"ul. Dębowa 3"}, "address.postal_code": {"40-001"}, "address.city": {"Katowice"},
		"powiat": {"2469"}, "address.gmina_teryt": {"2469011"},
		"contact.email": {"biuro@pod-debem.example.org"}, "employment.total": {"10"}, "employment.at_risk": {"4"},
		"employment.as_of": {"2026-01-01"},
	}
}

func TestListingFormKeepsWhatWasTypedAndShowsEachErrorAtItsField(t *testing.T) {
	s := newTestServer(t)
	email, _ := s.account("slaskie", tenants.RoleEnterprise)
	w := s.web()
	w.signIn("slaskie", email)
	w.get("/r/slaskie/moje/nowy").expect(t, 200)
	form := newListingForm()
	form.Set("action", "submit")
	form.Set("employment.at_risk", "40")
	p := w.post("/r/slaskie/moje/nowy", form).expect(t, 422)
	p.contains(t,
		`value="Spółdzielnia Socjalna Pod Dębem"`, `value="1234567890"`, `value="ul. Dębowa 3"`, `value="40"`,
		`role="alert"`, `href="#f-nip"`, `id="f-nip-err"`, "NIP ma błędną cyfrę kontrolną",
		`href="#f-employment-at_risk"`, "Osób zagrożonych wykluczeniem nie może być więcej",
		`<option value="2469011" selected>`, `value="sprzatanie" checked`)
	// The error is tied to its control.
	if !regexp.MustCompile(`<input id="f-nip" name="nip" type="text" value="1234567890" autocomplete="off" aria-invalid="true" aria-describedby="f-nip-hint f-nip-err">`).MatchString(p.Body) {
		t.Fatalf("NIP input is not marked invalid: %s", p.Body)
	}
	if strings.Contains(p.Body, `id="f-name-err"`) {
		t.Fatal("a good field is marked wrong")
	}

	form.Set("nip", "526-025-02-74")
	form.Set("employment.at_risk", "4")
	p = w.post("/r/slaskie/moje/nowy", form).expect(t, 303)
	if p.Location != "/r/slaskie/moje?msg=submitted" {
		t.Fatalf("went to %q", p.Location)
	}
	w.get(p.Location).expect(t, 200).contains(t, "Spółdzielnia Socjalna Pod Dębem", "czeka na moderację", "Wpis wysłany do moderacji")
}

func TestGminaPickerWorksWithoutJavaScript(t *testing.T) {
	s := newTestServer(t)
	email, _ := s.account("slaskie", tenants.RoleEnterprise)
	w := s.web()
	w.signIn("slaskie", email)
	p := w.get("/r/slaskie/moje/nowy").expect(t, 200)
	p.contains(t, `<option value="2469">Katowice</option>`, "Najpierw wybierz powiat")
	form := url.Values{"name": {"Koło Gospodyń"}, "powiat": {"2403"}, "action": {"pick"}}
	p = w.post("/r/slaskie/moje/nowy", form).expect(t, 200)
	// Powiat cieszyński: its gminas, and what was typed stays.
	p.contains(t, `value="Koło Gospodyń"`, `<option value="2403" selected>`, `<option value="2403011">Cieszyn (gmina miejska)</option>`,
		`<option value="2403042">Brenna (gmina wiejska)</option>`)
	if strings.Contains(p.Body, "Najpierw wybierz powiat") {
		t.Fatal("still asks for a powiat")
	}
	// Adding an offer row keeps the first one.
	form = url.Values{"offers[0].title": {"Pierogi"}, "action": {"add_offer"}}
	p = w.post("/r/slaskie/moje/nowy", form).expect(t, 200)
	p.contains(t, `value="Pierogi"`, `name="offers[1].title"`)
}

func TestSignUpVerifySignInAndOutThroughThePages(t *testing.T) {
	s := newTestServer(t)
	w := s.web()
	email := "ewa.nowak." + strings.ToLower(t.Name()) + "@example.org"
	w.get("/r/slaskie/rejestracja").expect(t, 200)
	// A weak password comes back with the error at its field; the
	// password itself is never echoed.
	p := w.post("/r/slaskie/rejestracja", url.Values{"name": {"Ewa Nowak"}, "email": {email}, "password": {"krotkie"}}).expect(t, 422)
	p.contains(t, `value="Ewa Nowak"`, `id="f-password-err"`, "co najmniej 10 znaków")
	if strings.Contains(p.Body, "krotkie") {
		t.Fatal("the password was echoed")
	}
	w.post("/r/slaskie/rejestracja", url.Values{"name": {"Ewa Nowak"}, "email": {email}, "password": {goodPassword}}).
		expect(t, 200).contains(t, "Sprawdź skrzynkę")
	// Unverified: sign-in says why.
	w.get("/r/slaskie/logowanie")
	w.post("/r/slaskie/logowanie", url.Values{"email": {email}, "password": {goodPassword}}).expect(t, 403).contains(t, "Potwierdź adres e-mail")
	token := s.mailToken(email)
	w.get("/r/slaskie/weryfikacja?token="+token).expect(t, 200).contains(t, "adres e-mail jest potwierdzony")
	w.get("/r/slaskie/weryfikacja?token="+token).expect(t, 422).contains(t, "Link jest nieprawidłowy")

	w.get("/r/slaskie/logowanie")
	p = w.post("/r/slaskie/logowanie", url.Values{"email": {email}, "password": {"zle-haslo-123"}}).expect(t, 401)
	p.contains(t, "Nieprawidłowy e-mail lub hasło", `value="`+email+`"`)
	p = w.post("/r/slaskie/logowanie", url.Values{"email": {email}, "password": {goodPassword}}).expect(t, 303)
	if p.Location != "/r/slaskie/moje" {
		t.Fatalf("after sign-in: %q", p.Location)
	}
	for _, h := range p.Header.Values("Set-Cookie") {
		if strings.HasPrefix(h, "kp_access=") || strings.HasPrefix(h, "kp_refresh=") {
			if !strings.Contains(h, "HttpOnly") || !strings.Contains(strings.ToLower(h), "samesite=lax") || !strings.Contains(h, "path=/r/slaskie/") {
				t.Errorf("cookie %q", h)
			}
		}
	}
	w.get("/r/slaskie/moje").expect(t, 200).contains(t, "Ewa Nowak", "Wyloguj")
	p = w.post("/r/slaskie/wyloguj", nil).expect(t, 303)
	p = w.get("/r/slaskie/moje").expect(t, 303)
	if !strings.HasPrefix(p.Location, "/r/slaskie/logowanie?next=") {
		t.Fatalf("signed out, /moje goes to %q", p.Location)
	}
}

func TestSignInReturnsToThePageAskedFor(t *testing.T) {
	f := newPagesFixture(t)
	w := f.s.web()
	p := w.get("/r/slaskie/moderacja").expect(t, 303)
	next, _ := url.Parse(p.Location)
	w.get(p.Location).expect(t, 200).contains(t, `name="next" value="/r/slaskie/moderacja"`)
	p = w.post("/r/slaskie/logowanie", url.Values{"email": {f.moderator}, "password": {goodPassword}, "next": {next.Query().Get("next")}}).expect(t, 303)
	if p.Location != "/r/slaskie/moderacja" {
		t.Fatalf("went to %q", p.Location)
	}
	// Elsewhere is not a place to go back to.
	w.post("/r/slaskie/wyloguj", nil)
	w.get("/r/slaskie/logowanie")
	p = w.post("/r/slaskie/logowanie", url.Values{"email": {f.moderator}, "password": {goodPassword}, "next": {"//evil.example.org/"}}).expect(t, 303)
	if p.Location != "/r/slaskie/moderacja" {
		t.Fatalf("went to %q", p.Location)
	}
	// An enterprise account may not moderate.
	o := f.s.web()
	o.signIn("slaskie", f.owner)
	o.get("/r/slaskie/moderacja").expect(t, 403)
}

func TestAnExpiredAccessCookieIsRenewedFromTheRefreshCookie(t *testing.T) {
	f := newPagesFixture(t)
	w := f.s.web()
	w.signIn("slaskie", f.owner)
	var refresh string
	for k, c := range w.cookies {
		if strings.HasPrefix(k, "kp_access|") {
			delete(w.cookies, k) // the browser dropped it when it expired
		}
		if c.Name == "kp_refresh" {
			refresh = c.Value
		}
	}
	p := w.get("/r/slaskie/moje").expect(t, 200)
	p.contains(t, "Spółdzielnia Socjalna Zielony Śląsk")
	renewed := false
	for _, c := range w.cookies {
		if c.Name == "kp_access" {
			renewed = true
		}
		if c.Name == "kp_refresh" && c.Value == refresh {
			t.Fatal("the refresh token was not rotated")
		}
	}
	if !renewed {
		t.Fatal("no new access cookie")
	}
	// A refresh cookie that is no longer valid signs the visitor out.
	stale := f.s.web()
	stale.cookies["kp_refresh|/r/slaskie/"] = &http.Cookie{Name: "kp_refresh", Value: refresh, Path: "/r/slaskie/"}
	stale.get("/r/slaskie/moje").expect(t, 303)
}

func TestPasswordResetThroughThePages(t *testing.T) {
	s := newTestServer(t)
	email, _ := s.account("slaskie", tenants.RoleEnterprise)
	w := s.web()
	w.get("/r/slaskie/przypomnij-haslo").expect(t, 200)
	w.post("/r/slaskie/przypomnij-haslo", url.Values{"email": {email}}).expect(t, 200).contains(t, "Jeśli konto z tym adresem istnieje")
	token := s.mailToken(email)
	w.get("/r/slaskie/nowe-haslo?token="+token).expect(t, 200).contains(t, `name="token" value="`+token+`"`)
	w.post("/r/slaskie/nowe-haslo", url.Values{"token": {token}, "password": {"nowe-haslo-do-konta-7"}}).expect(t, 200).contains(t, "Hasło zostało zmienione")
	w.get("/r/slaskie/logowanie")
	w.post("/r/slaskie/logowanie", url.Values{"email": {email}, "password": {"nowe-haslo-do-konta-7"}}).expect(t, 303)
}

func TestSessionCookiesAreSecureOutsideDevelopment(t *testing.T) {
	s := newTestServerWithMeili(t, os.Getenv("MEILI_URL"), handlers.Config{BaseURL: "https://katalog.example.org"})
	email, _ := s.account("slaskie", tenants.RoleEnterprise)
	w := s.web()
	p := w.get("/r/slaskie/logowanie").expect(t, 200)
	for _, h := range p.Header.Values("Set-Cookie") {
		if !strings.Contains(h, "secure") && !strings.Contains(h, "Secure") {
			t.Errorf("cookie without Secure: %q", h)
		}
	}
	p = w.post("/r/slaskie/logowanie", url.Values{"email": {email}, "password": {goodPassword}}).expect(t, 303)
	n := 0
	for _, h := range p.Header.Values("Set-Cookie") {
		if strings.HasPrefix(h, "kp_access=") || strings.HasPrefix(h, "kp_refresh=") {
			n++
			if !strings.Contains(strings.ToLower(h), "secure") || !strings.Contains(h, "HttpOnly") {
				t.Errorf("cookie %q", h)
			}
		}
	}
	if n != 2 {
		t.Fatalf("%d token cookies", n)
	}
}
