package twonode

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

const password = "Dwa-wezly-haslo-2026"

// people are the accounts of the test.
type people struct {
	moderator  string   // e-mail; made with `katalogpes user add`
	writers    []string // enterprise e-mails: the first also walks the listing through review
	formUser   string   // signs in through the page form
	revoked    string   // signs out, then its token is tried on both nodes
	staleOwner string   // owns the stale listing the reminder workers race for
}

// TestTwoStatelessNodes runs two nodes behind HAProxy and checks that a
// person may land on either at any step, that limits and revocations are
// the site's and not a node's, and that losing a node under load loses no
// acknowledged write and leaves its work (search outbox, reminders) done
// once by the survivor.
func TestTwoStatelessNodes(t *testing.T) {
	began := time.Now()
	c := newCluster(t)
	p := seedPeople(t, c)
	staleID := seedStaleListing(t, c, p)
	t.Logf("database, index and binary ready in %s", time.Since(began).Round(time.Millisecond))
	c.start()
	t.Logf("two nodes behind the proxy after %s", time.Since(began).Round(time.Millisecond))

	// Sign-ins that the later checks and the load need come first: the
	// login-limit check leaves the client's address blocked for a minute.
	writerTokens := make([]tokens, len(p.writers))
	for i, email := range p.writers {
		writerTokens[i] = c.login(t, []string{"n1", "n2"}[i%2], email)
	}
	var modTokens tokens
	var published []string
	t.Run("sign in on one node, submit on the other, approve on the first", func(t *testing.T) {
		modTokens = c.login(t, "n2", p.moderator)
		published = append(published, reviewAcrossNodes(t, c, writerTokens[0], modTokens))
	})
	t.Run("a page form fetched from one node posts to the other", func(t *testing.T) {
		formAcrossNodes(t, c, p.formUser)
	})
	t.Run("a revoked session's access token is refused on both nodes", func(t *testing.T) {
		tk := c.login(t, "n1", p.revoked)
		c.expect(t, "n1", http.MethodGet, "/r/slaskie/api/v1/me", nil, http.StatusOK, bearer(tk.AccessToken))
		c.expect(t, "n1", http.MethodPost, "/r/slaskie/api/v1/auth/logout",
			map[string]string{"refresh_token": tk.RefreshToken}, http.StatusNoContent, bearer(tk.AccessToken))
		for _, n := range []string{"n1", "n2"} {
			c.expect(t, n, http.MethodGet, "/r/slaskie/api/v1/me", nil, http.StatusUnauthorized, bearer(tk.AccessToken))
		}
	})
	t.Run("the login limit holds across both nodes", func(t *testing.T) {
		loginLimitAcrossNodes(t, c, p.revoked)
	})
	if modTokens.AccessToken == "" {
		t.Fatal("the moderator could not sign in; the load needs one")
	}
	t.Run("a node killed under load loses no acknowledged write", func(t *testing.T) {
		l := runLoad(t, c, writerTokens, modTokens.AccessToken, append(published, staleID))
		l.check(t, c)
	})
	t.Run("stale-listing reminders go out once from two nodes", func(t *testing.T) {
		q := `SELECT count(*) FROM mail_outbox WHERE to_email = $1`
		if !waitFor(5*time.Second, func() bool { return c.count(q, p.staleOwner) > 0 }) {
			t.Fatal("no reminder for the stale listing after both nodes ran")
		}
		if n := c.count(q, p.staleOwner); n != 1 {
			t.Fatalf("the stale listing's owner got %d reminders, want 1", n)
		}
	})
}

// seedPeople makes the accounts: the moderator with the CLI, as an
// operator would, the enterprises with the store.
func seedPeople(t *testing.T, c *cluster) people {
	t.Helper()
	p := people{moderator: storetest.Unique("moderator@rops.example.org")}
	c.cli(password+"\n", "user", "add", "--tenant", "slaskie", "--role", "moderator", "--email", p.moderator)
	ctx := storetest.Ctx(t, c.db, "slaskie", tenants.Principal{})
	enterprise := func(local string) string {
		email := storetest.Unique(local + "@example.org")
		if _, err := c.db.CreateAccount(ctx, store.NewAccount{Email: email, Name: "Spółdzielnia " + local,
			Password: password, Role: tenants.RoleEnterprise, Active: true}); err != nil {
			t.Fatalf("create account %s: %v", email, err)
		}
		return email
	}
	for _, w := range []string{"pisarz1", "pisarz2", "pisarz3"} {
		p.writers = append(p.writers, enterprise(w))
	}
	p.formUser, p.revoked, p.staleOwner = enterprise("formularz"), enterprise("wylogowany"), enterprise("nieaktualny")
	return p
}

// seedStaleListing publishes a listing of staleOwner confirmed 400 days
// ago: due for a reminder the moment the nodes start.
func seedStaleListing(t *testing.T, c *cluster, p people) string {
	t.Helper()
	var ownerID, modID string
	if err := c.raw.QueryRow(`SELECT id FROM accounts WHERE email = $1`, p.staleOwner).Scan(&ownerID); err != nil {
		t.Fatal(err)
	}
	if err := c.raw.QueryRow(`SELECT id FROM accounts WHERE email = $1`, p.moderator).Scan(&modID); err != nil {
		t.Fatal(err)
	}
	owner := storetest.Ctx(t, c.db, "slaskie", tenants.Principal{AccountID: ownerID, Role: tenants.RoleEnterprise})
	mod := storetest.Ctx(t, c.db, "slaskie", tenants.Principal{AccountID: modID, Role: tenants.RoleModerator})
	l, err := c.db.CreateListing(owner, listingData("Spółdzielnia Socjalna Dawna Piekarnia"))
	if err != nil {
		t.Fatalf("create stale listing: %v", err)
	}
	if _, err := c.db.SubmitListing(owner, l.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.db.Moderate(mod, l.ID, store.ActionApprove, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.raw.ExecContext(context.Background(),
		`UPDATE listings SET confirmed_at = now() - interval '400 days' WHERE id = $1`, l.ID); err != nil {
		t.Fatal(err)
	}
	return l.ID
}

func listingData(name string) store.ListingData {
	return store.ListingData{
		Name: name, LegalForm: "spoldzielnia_socjalna", Kinds: []string{"spoldzielnia_socjalna"},
		Description: "Pieczywo i catering dla szkół w regionie.", Categories: []string{"catering"},
		Address: store.Address{Street: "ul. Mariacka 1", PostalCode: "40-014", City: "Katowice", GminaTERYT: "2469011"},
		Contact: store.Contact{Email: "biuro@example.org"},
	}
}

// listingBody is a valid listing for the API; no NIP, so any number of
// them may exist in the tenant.
func listingBody(name string) map[string]any {
	return map[string]any{
		"name": name, "legal_form": "spoldzielnia_socjalna", "kinds": []string{"spoldzielnia_socjalna"},
		"description": "Catering dla szkół i urzędów w całym regionie.", "categories": []string{"catering"},
		"address": map[string]string{"street": "ul. Mariacka 1", "postal_code": "40-014", "city": "Katowice", "gmina_teryt": "2469011"},
		"contact": map[string]string{"email": "biuro@example.org"},
	}
}

type listingJSON struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// reviewAcrossNodes: signed in on n1 (by the caller), the owner creates
// and submits on n2, the moderator approves on n1, and both nodes show
// the published listing. It returns the listing's id.
func reviewAcrossNodes(t *testing.T, c *cluster, owner, mod tokens) string {
	t.Helper()
	api := "/r/slaskie/api/v1"
	var l listingJSON
	c.expect(t, "n2", http.MethodPost, api+"/listings", listingBody("Spółdzielnia Socjalna Dwa Brzegi"),
		http.StatusCreated, bearer(owner.AccessToken)).decode(t, &l)
	c.expect(t, "n2", http.MethodPost, api+"/listings/"+l.ID+"/submit", nil, http.StatusOK, bearer(owner.AccessToken))
	c.expect(t, "n1", http.MethodPost, api+"/moderation/"+l.ID+"/approve", nil, http.StatusOK, bearer(mod.AccessToken))
	for _, n := range []string{"n1", "n2"} {
		var got listingJSON
		c.expect(t, n, http.MethodGet, api+"/listings/"+l.ID, nil, http.StatusOK).decode(t, &got)
		if got.Status != "published" {
			t.Fatalf("node %s shows the approved listing as %q", n, got.Status)
		}
	}
	return l.ID
}

var csrfInput = regexp.MustCompile(`name="_csrf"\s+value="([^"]+)"|value="([^"]+)"\s+name="_csrf"`)

// formAcrossNodes fetches the sign-in form from n1 and posts it, with its
// CSRF token and cookie, to n2; the session cookie it gets then opens a
// page on n1. Needs CSRF_KEY shared by the nodes.
func formAcrossNodes(t *testing.T, c *cluster, email string) {
	t.Helper()
	page := c.expect(t, "n1", http.MethodGet, "/r/slaskie/logowanie", nil, http.StatusOK)
	m := csrfInput.FindSubmatch(page.body)
	if m == nil {
		t.Fatal("the sign-in form carries no _csrf field")
	}
	token := string(m[1]) + string(m[2])
	cookies := (&http.Response{Header: page.header}).Cookies()
	form := url.Values{"email": {email}, "password": {password}, "_csrf": {token}}
	r, err := c.send(http.MethodPost, "/r/slaskie/logowanie", form, onNode("n2"), withCookies(cookies))
	if err != nil {
		t.Fatal(err)
	}
	if r.node != "n2" {
		t.Fatalf("the form post was served by %q, want n2", r.node)
	}
	if r.status == http.StatusForbidden {
		t.Fatalf("n2 refused the CSRF token n1 issued (403): the nodes do not share CSRF_KEY")
	}
	if r.status != http.StatusFound && r.status != http.StatusSeeOther {
		t.Fatalf("sign-in form on n2: status %d, want a redirect: %.300s", r.status, r.body)
	}
	next := r.header.Get("Location")
	if u, err := url.Parse(next); err == nil && u.IsAbs() {
		next = u.RequestURI()
	}
	session := append(cookies, (&http.Response{Header: r.header}).Cookies()...)
	landing := c.expect(t, "n1", http.MethodGet, next, nil, http.StatusOK, withCookies(session))
	if strings.Contains(string(landing.body), `action="`+"/r/slaskie/logowanie") {
		t.Fatalf("n1 did not take the session cookie n2 set: %s shows the sign-in form", next)
	}
}

// loginLimitAcrossNodes makes failed sign-ins for one e-mail, alternating
// the nodes. The limit is 10 a minute for the site: a 429 must come by the
// 11th attempt, and then from both nodes. Counters kept per node would
// let each node take ten (twenty in all) before refusing.
func loginLimitAcrossNodes(t *testing.T, c *cluster, email string) {
	t.Helper()
	wrong := map[string]string{"email": email, "password": "zle-haslo-" + password}
	var statuses []int
	for i := 0; i < 12; i++ {
		n := []string{"n1", "n2"}[i%2]
		r, err := c.send(http.MethodPost, "/r/slaskie/api/v1/auth/login", wrong, onNode(n))
		if err != nil {
			t.Fatal(err)
		}
		statuses = append(statuses, r.status)
		if r.status == http.StatusTooManyRequests && r.header.Get("Retry-After") == "" {
			t.Errorf("attempt %d on %s: 429 without Retry-After", i+1, n)
		}
	}
	if statuses[0] != http.StatusUnauthorized {
		t.Fatalf("the first wrong password got %d, want 401 (statuses %v)", statuses[0], statuses)
	}
	first := -1
	for i, s := range statuses {
		if s == http.StatusTooManyRequests {
			first = i
			break
		}
	}
	if first < 0 || first > 10 {
		t.Fatalf("12 failed sign-ins over two nodes, statuses %v: no 429 by the 11th; the limit is per node", statuses)
	}
	for i := first; i < len(statuses); i++ {
		if statuses[i] != http.StatusTooManyRequests {
			t.Fatalf("statuses %v: after the first 429 (attempt %d) the other node let attempt %d through", statuses, first+1, i+1)
		}
	}
}
