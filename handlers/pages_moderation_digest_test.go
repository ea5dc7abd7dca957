package handlers_test

import (
	"net/url"
	"strings"
	"testing"
)

// The queue shows the month's decision times and the setting; a moderator
// who ticks it is mailed at once about a report, one who did not is not.
func TestQueueFiguresAndTheImmediateMailSetting(t *testing.T) {
	f := newPagesFixture(t)
	mod := f.s.web()
	mod.signIn("slaskie", f.moderator)
	q := mod.get("/r/slaskie/moderacja").expect(t, 200)
	checkPage(t, "/r/slaskie/moderacja", "pl", q)
	// The fixture's one approval is this month's one decision.
	q.contains(t, "Czas do decyzji w tym miesiącu", "<strong>1</strong> decyzji w tym miesiącu", "mediana czasu do decyzji",
		"Powiadamiaj mnie od razu o nowych zgłoszeniach", `action="/r/slaskie/moderacja/ustawienia/powiadomienia"`)
	if strings.Contains(q.Body, `name="notify_immediately" value="on" aria-describedby="notify-hint" checked`) {
		t.Fatal("the setting starts ticked")
	}
	p := mod.post("/r/slaskie/moderacja/ustawienia/powiadomienia", url.Values{"notify_immediately": {"on"}}).expect(t, 303)
	q = mod.get(p.Location).expect(t, 200)
	q.contains(t, "Powiadomienia od razu włączone.", `aria-describedby="notify-hint" checked`)

	profile := "/r/slaskie/podmiot/" + f.published
	buyer := f.s.web()
	buyer.get(profile+"/zglos").expect(t, 200)
	buyer.post(profile+"/zglos", url.Values{"body": {"Nowy numer telefonu."}}).expect(t, 303)
	alerted := false
	for _, m := range f.s.mailsTo(f.moderator) {
		if strings.HasPrefix(m.Subject, "Zgłoszenia nieaktualnych danych: Spółdzielnia Socjalna Zielony Śląsk") {
			alerted = strings.Contains(m.Body, "http://localhost:8080/r/slaskie/moderacja/zgloszenia")
		}
	}
	if !alerted {
		t.Fatalf("the moderator who opted in got no alert with the inbox's link: %+v", f.s.mailsTo(f.moderator))
	}
	for _, m := range f.s.mailsTo(f.admin) {
		if strings.Contains(m.Subject, "Zielony Śląsk") {
			t.Fatalf("the admin who did not opt in was mailed: %+v", m)
		}
	}

	p = mod.post("/r/slaskie/moderacja/ustawienia/powiadomienia", url.Values{}).expect(t, 303)
	mod.get(p.Location).expect(t, 200).contains(t, "Powiadomienia od razu wyłączone.")
	mod.get("/r/slaskie/moderacja?lang=en").expect(t, 200).contains(t, "Time to decision this month", "Notify me at once about new submissions")
}
