package handlers_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"katalogpes/handlers"
	"katalogpes/tenants"
)

// twoNodes are two app nodes on one database, as two processes behind a
// load balancer would be: each has its own registry, search client and
// listener for tenant changes; both share the signing and CSRF keys.
func twoNodes(t *testing.T) (a, b *testServer) {
	t.Helper()
	a = newTestServerWithMeili(t, "http://127.0.0.1:1", handlers.Config{Development: true, BaseURL: "http://localhost:8080", CSRFKey: newCSRFKey(t)})
	b = a.node(a.cfg.CSRFKey)
	for _, n := range []*testServer{a, b} {
		n.followTenantChanges()
	}
	waitForListeners(t, a, 2)
	return a, b
}

// node is another node on s's database with the same signing keys and
// the given CSRF key.
func (s *testServer) node(csrfKey []byte) *testServer {
	s.t.Helper()
	cfg := s.cfg
	cfg.CSRFKey = csrfKey
	return newNode(s.t, s.db, "http://127.0.0.1:1", s.index, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), s.signing)
}

// followTenantChanges runs the node's listener until the test ends.
func (s *testServer) followTenantChanges() { s.follow("tenant changes", s.srv.FollowTenantChanges) }

// follow runs a node's listener until the test ends.
func (s *testServer) follow(what string, listen func(context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- listen(ctx) }()
	s.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			s.t.Errorf("follow %s: %v", what, err)
		}
	})
}

// waitForListeners waits until n connections LISTEN on the test's
// database, so a change made next travels by notification.
func waitForListeners(t testing.TB, s *testServer, n int) {
	t.Helper()
	waitForListening(t, s, "", n)
}

// waitForListening waits until n connections LISTEN on channel ("" any)
// in the test's database.
func waitForListening(t testing.TB, s *testServer, channel string, n int) {
	t.Helper()
	admin, err := sql.Open("postgres", os.Getenv("DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var got int
		if err := admin.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'LISTEN%' AND query LIKE '%' || $2 || '%'`,
			s.db.Name(), channel).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d connections listen on %q", got, n, channel)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// eventually polls get until the page contains want, failing after a
// generous deadline: whether the change arrives is the question, not how
// fast.
func eventually(t *testing.T, what string, get func() htmlPage, want string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !strings.Contains(get().Body, want) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: %q not seen within 3 s", what, want)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func TestTenantChangeOnOneNodeReachesTheOther(t *testing.T) {
	a, b := twoNodes(t)
	admin, _ := a.account("slaskie", tenants.RoleAdmin)
	onA := a.web()
	onA.signIn("slaskie", admin)
	onB := b.web()
	onB.signIn("slaskie", admin)

	onA.get("/r/slaskie/admin/wyglad").expect(t, 200)
	onA.postMultipart("/r/slaskie/admin/wyglad", url.Values{"tagline": {"Hasło zapisane na węźle A"},
		"primary_color": {"#1d4d2b"}, "accent_color": {"#e0a000"}}, "", nil).expect(t, 303)
	eventually(t, "branding on node B", func() htmlPage { return b.web().get("/r/slaskie/").expect(t, 200) }, "Hasło zapisane na węźle A")

	onA.get("/r/slaskie/admin/synonimy").expect(t, 200)
	onA.post("/r/slaskie/admin/synonimy", url.Values{"synonyms": {"kosiarka: kosiarz, podkaszarka"}}).expect(t, 303)
	eventually(t, "synonyms on node B", func() htmlPage { return onB.get("/r/slaskie/admin/synonimy").expect(t, 200) }, "kosiarka: kosiarz, podkaszarka")

	// The other region saw no change on either node.
	if strings.Contains(b.web().get("/r/malopolskie/").Body, "węźle A") {
		t.Fatal("another region got the branding")
	}
}

func TestFormFromOneNodePostsToAnotherWithTheSameKey(t *testing.T) {
	a := newTestServerWithMeili(t, "http://127.0.0.1:1", handlers.Config{Development: true, BaseURL: "http://localhost:8080", CSRFKey: newCSRFKey(t)})
	sameKey := a.node(a.cfg.CSRFKey)
	otherKey := a.node(newCSRFKey(t))
	admin, _ := a.account("slaskie", tenants.RoleAdmin)
	form := url.Values{"email": {admin}, "password": {goodPassword}}

	w := a.web()
	w.get("/r/slaskie/logowanie").expect(t, 200)
	w.s = sameKey
	w.post("/r/slaskie/logowanie", form).expect(t, 303)
	// The access token node B issued verifies on node A: the nodes share
	// the signing keys.
	w.s = a
	w.get("/r/slaskie/admin/wyglad").expect(t, 200)

	w = a.web()
	w.get("/r/slaskie/logowanie").expect(t, 200)
	w.s = otherKey
	w.post("/r/slaskie/logowanie", form).expect(t, 403).contains(t, "Formularz wygasł")
}
