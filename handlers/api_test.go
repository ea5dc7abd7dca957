package handlers_test

import (
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"katalogpes/handlers"
	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

type tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

const goodPassword = "zielona-herbata-42"

var tokenRe = regexp.MustCompile(`token=([A-Za-z0-9_-]+)`)

// mailToken reads the newest mail to an address and returns its token.
func (s *testServer) mailToken(email string) string {
	s.t.Helper()
	var mails []struct{ To, Subject, Body string }
	s.do("GET", "/dev/mail?to="+url.QueryEscape(email), nil).expect(s.t, 200).json(s.t, &mails)
	if len(mails) == 0 {
		s.t.Fatalf("no mail to %s", email)
	}
	m := tokenRe.FindStringSubmatch(mails[0].Body)
	if m == nil {
		s.t.Fatalf("no token in %q", mails[0].Body)
	}
	return m[1]
}

// signUp registers, verifies through the dev mailbox and signs in.
func (s *testServer) signUp(slug, email string) tokens {
	s.t.Helper()
	s.do("POST", "/r/"+slug+"/api/v1/auth/register", map[string]string{"email": email, "password": goodPassword, "name": "Jan Kowalski"}).expect(s.t, 201)
	s.do("POST", "/r/"+slug+"/api/v1/auth/verify", map[string]string{"token": s.mailToken(email)}).expect(s.t, 200)
	var tk tokens
	s.do("POST", "/r/"+slug+"/api/v1/auth/login", map[string]string{"email": email, "password": goodPassword}).expect(s.t, 200).json(s.t, &tk)
	return tk
}

// staff makes a staff account with the store and signs it in.
func (s *testServer) staff(slug string, role tenants.Role) tokens {
	s.t.Helper()
	email := storetest.Unique(string(role) + "@rops.example.org")
	ctx := storetest.Ctx(s.t, s.db, slug, tenants.Principal{})
	if _, err := s.db.CreateAccount(ctx, store.NewAccount{Email: email, Name: "Pani Moderator", Password: goodPassword, Role: role, Active: true}); err != nil {
		s.t.Fatal(err)
	}
	var tk tokens
	s.do("POST", "/r/"+slug+"/api/v1/auth/login", map[string]string{"email": email, "password": goodPassword}).expect(s.t, 200).json(s.t, &tk)
	return tk
}

func listingBody(name string) map[string]any {
	return map[string]any{
		"name": name, "legal_form": "spoldzielnia_socjalna", "kinds": []string{"spoldzielnia_socjalna"},
		"nip": "5260250274", "description": "Catering dla szkół i urzędów w całym regionie.",
		"categories": []string{"catering"},
		"address":    map[string]string{"street": "ul. Mariacka 1", "postal_code": "40-014", "city": "Katowice", "gmina_teryt": "2469011"},
		"contact":    map[string]string{"email": "biuro@example.org"},
	}
}

func TestUnknownTenantIsA404Problem(t *testing.T) {
	s := newTestServer(t)
	r := s.do("GET", "/r/atlantyda/api/v1/search", nil).expect(t, 404)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("content type %q, want a problem document", ct)
	}
	if p := r.problem(t); p.Status != 404 || p.Detail == "" || p.Code != "tenant.unknown" {
		t.Fatalf("problem %+v", p)
	}
	// An unknown subdomain of the base domain too.
	req := s.do("GET", "/api/v1/categories", nil, func(r *http.Request) { r.Host = "atlantyda.katalog.test" })
	req.expect(t, 404)
}

func TestHealthAndReadiness(t *testing.T) {
	s := newTestServer(t)
	s.do("GET", "/healthz", nil).expect(t, 200)
	s.do("GET", "/readyz", nil).expect(t, 200)
	r := s.do("GET", "/metrics", nil).expect(t, 200)
	for _, series := range []string{"katalogpes_search_outbox_depth", "katalogpes_db_connections_in_use", "katalogpes_http_requests_total"} {
		if !strings.Contains(string(r.Body), series) {
			t.Fatalf("metrics lack %s", series)
		}
	}
}

func TestReadinessNamesSearchWhenMeilisearchIsDown(t *testing.T) {
	s := newTestServerWithMeili(t, "http://127.0.0.1:1", handlers.Config{Development: true})
	var ready struct {
		Ready  bool              `json:"ready"`
		Checks map[string]string `json:"checks"`
	}
	s.do("GET", "/readyz", nil).expect(t, 503).json(t, &ready)
	if ready.Ready || ready.Checks["search"] != "down" || ready.Checks["database"] != "ok" {
		t.Fatalf("readyz = %+v", ready)
	}
	s.do("GET", "/healthz", nil).expect(t, 200)
}

func TestTheDevelopmentMailboxDoesNotExistInProduction(t *testing.T) {
	s := newTestServerWithMeili(t, os.Getenv("MEILI_URL"), handlers.Config{Development: false, BaseURL: "https://katalog.example.org"})
	s.do("GET", "/dev/mail?to=x@example.org", nil).expect(t, 404)
}

func TestProductionSendsHSTSAndDevelopmentDoesNot(t *testing.T) {
	prod := newTestServerWithMeili(t, os.Getenv("MEILI_URL"), handlers.Config{Development: false, BaseURL: "https://katalog.example.org"})
	if h := prod.do("GET", "/healthz", nil).expect(t, 200).Header.Get("Strict-Transport-Security"); !strings.Contains(h, "max-age=31536000") {
		t.Fatalf("production HSTS = %q", h)
	}
	dev := newTestServer(t)
	if h := dev.do("GET", "/healthz", nil).expect(t, 200).Header.Get("Strict-Transport-Security"); h != "" {
		t.Fatalf("development sends HSTS %q: it would pin localhost to HTTPS", h)
	}
}

func TestTenantHostServesTheTenantsRoutes(t *testing.T) {
	s := newTestServer(t)
	var cats []store.Category
	s.do("GET", "/api/v1/categories", nil, func(r *http.Request) { r.Host = "slaskie.katalog.test" }).expect(t, 200).json(t, &cats)
	if len(cats) == 0 {
		t.Fatal("no categories on the tenant host")
	}
	// The bare host is the hub: tenant-only routes are not there.
	s.do("GET", "/api/v1/categories", nil, func(r *http.Request) { r.Host = "katalog.test" }).expect(t, 404)
}

func TestAccountsRefuseWhatTheyShould(t *testing.T) {
	s := newTestServer(t)
	email := storetest.Unique("firma@example.org")
	tk := s.signUp("slaskie", email)

	t.Run("me", func(t *testing.T) {
		var me struct{ ID, Email, Role, Tenant string }
		s.do("GET", "/r/slaskie/api/v1/me", nil, bearer(tk.AccessToken)).expect(t, 200).json(t, &me)
		if me.Email != email || me.Role != "enterprise" || me.Tenant != "slaskie" {
			t.Fatalf("me = %+v", me)
		}
	})
	t.Run("wrong password and unknown e-mail answer alike", func(t *testing.T) {
		a := s.do("POST", "/r/slaskie/api/v1/auth/login", map[string]string{"email": email, "password": "zle-haslo-123456"}).expect(t, 401).problem(t)
		b := s.do("POST", "/r/slaskie/api/v1/auth/login", map[string]string{"email": "nikt@example.org", "password": "zle-haslo-123456"}).expect(t, 401).problem(t)
		if a.Detail != b.Detail || a.Code != b.Code {
			t.Fatalf("answers differ: %+v vs %+v", a, b)
		}
	})
	t.Run("unverified login", func(t *testing.T) {
		e := storetest.Unique("nowa@example.org")
		s.do("POST", "/r/slaskie/api/v1/auth/register", map[string]string{"email": e, "password": goodPassword, "name": "Nowa"}).expect(t, 201)
		s.do("POST", "/r/slaskie/api/v1/auth/login", map[string]string{"email": e, "password": goodPassword}).expect(t, 403)
	})
	t.Run("weak passwords", func(t *testing.T) {
		for _, pw := range []string{"krotkie", "1234567890"} {
			p := s.do("POST", "/r/slaskie/api/v1/auth/register", map[string]string{"email": storetest.Unique("x@example.org"), "password": pw, "name": "X"}).expect(t, 422).problem(t)
			if len(p.Errors) == 0 || p.Errors[0].Field != "password" {
				t.Fatalf("password %q: %+v", pw, p)
			}
		}
	})
	t.Run("duplicate e-mail", func(t *testing.T) {
		s.do("POST", "/r/slaskie/api/v1/auth/register", map[string]string{"email": email, "password": goodPassword, "name": "Znowu"}).expect(t, 409)
	})
	t.Run("expired token", func(t *testing.T) {
		expired := keysFor(t, s.signing, -time.Minute)
		tok, _, err := expired.Issue(tenants.Principal{AccountID: "00000000-0000-0000-0000-000000000001", Role: tenants.RoleEnterprise}, "slaskie")
		if err != nil {
			t.Fatal(err)
		}
		s.do("GET", "/r/slaskie/api/v1/me", nil, bearer(tok)).expect(t, 401)
	})
	t.Run("alg none", func(t *testing.T) {
		claims := jwt.MapClaims{"sub": "x", "tenant": "slaskie", "role": "admin", "iss": tenants.TokenIssuer, "aud": tenants.TokenAudience, "exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix()}
		tok, err := jwt.NewWithClaims(jwt.SigningMethodNone, claims).SignedString(jwt.UnsafeAllowNoneSignatureType)
		if err != nil {
			t.Fatal(err)
		}
		s.do("GET", "/r/slaskie/api/v1/me", nil, bearer(tok)).expect(t, 401)
	})
	t.Run("token signed with a wrong key", func(t *testing.T) {
		other := keysFor(t, newSigningKeys(t), time.Minute)
		tok, _, _ := other.Issue(tenants.Principal{AccountID: "x", Role: tenants.RoleAdmin}, "slaskie")
		s.do("GET", "/r/slaskie/api/v1/me", nil, bearer(tok)).expect(t, 401)
	})
	t.Run("token of another tenant", func(t *testing.T) {
		s.do("GET", "/r/malopolskie/api/v1/me", nil, bearer(tk.AccessToken)).expect(t, 401)
	})
	t.Run("refresh rotates and a reused token kills the chain", func(t *testing.T) {
		var next tokens
		s.do("POST", "/r/slaskie/api/v1/auth/refresh", map[string]string{"refresh_token": tk.RefreshToken}).expect(t, 200).json(t, &next)
		s.do("POST", "/r/slaskie/api/v1/auth/refresh", map[string]string{"refresh_token": tk.RefreshToken}).expect(t, 401)
		s.do("POST", "/r/slaskie/api/v1/auth/refresh", map[string]string{"refresh_token": next.RefreshToken}).expect(t, 401)
	})
	t.Run("logout revokes the session's refresh tokens", func(t *testing.T) {
		var fresh tokens
		s.do("POST", "/r/slaskie/api/v1/auth/login", map[string]string{"email": email, "password": goodPassword}).expect(t, 200).json(t, &fresh)
		s.do("POST", "/r/slaskie/api/v1/auth/logout", nil, bearer(fresh.AccessToken)).expect(t, 204)
		s.do("POST", "/r/slaskie/api/v1/auth/refresh", map[string]string{"refresh_token": fresh.RefreshToken}).expect(t, 401)
	})
	t.Run("password reset", func(t *testing.T) {
		s.do("POST", "/r/slaskie/api/v1/auth/password-reset", map[string]string{"email": "nikt@example.org"}).expect(t, 202)
		s.do("POST", "/r/slaskie/api/v1/auth/password-reset", map[string]string{"email": email}).expect(t, 202)
		tok := s.mailToken(email)
		s.do("POST", "/r/slaskie/api/v1/auth/password-reset/confirm", map[string]string{"token": tok, "password": "nowe-dlugie-haslo-7"}).expect(t, 200)
		s.do("POST", "/r/slaskie/api/v1/auth/password-reset/confirm", map[string]string{"token": tok, "password": "inne-dlugie-haslo-8"}).expect(t, 422)
		s.do("POST", "/r/slaskie/api/v1/auth/login", map[string]string{"email": email, "password": "nowe-dlugie-haslo-7"}).expect(t, 200)
	})
}

func TestStatisticsForARegionAndTheCountry(t *testing.T) {
	s := newTestServer(t)
	owner := s.signUp("slaskie", "statystyka@example.org")
	mod := s.staff("slaskie", "moderator")
	var l struct{ ID string }
	s.do("POST", "/r/slaskie/api/v1/listings", listingBody("Do statystyk"), bearer(owner.AccessToken)).expect(t, 201).json(t, &l)
	s.do("POST", "/r/slaskie/api/v1/listings/"+l.ID+"/submit", nil, bearer(owner.AccessToken)).expect(t, 200)
	s.do("POST", "/r/slaskie/api/v1/moderation/"+l.ID+"/approve", nil, bearer(mod.AccessToken)).expect(t, 200)
	var region, national struct {
		Published   int            `json:"published"`
		ByLegalForm map[string]int `json:"by_legal_form"`
		ByTenant    map[string]int `json:"by_tenant"`
	}
	s.do("GET", "/r/slaskie/api/v1/stats", nil).expect(t, 200).json(t, &region)
	s.do("GET", "/api/v1/stats", nil).expect(t, 200).json(t, &national)
	if region.Published != 1 || region.ByLegalForm["spoldzielnia_socjalna"] != 1 || national.ByTenant["slaskie"] != 1 || national.ByTenant["malopolskie"] != 0 {
		t.Fatalf("region %+v, national %+v", region, national)
	}
	var other struct{ Published int }
	s.do("GET", "/r/malopolskie/api/v1/stats", nil).expect(t, 200).json(t, &other)
	if other.Published != 0 {
		t.Fatalf("another region counts %d", other.Published)
	}
}

func TestAHugePageIsAFieldErrorEvenWhenSearchIsDegraded(t *testing.T) {
	s := newTestServerWithMeili(t, "http://127.0.0.1:1", handlers.Config{Development: true})
	for _, path := range []string{"/r/slaskie/api/v1/search?page=99999999", "/api/v1/search?page=1001", "/r/slaskie/api/v1/search?page=9223372036854775807"} {
		p := s.do("GET", path, nil).expect(t, 422).problem(t)
		if len(p.Errors) != 1 || p.Errors[0].Field != "page" {
			t.Fatalf("%s: %+v", path, p)
		}
	}
}

func TestTheDevelopmentMailboxIsReadableWithClickableLinks(t *testing.T) {
	s := newTestServer(t)
	email := storetest.Unique("czytelnik@example.org")
	s.do("POST", "/r/slaskie/api/v1/auth/register", map[string]string{"email": email, "password": goodPassword, "name": "Czytelnik"}).expect(t, 201)
	page := s.do("GET", "/dev/mail?to="+url.QueryEscape(email), nil, header("Accept", "text/html")).expect(t, 200)
	body := string(page.Body)
	if !strings.Contains(page.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, `<a href="http://localhost:8080/r/slaskie/weryfikacja?token=`) {
		t.Fatalf("mailbox page: %s %.600s", page.Header.Get("Content-Type"), body)
	}
}
