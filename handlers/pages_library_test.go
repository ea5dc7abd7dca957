package handlers_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"katalogpes/tenants"
)

// rawKey finds a message key shown instead of its text.
var rawKey = regexp.MustCompile(`\b(library|ui)\.[a-z_]+\.[a-z_.]+`)

func TestLibraryPagesRefuseBadInputAtTheirFieldsInBothLanguages(t *testing.T) {
	s := newTestServer(t)
	s.startLibrary()
	modEmail, _ := s.account("slaskie", tenants.RoleModerator)
	ownerEmail, _ := s.account("slaskie", tenants.RoleEnterprise)
	w := s.web()
	w.signIn("slaskie", ownerEmail)
	w.get("/r/slaskie/biblioteka/nowa").expect(t, 403)

	w = s.web()
	w.signIn("slaskie", modEmail)
	w.get("/r/slaskie/biblioteka/nowa").expect(t, 200)
	bad := url.Values{"kind": {"szkolenie"}, "title": {"Szkolenie"}, "event.starts_at": {"2026-12-10T10:00"},
		"event.ends_at": {"2026-12-10T09:00"}, "event.place": {"Nieistniejąca Gmina Xyz"}, "event.online_url": {"ftp://x"}}
	w.post("/r/slaskie/biblioteka/nowa", bad).expect(t, 422).contains(t, "Nie znamy takiej gminy.")
	bad.Set("event.place", "Katowice")
	p := w.post("/r/slaskie/biblioteka/nowa", bad).expect(t, 422)
	p.contains(t, "Koniec nie może być przed początkiem.", "Podaj adres strony", `id="f-event-ends_at"`, `aria-invalid="true"`)
	bad.Set("kind", "raport")
	bad.Del("event.ends_at")
	bad.Del("event.online_url")
	w.post("/r/slaskie/biblioteka/nowa", bad).expect(t, 422).contains(t, "Termin i miejsce mają tylko wydarzenia")

	ok := url.Values{"kind": {"szkolenie"}, "title": {"Szkolenie z zamówień"}, "event.starts_at": {"2026-12-10T10:00"}, "event.place": {"Katowice"},
		"tags": {"zamówienia, Klauzule"}}
	saved := w.post("/r/slaskie/biblioteka/nowa", ok).expect(t, 303)
	item := saved.Location[:strings.Index(saved.Location, "?")]
	w.get(item).expect(t, 200).contains(t, "Szkolenie z zamówień", "Katowice", "szkic")
	w.post(item+"/publikuj", url.Values{}).expect(t, 303)
	w.postFile(item+"/plik", "lista.pdf", []byte("nie PDF")).expect(t, 422).contains(t, "To nie jest plik PDF, DOCX ani XLSX")
	w.postFile(item+"/okladka", "okladka.png", []byte("nie obraz")).expect(t, 422).contains(t, "Okładka musi być obrazem PNG albo JPEG.", `id="f-cover-err"`)
	s.waitLibraryIndexed()

	for _, lang := range []string{"pl", "en"} {
		for _, path := range []string{"/r/slaskie/biblioteka", "/r/slaskie/biblioteka?q=szkolenie", "/biblioteka?q=szkolenie", item, item + "/edycja",
			"/r/slaskie/wydarzenia", "/wydarzenia", "/r/slaskie/biblioteka/tag/klauzule", "/r/slaskie/biblioteka/nowa"} {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			body := w.get(path+sep+"lang="+lang).expect(t, 200).Body
			if k := rawKey.FindString(body); k != "" {
				t.Errorf("%s in %s shows the key %q", path, lang, k)
			}
		}
	}
	w.get("/r/slaskie/biblioteka?lang=en").contains(t, "Library", "Trainings")
	w.get("/r/slaskie/biblioteka/tag/klauzule?lang=pl").contains(t, "Szkolenie z zamówień")
	w.post(item+"/usun", url.Values{}).expect(t, 303)
	s.web().get(item).expect(t, 404)
}
