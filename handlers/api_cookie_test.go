package handlers_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"katalogpes/tenants"
)

// TestTheAPIIgnoresTheSessionCookie: a page's cookie, sent by the browser
// with another site's request, does not authorise a JSON API call.
func TestTheAPIIgnoresTheSessionCookie(t *testing.T) {
	s := newTestServer(t)
	ownerEmail, _ := s.account("slaskie", tenants.RoleEnterprise)
	modEmail, _ := s.account("slaskie", tenants.RoleModerator)
	owner, mod := s.web(), s.web()
	owner.signIn("slaskie", ownerEmail)
	mod.signIn("slaskie", modEmail)
	// The same people can use the pages with their cookies.
	owner.get("/r/slaskie/moje").expect(t, 200)

	tk := s.signUp("slaskie", "zrodlo@example.org")
	var l struct{ ID string }
	s.do("POST", "/r/slaskie/api/v1/listings", listingBody("Cudzy wpis"), bearer(tk.AccessToken)).expect(t, 201).json(t, &l)
	s.do("POST", "/r/slaskie/api/v1/listings/"+l.ID+"/submit", nil, bearer(tk.AccessToken)).expect(t, 200)

	for _, tc := range []struct {
		who          *webClient
		method, path string
	}{
		{owner, "DELETE", "/r/slaskie/api/v1/me"},
		{owner, "POST", "/r/slaskie/api/v1/listings"},
		{mod, "POST", "/r/slaskie/api/v1/moderation/" + l.ID + "/approve"},
		{mod, "GET", "/r/slaskie/api/v1/moderation/queue"},
	} {
		req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", "https://evil.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if p := tc.who.send(req); p.Status != 401 {
			t.Errorf("%s %s with the cookie alone: %d, want 401", tc.method, tc.path, p.Status)
		}
	}
	// Nothing happened: the account is there, the listing still pending.
	owner.get("/r/slaskie/moje").expect(t, 200)
	var got struct{ Status string }
	s.do("GET", "/r/slaskie/api/v1/listings/"+l.ID, nil, bearer(tk.AccessToken)).expect(t, 200).json(t, &got)
	if got.Status != "pending" {
		t.Fatalf("listing is %s after the cross-site calls", got.Status)
	}
}
