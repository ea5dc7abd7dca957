package handlers_test

// The regional office's pages in a real browser: an admin imports a
// register through the import page (dry run, import, the report read
// back), reminds the owner of a stale listing, and edits the taxonomy;
// axe-core checks each page at 1280 and 375 px.

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"katalogpes/tenants"
)

func TestBrowserStaffPages(t *testing.T) {
	b := newBrowserStack(t)
	t.Run("admin imports a register with bad rows: dry run, import, report", b.importJourney)
	t.Run("staff remind the owner of a stale listing; the taxonomy page", b.staleAndCategoriesJourney)
}

// signInAs opens a tab signed in with the login form.
func (b *browserStack) signInAs(t *testing.T, journey, email string) *tab {
	tb := b.tab(t, journey)
	tb.open("/r/slaskie/logowanie")
	tb.typeIn("#f-email", email)
	tb.typeIn("#f-password", goodPassword)
	tb.click(`main form button[type="submit"]`, 200)
	return tb
}

// axeBothWidths runs axe-core on the open page at 1280 px and at 375 px,
// where the page must not scroll sideways.
func (tb *tab) axeBothWidths(page string) {
	tb.t.Helper()
	tb.axe(page)
	tb.do("a phone's screen", chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2)))
	tb.load("reload "+page, 200, chromedp.Reload())
	if w := tb.eval(`String(document.documentElement.scrollWidth)`); w != "375" {
		tb.t.Errorf("%s is %s px wide on a 375 px screen", page, w)
	}
	tb.axe(page + " at 375 px")
	tb.shot(strings.ReplaceAll(page, " ", "-") + "-375px")
	tb.do("back to the desktop", chromedp.EmulateReset())
	tb.load("reload "+page, 200, chromedp.Reload())
}

// waitFor waits until the page (which may reload itself) has sel.
func (tb *tab) waitFor(sel string) {
	tb.t.Helper()
	for i := 0; i < 100; i++ {
		if tb.eval(`String(!!document.querySelector(`+"`"+sel+"`"+`))`) == "true" {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	tb.shot("failed")
	tb.t.Fatalf("%s never appeared", sel)
}

// fetchBytes downloads a path with the tab's cookies.
func (tb *tab) fetchBytes(path string) []byte {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	b64, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(`+"`"+path+"`"+`).then(r => r.arrayBuffer()).then(buf => {
		let s = ""; const u = new Uint8Array(buf);
		for (let i = 0; i < u.length; i++) s += String.fromCharCode(u[i]);
		return btoa(s);
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("fetch %s: %v", path, err)
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		tb.t.Fatal(err)
	}
	return raw
}

func (b *browserStack) importJourney(t *testing.T) {
	admin, _ := b.account("slaskie", tenants.RoleAdmin)
	file := filepath.Join(t.TempDir(), "rejestr.csv")
	if err := os.WriteFile(file, []byte(staffRegister), 0o600); err != nil {
		t.Fatal(err)
	}
	tb := b.signInAs(t, "e-import", admin)
	tb.open("/r/slaskie/admin/wyglad")
	tb.click(`a[href="/r/slaskie/admin/import"]`, 200)
	tb.see("Import rejestru", "Sprawdź plik")
	tb.axeBothWidths("the import page")

	tb.do("choose the file", chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{file}))
	tb.click("#import-dry-run", 200)
	tb.waitFor("#import-run")
	tb.see("Próba zakończona", "Spółdzielnia Socjalna Pierwsza", "Gmina TERYT", "Nie ma gminy o kodzie 2469999 w rejestrze TERYT.")
	tb.shot("dry-run")
	tb.axeBothWidths("the dry run's result")

	raw := tb.fetchBytes(tb.eval(`document.getElementById("import-report").getAttribute("href")`))
	f, err := excelize.OpenReader(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatalf("the report is no XLSX: %v", err)
	}
	rows, _ := f.GetRows(f.GetSheetName(0))
	if len(rows) != 3 || rows[0][len(rows[0])-1] != "Błędy" || !strings.Contains(rows[1][len(rows[0])-1], "2469999") {
		t.Fatalf("report: %q", rows)
	}

	tb.click("#import-run", 200)
	tb.waitFor(".notice--ok")
	tb.see("Import zakończony", "2 nowe wpisy")
	tb.shot("imported")
	tb.axe("the import's result")
}

func (b *browserStack) staleAndCategoriesJourney(t *testing.T) {
	admin, _ := b.account("slaskie", tenants.RoleAdmin)
	ownerEmail, owner := b.account("slaskie", tenants.RoleEnterprise)
	_, mod := b.account("slaskie", tenants.RoleModerator)
	id := publishAs(t, b.testServer, owner, mod, pageListing("Spółdzielnia Zapomniana", "7010035015"))
	if _, err := b.rawDB().Exec(`UPDATE listings SET confirmed_at = now() - interval '400 days' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	tb := b.signInAs(t, "f-stale", admin)
	tb.open("/r/slaskie/admin/nieaktualne")
	tb.see("Nieaktualne wpisy", "Spółdzielnia Zapomniana", "jeszcze nie wysłano")
	tb.axeBothWidths("the stale listings")
	tb.click(`form[action="/r/slaskie/admin/nieaktualne/`+id+`/przypomnij"] button`, 200)
	tb.see("Przypomnienie wysłane.", ownerEmail)
	tb.shot("reminded")
	tb.axe("the stale listings after a reminder")
	tb.click(`form[action="/r/slaskie/admin/nieaktualne/`+id+`/przypomnij"] button`, 422)
	tb.see("wysłano w ciągu ostatniego tygodnia")
	tb.axe("a refused reminder")

	tb.open("/r/slaskie/admin/kategorie")
	tb.see("Kategorie ofert", "Catering i gastronomia")
	tb.axeBothWidths("the categories")
	tb.typeIn("#f-name_pl", "Druk 3D")
	tb.typeIn("#f-cpv", "9x")
	tb.click("#category-save", 422)
	tb.see("„9x” nie jest działem CPV")
	tb.axe("a category with a bad CPV division")
}
