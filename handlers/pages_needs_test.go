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

// A buyer outside the public-sector domains drafts but cannot publish
// until a moderator confirms it on the page; then it publishes.
func TestAModeratorConfirmsABuyerOnThePage(t *testing.T) {
	s := newTestServer(t)
	email := storetest.Unique("zakupy@firma.example.org")
	tk := s.buyerTokens("slaskie", email)
	var n store.Need
	s.do("POST", "/r/slaskie/api/v1/needs", needBody("wspolpraca"), bearer(tk.AccessToken)).expect(t, 201).json(t, &n)

	w := s.web()
	w.signIn("slaskie", email)
	w.get("/r/slaskie/zamawiajacy").expect(t, 200).contains(t, "czeka na potwierdzenie")
	w.post("/r/slaskie/zamawiajacy/zapytania/"+n.ID+"/wyslij", url.Values{}).expect(t, 403).contains(t, "czeka na potwierdzenie przez moderatora")

	modEmail, _ := s.account("slaskie", tenants.RoleModerator)
	m := s.web()
	m.signIn("slaskie", modEmail)
	m.get("/r/slaskie/moderacja/zapytania").expect(t, 200).contains(t, "Urząd Miasta Katowice")
	var b store.Buyer
	s.do("GET", "/r/slaskie/api/v1/me/buyer", nil, bearer(tk.AccessToken)).expect(t, 200).json(t, &b)
	m.post("/r/slaskie/moderacja/zamawiajacy/"+b.AccountID, url.Values{"decision": {"approve"}}).expect(t, 303)
	if mails := s.mailsTo(email); len(mails) == 0 || !strings.Contains(mails[0].Subject, "potwierdzone") {
		t.Fatalf("the buyer was not told: %+v", mails)
	}
	w.post("/r/slaskie/zamawiajacy/zapytania/"+n.ID+"/wyslij", url.Values{}).expect(t, 303)
	w.get("/r/slaskie/zamawiajacy/zapytania/"+n.ID).expect(t, 200).contains(t, "czeka na moderatora")
}

// The admin's settings page refuses a pattern that is no domain, at its
// field, and keeps what was typed.
func TestNeedSettingsRefuseABadDomainAtItsField(t *testing.T) {
	s := newTestServer(t)
	adminEmail, _ := s.account("slaskie", tenants.RoleAdmin)
	w := s.web()
	w.signIn("slaskie", adminEmail)
	w.get("/r/slaskie/admin/zapytania").expect(t, 200).contains(t, "um.*.pl", "powiat*.pl")
	w.post("/r/slaskie/admin/zapytania", url.Values{"match_limit": {"30"}, "weekly_cap": {"3"}, "public_sector_domains": {"um.*.pl\nnie domena"}}).
		expect(t, 422).contains(t, "nie jest wzorem domeny", `id="f-public_sector_domains"`)
	w.post("/r/slaskie/admin/zapytania", url.Values{"match_limit": {"30"}, "weekly_cap": {"3"}, "public_sector_domains": {"um.*.pl\n*.gov.pl\nrops.slaskie.pl"}}).
		expect(t, 303)
	st, err := s.db.FindNeedSettings(storetest.Ctx(t, s.db, "slaskie", tenants.Principal{}))
	if err != nil || st.MatchLimit != 30 || st.WeeklyCap != 3 || len(st.Domains) != 3 {
		t.Fatalf("settings: %+v %v", st, err)
	}
	email := storetest.Unique("kadry@rops.slaskie.pl")
	s.buyerTokens("slaskie", email)
	_, mod := s.account("slaskie", tenants.RoleModerator)
	if list, err := s.db.FindWaitingBuyers(storetest.Ctx(t, s.db, "slaskie", mod)); err != nil || len(list) != 0 {
		t.Fatalf("a buyer on a domain the admin added waits: %+v %v", list, err)
	}
}

// An entity that muted a category hears of no need of it.
func TestAMutedCategoryIsNotMatched(t *testing.T) {
	s := newTestServer(t)
	id, owner := s.cleaner("slaskie", "Czyste Katowice", "1234563218", "2469011", 10, 4, store.ServiceArea{Scope: "country"})
	w := s.web()
	w.signIn("slaskie", owner)
	w.get("/r/slaskie/moje-zapytania").expect(t, 200)
	w.post("/r/slaskie/moje-zapytania/wycisz", url.Values{"listing_id": {id}, "categories": {"sprzatanie"}}).expect(t, 303)
	tk := s.buyerTokens("slaskie", storetest.Unique("zamowienia@um.katowice.pl"))
	var n store.Need
	s.do("POST", "/r/slaskie/api/v1/needs", needBody("zapytanie"), bearer(tk.AccessToken)).expect(t, 201).json(t, &n)
	s.do("POST", "/r/slaskie/api/v1/needs/"+n.ID+"/submit", nil, bearer(tk.AccessToken)).expect(t, 200)
	mod := s.staff("slaskie", tenants.RoleModerator)
	s.do("POST", "/r/slaskie/api/v1/moderation/needs/"+n.ID+"/approve", nil, bearer(mod.AccessToken)).expect(t, 200)
	s.srv.NeedJobsOnce(context.Background())
	var matches []store.Match
	s.do("GET", "/r/slaskie/api/v1/needs/"+n.ID+"/matches", nil, bearer(tk.AccessToken)).expect(t, 200).json(t, &matches)
	if len(matches) != 0 {
		t.Fatalf("a muted entity was matched: %+v", matches)
	}
}

// A need of małopolskie open to other regions reaches a listing of
// śląskie whose service area covers the place; its owner answers from its
// own region's desk, through the link in the mail, with no account in
// małopolskie, and the buyer sees the answer. A listing of śląskie the
// need did not reach cannot answer it.
func TestNeedAnsweredFromAnotherRegion(t *testing.T) {
	s := newTestServer(t)
	mapi := "/r/malopolskie/api/v1"
	email := storetest.Unique("zamowienia@um.krakow.pl")
	s.do("POST", mapi+"/auth/register", map[string]any{"email": email, "password": goodPassword, "name": "Jan Zamawiający",
		"role": "buyer", "institution": map[string]string{"name": "Urząd Miasta Krakowa", "nip": "6761013717", "teryt": "1261011"}}).expect(t, 201)
	s.do("POST", mapi+"/auth/verify", map[string]string{"token": s.mailToken(email)}).expect(t, 200)
	var buyer tokens
	s.do("POST", mapi+"/auth/login", map[string]string{"email": email, "password": goodPassword}).expect(t, 200).json(t, &buyer)
	body := needBody("zapytanie")
	body["place_of_delivery"], body["include_other_regions"] = []string{"1261011"}, true
	var n store.Need
	s.do("POST", mapi+"/needs", body, bearer(buyer.AccessToken)).expect(t, 201).json(t, &n)
	s.do("POST", mapi+"/needs/"+n.ID+"/submit", nil, bearer(buyer.AccessToken)).expect(t, 200)
	mod := s.staff("malopolskie", tenants.RoleModerator)
	s.do("POST", mapi+"/moderation/needs/"+n.ID+"/approve", nil, bearer(mod.AccessToken)).expect(t, 200)
	serves, servesOwner := s.cleaner("slaskie", "Śląsk dla Krakowa", "1234563218", "2469011", 10, 4, store.ServiceArea{Scope: "voivodeships", TERYT: []string{"12"}})
	local, localOwner := s.cleaner("slaskie", "Tylko Katowice", "7740001454", "2469011", 10, 4, store.ServiceArea{Scope: "gminas", TERYT: []string{"2469011"}})
	s.srv.NeedJobsOnce(context.Background())

	// The buyer's reminder reaches it too.
	s.do("POST", mapi+"/needs/"+n.ID+"/remind", nil, bearer(buyer.AccessToken)).expect(t, 202)
	answerPath := "/r/slaskie/moje-zapytania/" + n.ID + "/odpowiedz"
	if mails := s.mailsTo(servesOwner); len(mails) != 2 || !strings.Contains(mails[1].Body, "http://localhost:8080"+answerPath) {
		t.Fatalf("the owner has not the match mail with an answer link on its own desk, and the reminder: %+v", mails)
	}
	w := s.web()
	w.signIn("slaskie", servesOwner)
	w.get("/r/slaskie/moje-zapytania").expect(t, 200).contains(t, "/r/malopolskie/zapytania/"+n.ID, answerPath)
	w.get(answerPath).expect(t, 200).contains(t, "Śląsk dla Krakowa")
	w.postFile(answerPath, "oferta.pdf", []byte("%PDF-1.4\n%%EOF\n"),
		url.Values{"listing_id": {serves}, "message": {"Posprzątamy urząd; oferta w załączeniu."}}).expect(t, 303)

	var matches []store.Match
	s.do("GET", mapi+"/needs/"+n.ID+"/matches", nil, bearer(buyer.AccessToken)).expect(t, 200).json(t, &matches)
	if len(matches) != 1 || matches[0].ListingID != serves || matches[0].AnsweredAt == nil {
		t.Fatalf("the buyer's tracking table: %+v", matches)
	}
	var answers []store.Answer
	s.do("GET", mapi+"/needs/"+n.ID+"/answers", nil, bearer(buyer.AccessToken)).expect(t, 200).json(t, &answers)
	if len(answers) != 1 || answers[0].ListingName != "Śląsk dla Krakowa" || !strings.Contains(answers[0].Message, "Posprzątamy") || answers[0].FileID == nil {
		t.Fatalf("the buyer's answers: %+v", answers)
	}

	var other tokens
	s.do("POST", "/r/slaskie/api/v1/auth/login", map[string]string{"email": localOwner, "password": goodPassword}).expect(t, 200).json(t, &other)
	s.do("POST", "/r/slaskie/api/v1/needs/"+n.ID+"/answers", map[string]any{"listing_id": local, "message": "My też."}, bearer(other.AccessToken)).expect(t, 404)
	w2 := s.web()
	w2.signIn("slaskie", localOwner)
	w2.get(answerPath).expect(t, 404)
}
