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
