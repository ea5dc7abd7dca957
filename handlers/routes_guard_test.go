package handlers_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"katalogpes/handlers"
	"katalogpes/tenants"
)

func TestOnlyTheOwnerOrStaffActOnAListing(t *testing.T) {
	s := newTestServer(t)
	owner := s.signUp("slaskie", "wlasciciel@example.org")
	other := s.signUp("slaskie", "sasiad@example.org")
	mod := s.staff("slaskie", tenants.RoleModerator)
	api := "/r/slaskie/api/v1/listings/"

	var draft struct{ ID string }
	s.do("POST", "/r/slaskie/api/v1/listings", listingBody("Spółdzielnia Socjalna Szkic"), bearer(owner.AccessToken)).expect(t, 201).json(t, &draft)
	s.do("GET", api+draft.ID+"/history", nil).expect(t, 401)
	s.do("GET", api+draft.ID+"/history", nil, bearer(other.AccessToken)).expect(t, 404) // another's draft does not exist
	s.do("PATCH", api+draft.ID, map[string]any{"name": "Cudza"}, bearer(other.AccessToken)).expect(t, 404)
	s.do("GET", api+draft.ID+"/history", nil, bearer(owner.AccessToken)).expect(t, 200)
	s.do("GET", api+draft.ID+"/history", nil, bearer(mod.AccessToken)).expect(t, 200)

	published := s.publishVia(owner, mod, "Spółdzielnia Socjalna Jawna", "7251801126")
	r := s.do("PATCH", api+published, map[string]any{"name": "Cudza"}, bearer(other.AccessToken)).expect(t, 403)
	if p := r.problem(t); p.Code != "listing.not_owner" {
		t.Fatalf("problem %+v", p)
	}
	s.do("DELETE", api+published, nil, bearer(other.AccessToken)).expect(t, 403)
	s.do("POST", api+published+"/confirm", nil, bearer(owner.AccessToken)).expect(t, 200)
}

func TestSearchLogsCarryTheRequestID(t *testing.T) {
	var buf bytes.Buffer
	log := tenants.LogRequestIDs(slog.New(slog.NewTextHandler(&buf, nil)))
	s := newTestServerLogging(t, "http://127.0.0.1:1", handlers.Config{Development: true}, log)
	s.do("GET", "/r/slaskie/api/v1/search?q=catering", nil, header("X-Request-ID", "rid-search-1")).expect(t, 200)
	for _, line := range strings.Split(buf.String(), "\n") {
		if strings.Contains(line, "search degraded") {
			if !strings.Contains(line, "request_id=rid-search-1") {
				t.Fatalf("search's line lacks the request id: %s", line)
			}
			return
		}
	}
	t.Fatalf("search logged no degradation: %s", buf.String())
}

func TestTheHubServesOnlyTheRoutesThatDeclareIt(t *testing.T) {
	s := newTestServer(t)
	onHub := func(r *http.Request) { r.Host = "katalog.test" }
	s.do("GET", "/api/v1/stats", nil, onHub).expect(t, 200)
	s.do("GET", "/api/v1/categories", nil, onHub).expect(t, 404)
	s.do("GET", "/api/v1/search/key", nil, onHub).expect(t, 404)
	s.do("GET", "/moje", nil, onHub).expect(t, 404)
}
