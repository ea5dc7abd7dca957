package handlers_test

import (
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/store/webhook"
	"katalogpes/tenants"
)

// receiver is an integrator's endpoint: it verifies each delivery's
// signature with the secret and refuses what does not verify.
type receiver struct {
	mu       sync.Mutex
	secret   string
	got      []receivedHook
	refused  int
	failWith int // answer this status instead (a receiver that is down)
}

type receivedHook struct {
	Event     string
	Signature string
	Body      []byte
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.failWith != 0 {
		w.WriteHeader(rc.failWith)
		return
	}
	if err := webhook.Verify(rc.secret, r.Header.Get(webhook.SignatureHeader), body, time.Now()); err != nil {
		rc.refused++
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	rc.got = append(rc.got, receivedHook{Event: r.Header.Get("X-Katalog-Event"), Signature: r.Header.Get(webhook.SignatureHeader), Body: body})
	w.WriteHeader(http.StatusNoContent)
}

func (rc *receiver) received() []receivedHook {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]receivedHook(nil), rc.got...)
}

type deliveryAnswer struct {
	Event          string `json:"event"`
	Status         string `json:"status"`
	Attempts       int    `json:"attempts"`
	LastStatusCode *int   `json:"last_status_code"`
}

// TestWebhooksArriveSignedAndATamperedOneIsRefused: publishing and
// suspending a listing send listing.published and listing.removed,
// signed; the receiver verifies them, and refuses a tampered body, a
// foreign secret and an old timestamp.
func TestWebhooksArriveSignedAndATamperedOneIsRefused(t *testing.T) {
	s := newTestServer(t)
	rc := &receiver{}
	hook := httptest.NewServer(rc)
	defer hook.Close()
	admin := s.staff("slaskie", tenants.RoleAdmin)
	var w store.Webhook
	s.do("POST", "/r/slaskie/api/v1/admin/webhooks", map[string]any{"url": hook.URL + "/katalog", "events": []string{"listing.published", "listing.removed"}},
		bearer(admin.AccessToken)).expect(t, 201).json(t, &w)
	if !strings.HasPrefix(w.Secret, "whsec_") {
		t.Fatalf("secret %q", w.Secret)
	}
	rc.secret = w.Secret
	var listed []store.Webhook
	s.do("GET", "/r/slaskie/api/v1/admin/webhooks", nil, bearer(admin.AccessToken)).expect(t, 200).json(t, &listed)
	if len(listed) != 1 || listed[0].Secret != "" {
		t.Fatalf("subscriptions %+v: want one, without its secret", listed)
	}
	_, owner := s.account("slaskie", tenants.RoleEnterprise)
	_, mod := s.account("slaskie", tenants.RoleModerator)
	id := publishAs(t, s, owner, mod, pageListing("Spółdzielnia Webhook", "5260250274"))
	mctx := tenants.WithPrincipal(tenants.NewContext(t.Context(), s.srvTenant("slaskie")), mod)
	if _, err := s.db.Moderate(mctx, id, store.ActionSuspend, "Sprawdzamy dane"); err != nil {
		t.Fatal(err)
	}
	sender := webhook.Sender{DB: s.db.DB, Client: hook.Client()}
	if n, err := sender.RunOnce(t.Context()); err != nil || n != 2 {
		t.Fatalf("sent %d, %v; want 2", n, err)
	}
	got := rc.received()
	if len(got) != 2 || got[0].Event != "listing.published" && got[1].Event != "listing.published" {
		t.Fatalf("received %+v", got)
	}
	var payload struct {
		Event  string            `json:"event"`
		Tenant string            `json:"tenant"`
		Data   map[string]string `json:"data"`
	}
	if err := json.Unmarshal(got[0].Body, &payload); err != nil || payload.Tenant != "slaskie" || payload.Data["listing_id"] != id {
		t.Fatalf("payload %s: %v", got[0].Body, err)
	}
	tampered := strings.Replace(string(got[0].Body), id, "00000000-0000-0000-0000-000000000000", 1)
	for name, send := range map[string]func() *http.Request{
		"tampered body": func() *http.Request { return signedRequest(hook.URL, got[0].Signature, tampered) },
		"foreign secret": func() *http.Request {
			return signedRequest(hook.URL, webhook.Sign("whsec_other", time.Now(), got[0].Body), string(got[0].Body))
		},
		"replayed": func() *http.Request {
			return signedRequest(hook.URL, webhook.Sign(w.Secret, time.Now().Add(-6*time.Minute), got[0].Body), string(got[0].Body))
		},
	} {
		resp, err := hook.Client().Do(send())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: the receiver answered %d, want 401", name, resp.StatusCode)
		}
	}
	var ds []deliveryAnswer
	s.do("GET", "/r/slaskie/api/v1/admin/webhooks/deliveries", nil, bearer(admin.AccessToken)).expect(t, 200).json(t, &ds)
	if len(ds) != 2 || ds[0].Status != "delivered" || ds[0].LastStatusCode == nil || *ds[0].LastStatusCode != 204 {
		t.Fatalf("deliveries %+v", ds)
	}
	if n, _ := sender.RunOnce(t.Context()); n != 0 {
		t.Fatalf("a delivered event was sent again (%d)", n)
	}
}

func signedRequest(url, signature, body string) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set(webhook.SignatureHeader, signature)
	return req
}

// TestAFailedWebhookIsRetriedWithBackOffThenGivenUp: a receiver that
// answers 500 gets the event again later, not at once, and after 24 h the
// delivery is failed; the admin page lists it with its code.
func TestAFailedWebhookIsRetriedWithBackOffThenGivenUp(t *testing.T) {
	s := newTestServer(t)
	rc := &receiver{failWith: http.StatusInternalServerError}
	hook := httptest.NewServer(rc)
	defer hook.Close()
	admin := s.staff("slaskie", tenants.RoleAdmin)
	s.do("POST", "/r/slaskie/api/v1/admin/webhooks", map[string]any{"url": hook.URL, "events": []string{"listing.published"}}, bearer(admin.AccessToken)).expect(t, 201)
	_, owner := s.account("slaskie", tenants.RoleEnterprise)
	_, mod := s.account("slaskie", tenants.RoleModerator)
	publishAs(t, s, owner, mod, pageListing("Spółdzielnia Ponowień", "5260250274"))
	sender := webhook.Sender{DB: s.db.DB, Client: hook.Client()}
	if n, err := sender.RunOnce(t.Context()); err != nil || n != 1 {
		t.Fatalf("sent %d, %v", n, err)
	}
	if n, _ := sender.RunOnce(t.Context()); n != 0 {
		t.Fatal("a failed delivery was retried at once, without back-off")
	}
	var ds []deliveryAnswer
	s.do("GET", "/r/slaskie/api/v1/admin/webhooks/deliveries", nil, bearer(admin.AccessToken)).expect(t, 200).json(t, &ds)
	if len(ds) != 1 || ds[0].Status != "pending" || ds[0].Attempts != 1 || *ds[0].LastStatusCode != 500 {
		t.Fatalf("deliveries %+v", ds)
	}
	if d := store.WebhookBackoff(1); d != 30*time.Second || store.WebhookBackoff(3) != 2*time.Minute || store.WebhookBackoff(20) != 2*time.Hour {
		t.Fatalf("back-off %s", d)
	}
	// A day later the next failure is the last.
	ageDeliveries(t, s, "25 hours")
	if n, _ := sender.RunOnce(t.Context()); n != 1 {
		t.Fatal("the due retry was not sent")
	}
	s.do("GET", "/r/slaskie/api/v1/admin/webhooks/deliveries", nil, bearer(admin.AccessToken)).expect(t, 200).json(t, &ds)
	if ds[0].Status != "failed" || ds[0].Attempts != 2 {
		t.Fatalf("after 24 h: %+v", ds)
	}
	email, _ := s.account("slaskie", tenants.RoleAdmin)
	web := s.web()
	web.signIn("slaskie", email)
	web.get("/r/slaskie/admin/integracje").expect(t, 200).contains(t, "listing.published", "nieudane", "500")
}

// ageDeliveries moves every delivery's event back by interval and makes
// it due, as if that much time had passed.
func ageDeliveries(t *testing.T, s *testServer, interval string) {
	t.Helper()
	conn, err := sql.Open("postgres", s.db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tx, err := conn.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck
	if _, err := tx.Exec(`SELECT set_config('app.all_tenants', 'on', true)`); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE webhook_deliveries SET created_at = created_at - $1::interval, next_attempt_at = now()`, interval); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// srvTenant is a region as the store knows it.
func (s *testServer) srvTenant(slug string) *tenants.Tenant {
	return storetest.Tenants(s.t, s.db)[slug]
}
