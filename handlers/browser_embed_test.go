package handlers_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// hostSite is an OWES centre's page on another loopback port: the widget
// in a div and the frame page in an iframe, both fixed to Gliwice.
func hostSite(catalog string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="pl"><head><meta charset="utf-8"><title>OWES Gliwice</title></head>
<body><main><h1>OWES Gliwice</h1>
<div id="katalog-pes" data-gmina="2466011"></div>
<script src="%[1]s/r/slaskie/widget.js" data-target="katalog-pes" async></script>
<iframe id="frame" src="%[1]s/r/slaskie/osadz?gmina=2466011" title="Katalog PES" width="600" height="400"></iframe>
</main></body></html>`, catalog)
	}))
}

// TestBrowserEmbedsTheSearchOnAnotherSite: a page served from another
// port searches through the widget (only its gmina's listings), frames
// /osadz because the region lists it, and a site not on the list gets no
// frame; the widget and the frame page are axe clean at 1280 and 375 px.
func TestBrowserEmbedsTheSearchOnAnotherSite(t *testing.T) {
	b := newBrowserStack(t)
	_, owner := b.account("slaskie", tenants.RoleEnterprise)
	_, mod := b.account("slaskie", tenants.RoleModerator)
	publishAs(t, b.testServer, owner, mod, pageListing("Spółdzielnia Katowicka", "5260250274"))
	publishAs(t, b.testServer, owner, mod, gliwiceListing("Spółdzielnia Gliwicka"))
	b.waitForSearch(t, "Spółdzielnia", 2)
	listed, unlisted := hostSite(b.base), hostSite(b.base)
	defer listed.Close()
	defer unlisted.Close()
	ctx := storetest.Ctx(t, b.db, "slaskie", tenants.Principal{})
	if _, err := b.db.SetFrameOrigins(ctx, []string{listed.URL}); err != nil {
		t.Fatal(err)
	}

	tb := b.tab(t, "embed")
	tb.load("open the OWES site", 200, chromedp.Navigate(listed.URL))
	root := `document.getElementById("katalog-pes").shadowRoot`
	tb.waitJS("the widget renders", root+` && `+root+`.querySelector("form") !== null`)
	tb.eval(`(() => { const r = ` + root + `; r.querySelector("input").value = "Spółdzielnia"; r.querySelector("form").requestSubmit(); return "" })()`)
	tb.waitJS("the widget shows its results", root+`.querySelectorAll(".kp-hit").length > 0`)
	names := tb.eval(`Array.from(` + root + `.querySelectorAll(".kp-name")).map(a => a.textContent).join("|")`)
	if names != "Spółdzielnia Gliwicka" {
		t.Fatalf("the widget found %q, want only the Gliwice listing", names)
	}
	if href := tb.eval(root + `.querySelector(".kp-name").href`); !strings.HasPrefix(href, b.base+"/r/slaskie/podmiot/") {
		t.Fatalf("a hit links to %s", href)
	}
	if got := tb.frameURL(); !strings.HasPrefix(got, b.base+"/r/slaskie/osadz") {
		t.Fatalf("the listed site's frame shows %q", got)
	}
	tb.axe("the widget on another site")
	tb.shot("widget-1280px")
	tb.do("a phone's screen", chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2)))
	tb.axe("the widget on another site on a phone")
	tb.shot("widget-375px")

	other := b.tab(t, "embed-unlisted")
	other.load("open a site not on the list", 200, chromedp.Navigate(unlisted.URL))
	if got := other.frameURL(); strings.HasPrefix(got, b.base) || !strings.Contains(got, "chrome-error") {
		t.Fatalf("a site not on the list frames %s", got)
	} else {
		t.Logf("a site not on the list: the frame shows %s", got)
	}

	frame := b.tab(t, "embed-frame")
	frame.open("/r/slaskie/osadz?gmina=2466011&q=Sp%C3%B3%C5%82dzielnia")
	frame.see("Spółdzielnia Gliwicka")
	frame.axe("the frame page")
	frame.do("a phone's screen", chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2)))
	frame.axe("the frame page on a phone")
	frame.shot("frame-375px")

	// The admin's page that makes keys and webhooks and lists the sites.
	email, _ := b.account("slaskie", tenants.RoleAdmin)
	admin := b.signInAs(t, "embed-admin", email)
	admin.open("/r/slaskie/admin/integracje")
	admin.typeIn("#f-name", "OWES Gliwice")
	admin.click(`form[action$="/admin/integracje/klucze"] button[type="submit"]`, 201)
	admin.see("Skopiuj go teraz")
	admin.axe("a new API key, shown once")
	admin.open("/r/slaskie/admin/integracje")
	admin.axeBothWidths("the integrators' page")
}

// waitJS waits until the expression is true.
func (tb *tab) waitJS(what, expr string) {
	tb.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for tb.eval(`String(Boolean(`+expr+`))`) != "true" {
		if time.Now().After(deadline) {
			tb.shot("failed")
			tb.t.Fatalf("%s: %s stays false", what, expr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// frameURL is the URL the page's one iframe shows once it has loaded: an
// error page's when the framed page refused to be framed there.
func (tb *tab) frameURL() string {
	tb.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		tree, err := chromedp.Call(tb.ctx, page.GetFrameTree, cdp.Empty{})
		if err != nil {
			tb.t.Fatalf("frame tree: %v", err)
		}
		if tree.FrameTree != nil && len(tree.FrameTree.ChildFrames) == 1 {
			f := tree.FrameTree.ChildFrames[0].Frame
			if f.URL != "" && f.URL != "about:blank" {
				if f.UnreachableURL != "" {
					return "unreachable: " + f.URL
				}
				return f.URL
			}
		}
		if time.Now().After(deadline) {
			tb.t.Fatal("the iframe never loaded")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
