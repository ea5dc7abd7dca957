package handlers_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"katalogpes/tenants"
)

var claimCodeRe = regexp.MustCompile(`\n(\d{6})\n`)

// importOne imports one entity into slug as its admin and returns the
// listing's id, NIP and contact e-mail (biuroN@example.org).
func (s *testServer) importOne(slug string, seq int) (id, nip, contact string) {
	s.t.Helper()
	admin := s.staff(slug, tenants.RoleAdmin)
	var res importAnswer
	s.upload("/r/"+slug+"/api/v1/admin/import", "rejestr.csv", registerFile(slug, 1, seq), bearer(admin.AccessToken)).expect(s.t, 200).json(s.t, &res)
	if res.Imported != 1 {
		s.t.Fatalf("import: %+v", res)
	}
	nip = registerNIP(seq)
	if err := s.rawDB().QueryRow(`SELECT id FROM listings WHERE nip = $1 AND owner_id IS NULL`, nip).Scan(&id); err != nil {
		s.t.Fatal(err)
	}
	return id, nip, fmt.Sprintf("biuro%d@example.org", seq)
}

// claimCode reads the newest claim code mailed to an address.
func (s *testServer) claimCode(to string) string {
	s.t.Helper()
	return s.mailMatch(to, claimCodeRe)
}

func TestAnImportedListingIsClaimedWithTheCodeMailedToItsContact(t *testing.T) {
	s := newTestServer(t)
	id, nip, contact := s.importOne("slaskie", 700)
	owner := s.signUp("slaskie", "prawdziwy.podmiot@example.org")

	// Registering the same NIP is still a conflict, now with an offer.
	body := listingBody("Nasza spółdzielnia")
	body["nip"] = nip
	p := s.do("POST", "/r/slaskie/api/v1/listings", body, bearer(owner.AccessToken)).expect(t, 409).problem(t)
	if p.Claim == nil || p.Claim.ListingID != id {
		t.Fatalf("409 without the claim offer: %+v", p)
	}

	var started struct{ Method, Status string }
	s.do("POST", "/r/slaskie/api/v1/listings/"+id+"/claim", nil, bearer(owner.AccessToken)).expect(t, 202).json(t, &started)
	if started.Method != "email_code" || started.Status != "pending" {
		t.Fatalf("claim: %+v", started)
	}
	code := s.claimCode(contact)
	var raw string
	if err := s.rawDB().QueryRow(`SELECT code_hash FROM listing_claims WHERE listing_id = $1`, id).Scan(&raw); err != nil || strings.Contains(raw, code) {
		t.Fatalf("the code is not kept hashed: %q (%v)", raw, err)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	pr := s.do("POST", "/r/slaskie/api/v1/listings/"+id+"/claim/confirm", map[string]string{"code": wrong}, bearer(owner.AccessToken)).expect(t, 422).problem(t)
	if len(pr.Errors) != 1 || pr.Errors[0].Field != "code" || !strings.Contains(pr.Errors[0].Message, "4") {
		t.Fatalf("wrong code: %+v", pr)
	}
	var l struct {
		ID      string `json:"id"`
		OwnerID string `json:"owner_id"`
	}
	s.do("POST", "/r/slaskie/api/v1/listings/"+id+"/claim/confirm", map[string]string{"code": code}, bearer(owner.AccessToken)).expect(t, 200).json(t, &l)
	if l.ID != id {
		t.Fatalf("confirmed: %+v", l)
	}
	var mine []struct{ ID string }
	s.do("GET", "/r/slaskie/api/v1/me/listings", nil, bearer(owner.AccessToken)).expect(t, 200).json(t, &mine)
	if len(mine) != 1 || mine[0].ID != id {
		t.Fatalf("my listings after the claim: %+v", mine)
	}
	var history []struct{ Actor, Action string }
	s.do("GET", "/r/slaskie/api/v1/listings/"+id+"/history", nil, bearer(owner.AccessToken)).expect(t, 200).json(t, &history)
	if n := len(history); n < 2 || history[n-1].Action != "claim" || history[n-1].Actor != "Jan Kowalski" {
		t.Fatalf("history: %+v", history)
	}
	// Owned now: no more offers, no second claim.
	p = s.do("POST", "/r/slaskie/api/v1/listings", body, bearer(s.signUp("slaskie", "ktos.inny@example.org").AccessToken)).expect(t, 409).problem(t)
	if p.Claim != nil {
		t.Fatalf("an owned listing is offered: %+v", p)
	}
	s.do("POST", "/r/slaskie/api/v1/listings/"+id+"/claim", nil, bearer(owner.AccessToken)).expect(t, 409)
}

func TestFiveWrongCodesLockTheClaim(t *testing.T) {
	s := newTestServer(t)
	id, _, contact := s.importOne("slaskie", 710)
	owner := s.signUp("slaskie", "zgaduje@example.org")
	s.do("POST", "/r/slaskie/api/v1/listings/"+id+"/claim", nil, bearer(owner.AccessToken)).expect(t, 202)
	code := s.claimCode(contact)
	wrong := "123456"
	if code == wrong {
		wrong = "654321"
	}
	for i := 1; i <= 5; i++ {
		p := s.do("POST", "/r/slaskie/api/v1/listings/"+id+"/claim/confirm", map[string]string{"code": wrong}, bearer(owner.AccessToken)).expect(t, 422).problem(t)
		if i == 5 && p.Errors[0].Code != "claim.code_locked" {
			t.Fatalf("fifth wrong code: %+v", p)
		}
	}
	s.do("POST", "/r/slaskie/api/v1/listings/"+id+"/claim/confirm", map[string]string{"code": code}, bearer(owner.AccessToken)).expect(t, 409)
	// Asking again does not reset the count.
	s.do("POST", "/r/slaskie/api/v1/listings/"+id+"/claim", nil, bearer(owner.AccessToken)).expect(t, 409)
	var n int
	if err := s.rawDB().QueryRow(`SELECT count(*) FROM listings WHERE id = $1 AND owner_id IS NULL`, id).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the locked claim took the listing: %d %v", n, err)
	}
}

func TestAClaimWithoutContactEmailWaitsForTheRegionsModerator(t *testing.T) {
	s := newTestServer(t)
	id, _, _ := s.importOne("slaskie", 720)
	if _, err := s.rawDB().Exec(`UPDATE listings SET data = jsonb_set(data, '{contact,email}', '""') WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	email := "bez.maila@example.org"
	owner := s.signUp("slaskie", email)
	mod := s.staff("slaskie", tenants.RoleModerator)
	other := s.staff("malopolskie", tenants.RoleModerator)

	var started struct{ Method string }
	s.do("POST", "/r/slaskie/api/v1/listings/"+id+"/claim", map[string]string{"note": "Jestem prezesem, KRS prześlę."}, bearer(owner.AccessToken)).expect(t, 202).json(t, &started)
	if started.Method != "moderator" {
		t.Fatalf("claim: %+v", started)
	}
	s.do("GET", "/r/slaskie/api/v1/moderation/claims", nil, bearer(owner.AccessToken)).expect(t, 403)
	var waiting []struct {
		ID   string `json:"id"`
		Note string `json:"note"`
	}
	s.do("GET", "/r/slaskie/api/v1/moderation/claims", nil, bearer(mod.AccessToken)).expect(t, 200).json(t, &waiting)
	if len(waiting) != 1 || waiting[0].Note != "Jestem prezesem, KRS prześlę." {
		t.Fatalf("waiting claims: %+v", waiting)
	}
	claimID := waiting[0].ID
	var none []struct{ ID string }
	s.do("GET", "/r/malopolskie/api/v1/moderation/claims", nil, bearer(other.AccessToken)).expect(t, 200).json(t, &none)
	if len(none) != 0 {
		t.Fatalf("another region's moderator sees %+v", none)
	}
	s.do("POST", "/r/malopolskie/api/v1/moderation/claims/"+claimID+"/approve", nil, bearer(other.AccessToken)).expect(t, 404)

	s.do("POST", "/r/slaskie/api/v1/moderation/claims/"+claimID+"/approve", map[string]string{"reason": "Sprawdzone w KRS."}, bearer(mod.AccessToken)).expect(t, 200)
	var mine []struct{ ID string }
	s.do("GET", "/r/slaskie/api/v1/me/listings", nil, bearer(owner.AccessToken)).expect(t, 200).json(t, &mine)
	if len(mine) != 1 || mine[0].ID != id {
		t.Fatalf("my listings after approval: %+v", mine)
	}
	var mails []struct{ Subject string }
	s.do("GET", "/dev/mail?to="+url.QueryEscape(email), nil).expect(t, 200).json(t, &mails)
	if len(mails) == 0 || !strings.Contains(mails[0].Subject, "jest Twój") {
		t.Fatalf("the claimant's mail: %+v", mails)
	}
	s.do("POST", "/r/slaskie/api/v1/moderation/claims/"+claimID+"/reject", nil, bearer(mod.AccessToken)).expect(t, 409)
}
