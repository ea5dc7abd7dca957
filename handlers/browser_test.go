package handlers_test

// Browser tests: the real stack (PostgreSQL, Meilisearch, the HTTP server
// on a loopback port) driven by Debian's Chromium through chromedp, with
// axe-core checking accessibility on the way. A missing Chromium or
// axe-core is a failure, not a skip: `make test` installs both.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"katalogpes/handlers"
	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

const chromiumPath = "/usr/bin/chromium"

// browserStack is the app listening on a real port, its search worker
// running, and one headless Chromium.
type browserStack struct {
	*testServer
	base    string
	browser context.Context
	axe     string
	shots   string
}

func newBrowserStack(t *testing.T) *browserStack {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("Chromium is missing at %s: run `make test` (it installs it) or `apt-get install -y chromium`", chromiumPath)
	}
	axePath := os.Getenv("AXE_CORE_JS")
	if axePath == "" {
		axePath = filepath.Join(repoRoot(t), ".data", "node_modules", "axe-core", "axe.min.js")
	}
	axe, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatalf("axe-core is missing (%v): run `make test`, or `npm install --prefix .data axe-core@4` and set AXE_CORE_JS", err)
	}
	meili := os.Getenv("MEILI_URL")
	if meili == "" {
		t.Fatal("MEILI_URL is not set: run the tests with `make test`, which starts Meilisearch")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	s := newTestServerWithMeili(t, meili, handlers.Config{Development: true, BaseURL: base})
	go func() { _ = s.app.Listener(ln) }()
	t.Cleanup(func() { _ = s.app.ShutdownWithTimeout(5 * time.Second) })
	b := &browserStack{testServer: s, base: base, axe: string(axe)}
	b.startSearch()

	b.shots = filepath.Join(repoRoot(t), "test-artifacts", "browser")
	if err := os.MkdirAll(b.shots, 0o755); err != nil {
		t.Fatal(err)
	}
	old, _ := filepath.Glob(filepath.Join(b.shots, "*.png"))
	for _, f := range old {
		_ = os.Remove(f)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-features", "Translate"),
		// A Polish visitor's browser: the pages answer in Polish.
		chromedp.Flag("lang", "pl-PL"),
		chromedp.Flag("accept-lang", "pl-PL,pl"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	browser, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	b.browser = browser
	return b
}

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

// tab is one visitor: a browser context of its own (its own cookies).
type tab struct {
	t       *testing.T
	b       *browserStack
	ctx     context.Context
	journey string
	n       int
}

func (b *browserStack) tab(t *testing.T, journey string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return &tab{t: t, b: b, ctx: ctx, journey: journey}
}

// step runs actions with a deadline of their own.
func (tb *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.shot("failed")
		tb.t.Fatalf("%s: %v", what, err)
	}
}

// load runs actions that navigate and checks the page's status.
func (tb *tab) load(what string, want int, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, actions...)
	if err != nil {
		tb.shot("failed")
		tb.t.Fatalf("%s: %v", what, err)
	}
	if int(resp.Status) != want {
		tb.shot("failed")
		tb.t.Fatalf("%s: status %d, want %d (%s)", what, resp.Status, want, resp.URL)
	}
}

func (tb *tab) open(path string) {
	tb.t.Helper()
	tb.load("open "+path, 200, chromedp.Navigate(tb.b.base+path))
}

// click clicks something that loads a page.
func (tb *tab) click(sel string, want int) {
	tb.t.Helper()
	tb.load("click "+sel, want, chromedp.Click(chromedp.CSS(sel)))
}

func (tb *tab) set(sel, value string) {
	tb.t.Helper()
	tb.do("set "+sel, chromedp.SetValue(chromedp.CSS(sel), value))
}

func (tb *tab) typeIn(sel, text string) {
	tb.t.Helper()
	tb.do("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), text))
}

func (tb *tab) eval(js string) string {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		tb.t.Fatalf("evaluate %q: %v", js, err)
	}
	return v
}

// see fails unless the main content shows every text.
func (tb *tab) see(texts ...string) {
	tb.t.Helper()
	body := tb.eval(`document.getElementById("main").innerText`)
	for _, s := range texts {
		if !strings.Contains(body, s) {
			tb.shot("failed")
			tb.t.Fatalf("the page lacks %q:\n%s", s, body)
		}
	}
}

func (tb *tab) location() string {
	tb.t.Helper()
	return tb.eval(`location.href`)
}

// shot saves a screenshot of the whole page as a test artifact.
func (tb *tab) shot(name string) {
	tb.n++
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Logf("screenshot %s: %v", name, err)
		return
	}
	file := filepath.Join(tb.b.shots, fmt.Sprintf("%s-%02d-%s.png", tb.journey, tb.n, name))
	if err := os.WriteFile(file, buf, 0o644); err != nil {
		tb.t.Logf("save screenshot: %v", err)
	}
}

type axeViolation struct {
	ID          string `json:"id"`
	Impact      string `json:"impact"`
	Help        string `json:"help"`
	Description string `json:"description"`
	Nodes       []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// axe runs axe-core on the page (WCAG 2.1 A and AA rules and best
// practices) and fails on any serious or critical violation; the others
// go to the log.
func (tb *tab) axe(page string) {
	tb.t.Helper()
	for _, v := range tb.axeViolations(page) {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, fmt.Sprint(n.Target)+" "+n.HTML)
		}
		msg := fmt.Sprintf("axe on %s: %s (%s): %s\n  %s", page, v.ID, v.Impact, v.Help, strings.Join(where, "\n  "))
		if v.Impact == "serious" || v.Impact == "critical" {
			tb.t.Error(msg)
		} else {
			tb.t.Log(msg)
		}
	}
}

func (tb *tab) axeViolations(page string) []axeViolation {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](tb.b.axe)); err != nil {
		tb.t.Fatalf("inject axe-core on %s: %v", page, err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {
		runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
		resultTypes: ["violations"]
	}).then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("run axe-core on %s: %v", page, err)
	}
	var violations []axeViolation
	if err := json.Unmarshal([]byte(raw), &violations); err != nil {
		tb.t.Fatalf("axe-core result on %s: %v", page, err)
	}
	return violations
}

// mailLink reads the newest mail to an address from the development
// mailbox and returns the link in it.
func (b *browserStack) mailLink(t *testing.T, to string) string {
	t.Helper()
	body := b.newestMail(t, to)
	link := regexp.MustCompile(`https?://\S+token=[A-Za-z0-9_-]+`).FindString(body)
	if link == "" {
		t.Fatalf("no link in %q", body)
	}
	return link
}

func TestBrowserJourneys(t *testing.T) {
	b := newBrowserStack(t)
	t.Run("newcomer registers, verifies, fills the form with a mistake, corrects it, submits", b.newcomerJourney)
	t.Run("moderator asks for a change, the enterprise edits, the moderator approves", b.moderationJourney)
	t.Run("visitor searches without Polish letters, ticks a facet, opens the profile", b.visitorJourney)
	t.Run("visitor reads the statistics, builds a report, mistakes a dimension", b.statsJourney)
	t.Run("buyer checks a supplier by NIP, opens it, reports outdated data", b.buyerJourney)
	t.Run("axe-core reports a page's faults", b.axeSelfCheck)
}

// axeSelfCheck breaks a page on purpose, so a silent axe cannot pass the
// journeys by finding nothing.
func (b *browserStack) axeSelfCheck(t *testing.T) {
	tb := b.tab(t, "d-axe")
	tb.open("/")
	tb.do("break the page", chromedp.Evaluate[chromedp.Void](`document.getElementById("main").insertAdjacentHTML("beforeend",
		'<img src="/static/app.css"><input type="text"><p style="color:#ccc">szary tekst</p>')`))
	found := map[string]bool{}
	for _, v := range tb.axeViolations("a broken page") {
		if v.Impact == "serious" || v.Impact == "critical" {
			found[v.ID] = true
		}
	}
	for _, rule := range []string{"image-alt", "label"} {
		if !found[rule] {
			t.Errorf("axe-core did not report %s: %v", rule, found)
		}
	}
}

func (b *browserStack) newcomerJourney(t *testing.T) {
	tb := b.tab(t, "a-newcomer")
	tb.open("/")
	tb.see("Katalog podmiotów ekonomii społecznej", "województwo śląskie")
	tb.axe("the hub")
	tb.shot("hub")

	tb.click(`a[href="/r/slaskie/"]`, 200)
	tb.see("Regionalny Ośrodek Polityki Społecznej")
	tb.axe("a region's home")
	tb.shot("region-home")

	tb.click(`main a.button[href="/r/slaskie/rejestracja"]`, 200)
	email := storetest.Unique("nowicjusz@example.org")
	tb.set("#f-name", "Katarzyna Wiśniewska")
	tb.typeIn("#f-email", email)
	tb.typeIn("#f-password", "zielona-herbata-42")
	tb.shot("sign-up")
	tb.click(`main form button[type="submit"]`, 200)
	tb.see("Sprawdź skrzynkę", email)

	tb.load("open the verification link", 200, chromedp.Navigate(b.mailLink(t, email)))
	tb.see("adres e-mail jest potwierdzony")
	tb.shot("verified")

	tb.click(`main a.button`, 200)
	tb.typeIn("#f-email", email)
	tb.typeIn("#f-password", "zielona-herbata-42")
	tb.click(`main form button[type="submit"]`, 200)
	if !strings.HasSuffix(tb.location(), "/r/slaskie/moje") {
		t.Fatalf("after signing in: %s", tb.location())
	}
	tb.click(`a[href="/r/slaskie/moje/nowy"]`, 200)
	tb.axe("the listing form")

	tb.set("#f-name", "Spółdzielnia Socjalna Nowy Start")
	tb.set("#f-legal_form", "spoldzielnia_socjalna")
	tb.do("tick a kind", chromedp.Click(chromedp.CSS(`#f-kinds-0`)))
	tb.set("#f-nip", "1234567890") // the mistake: a wrong check digit
	tb.set("#f-description", "Catering i sprzątanie dla urzędów i szkół w Katowicach.")
	tb.do("tick a category", chromedp.Click(chromedp.CSS(`input[name="categories"][value="catering"]`)))
	tb.set("#f-offers-0-title", "Obiady dla szkół")
	tb.set("#f-address-postal_code", "40-001")
	tb.set("#f-address-city", "Katowice")
	// The gmina picker without JavaScript: a powiat, then its gminas.
	tb.set("#f-powiat", "2469")
	tb.click(`button[value="pick"]`, 200)
	tb.set("#f-address-gmina_teryt", "2469011")
	tb.set("#f-contact-email", "biuro@nowy-start.example.org")
	// The service area with JavaScript: a gmina added by its name.
	tb.set("#f-service_area-scope", "gminas")
	tb.pickGminaByName("Knur", "2405011", "Knurów (miasto)")
	tb.shot("form-filled")
	tb.click("#submit-listing", 422)
	tb.see("Popraw 1 błąd", "NIP ma błędną cyfrę kontrolną")
	if v := tb.eval(`document.getElementById("f-name").value + " / " + document.getElementById("f-address-gmina_teryt").value`); v != "Spółdzielnia Socjalna Nowy Start / 2469011" {
		t.Fatalf("the form lost what was typed: %q", v)
	}
	if v := tb.eval(`String(!!document.querySelector('input[name="service_area.gminas"][value="2405011"]:checked'))`); v != "true" {
		t.Fatalf("the gmina added by name was lost: %q", v)
	}
	if v := tb.eval(`document.getElementById("f-nip").getAttribute("aria-invalid") + " " + document.getElementById("f-nip").value`); v != "true 1234567890" {
		t.Fatalf("the NIP field after the error: %q", v)
	}
	if id := tb.eval(`document.activeElement.id`); id != "error-summary" {
		t.Errorf("focus is on %q, not on the error summary", id)
	}
	tb.axe("the listing form with errors")
	tb.shot("form-error")

	tb.do("follow the summary to the field", chromedp.Click(chromedp.CSS(`#error-summary a[href="#f-nip"]`)))
	tb.set("#f-nip", "5260250274")
	tb.click("#submit-listing", 200)
	tb.see("Wpis wysłany do moderacji", "Spółdzielnia Socjalna Nowy Start", "czeka na moderację")
	tb.shot("submitted")
}

// pickGminaByName types the start of a gmina's name into the service
// area's name box, takes the first suggestion and checks that it ticked
// the gmina code with the label want.
func (tb *tab) pickGminaByName(typed, code, want string) {
	tb.t.Helper()
	tb.typeIn("#area-gmina-name", typed)
	for i := 0; tb.eval(`String(document.querySelectorAll("#area-gmina-names option").length)`) == "0"; i++ {
		if i == 50 {
			tb.t.Fatal("the gmina name box offered no names")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if v := tb.eval(`(function () { var b = document.getElementById("area-gmina-name");
		b.value = document.querySelector("#area-gmina-names option").value; b.dispatchEvent(new Event("input"));
		var c = document.querySelector('input[name="service_area.gminas"][value="` + code + `"]');
		return c && c.checked ? c.labels[0].textContent : "none"; })()`); !strings.HasPrefix(v, want) {
		tb.t.Fatalf("the name box ticked %q", v)
	}
}

func (b *browserStack) moderationJourney(t *testing.T) {
	ownerEmail, owner := b.account("slaskie", tenants.RoleEnterprise)
	modEmail, _ := b.account("slaskie", tenants.RoleModerator)
	d := pageListing("Fundacja Dobre Ręce", "1234563218")
	d.LegalForm, d.Kinds = "fundacja", []string{"ngo_odplatna"}
	id := submitAs(t, b.testServer, owner, d)

	m := b.tab(t, "b-moderator")
	m.open("/r/slaskie/logowanie")
	m.typeIn("#f-email", modEmail)
	m.typeIn("#f-password", goodPassword)
	m.click(`main form button[type="submit"]`, 200)
	m.see("Kolejka moderacji", "Fundacja Dobre Ręce", "czeka")
	m.axe("the moderation queue")
	m.shot("queue")
	// The queue on a phone: the diff scrolls in its box, the page does not.
	m.do("a phone's screen", chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2)))
	m.open("/r/slaskie/moderacja")
	if w := m.eval(`String(document.documentElement.scrollWidth)`); w != "375" {
		t.Errorf("the queue is %s px wide on a 375 px screen", w)
	}
	m.shot("queue-375px")
	m.do("back to the desktop", chromedp.EmulateReset())
	m.typeIn("#reason-"+id, "Dodaj opis oferty dla szkół.")
	m.click(`form[action="/r/slaskie/moderacja/`+id+`"] button[value="request_changes"]`, 200)
	m.see("Poprosiliśmy o zmiany")
	m.shot("changes-requested")

	e := b.tab(t, "b-enterprise")
	e.open("/r/slaskie/logowanie")
	e.typeIn("#f-email", ownerEmail)
	e.typeIn("#f-password", goodPassword)
	e.click(`main form button[type="submit"]`, 200)
	e.see("do poprawy", "Dodaj opis oferty dla szkół.")
	e.shot("my-listings")
	e.click(`a[href="/r/slaskie/moje/`+id+`"]`, 200)
	e.set("#f-offers-1-title", "Warsztaty dla szkół")
	e.click("#submit-listing", 200)
	e.see("Wpis wysłany do moderacji", "czeka na moderację")
	e.shot("resubmitted")

	m.open("/r/slaskie/moderacja")
	m.see("Warsztaty dla szkół")
	m.click(`form[action="/r/slaskie/moderacja/`+id+`"] button[value="approve"]`, 200)
	m.see("Wpis zatwierdzony")
	m.shot("approved")

	e.open("/r/slaskie/moje")
	e.see("opublikowany")
	e.click(`a[href="/r/slaskie/moje/`+id+`/historia"]`, 200)
	e.see("prośba o zmiany", "Dodaj opis oferty dla szkół.", "zatwierdzenie")
	e.shot("history")
}

func (b *browserStack) visitorJourney(t *testing.T) {
	_, owner := b.account("slaskie", tenants.RoleEnterprise)
	_, mod := b.account("slaskie", tenants.RoleModerator)
	green := pageListing("Spółdzielnia Socjalna Zieleń Śląska", "7010035015")
	green.Description = "Pielęgnacja zieleni miejskiej, koszenie, nasadzenia i utrzymanie terenów zielonych."
	green.Categories = []string{"zielen"}
	green.Offers = []store.Offer{{Title: "Koszenie trawników", Kind: "usluga", Category: "zielen"}}
	id := publishAs(t, b.testServer, owner, mod, green)
	other := pageListing("Fundacja Zielony Dom", "5213017228")
	other.LegalForm, other.Kinds = "fundacja", []string{"ngo_odplatna"}
	other.Description = "Ogrody społeczne i zieleń osiedlowa."
	other.Categories = []string{"zielen"}
	publishAs(t, b.testServer, owner, mod, other)
	b.waitForSearch(t, "zielen", 2)

	tb := b.tab(t, "c-visitor")
	tb.open("/r/slaskie/")
	tb.typeIn("#region-q", "zielen slaska")
	tb.load("search", 200, chromedp.SendKeys(chromedp.CSS("#region-q"), "\r"))
	tb.see("Spółdzielnia Socjalna Zieleń Śląska", "Znaleziono")
	tb.axe("search results")
	tb.shot("results")

	tb.do("tick a facet", chromedp.Click(chromedp.CSS(`#facet-legal_form-spoldzielnia_socjalna`)))
	tb.click("#apply-filters", 200)
	if loc := tb.location(); !strings.Contains(loc, "legal_form=spoldzielnia_socjalna") || !strings.Contains(loc, "q=zielen") {
		t.Fatalf("the filtered search's address: %s", loc)
	}
	tb.see("Znaleziono 1 podmiot", "Spółdzielnia Socjalna Zieleń Śląska")
	if strings.Contains(tb.eval(`document.querySelector("ol.hits").innerText`), "Fundacja Zielony Dom") {
		t.Fatal("the facet did not filter")
	}
	tb.shot("filtered")

	tb.click(`ol.hits a[href="/r/slaskie/podmiot/`+id+`"]`, 200)
	tb.see("Spółdzielnia Socjalna Zieleń Śląska", "Przedsiębiorstwo społeczne", "Koszenie trawników", "Pokaż na mapie OpenStreetMap")
	tb.axe("a profile")
	tb.shot("profile")

	// A 375-pixel-wide phone: nothing wider than the screen.
	tb.do("a phone's screen", chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2)))
	tb.open("/r/slaskie/podmiot/" + id)
	if w := tb.eval(`String(document.documentElement.scrollWidth)`); w != "375" {
		t.Errorf("the profile is %s px wide on a 375 px screen", w)
	}
	tb.shot("profile-375px")
	tb.open("/r/slaskie/szukaj?q=zielen")
	if w := tb.eval(`String(document.documentElement.scrollWidth)`); w != "375" {
		t.Errorf("the results are %s px wide on a 375 px screen", w)
	}
	tb.axe("search results on a phone")
	tb.shot("results-375px")
}

// statsJourney reads the figures of the listings the journeys before it
// published (it also passes alone, on an empty catalog).
func (b *browserStack) statsJourney(t *testing.T) {
	tb := b.tab(t, "e-stats")
	tb.open("/r/slaskie/")
	tb.click(`nav a[href="/r/slaskie/statystyki"]`, 200)
	tb.see("Statystyki", "Podmioty według formy prawnej", "Nowe wpisy i publikacje w kolejnych miesiącach")
	tb.axe("a region's statistics")
	tb.shot("statistics")

	tb.click(`main a[href="/r/slaskie/statystyki/raport"]`, 200)
	tb.set("#f-dims-1", "legal_form")
	tb.set("#f-dims-2", "category")
	tb.click("#report-submit", 200)
	tb.see("Zestawienie: Forma prawna i Kategoria oferty", "Pobierz CSV")
	tb.axe("a report of two dimensions")
	tb.shot("report")

	tb.set("#f-dims-2", "legal_form") // the same twice: the mistake
	tb.click("#report-submit", 422)
	tb.see("Wybierz jeden lub dwa wymiary")
	if id := tb.eval(`document.activeElement.id`); id != "error-summary" {
		t.Errorf("focus is on %q, not on the error summary", id)
	}
	tb.axe("the report form with an error")
	tb.shot("report-error")

	tb.open("/statystyki")
	tb.see("Podmioty według województw", "śląskie")
	tb.axe("the national statistics")
	tb.shot("national-statistics")

	// A 375-pixel-wide phone: the charts follow the screen.
	tb.do("a phone's screen", chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2)))
	tb.open("/r/slaskie/statystyki")
	if w := tb.eval(`String(document.documentElement.scrollWidth)`); w != "375" {
		t.Errorf("the statistics are %s px wide on a 375 px screen", w)
	}
	tb.axe("a region's statistics on a phone")
	tb.shot("statistics-375px")
}

// waitForSearch waits until the index answers q with at least n hits.
func (b *browserStack) waitForSearch(t *testing.T, q string, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second) // a loaded CI machine queues indexing for long
	for {
		resp, err := http.Get(b.base + "/r/slaskie/api/v1/search?q=" + url.QueryEscape(q))
		if err == nil {
			var res struct {
				Total    int  `json:"total"`
				Degraded bool `json:"degraded"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&res)
			resp.Body.Close()
			if res.Total >= n && !res.Degraded {
				return
			}
		}
		if time.Now().After(deadline) {
			resp, err := http.Get(b.base + "/r/slaskie/api/v1/search?q=" + url.QueryEscape(q))
			if err == nil {
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				t.Logf("search answers: %s", raw)
			}
			t.Fatalf("the index does not find %d listings for %q", n, q)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
