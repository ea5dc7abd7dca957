package handlers_test

import (
	"context"
	"testing"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// TestNeedsAPIAnswersAsDocumented walks the needs routes TestNeedsAPI
// leaves out, so the contract check in testServer.do sees every one of
// their answers: the desk, changes, attachments, answers, declines,
// questions, reminders, the moderators' queues and the settings.
func TestNeedsAPIAnswersAsDocumented(t *testing.T) {
	s := newTestServer(t)
	api := "/r/slaskie/api/v1"
	buyer := s.buyerTokens("slaskie", storetest.Unique("zamowienia@um.katowice.pl"))
	// Two buyers off the public-sector domains wait for a moderator.
	s.buyerTokens("slaskie", storetest.Unique("biuro@firma.example.org"))
	s.buyerTokens("slaskie", storetest.Unique("biuro@inna.example.org"))
	mod := s.staff("slaskie", tenants.RoleModerator)
	admin := s.staff("slaskie", tenants.RoleAdmin)
	as := func(tk tokens) reqOpt { return bearer(tk.AccessToken) }

	var me store.Buyer
	s.do("GET", api+"/me/buyer", nil, as(buyer)).expect(t, 200).json(t, &me)
	if me.ConfirmedAt == nil {
		t.Fatalf("a public-sector buyer is not confirmed: %+v", me)
	}
	var queue []store.Buyer
	s.do("GET", api+"/moderation/buyers", nil, as(mod)).expect(t, 200).json(t, &queue)
	if len(queue) != 2 {
		t.Fatalf("waiting buyers %+v, want 2", queue)
	}
	s.do("POST", api+"/moderation/buyers/"+queue[0].AccountID+"/approve", nil, as(mod)).expect(t, 200)
	s.do("POST", api+"/moderation/buyers/"+queue[0].AccountID+"/approve", nil, as(mod)).expect(t, 409)
	s.do("POST", api+"/moderation/buyers/"+queue[1].AccountID+"/reject", map[string]string{"reason": "To nie jest instytucja publiczna"}, as(mod)).expect(t, 200)

	var n store.Need
	s.do("POST", api+"/needs", needBody("zapytanie"), as(buyer)).expect(t, 201).json(t, &n)
	changed := needBody("zapytanie")
	changed["title"] = "Sprzątanie urzędu i szkoły"
	s.do("PATCH", api+"/needs/"+n.ID, changed, as(buyer)).expect(t, 200)
	var f store.NeedFile
	s.upload(api+"/needs/"+n.ID+"/attachments", "opis.pdf", []byte("%PDF-1.4\n%%EOF\n"), as(buyer)).expect(t, 201).json(t, &f)
	s.do("POST", api+"/needs/"+n.ID+"/submit", nil, as(buyer)).expect(t, 200)
	var pending []store.Need
	s.do("GET", api+"/moderation/needs", nil, as(mod)).expect(t, 200).json(t, &pending)
	if len(pending) != 1 || pending[0].ID != n.ID {
		t.Fatalf("pending needs %+v", pending)
	}
	s.do("POST", api+"/moderation/needs/"+n.ID+"/approve", map[string]string{}, as(mod)).expect(t, 200)
	s.do("POST", api+"/moderation/needs/"+n.ID+"/approve", nil, as(mod)).expect(t, 409)
	s.do("GET", api+"/needs/"+n.ID, nil).expect(t, 200)
	s.do("GET", api+"/needs/"+n.ID+"/files/"+f.ID, nil).expect(t, 200)

	first, firstEmail := s.cleaner("slaskie", "Czyste Katowice", "1234563218", "2469011", 10, 4, store.ServiceArea{Scope: "gminas", TERYT: []string{"2469011"}})
	second, secondEmail := s.cleaner("slaskie", "Lśniące Biura", "7740001454", "2469011", 10, 5, store.ServiceArea{Scope: "gminas", TERYT: []string{"2469011"}})
	s.srv.NeedJobsOnce(context.Background())
	login := func(email string) tokens {
		var tk tokens
		s.do("POST", api+"/auth/login", map[string]string{"email": email, "password": goodPassword}).expect(t, 200).json(t, &tk)
		return tk
	}
	one, two := login(firstEmail), login(secondEmail)
	s.do("POST", api+"/needs/"+n.ID+"/answers", map[string]any{"listing_id": first, "message": "Chętnie posprzątamy urząd."}, as(one)).expect(t, 201)
	s.do("POST", api+"/needs/"+n.ID+"/answers", map[string]any{"listing_id": first, "message": "Jeszcze raz."}, as(one)).expect(t, 409)
	s.do("POST", api+"/needs/"+n.ID+"/decline", map[string]any{"listing_id": second, "reason": "Brak ludzi"}, as(two)).expect(t, 204)
	var answers []store.Answer
	s.do("GET", api+"/needs/"+n.ID+"/answers", nil, as(buyer)).expect(t, 200).json(t, &answers)
	if len(answers) != 1 || answers[0].ListingID != first {
		t.Fatalf("answers %+v", answers)
	}
	s.do("POST", api+"/needs/"+n.ID+"/answers/"+answers[0].ID+"/confirm", map[string]string{"listing_id": second}, as(two)).expect(t, 404)

	var q store.Question
	s.do("POST", api+"/needs/"+n.ID+"/questions", map[string]string{"question": "Czy sprzątanie obejmuje okna?"}, as(two)).expect(t, 201).json(t, &q)
	s.do("POST", api+"/needs/"+n.ID+"/questions/"+q.ID+"/answer", map[string]string{"answer": "Tak, raz w miesiącu."}, as(buyer)).expect(t, 200)
	var qs []store.Question
	s.do("GET", api+"/needs/"+n.ID+"/questions", nil).expect(t, 200).json(t, &qs)
	if len(qs) != 1 || qs[0].Answer == "" {
		t.Fatalf("questions %+v", qs)
	}
	s.do("POST", api+"/needs/"+n.ID+"/remind", nil, as(buyer)).expect(t, 202)
	var desk []store.NeedCounts
	s.do("GET", api+"/me/needs", nil, as(buyer)).expect(t, 200).json(t, &desk)
	if len(desk) != 1 || desk[0].Answered != 1 || desk[0].Declined != 1 {
		t.Fatalf("the desk %+v", desk)
	}

	var st store.NeedSettings
	s.do("GET", api+"/admin/needs-settings", nil, as(admin)).expect(t, 200).json(t, &st)
	st.PublishUnreviewed = true
	s.do("PATCH", api+"/admin/needs-settings", st, as(admin)).expect(t, 200).json(t, &st)
	if !st.PublishUnreviewed {
		t.Fatalf("settings %+v", st)
	}
	st.MatchLimit = 0
	s.do("PATCH", api+"/admin/needs-settings", st, as(admin)).expect(t, 422)
	s.do("GET", api+"/admin/needs-settings", nil, as(mod)).expect(t, 403)
}
