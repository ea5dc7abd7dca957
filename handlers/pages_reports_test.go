package handlers_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"katalogpes/tenants"
)

func TestAdminSetsTheRegionsContactOnTheBrandingPage(t *testing.T) {
	s := newTestServer(t)
	admin, _ := s.account("slaskie", tenants.RoleAdmin)
	w := s.web()
	w.signIn("slaskie", admin)
	w.get("/r/slaskie/admin/wyglad").expect(t, 200).contains(t, `name="contact_email" type="email"`, `name="contact_phone" type="tel"`)
	colours := url.Values{"primary_color": {"#1d4d2b"}, "accent_color": {"#e0a000"}}
	bad := cloneValues(colours)
	bad.Set("contact_email", "rops@")
	bad.Set("contact_phone", "12")
	w.postMultipart("/r/slaskie/admin/wyglad", bad, "", nil).expect(t, 422).
		contains(t, `id="f-contact_email-err"`, "Podaj poprawny adres e-mail", `id="f-contact_phone-err"`, `value="rops@"`)
	if strings.Contains(s.web().get("/r/slaskie/").Body, "rops@") {
		t.Fatal("a refused contact was saved")
	}
	good := cloneValues(colours)
	good.Set("contact_email", " es@rops-katowice.example.PL ")
	good.Set("contact_phone", "32 123 45 67")
	w.postMultipart("/r/slaskie/admin/wyglad", good, "", nil).expect(t, 303)
	w.get("/r/slaskie/admin/wyglad").expect(t, 200).contains(t, `value="es@rops-katowice.example.pl"`, `value="&#43;48321234567"`)
	home := s.web().get("/r/slaskie/").expect(t, 200)
	home.contains(t, "Kontakt z ośrodkiem", `href="mailto:es@rops-katowice.example.pl"`, `href="tel:&#43;48321234567"`)
	if strings.Contains(s.web().get("/r/malopolskie/").Body, "rops-katowice") {
		t.Fatal("another region shows the contact")
	}
}

var closeActionRe = regexp.MustCompile(`action="(/r/slaskie/moderacja/zgloszenia/[0-9a-f-]+/zamknij)"`)

func TestAReportOfOutdatedDataReachesThatRegionsModerators(t *testing.T) {
	f := newPagesFixture(t)
	raw := f.s.rawDB()
	if _, err := raw.Exec(`UPDATE tenants SET contact_email = 'es@rops.example.org' WHERE slug = 'slaskie'`); err != nil {
		t.Fatal(err)
	}
	if err := f.s.srv.ReloadTenants(t.Context()); err != nil {
		t.Fatal(err)
	}
	profile := "/r/slaskie/podmiot/" + f.published
	w := f.s.web()
	w.get(profile).expect(t, 200).contains(t, `href="`+profile+`/zglos"`)
	form := w.get(profile+"/zglos").expect(t, 200)
	checkPage(t, profile+"/zglos", "pl", form)
	form.contains(t, `name="body"`, `name="reporter_email" type="email"`, "Spółdzielnia Socjalna Zielony Śląsk")
	// Nothing written, a bad address: 422 with the fields, nothing filed.
	w.post(profile+"/zglos", url.Values{"body": {"  "}, "reporter_email": {"kupujacy@"}}).expect(t, 422).
		contains(t, `id="f-body-err"`, "To pole jest wymagane", `id="f-reporter_email-err"`, `value="kupujacy@"`)
	w.post(profile+"/zglos", url.Values{"body": {strings.Repeat("x", 2001)}}).expect(t, 422).contains(t, `id="f-body-err"`, "2000")
	// A report on a listing the public cannot see is not found.
	w.get("/r/slaskie/podmiot/"+f.pending+"/zglos").expect(t, 404)

	p := w.post(profile+"/zglos", url.Values{"body": {"Nowy numer telefonu: 600 000 000."}, "reporter_email": {"kupujacy@gmina.example.pl"}}).expect(t, 303)
	if p.Location != profile+"/zglos/dziekujemy" {
		t.Fatalf("redirect to %q", p.Location)
	}
	thanks := w.get(p.Location)
	checkPage(t, p.Location, "pl", thanks)
	thanks.contains(t, "Dziękujemy", `href="`+profile+`"`)
	var subject, body string
	if err := raw.QueryRow(`SELECT subject, body FROM mail_outbox WHERE to_email = 'es@rops.example.org'`).Scan(&subject, &body); err != nil {
		t.Fatalf("no mail to the region: %v", err)
	}
	if !strings.Contains(subject, "Spółdzielnia Socjalna Zielony Śląsk") || !strings.Contains(body, "Nowy numer telefonu") ||
		!strings.Contains(body, "kupujacy@gmina.example.pl") || !strings.Contains(body, "http://localhost:8080/r/slaskie/moderacja/zgloszenia") {
		t.Fatalf("mail %q: %s", subject, body)
	}

	// Another region's moderator sees nothing and cannot close it; the public has no inbox.
	otherMod, _ := f.s.account("malopolskie", tenants.RoleModerator)
	other := f.s.web()
	other.signIn("malopolskie", otherMod)
	if strings.Contains(other.get("/r/malopolskie/moderacja/zgloszenia").expect(t, 200).Body, "Nowy numer telefonu") {
		t.Fatal("another region's moderator sees the report")
	}
	f.s.web().get("/r/slaskie/moderacja/zgloszenia").expect(t, 303)

	mod := f.s.web()
	mod.signIn("slaskie", f.moderator)
	mod.get("/r/slaskie/moderacja").expect(t, 200).contains(t, `href="/r/slaskie/moderacja/zgloszenia"`)
	inbox := mod.get("/r/slaskie/moderacja/zgloszenia")
	checkPage(t, "/r/slaskie/moderacja/zgloszenia", "pl", inbox)
	inbox.contains(t, "1 otwarte zgłoszenie", "Nowy numer telefonu: 600 000 000.", "kupujacy@gmina.example.pl")
	m := closeActionRe.FindStringSubmatch(inbox.Body)
	if m == nil {
		t.Fatal("no close button")
	}
	other.get("/r/malopolskie/moderacja/zgloszenia")
	if p := other.post(strings.Replace(m[1], "/r/slaskie/", "/r/malopolskie/", 1), url.Values{}); p.Status != 404 {
		t.Fatalf("another region closed the report: %d", p.Status)
	}
	mod.post(m[1], url.Values{}).expect(t, 303)
	after := mod.get("/r/slaskie/moderacja/zgloszenia?msg=report_closed").expect(t, 200)
	after.contains(t, "Zgłoszenie zamknięte", "0 otwartych zgłoszeń")
}
