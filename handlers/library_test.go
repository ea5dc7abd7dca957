package handlers_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"image"
	pngenc "image/png"
	"os"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
	"github.com/go-pdf/fpdf"
	"github.com/meilisearch/meilisearch-go"

	"katalogpes/handlers"
	"katalogpes/search"
	"katalogpes/store"
	"katalogpes/tenants"
)

// startLibrary runs the library's index worker for the test server; at
// the end it stops and every region's library index of the test goes.
func (s *testServer) startLibrary() {
	s.t.Helper()
	c := meilisearch.New(os.Getenv("MEILI_URL"), meilisearch.WithAPIKey(os.Getenv("MEILI_MASTER_KEY")))
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for _, slug := range []string{"slaskie", "malopolskie", "mazowieckie"} {
			if info, err := c.DeleteIndexWithContext(ctx, s.svc.IndexFor(search.LibraryIndex, slug)); err == nil {
				_, _ = c.WaitForTaskWithContext(ctx, info.TaskUID, 50*time.Millisecond)
			}
		}
	}
	drop()
	wctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.svc.RunLibraryWorker(wctx)
	}()
	s.t.Cleanup(func() { stop(); <-done; drop() })
}

// waitLibraryIndexed waits until the library outbox is empty.
func (s *testServer) waitLibraryIndexed() {
	s.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		n, err := s.db.LibraryOutboxDepth(tenants.WithAllTenants(context.Background()))
		if err != nil {
			s.t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			var last string
			_ = s.rawDB().QueryRow(`SELECT coalesce(max(last_error), '') FROM library_outbox`).Scan(&last)
			s.t.Fatalf("library outbox still holds %d rows (last error: %s)", n, last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// testPDF is a one-page PDF with lines of text (Latin-1 only: the core
// font), or, with no lines, a page with only a drawn box, as a scan is.
func testPDF(t testing.TB, lines ...string) []byte {
	t.Helper()
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddPage()
	pdf.SetFont("Helvetica", "", 12)
	for _, l := range lines {
		pdf.Cell(0, 8, l)
		pdf.Ln(8)
	}
	if len(lines) == 0 {
		pdf.Rect(20, 20, 100, 150, "F")
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// icsEvent is one VEVENT as a calendar application reads it.
type icsEvent struct {
	Start    time.Time
	TZID     string
	Sequence string
	Summary  string
}

// parseICS reads a feed with emersion/go-ical and returns its events by UID.
func parseICS(t testing.TB, raw []byte) map[string]icsEvent {
	t.Helper()
	cal, err := goical.NewDecoder(bytes.NewReader(raw)).Decode()
	if err != nil {
		t.Fatalf("parse the iCalendar feed: %v\n%s", err, raw)
	}
	tz := 0
	for _, c := range cal.Children {
		if c.Name == goical.CompTimezone && c.Props.Get(goical.PropTimezoneID).Value == "Europe/Warsaw" {
			tz++
		}
	}
	if tz != 1 {
		t.Fatalf("the feed has %d Europe/Warsaw VTIMEZONEs, want 1:\n%s", tz, raw)
	}
	out := map[string]icsEvent{}
	for _, e := range cal.Events() {
		uid, err := e.Props.Text(goical.PropUID)
		if err != nil {
			t.Fatal(err)
		}
		start := e.Props.Get(goical.PropDateTimeStart)
		at, err := start.DateTime(store.Warsaw)
		if err != nil {
			t.Fatal(err)
		}
		summary, _ := e.Props.Text(goical.PropSummary)
		out[uid] = icsEvent{Start: at, TZID: start.Params.Get(goical.ParamTimezoneID), Sequence: e.Props.Get(goical.PropSequence).Value, Summary: summary}
	}
	return out
}

type libItem struct {
	ID       string
	Status   string
	Sequence int
	Files    []store.LibraryFile
	Event    *store.LibraryEvent
}

func TestLibraryAPIWritesSearchesServesAndFeeds(t *testing.T) {
	s := newTestServer(t)
	s.startLibrary()
	mod := s.staff("slaskie", tenants.RoleModerator)
	owner := s.signUp("slaskie", "podmiot-biblioteka@example.org")
	base := "/r/slaskie/api/v1/library"

	if r := s.do("POST", base, map[string]any{"kind": "raport", "title": "x"}, bearer(owner.AccessToken)); r.Status != 403 {
		t.Fatalf("an enterprise writes the library: %d %s", r.Status, r.Body)
	}
	p := s.do("POST", base, map[string]any{"kind": "plotka", "title": "", "event": map[string]any{"starts_at": "jutro"}}, bearer(mod.AccessToken)).expect(t, 422).problem(t)
	if fields := problemFields(p); fields["kind"] == "" || fields["title"] == "" {
		t.Fatalf("422 names the fields: %+v", p)
	}
	listing := s.publishVia(owner, mod, "Spółdzielnia Opisana w Raporcie", "5260250274")
	var rep libItem
	s.do("POST", base, map[string]any{"kind": "raport", "title": "Raport o klauzulach społecznych", "tags": []string{"klauzule społeczne"},
		"authors": []string{"ROPS Katowice"}, "published_on": "2026-02-01", "listings": []string{listing}}, bearer(mod.AccessToken)).expect(t, 201).json(t, &rep)
	s.do("POST", base, map[string]any{"kind": "raport", "title": "x", "listings": []string{"00000000-0000-0000-0000-000000000000"}}, bearer(mod.AccessToken)).expect(t, 422)
	if rep.Status != "draft" {
		t.Fatalf("created %+v", rep)
	}
	s.do("GET", base+"/"+rep.ID, nil).expect(t, 404) // a draft is the staff's

	// Files are checked by content: a text file named .pdf is refused, nothing stored.
	fake := s.upload(base+"/"+rep.ID+"/files", "raport.pdf", []byte("To nie jest PDF, tylko tekst udający PDF."), bearer(mod.AccessToken)).expect(t, 422).problem(t)
	if problemFields(fake)["file"] == "" || !strings.Contains(problemFields(fake)["file"], "PDF") {
		t.Fatalf("fake PDF: %+v", fake)
	}
	s.upload(base+"/"+rep.ID+"/files", "Raport końcowy.pdf", testPDF(t, "Wyniki badania w regionie.", "Slowo tylko w pliku: wiklinoplot."), bearer(mod.AccessToken)).expect(t, 201).json(t, &rep)
	if len(rep.Files) != 1 || rep.Files[0].Name != "Raport-koncowy.pdf" || rep.Files[0].TextStatus != "ok" {
		t.Fatalf("files %+v", rep.Files)
	}
	s.upload(base+"/"+rep.ID+"/files", "skan.pdf", testPDF(t), bearer(mod.AccessToken)).expect(t, 201).json(t, &rep)
	if len(rep.Files) != 2 || rep.Files[1].TextStatus != "no_text" {
		t.Fatalf("a scan is flagged: %+v", rep.Files)
	}
	// A cover is a PNG or JPEG by content.
	s.upload(base+"/"+rep.ID+"/cover", "okladka.png", testPDF(t, "nie obraz"), bearer(mod.AccessToken)).expect(t, 422)
	var png bytes.Buffer
	if err := pngenc.Encode(&png, image.NewRGBA(image.Rect(0, 0, 30, 40))); err != nil {
		t.Fatal(err)
	}
	s.upload(base+"/"+rep.ID+"/cover", "okladka.jpg", png.Bytes(), bearer(mod.AccessToken)).expect(t, 201)
	s.do("POST", base+"/"+rep.ID+"/publish", nil, bearer(mod.AccessToken)).expect(t, 200).json(t, &rep)
	if cover := s.do("GET", "/r/slaskie/biblioteka/pozycja/"+rep.ID+"/okladka", nil).expect(t, 200); cover.Header.Get("Content-Type") != "image/png" || !bytes.Equal(cover.Body, png.Bytes()) {
		t.Fatalf("cover %v", cover.Header)
	}
	// The listing's profile shows the published report that names it.
	profile := s.do("GET", "/r/slaskie/podmiot/"+listing, nil, header("Accept", "text/html")).expect(t, 200)
	if !bytes.Contains(profile.Body, []byte("W bibliotece regionu")) || !bytes.Contains(profile.Body, []byte("Raport o klauzulach społecznych")) {
		t.Fatalf("the profile lacks the library's item:\n%s", profile.Body)
	}
	dl := s.do("GET", base+"/"+rep.ID+"/files/Raport-koncowy.pdf", nil).expect(t, 200)
	if dl.Header.Get("Content-Type") != "application/pdf" || dl.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.Contains(dl.Header.Get("Content-Disposition"), `attachment; filename="Raport-koncowy.pdf"`) || !bytes.HasPrefix(dl.Body, []byte("%PDF-")) {
		t.Fatalf("download: %v", dl.Header)
	}

	// Another region's guide has the word in its summary: the national
	// library is a federated search over both regions' indexes.
	other := s.staff("malopolskie", tenants.RoleModerator)
	var guide libItem
	s.do("POST", "/r/malopolskie/api/v1/library", map[string]any{"kind": "poradnik", "title": "Poradnik małopolski",
		"summary": "O tym, czym jest wiklinoplot.", "published_on": "2025-05-05"}, bearer(other.AccessToken)).expect(t, 201).json(t, &guide)
	s.do("POST", "/r/malopolskie/api/v1/library/"+guide.ID+"/publish", nil, bearer(other.AccessToken)).expect(t, 200)

	// The word inside the PDF finds the report in the region and nationally.
	s.waitLibraryIndexed()
	var res search.LibraryResult
	s.do("GET", base+"?q=wiklinoplot", nil).expect(t, 200).json(t, &res)
	if res.Total != 1 || res.Hits[0].ID != rep.ID || !strings.Contains(res.Hits[0].Snippet, "<mark>wiklinoplot</mark>") {
		t.Fatalf("the region: %+v", res)
	}
	s.do("GET", "/api/v1/library?q=wiklinoplot", nil).expect(t, 200).json(t, &res)
	regions := map[string]string{}
	for _, h := range res.Hits {
		regions[h.ID] = h.Region
	}
	if res.Total != 2 || regions[rep.ID] != "slaskie" || regions[guide.ID] != "malopolskie" || res.Facets["kind"]["raport"] != 1 ||
		res.Facets["kind"]["poradnik"] != 1 || res.Facets["year"]["2025"] != 1 {
		t.Fatalf("the national library: %+v", res)
	}
	for _, path := range []string{base, "/api/v1/library"} {
		s.do("GET", path+"?q=wiklinoplot&kind=raport&year=2026&tag=klauzule+spo%C5%82eczne", nil).expect(t, 200).json(t, &res)
		if res.Total != 1 || res.Hits[0].ID != rep.ID || res.Facets["kind"]["raport"] != 1 || res.Facets["year"]["2026"] != 1 {
			t.Fatalf("%s with facets: %+v", path, res)
		}
	}
	s.do("GET", "/api/v1/library", nil).expect(t, 200).json(t, &res)
	if res.Total != 2 || res.Hits[0].ID != guide.ID { // without words the newest first: the guide was published last
		t.Fatalf("the national library's newest: %+v", res)
	}
	s.do("GET", base+"?from=nie-data", nil).expect(t, 422)

	// An event: in the feed with its UID; an edit of its time updates the same entry.
	var ev libItem
	s.do("POST", base, map[string]any{"kind": "szkolenie", "title": "Szkolenie z klauzul", "event": map[string]any{
		"starts_at": "2026-12-10T10:00", "ends_at": "2026-12-10T14:00", "place_teryt": "2469011", "registration_url": "example.org/zapisy"}},
		bearer(mod.AccessToken)).expect(t, 201).json(t, &ev)
	s.do("POST", base+"/"+ev.ID+"/publish", nil, bearer(mod.AccessToken)).expect(t, 200)
	uid := ev.ID + "@biblioteka.katalog-pes"
	before := parseICS(t, s.do("GET", "/r/slaskie/wydarzenia.ics", nil).expect(t, 200).Body)[uid]
	if before.TZID != "Europe/Warsaw" || before.Start.Hour() != 10 || before.Summary != "Szkolenie z klauzul" {
		t.Fatalf("event in the feed: %+v", before)
	}
	s.do("PATCH", base+"/"+ev.ID, map[string]any{"event": map[string]any{"starts_at": "2026-12-10T12:30"}}, bearer(mod.AccessToken)).expect(t, 200)
	for _, path := range []string{"/r/slaskie/wydarzenia.ics", "/wydarzenia.ics"} {
		feed := parseICS(t, s.do("GET", path, nil).expect(t, 200).Body)
		after := feed[uid]
		if len(feed) != 1 || after.Start.Hour() != 12 || after.Start.Minute() != 30 || after.Sequence <= before.Sequence {
			t.Fatalf("%s after the edit: %+v (before %+v)", path, after, before)
		}
	}
	one := parseICS(t, s.do("GET", "/r/slaskie/biblioteka/pozycja/"+ev.ID+"/wydarzenie.ics", nil).expect(t, 200).Body)
	if len(one) != 1 || one[uid].Start.Hour() != 12 {
		t.Fatalf("the event's own iCalendar: %+v", one)
	}
	s.do("GET", "/r/slaskie/biblioteka/pozycja/"+rep.ID+"/wydarzenie.ics", nil).expect(t, 404) // a report is no event
	var hist []store.LibraryHistoryLine
	s.do("GET", base+"/"+ev.ID+"/history", nil, bearer(mod.AccessToken)).expect(t, 200).json(t, &hist)
	if len(hist) != 3 || hist[2].Action != "edit" || strings.Join(hist[2].Fields, ",") != "event" {
		t.Fatalf("history %+v", hist)
	}

	// Atom: the newest items, each with its page.
	var atom struct {
		Entries []struct {
			Title string `xml:"title"`
			ID    string `xml:"id"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(s.do("GET", "/r/slaskie/biblioteka/atom.xml", nil).expect(t, 200).Body, &atom); err != nil || len(atom.Entries) != 2 {
		t.Fatalf("atom %+v %v", atom, err)
	}
	s.do("DELETE", base+"/"+rep.ID, nil, bearer(mod.AccessToken)).expect(t, 200)
	s.do("GET", base+"/"+rep.ID, nil).expect(t, 404)
	s.waitLibraryIndexed()
	if s.do("GET", base+"?q=wiklinoplot", nil).expect(t, 200).json(t, &res); res.Total != 0 {
		t.Fatalf("an archived item is still found: %+v", res)
	}
}

// problemFields maps a problem's fields to their messages.
func problemFields(p handlers.Problem) map[string]string {
	out := map[string]string{}
	for _, f := range p.Errors {
		out[f.Field] = f.Message
	}
	return out
}

func TestLibraryWithoutMeilisearchListsTheNewestAndTheAPIAsksToRetry(t *testing.T) {
	s := newTestServerWithMeili(t, "http://127.0.0.1:1", handlers.Config{Development: true, BaseURL: "http://localhost:8080"})
	mod := s.staff("slaskie", tenants.RoleModerator)
	var it libItem
	s.do("POST", "/r/slaskie/api/v1/library", map[string]any{"kind": "poradnik", "title": "Poradnik klauzul społecznych"}, bearer(mod.AccessToken)).expect(t, 201).json(t, &it)
	s.do("POST", "/r/slaskie/api/v1/library/"+it.ID+"/publish", nil, bearer(mod.AccessToken)).expect(t, 200)
	r := s.do("GET", "/r/slaskie/api/v1/library?q=klauzul", nil).expect(t, 503)
	if r.Header.Get("Retry-After") == "" || r.problem(t).Code != "library.search.unavailable" {
		t.Fatalf("503 %v %s", r.Header, r.Body)
	}
	page := s.do("GET", "/r/slaskie/biblioteka?q=klauzul", nil, header("Accept", "text/html")).expect(t, 200)
	if !bytes.Contains(page.Body, []byte("chwilowo niedostępne")) || !bytes.Contains(page.Body, []byte("Poradnik klauzul społecznych")) {
		t.Fatalf("the page without search:\n%s", page.Body)
	}
	// The catalog's search page answers from PostgreSQL, without the library's count.
	s.do("GET", "/r/slaskie/szukaj?q=klauzul", nil, header("Accept", "text/html")).expect(t, 200)
}
