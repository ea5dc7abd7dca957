package twonode

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/meilisearch/meilisearch-go"
)

// The load: for loadDuration, writers (one per enterprise account) create,
// edit and submit listings, a moderator approves them, and readers search
// and open profiles, all through the proxy, each client one request at a
// time with a short pause. killAfter into it, n1 is killed with SIGKILL.
const (
	loadDuration = 20 * time.Second
	killAfter    = 4 * time.Second
	readers      = 3
	pause        = 20 * time.Millisecond
	// A failure is allowed only for a request in flight on the killed node
	// when it died: begun before its sockets were gone (the process reaped)
	// and ended within killWindow of that. Later requests meet a refused
	// connection on the dead node, which HAProxy retries on the live one
	// (retries, option redispatch) until its health checks (every 200 ms,
	// down after 2) take the node out.
	killWindow = 2 * time.Second
)

// call is one request of the load.
type call struct {
	kind       string
	start, end time.Time
	status     int
	err        error
	node       string
}

func (c call) failed(want int) bool { return c.err != nil || c.status != want }

// edit is one PATCH of a listing's description, acknowledged or not.
type edit struct {
	description string
	acked       bool
}

// load is what the clients did and what the proxy acknowledged.
type load struct {
	clients   int // how many run side by side, each one request at a time
	mu        sync.Mutex
	killedAt  time.Time // SIGKILL sent
	goneAt    time.Time // the process reaped: its sockets are closed
	calls     []call
	failures  []call
	created   map[string]string // listing id → name, every 201
	edits     map[string][]edit // listing id → its edits in order
	submitted map[string]bool   // every 200 of submit
	approved  map[string]bool   // every 200 of approve
}

func (l *load) record(cl call, want int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, cl)
	if cl.failed(want) {
		l.failures = append(l.failures, cl)
	}
}

func (l *load) note(f func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f()
}

// timed sends one request of the load and records it; ok says it got want.
func (l *load) timed(c *cluster, kind string, want int, method, path string, body any, opts ...option) (reply, bool) {
	cl := call{kind: kind, start: time.Now()}
	r, err := c.send(method, path, body, opts...)
	cl.end, cl.status, cl.err, cl.node = time.Now(), r.status, err, r.node
	l.record(cl, want)
	return r, !cl.failed(want)
}

func runLoad(t *testing.T, c *cluster, writers []tokens, modToken string, publishedIDs []string) *load {
	t.Helper()
	l := &load{clients: len(writers) + 1 + readers, created: map[string]string{}, edits: map[string][]edit{}, submitted: map[string]bool{}, approved: map[string]bool{}}
	ctx, cancel := context.WithTimeout(context.Background(), loadDuration)
	defer cancel()
	var wg sync.WaitGroup
	for i, w := range writers {
		wg.Add(1)
		go func() { defer wg.Done(); l.write(ctx, c, i, w.AccessToken) }()
	}
	wg.Add(1)
	go func() { defer wg.Done(); l.moderate(ctx, c, modToken) }()
	for i := 0; i < readers; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); l.read(ctx, c, i, publishedIDs) }()
	}
	select {
	case <-time.After(killAfter):
		killedAt := time.Now()
		c.nodes[0].kill()
		l.note(func() { l.killedAt, l.goneAt = killedAt, time.Now() })
	case <-ctx.Done():
	}
	wg.Wait()
	return l
}

// write is one enterprise's client: create a draft, edit a draft, submit
// one, over and over. A listing whose submit failed is left alone: it may
// or may not be pending.
func (l *load) write(ctx context.Context, c *cluster, w int, token string) {
	api := "/r/slaskie/api/v1/listings"
	var drafts []string
	for i := 0; ctx.Err() == nil; i++ {
		switch {
		case i%3 == 0 || len(drafts) == 0:
			name := fmt.Sprintf("Spółdzielnia Obciążenie p%d n%d", w, i)
			var out listingJSON
			if r, ok := l.timed(c, "create", http.StatusCreated, http.MethodPost, api, listingBody(name), bearer(token)); ok {
				if r.decodeInto(&out) && out.ID != "" {
					l.note(func() { l.created[out.ID] = name })
					drafts = append(drafts, out.ID)
				}
			}
		case i%3 == 1:
			id := drafts[rand.IntN(len(drafts))]
			desc := fmt.Sprintf("Opis po zmianie %d pisarza %d: obiady i catering.", i, w)
			_, ok := l.timed(c, "edit", http.StatusOK, http.MethodPatch, api+"/"+id, map[string]string{"description": desc}, bearer(token))
			l.note(func() { l.edits[id] = append(l.edits[id], edit{description: desc, acked: ok}) })
		default:
			id := drafts[0]
			drafts = drafts[1:]
			if _, ok := l.timed(c, "submit", http.StatusOK, http.MethodPost, api+"/"+id+"/submit", nil, bearer(token)); ok {
				l.note(func() { l.submitted[id] = true })
			}
		}
		time.Sleep(pause)
	}
}

// moderate approves the oldest pending listing, over and over.
func (l *load) moderate(ctx context.Context, c *cluster, token string) {
	api := "/r/slaskie/api/v1/moderation"
	for ctx.Err() == nil {
		var queue []struct {
			Listing listingJSON `json:"listing"`
		}
		r, ok := l.timed(c, "queue", http.StatusOK, http.MethodGet, api+"/queue", nil, bearer(token))
		if ok && r.decodeInto(&queue) && len(queue) > 0 {
			id := queue[0].Listing.ID
			if _, ok := l.timed(c, "approve", http.StatusOK, http.MethodPost, api+"/"+id+"/approve", nil, bearer(token)); ok {
				l.note(func() { l.approved[id] = true })
			}
		}
		time.Sleep(pause)
	}
}

// read searches and opens published listings (API and page).
func (l *load) read(ctx context.Context, c *cluster, r int, published []string) {
	for i := r; ctx.Err() == nil; i++ {
		id := published[i%len(published)]
		switch i % 4 {
		case 0:
			l.timed(c, "search", http.StatusOK, http.MethodGet, "/r/slaskie/api/v1/search?q=catering", nil)
		case 1:
			l.timed(c, "search", http.StatusOK, http.MethodGet, "/r/slaskie/api/v1/search?q=spoldzielnia&category=catering&sort=name", nil)
		case 2:
			l.timed(c, "listing", http.StatusOK, http.MethodGet, "/r/slaskie/api/v1/listings/"+id, nil)
		default:
			l.timed(c, "profile", http.StatusOK, http.MethodGet, "/r/slaskie/podmiot/"+id, nil)
		}
		time.Sleep(pause)
	}
}

func (r reply) decodeInto(v any) bool {
	return json.Unmarshal(r.body, v) == nil
}

// check is the verdict on the load: failures only at the kill, every
// acknowledged write in the database, the outbox drained into the index.
func (l *load) check(t *testing.T, c *cluster) {
	t.Helper()
	t.Logf("load: %d requests, %d failed; %d listings created, %d edited, %d submitted, %d approved",
		len(l.calls), len(l.failures), len(l.created), len(l.edits), len(l.submitted), len(l.approved))
	if l.killedAt.IsZero() {
		t.Fatal("the load ended before the kill")
	}
	l.checkServedBy(t)
	l.checkFailures(t)
	l.checkWrites(t, c)
	l.checkIndexed(t, c)
}

// checkServedBy: both nodes took load before the kill, only n2 after.
func (l *load) checkServedBy(t *testing.T) {
	t.Helper()
	before := map[string]int{}
	for _, cl := range l.calls {
		if cl.err != nil {
			continue
		}
		if cl.end.Before(l.killedAt) {
			before[cl.node]++
		} else if cl.start.After(l.goneAt.Add(killWindow)) && cl.node != "n2" {
			t.Errorf("%s begun %s after the kill was served by %q", cl.kind, cl.start.Sub(l.killedAt), cl.node)
		}
	}
	if before["n1"] == 0 || before["n2"] == 0 {
		t.Errorf("before the kill the nodes served %v: round-robin should use both", before)
	}
}

// checkFailures allows at most one failure per client (each has one
// request in flight), and only those in flight at the kill.
func (l *load) checkFailures(t *testing.T) {
	t.Helper()
	clients := l.clients
	t.Logf("n1 was reaped %s after SIGKILL", l.goneAt.Sub(l.killedAt))
	for _, f := range l.failures {
		at := fmt.Sprintf("%s begun %s, ended %s after the kill: status %d, err %v",
			f.kind, f.start.Sub(l.killedAt), f.end.Sub(l.killedAt), f.status, f.err)
		if f.start.After(l.goneAt) || f.end.After(l.goneAt.Add(killWindow)) {
			t.Errorf("a request not in flight at the kill failed: %s", at)
		} else {
			t.Logf("in flight at the kill, failed: %s", at)
		}
	}
	if len(l.failures) > clients {
		t.Errorf("%d requests failed, more than the %d clients could have had in flight", len(l.failures), clients)
	}
}

// checkWrites: every acknowledged create is there with its name, every
// edited listing holds its last acknowledged description (or one sent
// after it whose answer was lost), every acknowledged submit or approve
// moved the status.
func (l *load) checkWrites(t *testing.T, c *cluster) {
	t.Helper()
	ids := make([]string, 0, len(l.created))
	for id := range l.created {
		ids = append(ids, id)
	}
	rows, err := c.raw.Query(`SELECT id, name, data->>'description', status FROM listings WHERE id = ANY($1::uuid[])`, pq.Array(ids))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type stored struct{ name, description, status string }
	got := map[string]stored{}
	for rows.Next() {
		var id string
		var s stored
		if err := rows.Scan(&id, &s.name, &s.description, &s.status); err != nil {
			t.Fatal(err)
		}
		got[id] = s
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	lost := 0
	for id, name := range l.created {
		s, ok := got[id]
		switch {
		case !ok:
			lost++
			t.Errorf("acknowledged create %s (%s) is not in the database", id, name)
		case s.name != name:
			lost++
			t.Errorf("listing %s is named %q, the acknowledged create said %q", id, s.name, name)
		case l.approved[id] && s.status != "published":
			lost++
			t.Errorf("listing %s: approve acknowledged, status %q", id, s.status)
		case l.submitted[id] && s.status != "pending" && s.status != "published":
			lost++
			t.Errorf("listing %s: submit acknowledged, status %q", id, s.status)
		}
		if want := allowedDescriptions(l.edits[id]); want != nil && !want[s.description] {
			lost++
			t.Errorf("listing %s has description %q, not its last acknowledged edit (allowed: %v)", id, s.description, keys(want))
		}
	}
	if lost > 0 {
		t.Errorf("%d acknowledged writes lost", lost)
	}
}

// allowedDescriptions is what an edited listing may hold: its last
// acknowledged description, or any sent after that (unanswered edits may
// have committed). Nil when no edit was acknowledged.
func allowedDescriptions(edits []edit) map[string]bool {
	last := -1
	for i, e := range edits {
		if e.acked {
			last = i
		}
	}
	if last < 0 {
		return nil
	}
	out := map[string]bool{}
	for _, e := range edits[last:] {
		out[e.description] = true
	}
	return out
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// checkIndexed waits for the search outbox to drain (a batch leased by
// the killed node comes back after store.IndexLease), then finds every
// acknowledged approval in the index and one by a search through the proxy.
func (l *load) checkIndexed(t *testing.T, c *cluster) {
	t.Helper()
	start := time.Now()
	if !waitFor(40*time.Second, func() bool { return c.count(`SELECT count(*) FROM search_outbox`) == 0 }) {
		t.Fatalf("the search outbox still holds %d jobs 40 s after the load", c.count(`SELECT count(*) FROM search_outbox`))
	}
	t.Logf("the search outbox drained %s after the load", time.Since(start).Round(time.Millisecond))
	index := c.meili.Index(c.index + "listings_slaskie") // the load writes in slaskie
	var last string
	for id := range l.approved {
		var doc map[string]any
		if err := index.GetDocumentWithContext(context.Background(), id, &meilisearch.DocumentQuery{}, &doc); err != nil {
			t.Errorf("approved listing %s is not in the index: %v", id, err)
		}
		last = id
	}
	if last == "" {
		t.Fatal("the moderator approved nothing during the load")
	}
	name := l.created[last]
	var found struct {
		Hits []struct {
			ID string `json:"id"`
		} `json:"hits"`
	}
	r, err := c.send(http.MethodGet, "/r/slaskie/api/v1/search?per_page=100&q="+url.QueryEscape(name), nil)
	if err != nil || r.status != http.StatusOK || !r.decodeInto(&found) {
		t.Fatalf("search for %q: %d %v %s", name, r.status, err, r.body)
	}
	for _, h := range found.Hits {
		if h.ID == last {
			return
		}
	}
	t.Errorf("a search for %q through the proxy does not find listing %s", name, last)
}
