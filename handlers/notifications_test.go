package handlers_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

type devMail struct{ To, Subject, Body string }

// mailsTo reads the dev mailbox of an address, newest first.
func (s *testServer) mailsTo(email string) []devMail {
	s.t.Helper()
	var mails []devMail
	s.do("GET", "/dev/mail?to="+url.QueryEscape(email), nil).expect(s.t, 200).json(s.t, &mails)
	return mails
}

// signUpIn registers with the given Accept-Language, verifies and signs in.
func (s *testServer) signUpIn(slug, email, lang string) tokens {
	s.t.Helper()
	s.do("POST", "/r/"+slug+"/api/v1/auth/register", map[string]string{"email": email, "password": goodPassword, "name": "Anne Smith"},
		header("Accept-Language", lang)).expect(s.t, 201)
	s.do("POST", "/r/"+slug+"/api/v1/auth/verify", map[string]string{"token": s.mailToken(email)}).expect(s.t, 200)
	var tk tokens
	s.do("POST", "/r/"+slug+"/api/v1/auth/login", map[string]string{"email": email, "password": goodPassword}).expect(s.t, 200).json(s.t, &tk)
	return tk
}

type notification struct {
	ID, Kind, Subject, Link string
	Read                    bool
}

func TestEveryDecisionReachesTheOwnerOnceByMailAndOnTheDeskInTheirLanguage(t *testing.T) {
	s := newTestServer(t)
	const email = "anne@example.org"
	en := s.signUpIn("slaskie", email, "en-GB,en;q=0.9")
	mod := s.staff("slaskie", tenants.RoleModerator)
	api := "/r/slaskie/api/v1/"
	body := listingBody("Green Kitchen Cooperative")
	body["nip"] = registerNIP(7)
	var l struct{ ID string }
	s.do("POST", api+"listings", body, bearer(en.AccessToken)).expect(t, 201).json(t, &l)

	decide := func(action, reason string, subject string, inBody ...string) {
		t.Helper()
		before := len(s.mailsTo(email))
		var req any
		if reason != "" {
			req = map[string]string{"reason": reason}
		}
		s.do("POST", api+"moderation/"+l.ID+"/"+action, req, bearer(mod.AccessToken)).expect(t, 200)
		mails := s.mailsTo(email)
		if len(mails) != before+1 {
			t.Fatalf("%s: %d mails, want %d", action, len(mails), before+1)
		}
		if !strings.Contains(mails[0].Subject, subject) {
			t.Fatalf("%s: subject %q lacks %q", action, mails[0].Subject, subject)
		}
		for _, want := range inBody {
			if !strings.Contains(mails[0].Body, want) {
				t.Fatalf("%s: body lacks %q: %s", action, want, mails[0].Body)
			}
		}
	}
	s.do("POST", api+"listings/"+l.ID+"/submit", nil, bearer(en.AccessToken)).expect(t, 200)
	decide("request-changes", "Please add opening hours.", "Changes requested", "Please add opening hours.", "/r/slaskie/moje/"+l.ID)
	s.do("POST", api+"listings/"+l.ID+"/submit", nil, bearer(en.AccessToken)).expect(t, 200)
	decide("approve", "", "is published", "/r/slaskie/moje")
	decide("suspend", "A complaint.", "is suspended", "A complaint.")
	decide("reinstate", "", "is visible again")

	var list []notification
	s.do("GET", api+"me/notifications", nil, bearer(en.AccessToken)).expect(t, 200).json(t, &list)
	want := []string{"reinstated", "suspended", "approved", "changes_requested"}
	if len(list) != len(want) {
		t.Fatalf("notifications %+v", list)
	}
	for i, n := range list {
		if n.Kind != want[i] || n.Read || n.Link == "" || n.Subject == "" {
			t.Fatalf("notification %d: %+v, want %s unread", i, n, want[i])
		}
	}
	s.do("GET", api+"me/notifications", nil).expect(t, 401)
	other := s.signUp("slaskie", "sasiad@example.org")
	s.do("POST", api+"me/notifications/"+list[0].ID+"/read", nil, bearer(other.AccessToken)).expect(t, 404)
	s.do("POST", api+"me/notifications/"+list[0].ID+"/read", nil, bearer(en.AccessToken)).expect(t, 204)
	s.do("GET", api+"me/notifications", nil, bearer(en.AccessToken)).expect(t, 200).json(t, &list)
	if !list[0].Read || list[1].Read {
		t.Fatalf("after reading the newest: %+v", list)
	}

	// The desk shows them, the unread marked; a read is a button there too.
	w := s.web()
	w.signIn("slaskie", email)
	desk := w.get("/r/slaskie/moje").expect(t, 200)
	desk.contains(t, "Powiadomienia", list[0].Subject, list[1].Subject, "notification--unread", "Oznacz jako przeczytane")
	if strings.Count(desk.Body, `class="notification notification--unread"`) != 3 {
		t.Fatalf("the desk marks %d unread, want 3", strings.Count(desk.Body, "notification--unread"))
	}
	p := w.post("/r/slaskie/moje/powiadomienia/"+list[1].ID, url.Values{}).expect(t, 303)
	w.get(p.Location).expect(t, 200).contains(t, "Powiadomienie oznaczone jako przeczytane")
	if strings.Count(w.get("/r/slaskie/moje").Body, `class="notification notification--unread"`) != 2 {
		t.Fatal("the desk still shows the read one as unread")
	}

	// Choosing Polish on a page changes the language of the next mail.
	w.get("/r/slaskie/moje?lang=pl").expect(t, 200)
	decide("suspend", "Skarga klienta.", "zawieszony", "Skarga klienta.")
}

func TestAPolishOwnerGetsPolishMail(t *testing.T) {
	s := newTestServer(t)
	owner := s.signUp("slaskie", "jan@example.org")
	mod := s.staff("slaskie", tenants.RoleModerator)
	s.publishVia(owner, mod, "Spółdzielnia Polska", registerNIP(3))
	mails := s.mailsTo("jan@example.org")
	if len(mails) != 2 || !strings.Contains(mails[0].Subject, "opublikowany") || !strings.Contains(mails[0].Body, "Dzień dobry") {
		t.Fatalf("mails %+v", mails)
	}
}

func TestAPastCertificateDateWarnsOnTheFormAndInTheAnswer(t *testing.T) {
	f := newPagesFixture(t)
	owner := f.s.web()
	owner.signIn("slaskie", f.owner)
	form := owner.get("/r/slaskie/moje/"+f.pending).expect(t, 200)
	if strings.Contains(form.Body, "Ta data już minęła") {
		t.Fatal("a future date warns")
	}
	v := formOf(form.Body)
	v.Set("certificates[0].valid_until", "2021-01-31")
	v.Set("action", "save")
	p := owner.post("/r/slaskie/moje/"+f.pending, v).expect(t, 303)
	if !strings.Contains(p.Location, "/moje/"+f.pending+"?msg=saved_check_dates") {
		t.Fatalf("went to %q", p.Location)
	}
	owner.get(p.Location).expect(t, 200).contains(t, "Zapisano. Sprawdź daty", "Ta data już minęła", `value="2021-01-31"`)

	var l struct {
		Warnings []struct{ Field, Code string } `json:"warnings"`
	}
	tk := f.s.staff("slaskie", tenants.RoleModerator)
	f.s.do("GET", "/r/slaskie/api/v1/listings/"+f.pending, nil, bearer(tk.AccessToken)).expect(t, 200).json(t, &l)
	if len(l.Warnings) != 1 || l.Warnings[0].Field != "certificates[0].valid_until" || l.Warnings[0].Code != "date.past" {
		t.Fatalf("warnings %+v", l.Warnings)
	}
}

func TestALapsedCertificateShowsAsLapsedWithoutABadge(t *testing.T) {
	f := newPagesFixture(t)
	tn := storetest.Tenants(t, f.s.db)["slaskie"]
	owner := tenants.WithPrincipal(tenants.NewContext(context.Background(), tn), f.ownerP)
	mod := tenants.WithPrincipal(tenants.NewContext(context.Background(), tn), f.modP)
	d := pageListing("Spółdzielnia Po Terminie", registerNIP(5))
	d.Certificates = []store.Certificate{{Kind: "znak_jakosci_es", Issuer: "Ministerstwo", ValidUntil: "2021-05-31"}}
	id := f.create(owner, d)
	if _, err := f.s.db.SubmitListing(owner, id); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.db.Moderate(mod, id, store.ActionApprove, ""); err != nil {
		t.Fatal(err)
	}
	page := f.s.web().get("/r/slaskie/podmiot/"+id).expect(t, 200)
	page.contains(t, "Znak Jakości Ekonomii Społecznej", "wygasł", "2021")
	if strings.Contains(page.Body, "badge--cert") {
		t.Fatal("a lapsed certificate has a badge")
	}
	f.s.web().get("/r/slaskie/podmiot/"+id+"?lang=en").expect(t, 200).contains(t, "lapsed on")
}

func TestAfterRequestChangesTheModeratorSeesOnlyTheFieldEdited(t *testing.T) {
	f := newPagesFixture(t)
	mod, owner := f.s.web(), f.s.web()
	mod.signIn("slaskie", f.moderator)
	owner.signIn("slaskie", f.owner)
	mod.post("/r/slaskie/moderacja/"+f.pending, url.Values{"action": {"request_changes"}, "reason": {"Podaj ulicę z numerem."}}).expect(t, 303)
	v := formOf(owner.get("/r/slaskie/moje/"+f.pending).expect(t, 200).Body)
	v.Set("address.street", "ul. Mariacka 12")
	v.Set("action", "submit")
	owner.post("/r/slaskie/moje/"+f.pending, v).expect(t, 303)

	item := queueItemOf(t, mod.get("/r/slaskie/moderacja").expect(t, 200).Body, f.pending)
	for _, want := range []string{"Zmiany od prośby o poprawki", "Przy prośbie o poprawki", `<th scope="row">Siedziba</th>`, "ul. Mariacka 12"} {
		if !strings.Contains(item, want) {
			t.Fatalf("the diff lacks %q: %s", want, item)
		}
	}
	if n := strings.Count(item, `<th scope="row">`); n != 1 {
		t.Fatalf("the diff has %d rows, want 1: %s", n, item)
	}
	if strings.Contains(item, "address.street") {
		t.Fatalf("a raw path in the diff: %s", item)
	}
}

// queueItemOf is the queue page's article about listing id.
func queueItemOf(t *testing.T, body, id string) string {
	t.Helper()
	start := strings.Index(body, `id="qi-`+id+`"`)
	if start < 0 {
		t.Fatalf("listing %s is not in the queue", id)
	}
	item := body[start:]
	return item[:strings.Index(item, "</article>")]
}
