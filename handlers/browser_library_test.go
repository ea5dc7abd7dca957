package handlers_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"katalogpes/store"
	"katalogpes/tenants"
)

// TestBrowserLibraryJourney is issue 18's "Done when": a moderator adds a
// report with a PDF and an event and publishes both; the public finds the
// report by a word only inside the PDF, in the region and nationally; the
// event is on the calendar and in the iCalendar feed, and an edit of its
// time changes the same UID's entry; a file that claims to be a PDF but is
// not is refused; axe-core checks the library's pages at 1280 and 375 px.
func TestBrowserLibraryJourney(t *testing.T) {
	b := newBrowserStack(t)
	b.startLibrary()
	modEmail, _ := b.account("slaskie", tenants.RoleModerator)
	dir := t.TempDir()
	realPDF := filepath.Join(dir, "Raport o klauzulach.pdf")
	fakePDF := filepath.Join(dir, "udawany.pdf")
	if err := os.WriteFile(realPDF, testPDF(t, "Badanie podmiotow ekonomii spolecznej.", "Wyniki: wiklinoplot w Katowicach."), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fakePDF, []byte("%PDF? Nie: to zwykly tekst z rozszerzeniem .pdf"), 0o644); err != nil {
		t.Fatal(err)
	}

	m := b.signInAs(t, "library-staff", modEmail)
	m.open("/r/slaskie/biblioteka")
	m.see("Biblioteka", "Biblioteka jest jeszcze pusta.")
	b.checkAtBothWidths(t, m, "the empty library (staff)")
	m.click("#library-new", 200)
	m.click("#library-save", 422) // nothing typed
	m.see("Podaj tytuł.", "Wybierz rodzaj z listy.")
	b.checkAtBothWidths(t, m, "the library form with errors")
	m.set("#f-kind", "raport")
	m.set("#f-title", "Raport o klauzulach społecznych w regionie")
	m.set("#f-summary", "Jak gminy stosują klauzule społeczne w zamówieniach.")
	m.set("#f-authors", "Regionalny Ośrodek Polityki Społecznej")
	m.set("#f-tags", "klauzule społeczne, zamówienia")
	m.set("#f-published_on", "2026-11-20")
	m.click("#library-save", 200)
	m.see("Zapisano.", "szkic")
	reportURL := strings.TrimPrefix(strings.Split(m.location(), "?")[0], b.base)

	m.do("choose a fake PDF", chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{fakePDF}))
	m.click("#library-upload", 422)
	m.see("To nie jest plik PDF, DOCX ani XLSX")
	b.checkAtBothWidths(t, m, "the item page with a refused file")
	m.do("choose the report's PDF", chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{realPDF}))
	m.click("#library-upload", 200)
	m.see("Plik dodany.", "Raport-o-klauzulach.pdf")
	m.click("#library-publish", 200)
	m.see("Opublikowano.")
	b.checkAtBothWidths(t, m, "a published report (staff)")
	m.shot("report-published")

	starts := time.Now().In(store.Warsaw).AddDate(0, 0, 14)
	day := starts.Format("2006-01-02")
	m.open("/r/slaskie/biblioteka/nowa")
	m.set("#f-kind", "wydarzenie")
	m.set("#f-title", "Konferencja Gmina przyjazna ekonomii społecznej")
	m.set("#f-event-starts_at", day+"T10:00")
	m.set("#f-event-ends_at", day+"T15:00")
	m.set("#f-event-place", "Katowice")
	m.set("#f-event-registration_url", "https://example.org/zapisy")
	m.click("#library-save", 200)
	m.see("Zapisano.", "Katowice")
	eventURL := strings.TrimPrefix(strings.Split(m.location(), "?")[0], b.base)
	m.click("#library-publish", 200)
	m.see("Opublikowano.")
	eventID := eventURL[strings.LastIndex(eventURL, "/")+1:]

	b.waitLibraryIndexed()
	p := b.tab(t, "library-public")
	p.open("/r/slaskie/biblioteka?q=wiklinoplot")
	p.see("1 pozycja", "Raport o klauzulach społecznych w regionie", "W pliku:")
	b.checkAtBothWidths(t, p, "library search results")
	p.shot("search-results")
	p.open("/biblioteka?q=wiklinoplot")
	p.see("Biblioteka — cała Polska", "Raport o klauzulach społecznych w regionie", "slaskie")
	b.checkAtBothWidths(t, p, "the national library's results")
	p.open("/r/slaskie/szukaj?q=wiklinoplot")
	p.see("Także w bibliotece: 1 wynik")
	p.open(reportURL)
	p.see("Raport-o-klauzulach.pdf", "klauzule społeczne")
	if ld := p.eval(`document.querySelector('script[type="application/ld+json"]').textContent`); !strings.Contains(ld, `"@type":"Report"`) {
		t.Errorf("the report's schema.org data: %s", ld)
	}
	b.checkAtBothWidths(t, p, "a report's page")
	p.click(`a.tag[href*="/biblioteka/tag/"]`, 200)
	p.see("Temat: klauzule społeczne", "Raport o klauzulach społecznych w regionie")
	b.checkAtBothWidths(t, p, "a tag's page")
	p.open("/r/slaskie/biblioteka")
	p.see("Raporty", "Wydarzenia", "Konferencja Gmina przyjazna ekonomii społecznej")
	b.checkAtBothWidths(t, p, "the library's home")
	p.shot("home")

	for _, cal := range []string{"/r/slaskie/wydarzenia", "/wydarzenia"} {
		p.open(cal)
		p.see("Nadchodzące", "Konferencja Gmina przyjazna ekonomii społecznej", "Katowice")
		b.checkAtBothWidths(t, p, "the calendar "+cal)
	}
	p.open(eventURL)
	p.see("Konferencja Gmina przyjazna ekonomii społecznej", "Katowice", "https://example.org/zapisy")
	if ld := p.eval(`document.querySelector('script[type="application/ld+json"]').textContent`); !strings.Contains(ld, `"@type":"Event"`) {
		t.Errorf("the event's schema.org data: %s", ld)
	}
	b.checkAtBothWidths(t, p, "an event's page")
	p.shot("event")

	uid := eventID + "@biblioteka.katalog-pes"
	before := parseICS(t, download(t, b.base+"/r/slaskie/wydarzenia.ics"))[uid]
	if before.Start.Hour() != 10 || before.TZID != "Europe/Warsaw" {
		t.Fatalf("the event in the feed: %+v", before)
	}
	m.open(eventURL + "/edycja")
	m.set("#f-event-starts_at", day+"T12:30")
	m.click("#library-save", 200)
	m.see("Zapisano.")
	for _, feed := range []string{"/r/slaskie/wydarzenia.ics", "/wydarzenia.ics"} {
		events := parseICS(t, download(t, b.base+feed))
		after, ok := events[uid]
		if !ok || len(events) != 1 || after.Start.Hour() != 12 || after.Start.Minute() != 30 || after.Sequence <= before.Sequence {
			t.Fatalf("%s after the edit: %+v (before: %+v)", feed, events, before)
		}
	}
}
