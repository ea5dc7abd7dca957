package handlers_test

import (
	"strings"
	"testing"
)

type listingJSON struct {
	ID              string `json:"id"`
	Status          string `json:"status"`
	Name            string `json:"name"`
	StatusReason    string `json:"status_reason"`
	PendingRevision *struct {
		Fields []string `json:"fields"`
	} `json:"pending_revision"`
}

type eventJSON struct {
	Actor, Action, From, To, Reason string
	Fields                          []string
}

func TestTheWholeLifeOfAListing(t *testing.T) {
	s := newTestServer(t)
	owner := s.signUp("slaskie", "spoldzielnia@example.org")
	mod := s.staff("slaskie", "moderator")
	api := "/r/slaskie/api/v1"

	var l listingJSON
	s.do("POST", api+"/listings", listingBody("Spółdzielnia Socjalna Kłos"), bearer(owner.AccessToken)).expect(t, 201).json(t, &l)
	if l.Status != "draft" {
		t.Fatalf("new listing status %q", l.Status)
	}
	s.do("GET", api+"/listings/"+l.ID, nil).expect(t, 404) // the public reads no draft
	s.do("POST", api+"/moderation/"+l.ID+"/approve", nil, bearer(mod.AccessToken)).expect(t, 409)
	s.do("POST", api+"/listings/"+l.ID+"/submit", nil, bearer(owner.AccessToken)).expect(t, 200)
	s.do("POST", api+"/moderation/"+l.ID+"/approve", nil, bearer(owner.AccessToken)).expect(t, 403)
	s.do("POST", api+"/moderation/"+l.ID+"/reject", map[string]string{}, bearer(mod.AccessToken)).expect(t, 422)

	var queue []struct {
		Kind    string `json:"kind"`
		Listing listingJSON
	}
	s.do("GET", api+"/moderation/queue", nil, bearer(mod.AccessToken)).expect(t, 200).json(t, &queue)
	if len(queue) != 1 || queue[0].Listing.ID != l.ID || queue[0].Kind != "new" {
		t.Fatalf("queue = %+v", queue)
	}
	s.do("POST", api+"/moderation/"+l.ID+"/request-changes", map[string]string{"reason": "Uzupełnij opis oferty"}, bearer(mod.AccessToken)).expect(t, 200)
	var mine []listingJSON
	s.do("GET", api+"/me/listings", nil, bearer(owner.AccessToken)).expect(t, 200).json(t, &mine)
	if len(mine) != 1 || mine[0].Status != "changes_requested" || mine[0].StatusReason != "Uzupełnij opis oferty" {
		t.Fatalf("my listings = %+v", mine)
	}
	s.do("PATCH", api+"/listings/"+l.ID, map[string]any{"description": "Obiady dla szkół i catering na wydarzenia."}, bearer(owner.AccessToken)).expect(t, 200)
	s.do("POST", api+"/listings/"+l.ID+"/submit", nil, bearer(owner.AccessToken)).expect(t, 200)
	s.do("POST", api+"/moderation/"+l.ID+"/approve", nil, bearer(mod.AccessToken)).expect(t, 200)
	s.do("GET", api+"/listings/"+l.ID, nil).expect(t, 200)

	// An edit of a published listing is a pending revision.
	s.do("PATCH", api+"/listings/"+l.ID, map[string]any{"name": "Spółdzielnia Socjalna Nowy Kłos"}, bearer(owner.AccessToken)).expect(t, 200)
	var pub listingJSON
	s.do("GET", api+"/listings/"+l.ID, nil).expect(t, 200).json(t, &pub)
	if pub.Name != "Spółdzielnia Socjalna Kłos" || pub.PendingRevision != nil {
		t.Fatalf("the public sees %+v, want the published version", pub)
	}
	var own listingJSON
	s.do("GET", api+"/listings/"+l.ID, nil, bearer(owner.AccessToken)).expect(t, 200).json(t, &own)
	if own.PendingRevision == nil || own.PendingRevision.Fields[0] != "name" {
		t.Fatalf("the owner does not see the pending revision: %+v", own)
	}
	s.do("POST", api+"/moderation/"+l.ID+"/approve", nil, bearer(mod.AccessToken)).expect(t, 200)
	s.do("GET", api+"/listings/"+l.ID, nil).expect(t, 200).json(t, &pub)
	if pub.Name != "Spółdzielnia Socjalna Nowy Kłos" {
		t.Fatalf("after approving the revision the public sees %q", pub.Name)
	}
	s.do("POST", api+"/moderation/"+l.ID+"/suspend", map[string]string{"reason": "Zgłoszono nieaktualne dane"}, bearer(mod.AccessToken)).expect(t, 200)
	s.do("GET", api+"/listings/"+l.ID, nil).expect(t, 404)

	var history []eventJSON
	s.do("GET", api+"/listings/"+l.ID+"/history", nil, bearer(owner.AccessToken)).expect(t, 200).json(t, &history)
	want := []string{"create", "submit", "request_changes", "edit", "submit", "approve", "revision", "approve_revision", "suspend"}
	if len(history) != len(want) {
		t.Fatalf("history %+v, want %v", history, want)
	}
	for i, e := range history {
		if e.Action != want[i] || e.Actor == "" {
			t.Fatalf("event %d = %+v, want %s with its actor", i, e, want[i])
		}
	}
	if history[2].Reason != "Uzupełnij opis oferty" || history[8].Reason != "Zgłoszono nieaktualne dane" || history[5].Actor != "Pani Moderator" {
		t.Fatalf("reasons or actors lost: %+v", history)
	}
	s.do("GET", api+"/listings/"+l.ID+"/history", nil).expect(t, 401)
}

func TestListingInputIsValidatedInPolishAndEnglish(t *testing.T) {
	s := newTestServer(t)
	owner := s.signUp("slaskie", "walidacja@example.org")
	api := "/r/slaskie/api/v1/listings"
	cases := []struct {
		name  string
		edit  func(b map[string]any)
		field string
	}{
		{"invalid NIP", func(b map[string]any) { b["nip"] = "1234567890" }, "nip"},
		{"invalid REGON-9", func(b map[string]any) { b["regon"] = "123456789" }, "regon"},
		{"invalid REGON-14", func(b map[string]any) { b["regon"] = "89112930100001" }, "regon"},
		{"gmina of another voivodeship", func(b map[string]any) {
			b["address"] = map[string]string{"postal_code": "30-001", "city": "Kraków", "gmina_teryt": "1261011"}
		}, "address.gmina_teryt"},
		{"at risk over total", func(b map[string]any) {
			b["employment"] = map[string]any{"total": 2, "at_risk": 3, "as_of": "2026-10-01"}
		}, "employment.at_risk"},
		{"unknown field", func(b map[string]any) { b["ulubiony_kolor"] = "zielony" }, "ulubiony_kolor"},
		{"wrong type", func(b map[string]any) { b["name"] = 42 }, "name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := listingBody("Test")
			c.edit(b)
			p := s.do("POST", api, b, bearer(owner.AccessToken)).expect(t, 422).problem(t)
			found := false
			for _, f := range p.Errors {
				found = found || f.Field == c.field && f.Message != "" && f.Message != f.Code
			}
			if !found {
				t.Fatalf("no message for %s: %+v", c.field, p)
			}
		})
	}
	b := listingBody("Test")
	b["nip"] = "1234567890"
	pl := s.do("POST", api, b, bearer(owner.AccessToken)).problem(t)
	en := s.do("POST", api, b, bearer(owner.AccessToken), header("Accept-Language", "en-GB,en;q=0.9")).problem(t)
	if pl.Errors[0].Message == en.Errors[0].Message || !strings.Contains(en.Errors[0].Message, "check digit") {
		t.Fatalf("pl %q, en %q: want both languages", pl.Errors[0].Message, en.Errors[0].Message)
	}

	s.do("POST", api, listingBody("Pierwszy"), bearer(owner.AccessToken)).expect(t, 201)
	s.do("POST", api, listingBody("Drugi z tym samym NIP"), bearer(owner.AccessToken)).expect(t, 409)

	big := `{"name":"` + strings.Repeat("x", 2<<20) + `"}`
	s.do("POST", api, big, bearer(owner.AccessToken)).expect(t, 413)
	s.do("POST", api, `{"name":`, bearer(owner.AccessToken)).expect(t, 400)
	s.do("POST", api, "name=x", bearer(owner.AccessToken), header("Content-Type", "text/plain")).expect(t, 415)
	mine := s.do("GET", "/r/slaskie/api/v1/me/listings", nil, bearer(owner.AccessToken)).expect(t, 200)
	if strings.Count(string(mine.Body), `"id"`) != 1 {
		t.Fatalf("refused requests left listings behind: %s", mine.Body)
	}
}

func TestModeratorOfAnotherTenantCannotApprove(t *testing.T) {
	s := newTestServer(t)
	owner := s.signUp("slaskie", "slask@example.org")
	otherMod := s.staff("malopolskie", "moderator")
	var l listingJSON
	s.do("POST", "/r/slaskie/api/v1/listings", listingBody("Śląska"), bearer(owner.AccessToken)).expect(t, 201).json(t, &l)
	s.do("POST", "/r/slaskie/api/v1/listings/"+l.ID+"/submit", nil, bearer(owner.AccessToken)).expect(t, 200)
	// Their token is not valid here, and through their own region the listing does not exist.
	s.do("POST", "/r/slaskie/api/v1/moderation/"+l.ID+"/approve", nil, bearer(otherMod.AccessToken)).expect(t, 401)
	s.do("POST", "/r/malopolskie/api/v1/moderation/"+l.ID+"/approve", nil, bearer(otherMod.AccessToken)).expect(t, 404)
}

func TestLoginIsRateLimited(t *testing.T) {
	s := newTestServer(t)
	var last response
	for i := 0; i < 11; i++ {
		last = s.do("POST", "/r/slaskie/api/v1/auth/login", map[string]string{"email": "kto@example.org", "password": "zle-haslo-123456"})
	}
	last.expect(t, 429)
	if last.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
}

// PATCH is a JSON merge patch: nested objects merge, null clears, a wrong
// type is a 422 naming the field, and only the owner or staff may send one.
func TestPatchIsAMergePatch(t *testing.T) {
	s := newTestServer(t)
	owner := s.signUp("slaskie", "patch@example.org")
	other := s.signUp("slaskie", "inny@example.org")
	api := "/r/slaskie/api/v1"
	var l listingJSON
	s.do("POST", api+"/listings", listingBody("Spółdzielnia Socjalna Łata"), bearer(owner.AccessToken)).expect(t, 201).json(t, &l)

	var got struct {
		Contact struct{ Email, Phone string }
		Geo     *struct{ Lat float64 }
	}
	s.do("PATCH", api+"/listings/"+l.ID, map[string]any{"contact": map[string]string{"phone": "600 100 200"}, "geo": map[string]float64{"lat": 50.26, "lng": 19.02}},
		bearer(owner.AccessToken)).expect(t, 200).json(t, &got)
	if got.Contact.Email != "biuro@example.org" || got.Contact.Phone != "+48600100200" || got.Geo == nil {
		t.Fatalf("after merging contact and geo: %+v", got)
	}
	s.do("PATCH", api+"/listings/"+l.ID, map[string]any{"geo": nil}, bearer(owner.AccessToken)).expect(t, 200).json(t, &got)
	if got.Geo != nil || got.Contact.Phone == "" {
		t.Fatalf("null clears geo and only geo: %+v", got)
	}
	p := s.do("PATCH", api+"/listings/"+l.ID, map[string]any{"founded_year": "dawno"}, bearer(owner.AccessToken)).expect(t, 422).problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "founded_year" || p.Errors[0].Code != "type.invalid" {
		t.Fatalf("wrong type: %+v", p)
	}
	s.do("PATCH", api+"/listings/"+l.ID, "[1]", bearer(owner.AccessToken)).expect(t, 400)
	s.do("PATCH", api+"/listings/"+l.ID, map[string]any{"name": "Cudza"}, bearer(other.AccessToken)).expect(t, 404)
}
