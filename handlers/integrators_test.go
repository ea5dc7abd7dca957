package handlers_test

import (
	"net/url"
	"strings"
	"testing"

	"katalogpes/tenants"
)

type apiKeyAnswer struct {
	ID         string `json:"id"`
	Key        string `json:"key"`
	Name       string `json:"name"`
	UsageCount int    `json:"usage_count"`
	RevokedAt  *string
}

// TestAnAPIKeyReadsTheSearchUntilRevokedOnEveryNode: a key reads what the
// public reads, counts its use, is refused at once after revocation, on
// this node and another one, and never opens a staff route.
func TestAnAPIKeyReadsTheSearchUntilRevokedOnEveryNode(t *testing.T) {
	s := newTestServer(t)
	other := s.node(s.cfg.CSRFKey)
	admin := s.staff("slaskie", tenants.RoleAdmin)
	var k apiKeyAnswer
	s.do("POST", "/r/slaskie/api/v1/admin/api-keys", map[string]any{"name": "OWES Katowice", "scopes": []string{"read"}}, bearer(admin.AccessToken)).
		expect(t, 201).json(t, &k)
	if !strings.HasPrefix(k.Key, "kp_") || len(k.Key) < 40 {
		t.Fatalf("key %q", k.Key)
	}
	key := bearer(k.Key)
	s.do("GET", "/r/slaskie/api/v1/search?q=catering", nil, key).expect(t, 200)
	other.do("GET", "/api/v1/search", nil, key).expect(t, 200) // the national hub reads too
	s.do("GET", "/r/malopolskie/api/v1/search", nil, key).expect(t, 401)
	s.do("GET", "/r/slaskie/api/v1/moderation/queue", nil, key).expect(t, 401)
	s.do("GET", "/r/slaskie/api/v1/admin/api-keys", nil, key).expect(t, 401)

	var list []apiKeyAnswer
	s.do("GET", "/r/slaskie/api/v1/admin/api-keys", nil, bearer(admin.AccessToken)).expect(t, 200).json(t, &list)
	if len(list) != 1 || list[0].UsageCount != 4 || list[0].Key != "" {
		t.Fatalf("keys %+v: want one with four uses (each request with it, the refused ones too) and no key shown", list)
	}
	s.do("DELETE", "/r/slaskie/api/v1/admin/api-keys/"+k.ID, nil, bearer(admin.AccessToken)).expect(t, 204)
	s.do("GET", "/r/slaskie/api/v1/search", nil, key).expect(t, 401)
	other.do("GET", "/r/slaskie/api/v1/search", nil, key).expect(t, 401)
	s.do("GET", "/r/slaskie/api/v1/search", nil, bearer("kp_made-up")).expect(t, 401)
}

func TestAnAPIKeyHasItsOwnRateLimit(t *testing.T) {
	s := newTestServer(t)
	admin := s.staff("slaskie", tenants.RoleAdmin)
	var k apiKeyAnswer
	s.do("POST", "/r/slaskie/api/v1/admin/api-keys", map[string]any{"name": "Gmina", "rate_per_minute": 2}, bearer(admin.AccessToken)).expect(t, 201).json(t, &k)
	var k2 apiKeyAnswer
	s.do("POST", "/r/slaskie/api/v1/admin/api-keys", map[string]any{"name": "OWES"}, bearer(admin.AccessToken)).expect(t, 201).json(t, &k2)
	s.do("GET", "/r/slaskie/api/v1/stats", nil, bearer(k.Key)).expect(t, 200)
	s.do("GET", "/r/slaskie/api/v1/stats", nil, bearer(k.Key)).expect(t, 200)
	r := s.do("GET", "/r/slaskie/api/v1/stats", nil, bearer(k.Key)).expect(t, 429)
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	s.do("GET", "/r/slaskie/api/v1/stats", nil, bearer(k2.Key)).expect(t, 200) // another key's limit is its own
}

func TestAPIKeysRefuseBadInput(t *testing.T) {
	s := newTestServer(t)
	admin := s.staff("slaskie", tenants.RoleAdmin)
	mod := s.staff("slaskie", tenants.RoleModerator)
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"name": ""}, "name"},
		{map[string]any{"name": strings.Repeat("x", 101)}, "name"},
		{map[string]any{"name": "A", "scopes": []string{"write"}}, "scopes"},
		{map[string]any{"name": "A", "rate_per_minute": 100000}, "rate_per_minute"},
	} {
		p := s.do("POST", "/r/slaskie/api/v1/admin/api-keys", c.body, bearer(admin.AccessToken), header("Accept-Language", "en")).expect(t, 422).problem(t)
		if len(p.Errors) != 1 || p.Errors[0].Field != c.field || p.Errors[0].Message == "" {
			t.Errorf("%v: errors %+v, want one at %s", c.body, p.Errors, c.field)
		}
	}
	s.do("POST", "/r/slaskie/api/v1/admin/api-keys", map[string]any{"name": "A"}, bearer(mod.AccessToken)).expect(t, 403)
	s.do("DELETE", "/r/slaskie/api/v1/admin/api-keys/8d4c1f53-6a0e-4f5e-9b7a-0c1d2e3f4a5b", nil, bearer(admin.AccessToken)).expect(t, 404)
	var list []apiKeyAnswer
	s.do("GET", "/r/slaskie/api/v1/admin/api-keys", nil, bearer(admin.AccessToken)).expect(t, 200).json(t, &list)
	if len(list) != 0 {
		t.Fatalf("refused keys were stored: %+v", list)
	}
}

// TestTheAdminPageMakesShowsOnceAndRevokesKeys is the same on the page.
func TestTheAdminPageMakesShowsOnceAndRevokesKeys(t *testing.T) {
	s := newTestServer(t)
	email, _ := s.account("slaskie", tenants.RoleAdmin)
	w := s.web()
	w.signIn("slaskie", email)
	w.get("/r/slaskie/admin/wyglad").expect(t, 200).contains(t, `href="/r/slaskie/admin/integracje"`)
	w.get("/r/slaskie/admin/integracje").expect(t, 200).contains(t, "Klucze API")
	w.post("/r/slaskie/admin/integracje/klucze", url.Values{"name": {""}}).expect(t, 422).contains(t, "Podaj nazwę klucza")
	page := w.post("/r/slaskie/admin/integracje/klucze", url.Values{"name": {"OWES Gliwice"}, "rate_per_minute": {"60"}}).expect(t, 201)
	i := strings.Index(page.Body, `id="new-key-value">`)
	if i < 0 {
		t.Fatalf("no key shown: %s", page.Body)
	}
	key := page.Body[i+len(`id="new-key-value">`):]
	key = key[:strings.Index(key, "<")]
	s.do("GET", "/r/slaskie/api/v1/search", nil, bearer(key)).expect(t, 200)
	again := w.get("/r/slaskie/admin/integracje").expect(t, 200).contains(t, "OWES Gliwice")
	if strings.Contains(again.Body, key) {
		t.Fatal("the key is shown twice")
	}
	id := again.Body[strings.Index(again.Body, `/admin/integracje/klucze/`)+len(`/admin/integracje/klucze/`):]
	id = id[:strings.Index(id, "/")]
	w.post("/r/slaskie/admin/integracje/klucze/"+id+"/odwolaj", url.Values{}).expect(t, 303)
	s.do("GET", "/r/slaskie/api/v1/search", nil, bearer(key)).expect(t, 401)
	w.get("/r/slaskie/admin/integracje").expect(t, 200).contains(t, "odwołany")
}
