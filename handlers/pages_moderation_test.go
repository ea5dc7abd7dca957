package handlers_test

import (
	"net/url"
	"strings"
	"testing"
)

func TestModeratorAsksForChangesTheOwnerEditsTheModeratorApproves(t *testing.T) {
	f := newPagesFixture(t)
	mod, owner := f.s.web(), f.s.web()
	mod.signIn("slaskie", f.moderator)
	owner.signIn("slaskie", f.owner)

	q := mod.get("/r/slaskie/moderacja").expect(t, 200)
	q.contains(t, "Fundacja Łączy Nas", "nowy wpis", "czeka", "Nowy wpis: wszystkie pola", "1234563218")
	// Asking for changes needs a reason: the queue comes back with the
	// error at the reason field.
	p := mod.post("/r/slaskie/moderacja/"+f.pending, url.Values{"action": {"request_changes"}}).expect(t, 422)
	p.contains(t, `id="reason-`+f.pending+`-err"`, "To pole jest wymagane", `aria-invalid="true"`)
	p = mod.post("/r/slaskie/moderacja/"+f.pending, url.Values{"action": {"request_changes"}, "reason": {"Dodaj numer KRS."}}).expect(t, 303)
	mod.get(p.Location).expect(t, 200).contains(t, "Poprosiliśmy o zmiany", "Kolejka jest pusta")

	owner.get("/r/slaskie/moje").expect(t, 200).contains(t, "do poprawy", "Dodaj numer KRS.")
	form := owner.get("/r/slaskie/moje/"+f.pending).expect(t, 200)
	form.contains(t, "Dodaj numer KRS.", `value="Fundacja Łączy Nas"`)
	edit := url.Values{"name": {"Fundacja Łączy Nas"}, "legal_form": {"fundacja"}, "nip": {"1234563218"}, "krs": {"0000123456"},
		"description": {"Catering dla szkół."}, "categories": {"catering"}, "address.postal_code": {"40-014"},
		"address.city": {"Katowice"}, "address.gmina_teryt": {"2469011"}, "contact.email": {"biuro@example.org"}, "action": {"submit"}}
	owner.post("/r/slaskie/moje/"+f.pending, edit).expect(t, 303)

	q = mod.get("/r/slaskie/moderacja").expect(t, 200).contains(t, "Fundacja Łączy Nas", "0000123456")
	p = mod.post("/r/slaskie/moderacja/"+f.pending, url.Values{"action": {"approve"}}).expect(t, 303)
	mod.get(p.Location).expect(t, 200).contains(t, "Wpis zatwierdzony")
	f.s.web().get("/r/slaskie/podmiot/"+f.pending).expect(t, 200).contains(t, "0000123456")
	owner.get("/r/slaskie/moje/"+f.pending+"/historia").expect(t, 200).
		contains(t, "prośba o zmiany", "Dodaj numer KRS.", "zatwierdzenie", "Numer KRS")
}

func TestAnEditOfAPublishedListingIsShownAsADiff(t *testing.T) {
	f := newPagesFixture(t)
	owner, mod := f.s.web(), f.s.web()
	owner.signIn("slaskie", f.owner)
	mod.signIn("slaskie", f.moderator)
	form := owner.get("/r/slaskie/moje/"+f.published).expect(t, 200)
	form.contains(t, "Ten wpis jest opublikowany")
	v := formOf(form.Body)
	v.Set("address.city", "Katowice-Ligota")
	v.Set("action", "save")
	p := owner.post("/r/slaskie/moje/"+f.published, v).expect(t, 303)
	if !strings.Contains(p.Location, "msg=revision") {
		t.Fatalf("went to %q", p.Location)
	}
	// The public still sees the published version.
	f.s.web().get("/r/slaskie/podmiot/"+f.published).expect(t, 200).contains(t, "40-014 Katowice<br>")
	item := queueItemOf(t, mod.get("/r/slaskie/moderacja").expect(t, 200).Body, f.published)
	for _, want := range []string{"Zmiany względem wersji opublikowanej", "<del>", "<ins>", "Katowice-Ligota", "Wersja publiczna"} {
		if !strings.Contains(item, want) {
			t.Fatalf("the revision lacks %q: %s", want, item)
		}
	}
	if strings.Contains(item, "Pełna nazwa podmiotu") {
		t.Fatalf("an unchanged field is in the diff: %s", item)
	}
	mod.post("/r/slaskie/moderacja/"+f.published, url.Values{"action": {"approve"}}).expect(t, 303)
	f.s.web().get("/r/slaskie/podmiot/"+f.published).expect(t, 200).contains(t, "40-014 Katowice-Ligota")
}

func TestStaffSuspendAndReinstateFromTheProfile(t *testing.T) {
	f := newPagesFixture(t)
	mod := f.s.web()
	mod.signIn("slaskie", f.moderator)
	mod.get("/r/slaskie/podmiot/"+f.published).expect(t, 200).contains(t, "Moderacja wpisu", "Zawieś wpis")
	p := mod.post("/r/slaskie/podmiot/"+f.published+"/status", url.Values{"action": {"suspend"}}).expect(t, 303)
	mod.get(p.Location).expect(t, 200).contains(t, "Podaj uzasadnienie zawieszenia")
	mod.post("/r/slaskie/podmiot/"+f.published+"/status", url.Values{"action": {"suspend"}, "reason": {"Skarga klienta."}}).expect(t, 303)
	f.s.web().get("/r/slaskie/podmiot/"+f.published).expect(t, 404)
	mod.get("/r/slaskie/podmiot/"+f.published).expect(t, 200).contains(t, "zawieszony", "Przywróć wpis")
	mod.post("/r/slaskie/podmiot/"+f.published+"/status", url.Values{"action": {"reinstate"}}).expect(t, 303)
	f.s.web().get("/r/slaskie/podmiot/"+f.published).expect(t, 200)
}
