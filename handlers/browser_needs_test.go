package handlers_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/meilisearch/meilisearch-go"

	"katalogpes/search"
	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// runNeedJobs runs the real needs worker (matching, closing, the needs
// index) for the test, and drops the needs index at the end.
func (b *browserStack) runNeedJobs(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); b.srv.NeedJobs(ctx, 500*time.Millisecond) }()
	t.Cleanup(func() {
		cancel()
		<-done
		c := meilisearch.New(os.Getenv("MEILI_URL"), meilisearch.WithAPIKey(os.Getenv("MEILI_MASTER_KEY")))
		_, _ = c.DeleteIndex(b.svc.IndexFor(search.NeedsIndex, "slaskie"))
	})
}

// waitMail waits for a mail to an address whose subject has want.
func (b *browserStack) waitMail(t *testing.T, to, want string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range b.mailsTo(to) {
			if strings.Contains(m.Subject, want) {
				return m.Body
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("no mail about %q to %s", want, to)
	return ""
}

var declineLinkRe = regexp.MustCompile(`Nie dotyczy nas: (\S+)`)

// TestBrowserNeedJourney is issue 14's "done when": a buyer from
// um.katowice.pl registers and is confirmed at once, posts a reserved
// cleaning contract for Katowice with a 30% minimum and a PDF; the worker
// tells the eligible cleaning cooperatives serving Katowice and no one
// else; one declines by the mail's link without signing in; two answer
// as a consortium and both confirm; a question is answered; the buyer
// sees and downloads the tracking table, reminds the rest and closes the
// need as awarded with a value; the region's figures show it.
func TestBrowserNeedJourney(t *testing.T) {
	b := newBrowserStack(t)
	katowice := store.ServiceArea{Scope: "gminas", TERYT: []string{"2469011"}}
	a, aMail := b.cleaner("slaskie", "Spółdzielnia Socjalna Czysty Dom", "1234563218", "2469011", 10, 4, katowice)
	bID, bMail := b.cleaner("slaskie", "Spółdzielnia Socjalna Blask", "5260250274", "2469011", 8, 3, katowice)
	_, cMail := b.cleaner("slaskie", "Spółdzielnia Socjalna Miotła", "7740001454", "2469011", 6, 2, katowice)
	_, dMail := b.cleaner("slaskie", "Spółdzielnia Socjalna Cisza", "5213017228", "2469011", 5, 2, katowice)
	_, lowMail := b.cleaner("slaskie", "Spółdzielnia Socjalna Za Mało", "1132191233", "2469011", 10, 2, katowice)
	_, farMail := b.cleaner("slaskie", "Spółdzielnia Socjalna Gliwice", "6462933516", "2466011", 10, 5, store.ServiceArea{Scope: "gminas", TERYT: []string{"2466011"}})
	_, otherMail := b.cleaner("malopolskie", "Spółdzielnia Socjalna Kraków", "5252248481", "1261011", 10, 5, store.ServiceArea{Scope: "voivodeships", TERYT: []string{"24"}})
	modEmail, _ := b.account("slaskie", tenants.RoleModerator)
	b.runNeedJobs(t)

	buyerEmail := storetest.Unique("zamowienia@um.katowice.pl")
	buyer := b.tab(t, "need-buyer")
	buyer.open("/r/slaskie/zamawiajacy/rejestracja")
	b.checkAtBothWidths(t, buyer, "the buyer's registration")
	buyer.set("#f-institution-name", "Urząd Miasta Katowice")
	buyer.set("#f-institution-nip", "9542751368")
	buyer.set("#f-institution-teryt", "Katowice")
	buyer.set("#f-name", "Jan Zamawiający")
	buyer.set("#f-email", buyerEmail)
	buyer.set("#f-password", goodPassword)
	buyer.click("#buyer-register", 200)
	buyer.see("Sprawdź")
	buyer.load("verify", 200, chromedp.Navigate(b.mailLink(t, buyerEmail)))
	buyer.open("/r/slaskie/logowanie")
	buyer.signIn(buyerEmail)
	buyer.open("/r/slaskie/zamawiajacy")
	buyer.see("Konto potwierdzone", "Urząd Miasta Katowice")
	b.checkAtBothWidths(t, buyer, "the buyer's desk")

	buyer.click("#new-need", 200)
	b.checkAtBothWidths(t, buyer, "the need form")
	pdf := filepath.Join(t.TempDir(), "opis-zamowienia.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	buyer.set("#f-title", "Sprzątanie budynków Urzędu Miasta Katowice")
	buyer.set("#f-description", "Codzienne sprzątanie trzech budynków urzędu, 2 400 m².")
	buyer.do("reserved contract", chromedp.Click(chromedp.CSS(`input[name="kind"][value="zastrzezone_94"]`)))
	buyer.set("#f-min_at_risk", "30")
	buyer.do("cleaning", chromedp.Click(chromedp.CSS(`input[name="categories"][value="sprzatanie"]`)))
	buyer.set("#f-place", "Katowice")
	buyer.set("#f-deadline", time.Now().AddDate(0, 0, 14).Format("2006-01-02"))
	buyer.do("attach the PDF", chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{pdf}))
	buyer.click("#save-need", 200)
	buyer.see("Zapytanie zapisane jako szkic", "opis-zamowienia.pdf")
	needURL := buyer.location()
	buyer.click("#submit-need", 200)
	buyer.see("czeka na moderatora")

	mod := b.signInAs(t, "need-moderator", modEmail)
	mod.open("/r/slaskie/moderacja/zapytania")
	b.checkAtBothWidths(t, mod, "the needs queue")
	mod.click(`button[name="decision"][value="approve"]`, 200)
	mod.see("Decyzja zapisana")

	// The worker tells the eligible cooperatives serving Katowice (30% and
	// more at risk), and no one else.
	subject := "Sprzątanie budynków Urzędu Miasta Katowice"
	for _, to := range []string{aMail, bMail, cMail, dMail} {
		b.waitMail(t, to, subject)
	}
	for _, to := range []string{lowMail, farMail, otherMail} {
		for _, m := range b.mailsTo(to) {
			if strings.Contains(m.Subject, subject) {
				t.Errorf("%s was told about the need: %s", to, m.Subject)
			}
		}
	}

	// One declines from the mail, signed out.
	link := declineLinkRe.FindStringSubmatch(b.waitMail(t, cMail, subject))
	if link == nil {
		t.Fatal("no decline link in the mail")
	}
	anon := b.tab(t, "need-decline")
	anon.load("the decline link", 200, chromedp.Navigate(link[1]))
	b.checkAtBothWidths(t, anon, "the one-click page")
	anon.set("#f-reason", "Nie mamy teraz wolnych ekip.")
	anon.click("#click-confirm", 200)
	anon.see("nie dotyczy")
	anon.load("the link again", 422, chromedp.Navigate(link[1]))

	// Two answer jointly: the lead names its partner, the partner confirms.
	lead := b.signInAs(t, "need-lead", aMail)
	lead.open("/r/slaskie/moje-zapytania")
	lead.see(subject)
	b.checkAtBothWidths(t, lead, "the entity's needs")
	lead.open("/r/slaskie/moje-zapytania/" + needID(needURL) + "/odpowiedz")
	b.checkAtBothWidths(t, lead, "the answer form")
	lead.set("#f-message", "Wspólna oferta dwóch spółdzielni: ekipy codziennie od 18:00.")
	lead.do("partner", chromedp.Click(chromedp.CSS(`input[name="partners"][value="`+bID+`"]`)))
	lead.click("#send-answer", 200)
	lead.see("Odpowiedź wysłana")
	partner := b.signInAs(t, "need-partner", bMail)
	partner.open("/r/slaskie/moje-zapytania")
	partner.click(".confirm-partner", 200)
	partner.see("Udział w konsorcjum potwierdzony")

	// A public question, answered by the buyer.
	lead.open("/r/slaskie/zapytania/" + needID(needURL))
	b.checkAtBothWidths(t, lead, "the need's page")
	lead.set("#f-question", "Czy sprzątanie obejmuje mycie okien?")
	lead.click("#ask-question", 200)
	buyer.load("the need's desk", 200, chromedp.Navigate(needURL))
	buyer.set("#f-answer-0", "Tak, raz w miesiącu.")
	buyer.click(".answer-question", 200)
	lead.open("/r/slaskie/zapytania/" + needID(needURL))
	lead.see("Czy sprzątanie obejmuje mycie okien?", "Tak, raz w miesiącu.")

	// The buyer's tracking table, its download, a reminder, the outcome.
	buyer.load("the need's desk", 200, chromedp.Navigate(needURL))
	buyer.see("Spółdzielnia Socjalna Czysty Dom", "Spółdzielnia Socjalna Miotła", "Nie mamy teraz wolnych ekip.", "odpowiedź wspólna (konsorcjum)")
	b.checkAtBothWidths(t, buyer, "the need's tracking")
	status, err := chromedp.Run(buyer.ctx, chromedp.Evaluate[string](`fetch(document.getElementById("tracking-xlsx").href).then(r => r.status + " " + r.headers.get("content-type"))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(status, "200 application/vnd.openxmlformats") {
		t.Fatalf("tracking download: %s", status)
	}
	buyer.click("#remind", 200)
	buyer.see("Przypomnienie wysłane")
	b.waitMail(t, dMail, "Przypomnienie")
	buyer.do("awarded", chromedp.Click(chromedp.CSS(`input[name="outcome"][value="awarded"]`)))
	buyer.do("to the lead", chromedp.Click(chromedp.CSS(`input[name="awarded_to"][value="`+a+`"]`)))
	buyer.do("and the partner", chromedp.Click(chromedp.CSS(`input[name="awarded_to"][value="`+bID+`"]`)))
	buyer.set("#f-value_pln", "120000")
	buyer.click("#close-need", 200)
	buyer.see("Zapytanie zamknięte z wynikiem", "Udzielono zamówienia")

	visitor := b.tab(t, "need-figures")
	visitor.open("/r/slaskie/statystyki/zapytania")
	visitor.see("Zamówienie zastrzeżone (art. 94 Pzp)")
	if got := visitor.eval(`document.querySelector("#need-figures li:nth-child(4) strong").innerText`); !regexp.MustCompile(`^120[\s\x{00a0}]000 zł$`).MatchString(got) {
		t.Errorf("awarded value: %q", got)
	}
	if got := visitor.eval(`document.querySelector("#need-figures li:nth-child(3) strong").innerText`); got != "1" {
		t.Errorf("awarded needs: %q", got)
	}
	if got := visitor.eval(`document.querySelector("#need-figures li:nth-child(5) strong").innerText`); got != "2" {
		t.Errorf("entities that won: %q", got)
	}
	b.checkAtBothWidths(t, visitor, "the needs' figures")
	visitor.open("/r/slaskie/zapytania?status=closed")
	visitor.see(subject)
	b.checkAtBothWidths(t, visitor, "the closed needs")
	visitor.open("/r/slaskie/zapytania/" + needID(needURL))
	if body := visitor.eval(`document.getElementById("main").innerText`); strings.Contains(body, buyerEmail) {
		t.Error("a closed need shows the buyer's contact")
	}
}

// needID is the last part of a need's page address.
func needID(u string) string {
	u, _, _ = strings.Cut(u, "?")
	return u[strings.LastIndexByte(u, '/')+1:]
}
