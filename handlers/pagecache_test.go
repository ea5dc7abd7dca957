package handlers_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"katalogpes/tenants"
)

// followListingChanges runs the node's listener for listing changes (the
// page cache serves nothing without it) until the test ends.
func (s *testServer) followListingChanges() { s.follow("listing changes", s.srv.FollowListingChanges) }

// cachingServer is a test server whose page cache is live.
func cachingServer(t testing.TB) *testServer {
	s := newTestServer(t)
	s.followListingChanges()
	waitForListeners(t, s, 1)
	return s
}

// anonymous fetches a page as a visitor with no session.
func (s *testServer) anonymous(path string, headers ...string) response {
	s.t.Helper()
	opts := []reqOpt{header("Accept", "text/html")}
	for i := 0; i+1 < len(headers); i += 2 {
		opts = append(opts, header(headers[i], headers[i+1]))
	}
	return s.do("GET", path, nil, opts...)
}

// kept visits path until an answer comes from the cache (the approval
// that published the listing is announced a moment later, and drops what
// was rendered before it), and returns the first answer and the kept one.
func (s *testServer) kept(path string, headers ...string) (rendered, fromCache response) {
	s.t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	rendered = s.anonymous(path, headers...).expect(s.t, 200)
	for {
		r := s.anonymous(path, headers...).expect(s.t, 200)
		if !hasCSRFCookie(r) {
			return rendered, r
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s is not kept", path)
		}
		rendered = r
		time.Sleep(10 * time.Millisecond)
	}
}

// hasCSRFCookie tells a page rendered by the page chain (whose CSRF
// middleware sets the cookie) from one served by the cache.
func hasCSRFCookie(r response) bool {
	for _, c := range r.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "kp_csrf=") {
			return true
		}
	}
	return false
}

func TestProfilePageIsKeptForAnonymousVisitorsWithValidators(t *testing.T) {
	s := cachingServer(t)
	owner, mod := s.signUp("slaskie", "kept@example.org"), s.staff("slaskie", "moderator")
	id := s.publishVia(owner, mod, "Spółdzielnia Socjalna Zachowana", "5260250274")
	path := "/r/slaskie/podmiot/" + id

	first, second := s.kept(path)
	if !strings.Contains(string(first.Body), "Spółdzielnia Socjalna Zachowana") || !hasCSRFCookie(first) {
		t.Fatal("the profile does not show the listing, or was not rendered")
	}
	if _, groups := s.srv.PageCacheStats(); groups != 1 {
		t.Fatalf("%d groups kept, want 1", groups)
	}
	etag, modified := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
	if !strings.HasPrefix(etag, `W/"`) || modified == "" {
		t.Fatalf("ETag %q, Last-Modified %q", etag, modified)
	}
	vary := strings.Join(second.Header.Values("Vary"), ",")
	for _, v := range []string{"Accept-Encoding", "Accept-Language", "Cookie"} {
		if !strings.Contains(vary, v) {
			t.Fatalf("Vary %q lacks %s", vary, v)
		}
	}
	// The next visitor gets the same bytes from the cache.
	if string(second.Body) != string(first.Body) || second.Header.Get("ETag") != etag || second.Header.Get("Last-Modified") != modified {
		t.Fatal("the kept page differs from the rendered one")
	}

	// A browser that has the page is told so.
	if r := s.anonymous(path, "If-None-Match", etag); r.Status != 304 || len(r.Body) != 0 || r.Header.Get("ETag") != etag {
		t.Fatalf("If-None-Match: status %d, %d bytes", r.Status, len(r.Body))
	}
	s.anonymous(path, "If-None-Match", `W/"something-else"`).expect(t, 200)
	s.anonymous(path, "If-Modified-Since", modified).expect(t, 304)
	s.anonymous(path, "If-Modified-Since", time.Now().Add(-24*time.Hour).UTC().Format(http.TimeFormat)).expect(t, 200)

	// Another language is another page, under the same group.
	en := s.anonymous(path, "Accept-Language", "en").expect(t, 200)
	if !strings.Contains(string(en.Body), `<html lang="en">`) || en.Header.Get("ETag") == etag {
		t.Fatal("the English page is not the English one")
	}
	if !strings.Contains(string(s.anonymous(path+"?lang=en").expect(t, 200).Body), `<html lang="en">`) {
		t.Fatal("?lang=en gave another language")
	}
	if !strings.Contains(string(s.anonymous(path).Body), `<html lang="pl">`) {
		t.Fatal("the Polish page was replaced by another language")
	}
}

func TestSignedInPagesAndOtherQueriesAreNeverKept(t *testing.T) {
	s := cachingServer(t)
	ownerEmail := "owner-sees@example.org"
	owner, mod := s.signUp("slaskie", ownerEmail), s.staff("slaskie", "moderator")
	id := s.publishVia(owner, mod, "Spółdzielnia Socjalna Własna", "5260250274")
	path := "/r/slaskie/podmiot/" + id
	s.kept(path)

	// The owner signs in through the pages and sees the edit link, not
	// the anonymous copy.
	w := s.web()
	w.signIn("slaskie", ownerEmail)
	if p := w.get(path).expect(t, 200); !strings.Contains(p.Body, "/moje/"+id) || p.Header.Get("ETag") != "" {
		t.Fatalf("the owner got the anonymous page (ETag %q)", p.Header.Get("ETag"))
	}
	// The owner's view was not kept for the public.
	if strings.Contains(string(s.anonymous(path).Body), "/moje/"+id) {
		t.Fatal("the public sees the owner's links")
	}
	// A flash message's query is not kept either.
	before, _ := s.srv.PageCacheStats()
	if r := s.anonymous(path + "?msg=suspend"); r.Header.Get("ETag") != "" {
		t.Fatal("a page with a message query carries the cached validators")
	}
	if after, _ := s.srv.PageCacheStats(); after != before {
		t.Fatalf("a page with a message query was kept: %d → %d bytes", before, after)
	}
	// A listing the public cannot see is a 404, and nothing is kept.
	s.do("POST", "/r/slaskie/api/v1/moderation/"+id+"/suspend", map[string]string{"reason": "Nieaktualne dane kontaktowe"}, bearer(mod.AccessToken)).expect(t, 200)
	deadline := time.Now().Add(3 * time.Second)
	for r := s.anonymous(path); r.Status != 404; r = s.anonymous(path) {
		if time.Now().After(deadline) {
			t.Fatal("the suspended listing is still served from the cache")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRegionHomeIsKeptAndDroppedWhenAListingChanges(t *testing.T) {
	s := cachingServer(t)
	owner, mod := s.signUp("slaskie", "home@example.org"), s.staff("slaskie", "moderator")
	first, again := s.kept("/r/slaskie/")
	if again.Header.Get("ETag") != first.Header.Get("ETag") || first.Header.Get("ETag") == "" {
		t.Fatal("the kept region home differs")
	}
	// Approving changes the listing's row: the home, which counts the
	// published listings, is rendered again.
	s.publishVia(owner, mod, "Spółdzielnia Socjalna Licząca", "5260250274")
	deadline := time.Now().Add(3 * time.Second)
	for s.anonymous("/r/slaskie/").Header.Get("ETag") == first.Header.Get("ETag") {
		if time.Now().After(deadline) {
			t.Fatal("the region home was not dropped after a listing changed")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The "done when": an accepted revision is on both nodes' pages
// within a second of the approval's answer, though both had the old page.
func TestAcceptedRevisionIsOnBothNodesWithinASecond(t *testing.T) {
	a, b := twoNodes(t)
	for _, n := range []*testServer{a, b} {
		n.followListingChanges()
	}
	waitForListeners(t, a, 4)
	owner, mod := a.signUp("slaskie", "revision@example.org"), a.staff("slaskie", "moderator")
	id := a.publishVia(owner, mod, "Spółdzielnia Socjalna Stara Nazwa", "5260250274")
	path := "/r/slaskie/podmiot/" + id
	for _, n := range []*testServer{a, b} {
		if _, r := n.kept(path); !strings.Contains(string(r.Body), "Stara Nazwa") {
			t.Fatal("a node kept another page")
		}
	}
	api := "/r/slaskie/api/v1"
	a.do("PATCH", api+"/listings/"+id, map[string]any{"name": "Spółdzielnia Socjalna Nowa Nazwa"}, bearer(owner.AccessToken)).expect(t, 200)
	// A pending revision leaves the public page as it was.
	if !strings.Contains(string(b.anonymous(path).Body), "Stara Nazwa") {
		t.Fatal("the pending revision is public")
	}
	b.do("POST", api+"/moderation/"+id+"/approve", nil, bearer(mod.AccessToken)).expect(t, 200)
	accepted := time.Now()
	for i, n := range []*testServer{a, b} {
		for !strings.Contains(string(n.anonymous(path).expect(t, 200).Body), "Nowa Nazwa") {
			if time.Since(accepted) > time.Second {
				t.Fatalf("node %d still shows the old name a second after the approval", i+1)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

func TestPageCacheIsOffUntilChangesAreHeard(t *testing.T) {
	s := newTestServer(t) // no listener
	owner, mod := s.signUp("slaskie", "unheard@example.org"), s.staff("slaskie", tenants.RoleModerator)
	id := s.publishVia(owner, mod, "Spółdzielnia Socjalna Niesłyszana", "5260250274")
	s.anonymous("/r/slaskie/podmiot/"+id).expect(t, 200)
	if r := s.anonymous("/r/slaskie/podmiot/" + id); !hasCSRFCookie(r) {
		t.Fatal("a page was served from the cache while no change could be heard")
	}
	if _, groups := s.srv.PageCacheStats(); groups != 0 {
		t.Fatalf("%d groups kept with no listener", groups)
	}
}
