package view

import (
	"strings"
	"testing"
	"time"

	"katalogpes/store"
)

func TestDigestMailCountsListsAndLinksEachQueue(t *testing.T) {
	tr, err := NewTranslator()
	if err != nil {
		t.Fatal(err)
	}
	m := NewComposer(tr, "https://katalog.example.pl")
	since := time.Now().Add(-50 * time.Hour)
	d := store.Digest{
		Recipient: store.Recipient{Email: "mod@rops.example.org", Name: "Anna", Lang: "pl", TenantSlug: "slaskie", TenantName: "ROPS Katowice"},
		Counts:    map[string]int{store.WaitingSubmission: 12, store.WaitingClaim: 1, store.WaitingReport: 0},
		Items: []store.WaitingItem{
			{Kind: store.WaitingSubmission, ListingName: "Spółdzielnia A", Since: since},
			{Kind: store.WaitingClaim, ListingName: "Fundacja B", Since: since},
		},
	}
	mail := m.Digest(d)
	if mail.To != "mod@rops.example.org" || !strings.Contains(mail.Subject, "13") {
		t.Fatalf("mail %q to %q", mail.Subject, mail.To)
	}
	for _, want := range []string{"Nowe wpisy: 12 — https://katalog.example.pl/r/slaskie/moderacja\n",
		"Prośby o przejęcie wpisu: 1 — https://katalog.example.pl/r/slaskie/moderacja/przejecia\n",
		"• Spółdzielnia A (czeka 2 dni 2 godz.)", "• Fundacja B", "i 11 kolejnych pozycji", "moderacja#powiadomienia"} {
		if !strings.Contains(mail.Body, want) {
			t.Errorf("digest lacks %q:\n%s", want, mail.Body)
		}
	}
	if strings.Contains(mail.Body, "Zgłoszenia nieaktualnych danych") || strings.Contains(mail.Body, "Zmiany opublikowanych") {
		t.Errorf("empty kinds are listed:\n%s", mail.Body)
	}
	d.Lang = "en"
	if en := m.Digest(d); !strings.Contains(en.Body, "New listings: 12") || !strings.Contains(en.Body, "and 11 more items") {
		t.Errorf("English digest:\n%s", en.Body)
	}
	alert := m.StaffAlert(store.StaffAlert{Recipient: d.Recipient, WaitingItem: store.WaitingItem{Kind: store.WaitingReport, ListingName: "Fundacja B"}})
	if !strings.HasPrefix(alert.Subject, "Reports of outdated data: Fundacja B") || !strings.Contains(alert.Body, "/r/slaskie/moderacja/zgloszenia") {
		t.Errorf("alert %q:\n%s", alert.Subject, alert.Body)
	}
}
