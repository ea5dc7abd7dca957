package handlers_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// postMultipart sends a form with a file, and the CSRF token.
func (w *webClient) postMultipart(path string, fields url.Values, file string, content []byte) htmlPage {
	w.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fields = cloneValues(fields)
	fields.Set("_csrf", w.csrf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	if content != nil {
		fw, _ := mw.CreateFormFile("logo", file)
		_, _ = fw.Write(content)
	}
	_ = mw.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return w.send(req)
}

func tinyPNG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pngClaiming is a tiny PNG whose header says it is w×h pixels.
func pngClaiming(t *testing.T, w, h uint32) []byte {
	b := tinyPNG(t)
	// Signature (8), chunk length (4), "IHDR" (4), then width and height.
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	if cfg, err := png.DecodeConfig(bytes.NewReader(b)); err != nil || cfg.Width != int(w) {
		t.Fatalf("crafted PNG: %v %+v", err, cfg)
	}
	return b
}

func TestAdminBrandsTheRegion(t *testing.T) {
	s := newTestServer(t)
	admin, _ := s.account("slaskie", tenants.RoleAdmin)
	w := s.web()
	w.signIn("slaskie", admin)
	w.get("/r/slaskie/admin/wyglad").expect(t, 200).contains(t, `type="color"`, `accept="image/png,image/jpeg"`)

	// White text on yellow is unreadable: refused, with the reason.
	p := w.postMultipart("/r/slaskie/admin/wyglad", url.Values{"tagline": {"Razem"}, "primary_color": {"#ffdd00"}, "accent_color": {"#000000"}}, "", nil)
	p.expect(t, 422).contains(t, `id="f-primary_color-err"`, "za mały kontrast", `value="Razem"`)
	// Not an image, or too big: refused.
	w.postMultipart("/r/slaskie/admin/wyglad", url.Values{"primary_color": {"#1d4d2b"}, "accent_color": {"#e0a000"}}, "logo.png", []byte("<svg onload=alert(1)>")).
		expect(t, 422).contains(t, "PNG albo JPEG")
	w.postMultipart("/r/slaskie/admin/wyglad", url.Values{"primary_color": {"#1d4d2b"}, "accent_color": {"#e0a000"}}, "logo.png", make([]byte, 1<<20+1)).
		expect(t, 422).contains(t, "najwyżej 1 MB")

	// A decompression bomb: a small file whose header claims 20000×20000.
	w.postMultipart("/r/slaskie/admin/wyglad", url.Values{"primary_color": {"#1d4d2b"}, "accent_color": {"#e0a000"}}, "logo.png", pngClaiming(t, 20000, 20000)).
		expect(t, 422).contains(t, "2000 × 2000")

	logo := tinyPNG(t)
	p = w.postMultipart("/r/slaskie/admin/wyglad", url.Values{"tagline": {"Ekonomia społeczna na Śląsku"}, "primary_color": {"#1d4d2b"}, "accent_color": {"#e0a000"}}, "logo.png", logo)
	p.expect(t, 303)
	home := s.web().get("/r/slaskie/").expect(t, 200)
	home.contains(t, "Ekonomia społeczna na Śląsku", `href="/r/slaskie/motyw.css?v=`, `src="/r/slaskie/logo?v=`)
	// The logo shows once, in the header, at a fixed height and its own width.
	if n := strings.Count(home.Body, `src="/r/slaskie/logo?v=`); n != 1 {
		t.Fatalf("logo shown %d times on the home page", n)
	}
	home.contains(t, `class="brand-logo" height="48">`)
	if strings.Contains(home.Body, `class="brand-logo" width=`) {
		t.Fatal("the header logo has a fixed width: a wide logo is squashed")
	}
	css := s.do("GET", "/r/slaskie/motyw.css", nil).expect(t, 200)
	if !strings.Contains(string(css.Body), "--primary:#1d4d2b") || !strings.Contains(string(css.Body), "--accent:#e0a000") {
		t.Fatalf("theme %s", css.Body)
	}
	img := s.do("GET", "/r/slaskie/logo", nil).expect(t, 200)
	if img.Header.Get("Content-Type") != "image/png" || !bytes.Equal(img.Body, logo) {
		t.Fatalf("logo %s, %d bytes", img.Header.Get("Content-Type"), len(img.Body))
	}
	// Other regions keep their look.
	if strings.Contains(s.web().get("/r/malopolskie/").Body, "motyw.css") {
		t.Fatal("another region got the branding")
	}
	// Removing the logo.
	w.get("/r/slaskie/admin/wyglad")
	w.postMultipart("/r/slaskie/admin/wyglad", url.Values{"primary_color": {"#1d4d2b"}, "accent_color": {"#e0a000"}, "remove_logo": {"1"}}, "", nil).expect(t, 303)
	s.do("GET", "/r/slaskie/logo", nil).expect(t, 404)
}

func TestOnlyAdminsChangeTheRegion(t *testing.T) {
	f := newPagesFixture(t)
	for _, email := range []string{f.owner, f.moderator} {
		w := f.s.web()
		w.signIn("slaskie", email)
		w.get("/r/slaskie/admin/wyglad").expect(t, 403)
		w.get("/r/slaskie/admin/synonimy").expect(t, 403)
		w.get("/r/slaskie/moderacja")
		if p := w.post("/r/slaskie/admin/synonimy", url.Values{"synonyms": {"a: b"}}); p.Status != 403 {
			t.Errorf("%s saved synonyms: %d", email, p.Status)
		}
	}
}

func TestAdminSynonymsReachTheSearch(t *testing.T) {
	s := newTestServer(t)
	s.startSearch()
	admin, _ := s.account("slaskie", tenants.RoleAdmin)
	_, owner := s.account("slaskie", tenants.RoleEnterprise)
	_, mod := s.account("slaskie", tenants.RoleModerator)
	d := pageListing("Spółdzielnia Socjalna Kosiarze", "5260250274")
	d.Description = "Koszenie łąk i poboczy."
	publishAs(t, s, owner, mod, d)
	s.waitIndexed()
	count := func(q string) int {
		var res struct{ Total int }
		s.do("GET", "/r/slaskie/api/v1/search?q="+url.QueryEscape(q), nil).expect(t, 200).json(t, &res)
		return res.Total
	}
	if n := count("murawa"); n != 0 {
		t.Fatalf("before the synonym, murawa finds %d", n)
	}
	w := s.web()
	w.signIn("slaskie", admin)
	w.get("/r/slaskie/admin/synonimy").expect(t, 200)
	w.post("/r/slaskie/admin/synonimy", url.Values{"synonyms": {"murawa koszenie"}}).expect(t, 422).contains(t, "Wiersz 1", `id="f-synonyms-err"`)
	p := w.post("/r/slaskie/admin/synonimy", url.Values{"synonyms": {"# trawniki\nmurawa: koszenie, trawnik\n"}}).expect(t, 303)
	w.get(p.Location).expect(t, 200).contains(t, "Zapisano synonimy", "murawa: koszenie, trawnik")
	if n := count("murawa"); n != 1 {
		t.Fatalf("after the synonym, murawa finds %d", n)
	}
}

// submitAs registers d as owner and sends it for review.
func submitAs(t *testing.T, s *testServer, owner tenants.Principal, d store.ListingData) string {
	t.Helper()
	octx := tenants.WithPrincipal(tenants.NewContext(t.Context(), storetest.Tenants(t, s.db)["slaskie"]), owner)
	l, err := s.db.CreateListing(octx, d)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.SubmitListing(octx, l.ID); err != nil {
		t.Fatal(err)
	}
	return l.ID
}

// publishAs registers d as owner and has mod approve it.
func publishAs(t *testing.T, s *testServer, owner, mod tenants.Principal, d store.ListingData) string {
	t.Helper()
	id := submitAs(t, s, owner, d)
	mctx := tenants.WithPrincipal(tenants.NewContext(t.Context(), storetest.Tenants(t, s.db)["slaskie"]), mod)
	if _, err := s.db.Moderate(mctx, id, store.ActionApprove, ""); err != nil {
		t.Fatal(err)
	}
	s.svc.Notify()
	return id
}
