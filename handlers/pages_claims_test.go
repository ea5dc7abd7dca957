package handlers_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"katalogpes/handlers/view"
	"katalogpes/store"
	"katalogpes/tenants"
)

func TestTheListingFormOffersToClaimAnUnownedDuplicate(t *testing.T) {
	s := newTestServer(t)
	id, nip, contact := s.importOne("slaskie", 730)
	email, _ := s.account("slaskie", tenants.RoleEnterprise)
	w := s.web()
	w.signIn("slaskie", email)
	w.get("/r/slaskie/moje/nowy").expect(t, 200)
	form := newListingForm()
	form.Set("nip", nip)
	w.post("/r/slaskie/moje/nowy", form).expect(t, 409).contains(t, "To Twój podmiot? Przejmij wpis", `href="/r/slaskie/przejmij/`+id+`"`)

	w.get("/r/slaskie/przejmij/"+id).expect(t, 200).contains(t, "Wyślij kod", "b***@example.org")
	p := w.post("/r/slaskie/przejmij/"+id, url.Values{}).expect(t, 303)
	w.get(p.Location).expect(t, 200).contains(t, "Wysłaliśmy kod", `name="code"`)
	code := s.claimCode(contact)
	wrong := "999999"
	if code == wrong {
		wrong = "888888"
	}
	w.post("/r/slaskie/przejmij/"+id+"/kod", url.Values{"code": {wrong}}).expect(t, 422).contains(t, `id="f-code-err"`, "Pozostałe próby: 4")
	p = w.post("/r/slaskie/przejmij/"+id+"/kod", url.Values{"code": {code}}).expect(t, 303)
	if p.Location != "/r/slaskie/moje?msg=claimed" {
		t.Fatalf("after the code: %q", p.Location)
	}
	w.get(p.Location).expect(t, 200).contains(t, "Wpis jest Twój", "/moje/"+id+"/historia")
	w.get("/r/slaskie/moje/"+id+"/historia").expect(t, 200).contains(t, "przejęcie wpisu")
	w.get("/r/slaskie/przejmij/"+id).expect(t, 200).contains(t, "Ten wpis jest Twój.")
}

func TestAModeratorDecidesAClaimOnThePage(t *testing.T) {
	s := newTestServer(t)
	id, _, _ := s.importOne("slaskie", 740)
	if _, err := s.rawDB().Exec(`UPDATE listings SET data = jsonb_set(data, '{contact,email}', '""') WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	email, _ := s.account("slaskie", tenants.RoleEnterprise)
	w := s.web()
	w.signIn("slaskie", email)
	w.get("/r/slaskie/przejmij/"+id).expect(t, 200).contains(t, "zdecyduje moderator", `name="note"`)
	p := w.post("/r/slaskie/przejmij/"+id, url.Values{"note": {"Jestem skarbnikiem fundacji."}}).expect(t, 303)
	w.get(p.Location).expect(t, 200).contains(t, "czeka na moderatora")

	other, _ := s.account("malopolskie", tenants.RoleModerator)
	o := s.web()
	o.signIn("malopolskie", other)
	if body := o.get("/r/malopolskie/moderacja/przejecia").expect(t, 200).Body; strings.Contains(body, "skarbnikiem") {
		t.Fatal("another region's moderator sees the claim")
	}

	modEmail, _ := s.account("slaskie", tenants.RoleModerator)
	m := s.web()
	m.signIn("slaskie", modEmail)
	page := m.get("/r/slaskie/moderacja/przejecia").expect(t, 200).contains(t, "Jestem skarbnikiem fundacji.", "Anna enterprise")
	action := regexp.MustCompile(`action="(/r/slaskie/moderacja/przejecia/[^"]+)"`).FindStringSubmatch(page.Body)
	if action == nil {
		t.Fatal("no decision form")
	}
	if o.post(strings.Replace(action[1], "slaskie", "malopolskie", 1), url.Values{"action": {"approve"}}).Status != 404 {
		t.Fatal("another region's moderator decides the claim")
	}
	p = m.post(action[1], url.Values{"action": {"approve"}, "reason": {"Sprawdzone."}}).expect(t, 303)
	m.get(p.Location).expect(t, 200).contains(t, "Przejęcie zatwierdzone", "Żaden wniosek nie czeka")
	w.get("/r/slaskie/moje").expect(t, 200).contains(t, "/moje/"+id+"/historia")
}

// stalePublished publishes a listing of a new enterprise account and
// dates its confirmation 13 months back.
func (s *testServer) stalePublished(name, nip string) (id, email string) {
	s.t.Helper()
	email, owner := s.account("slaskie", tenants.RoleEnterprise)
	_, mod := s.account("slaskie", tenants.RoleModerator)
	id = publishAs(s.t.(*testing.T), s, owner, mod, pageListing(name, nip))
	if _, err := s.rawDB().Exec(`UPDATE listings SET confirmed_at = now() - interval '13 months' WHERE id = $1`, id); err != nil {
		s.t.Fatal(err)
	}
	return id, email
}

func (s *testServer) confirmedAt(id string) time.Time {
	s.t.Helper()
	var at time.Time
	if err := s.rawDB().QueryRow(`SELECT confirmed_at FROM listings WHERE id = $1`, id).Scan(&at); err != nil {
		s.t.Fatal(err)
	}
	return at
}

func TestOneClickConfirmationFromTheDesk(t *testing.T) {
	s := newTestServer(t)
	id, email := s.stalePublished("Spółdzielnia Socjalna Aktualna", "5260250274")
	w := s.web()
	w.signIn("slaskie", email)
	w.get("/r/slaskie/moje").expect(t, 200).contains(t, `action="/r/slaskie/moje/`+id+`/potwierdz"`, "Dane są aktualne — potwierdź")
	p := w.post("/r/slaskie/moje/"+id+"/potwierdz", url.Values{"from": {"mine"}}).expect(t, 303)
	if p.Location != "/r/slaskie/moje?msg=confirmed" || time.Since(s.confirmedAt(id)) > time.Minute {
		t.Fatalf("after confirming: %q, confirmed %v", p.Location, s.confirmedAt(id))
	}
	w.get(p.Location).expect(t, 200).contains(t, "potwierdzone jako aktualne")
	// The owner's view of the profile has the button too, and comes back.
	w.get("/r/slaskie/podmiot/"+id).expect(t, 200).contains(t, `id="potwierdz"`, `value="profile"`)
	p = w.post("/r/slaskie/moje/"+id+"/potwierdz", url.Values{"from": {"profile"}}).expect(t, 303)
	if p.Location != "/r/slaskie/podmiot/"+id+"?msg=confirmed" {
		t.Fatalf("from the profile back to %q", p.Location)
	}
	// Someone else's listing is not theirs to confirm.
	stranger, _ := s.account("slaskie", tenants.RoleEnterprise)
	x := s.web()
	x.signIn("slaskie", stranger)
	x.get("/r/slaskie/moje").expect(t, 200)
	x.post("/r/slaskie/moje/"+id+"/potwierdz", url.Values{}).expect(t, 403)
}

func TestTheReminderLinkLeadsAfterSignInBackToTheConfirmButton(t *testing.T) {
	s := newTestServer(t)
	id, email := s.stalePublished("Fundacja Przypomniana", "1234563218")
	tr, err := view.NewTranslator()
	if err != nil {
		t.Fatal(err)
	}
	composer := view.NewComposer(tr, s.cfg.BaseURL)
	if n, err := s.db.RemindStale(tenants.WithAllTenants(context.Background()), 10, func(r store.Reminder) store.Mail {
		return composer.Reminder("pl", r)
	}); err != nil || n != 1 {
		t.Fatalf("reminders: %d %v", n, err)
	}
	var mails []struct{ Body string }
	s.do("GET", "/dev/mail?to="+url.QueryEscape(email), nil).expect(t, 200).json(t, &mails)
	link := regexp.MustCompile(`http://localhost:8080(/\S+)`).FindStringSubmatch(mails[0].Body)
	if link == nil || link[1] != "/r/slaskie/moje/"+id+"/potwierdz" {
		t.Fatalf("the reminder links to %v", link)
	}
	w := s.web()
	p := w.get(link[1]).expect(t, 303)
	if !strings.HasPrefix(p.Location, "/r/slaskie/logowanie?next=") {
		t.Fatalf("signed out, the link goes to %q", p.Location)
	}
	w.get(p.Location).expect(t, 200).contains(t, `name="next" value="`+link[1]+`"`)
	p = w.post("/r/slaskie/logowanie", url.Values{"email": {email}, "password": {goodPassword}, "next": {link[1]}}).expect(t, 303)
	if p.Location != link[1] {
		t.Fatalf("after signing in: %q", p.Location)
	}
	w.get(p.Location).expect(t, 200).contains(t, "Potwierdź aktualność danych", `action="/r/slaskie/moje/`+id+`/potwierdz"`)
	w.post("/r/slaskie/moje/"+id+"/potwierdz", url.Values{"from": {"mine"}}).expect(t, 303)
	if time.Since(s.confirmedAt(id)) > time.Minute {
		t.Fatal("not confirmed")
	}
}
