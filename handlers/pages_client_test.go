package handlers_test

import (
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// webClient is a browser without a browser: it keeps cookies, asks for
// HTML and sends forms with the CSRF token of the last page it saw.
type webClient struct {
	s       *testServer
	t       testing.TB
	cookies map[string]*http.Cookie
	csrf    string
}

// htmlPage is an answer to a webClient.
type htmlPage struct {
	Status   int
	Header   http.Header
	Body     string
	Location string
}

func (s *testServer) web() *webClient {
	return &webClient{s: s, t: s.t, cookies: map[string]*http.Cookie{}}
}

var csrfRe = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (w *webClient) send(req *http.Request) htmlPage {
	w.t.Helper()
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	for _, c := range w.cookies {
		// Cookies are scoped to a region's path; send those that match.
		if strings.HasPrefix(req.URL.Path, c.Path) || c.Path == "" || strings.TrimSuffix(c.Path, "/") == req.URL.Path {
			req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		}
	}
	resp, err := w.s.app.Test(req, 30_000)
	if err != nil {
		w.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	for _, c := range resp.Cookies() {
		key := c.Name + "|" + c.Path
		if c.MaxAge < 0 || c.Value == "" {
			delete(w.cookies, key)
			continue
		}
		w.cookies[key] = c
	}
	p := htmlPage{Status: resp.StatusCode, Header: resp.Header, Body: string(raw), Location: resp.Header.Get("Location")}
	if m := csrfRe.FindStringSubmatch(p.Body); m != nil {
		w.csrf = m[1]
	}
	return p
}

func (w *webClient) get(path string) htmlPage {
	w.t.Helper()
	return w.send(httptest.NewRequest("GET", path, nil))
}

// post sends a form with the page's CSRF token.
func (w *webClient) post(path string, form url.Values) htmlPage {
	w.t.Helper()
	form = cloneValues(form)
	form.Set("_csrf", w.csrf)
	return w.postRaw(path, form)
}

// postRaw sends a form as it is (no token added).
func (w *webClient) postRaw(path string, form url.Values) htmlPage {
	w.t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return w.send(req)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func (p htmlPage) expect(t testing.TB, status int) htmlPage {
	t.Helper()
	if p.Status != status {
		body := p.Body
		if len(body) > 3000 {
			body = body[:3000]
		}
		t.Fatalf("status %d, want %d: %s", p.Status, status, body)
	}
	return p
}

func (p htmlPage) contains(t testing.TB, parts ...string) htmlPage {
	t.Helper()
	for _, s := range parts {
		if !strings.Contains(p.Body, s) {
			t.Fatalf("page lacks %q", s)
		}
	}
	return p
}

// signIn signs a web client in through the login form.
func (w *webClient) signIn(slug, email string) {
	w.t.Helper()
	w.get("/r/"+slug+"/logowanie").expect(w.t, 200)
	p := w.post("/r/"+slug+"/logowanie", url.Values{"email": {email}, "password": {goodPassword}})
	if p.Status != 303 {
		w.t.Fatalf("sign in %s: status %d: %s", email, p.Status, p.Body)
	}
}

// account makes an active account of a role in a region.
func (s *testServer) account(slug string, role tenants.Role) (email string, p tenants.Principal) {
	s.t.Helper()
	email = storetest.Unique(string(role) + "@example.org")
	ctx := storetest.Ctx(s.t, s.db, slug, tenants.Principal{})
	a, err := s.db.CreateAccount(ctx, store.NewAccount{Email: email, Name: "Anna " + string(role), Password: goodPassword, Role: role, Active: true})
	if err != nil {
		s.t.Fatal(err)
	}
	tn := storetest.Tenants(s.t, s.db)[slug]
	return email, tenants.Principal{AccountID: a.ID, Name: a.Name, Role: role, TenantID: tn.ID}
}

// pageListing is a complete listing in Katowice (śląskie).
func pageListing(name, nip string) store.ListingData {
	return store.ListingData{
		Name: name, LegalForm: "spoldzielnia_socjalna", Kinds: []string{"spoldzielnia_socjalna"}, NIP: nip,
		Description:      "Catering dla szkół i urzędów, obiady domowe, przyjęcia okolicznościowe. Zieleń miejska i sprzątanie.",
		Categories:       []string{"catering"},
		Offers:           []store.Offer{{Title: "Obiady dla szkół", Kind: "usluga", Category: "catering"}},
		Address:          store.Address{Street: "ul. Mariacka 1", PostalCode: "40-014", City: "Katowice", GminaTERYT: "2469011"},
		Geo:              &store.Geo{Lat: 50.2599, Lng: 19.0216},
		Contact:          store.Contact{Email: "biuro@example.org", Phone: "+48600100200", Website: "https://example.org"},
		SocialEnterprise: &store.SocialEnterprise{DecisionNo: "PS/1/2024", DecisionDate: "2024-03-01"},
		Certificates:     []store.Certificate{{Kind: "zakup_prospoleczny", Issuer: "ROPS Katowice", ValidUntil: "2099-12-31"}},
	}
}

// formOf reads a drawn form back as the browser would send it: text
// inputs, checked boxes, selected options and textareas.
func formOf(body string) url.Values {
	v := url.Values{}
	for _, m := range inputRe.FindAllStringSubmatch(body, -1) {
		v.Add(m[1], html.UnescapeString(m[2]))
	}
	for _, m := range checkedRe.FindAllStringSubmatch(body, -1) {
		v.Add(m[1], html.UnescapeString(m[2]))
	}
	for _, m := range selectRe.FindAllStringSubmatch(body, -1) {
		if o := selectedRe.FindStringSubmatch(m[2]); o != nil {
			v.Add(m[1], html.UnescapeString(o[1]))
		}
	}
	for _, m := range textareaRe.FindAllStringSubmatch(body, -1) {
		v.Add(m[1], html.UnescapeString(m[2]))
	}
	v.Del("_csrf")
	return v
}

var (
	inputRe    = regexp.MustCompile(`<input id="[^"]*" name="([^"]+)" type="(?:text|email|tel|url|date|color)" value="([^"]*)"`)
	checkedRe  = regexp.MustCompile(`<input type="checkbox" id="[^"]*" name="([^"]+)" value="([^"]*)" checked>`)
	selectRe   = regexp.MustCompile(`(?s)<select id="[^"]*" name="([^"]+)"[^>]*>(.*?)</select>`)
	selectedRe = regexp.MustCompile(`<option value="([^"]*)" selected>`)
	textareaRe = regexp.MustCompile(`(?s)<textarea id="[^"]*" name="([^"]+)"[^>]*>(.*?)</textarea>`)
)
