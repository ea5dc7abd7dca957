package handlers_test

import (
	"bytes"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"katalogpes/tenants"
)

// staffRegister is a register with two good rows and two bad: an unknown
// 7-digit gmina (row 3) and a NIP that fails its check (row 5). Its
// headers are the region's own words.
const staffRegister = "Nazwa;Forma prawna;Rodzaj;NIP;Ulica;Kod pocztowy;Miejscowość;Gmina TERYT;E-mail;Opis;Kategorie\r\n" +
	"Spółdzielnia Socjalna Pierwsza;spółdzielnia socjalna;spoldzielnia_socjalna;1234563218;ul. Mariacka 1;40-014;Katowice;2469011;a@example.org;Catering dla szkół i urzędów, obiady domowe.;catering\r\n" +
	"Spółdzielnia Nieznanej Gminy;spółdzielnia socjalna;spoldzielnia_socjalna;7010035015;ul. Mariacka 2;40-014;Katowice;2469999;b@example.org;Sprzątanie biur i klatek schodowych.;sprzatanie\r\n" +
	"Fundacja Druga;fundacja;ngo_odplatna;5260250274;ul. Mariacka 3;40-014;Katowice;2469011;c@example.org;Zieleń miejska i ogrody społeczne.;zielen|catering\r\n" +
	"Fundacja Złego NIP;fundacja;ngo_odplatna;1234567890;ul. Mariacka 4;40-014;Katowice;2469011;d@example.org;Druk i poligrafia dla urzędów.;poligrafia\r\n"

// postFile sends a multipart form whose file field is "file", with the
// fields given.
func (w *webClient) postFile(path, name string, content []byte, fields ...url.Values) htmlPage {
	w.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("_csrf", w.csrf)
	for _, f := range fields {
		for k, vs := range f {
			for _, v := range vs {
				_ = mw.WriteField(k, v)
			}
		}
	}
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(content)
	_ = mw.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return w.send(req)
}

// untilDone reads a job's page until it stops refreshing itself.
func (w *webClient) untilDone(t *testing.T, path string) htmlPage {
	t.Helper()
	for i := 0; i < 200; i++ {
		p := w.get(path).expect(t, 200)
		if !strings.Contains(p.Body, `http-equiv="refresh"`) {
			return p
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the job at %s never finished", path)
	return htmlPage{}
}

var importFormRe = regexp.MustCompile(`action="([^"]+/importuj)"`)

func TestAdminImportsThroughThePageDryRunFirst(t *testing.T) {
	s := newTestServer(t)
	raw := s.rawDB()
	admin, _ := s.account("slaskie", tenants.RoleAdmin)
	w := s.web()
	w.signIn("slaskie", admin)
	w.get("/r/slaskie/admin/wyglad").expect(t, 200).contains(t, `href="/r/slaskie/admin/import"`, `href="/r/slaskie/admin/kategorie"`, `href="/r/slaskie/admin/nieaktualne"`)
	w.get("/r/slaskie/admin/import").expect(t, 200).contains(t, `type="file"`, "Sprawdź plik")
	w.postFile("/r/slaskie/admin/import", "rejestr.pdf", []byte("%PDF-1.4")).expect(t, 422).contains(t, `id="f-file-err"`, "CSV albo XLSX")

	p := w.postFile("/r/slaskie/admin/import", "rejestr.csv", []byte(staffRegister)).expect(t, 303)
	jobPath := p.Location
	dry := w.untilDone(t, jobPath)
	dry.contains(t, "Próba zakończona", "2 nowe wpisy", "2 pominięte wiersze",
		"Spółdzielnia Socjalna Pierwsza", "spółdzielnia socjalna", "Katowice", "Catering i gastronomia",
		"<td>Gmina TERYT</td>", "Nie ma gminy o kodzie 2469999 w rejestrze TERYT.", "<td>NIP</td>", "NIP ma błędną cyfrę kontrolną.",
		"Importuj")
	if strings.Contains(dry.Body, "address.gmina_teryt") || strings.Contains(dry.Body, "Kod TERYT gminy ma 7 cyfr") {
		t.Fatal("the report names API paths or the wrong message")
	}
	var n int
	if err := raw.QueryRow(`SELECT count(*) FROM listings`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the dry run wrote %d listings (%v)", n, err)
	}

	// The report: the file's columns and a column of errors.
	rep := w.get(jobPath+"/raport.xlsx").expect(t, 200)
	f, err := excelize.OpenReader(strings.NewReader(rep.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(f.GetSheetName(0))
	if len(rows) != 3 || rows[0][0] != "Nazwa" || rows[0][11] != "Błędy" || rows[1][7] != "2469999" ||
		!strings.Contains(rows[1][11], "Gmina TERYT: Nie ma gminy o kodzie 2469999") || !strings.Contains(rows[2][11], "NIP: ") {
		t.Fatalf("report: %q", rows)
	}

	m := importFormRe.FindStringSubmatch(dry.Body)
	if m == nil {
		t.Fatal("no import form")
	}
	done := w.untilDone(t, w.post(m[1], nil).expect(t, 303).Location)
	done.contains(t, "Import zakończony", "2 nowe wpisy")
	if err := raw.QueryRow(`SELECT count(*) FROM listings WHERE status = 'published'`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("the import wrote %d listings (%v)", n, err)
	}
	// In English, too; another admin cannot see the job.
	w.get(jobPath+"?lang=en").expect(t, 200).contains(t, "Trial finished", "There is no gmina with the code 2469999")
	other, _ := s.account("slaskie", tenants.RoleAdmin)
	w2 := s.web()
	w2.signIn("slaskie", other)
	w2.get(jobPath).expect(t, 404)
	mod, _ := s.account("slaskie", tenants.RoleModerator)
	w3 := s.web()
	w3.signIn("slaskie", mod)
	w3.get("/r/slaskie/admin/import").expect(t, 403)
}

func TestStaffRemindsAboutAStaleListingOnceAWeek(t *testing.T) {
	s := newTestServer(t)
	raw := s.rawDB()
	ownerEmail, owner := s.account("slaskie", tenants.RoleEnterprise)
	modEmail, mod := s.account("slaskie", tenants.RoleModerator)
	id := publishAs(t, s, owner, mod, pageListing("Spółdzielnia Dawno Niepotwierdzona", "1234563218"))
	if _, err := raw.Exec(`UPDATE listings SET confirmed_at = now() - interval '400 days' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	w := s.web()
	w.signIn("slaskie", modEmail)
	w.get("/r/slaskie/moderacja").expect(t, 200).contains(t, `href="/r/slaskie/admin/nieaktualne"`)
	list := w.get("/r/slaskie/admin/nieaktualne?owner=yes").expect(t, 200)
	list.contains(t, "Spółdzielnia Dawno Niepotwierdzona", "1 nieaktualny wpis", "jeszcze nie wysłano", "/admin/nieaktualne/"+id+"/przypomnij")
	w.get("/r/slaskie/admin/nieaktualne?owner=no").expect(t, 200).contains(t, "0 nieaktualnych wpisów")

	sent := w.post("/r/slaskie/admin/nieaktualne/"+id+"/przypomnij", url.Values{"back": {"owner=yes"}}).expect(t, 303)
	if !strings.Contains(sent.Location, "owner=yes") || !strings.Contains(sent.Location, "msg=reminder_sent") {
		t.Fatalf("back to the filtered list: %s", sent.Location)
	}
	w.get(sent.Location).expect(t, 200).contains(t, "Przypomnienie wysłane.", strings.ReplaceAll(ownerEmail, "+", "&#43;"), "Anna moderator")
	var mails int
	if err := raw.QueryRow(`SELECT count(*) FROM mail_outbox WHERE to_email = $1 AND subject LIKE '%aktualne%'`, ownerEmail).Scan(&mails); err != nil || mails != 1 {
		t.Fatalf("%d reminder mails (%v)", mails, err)
	}
	w.post("/r/slaskie/admin/nieaktualne/"+id+"/przypomnij", url.Values{"back": {"owner=yes"}}).expect(t, 422).
		contains(t, "wysłano w ciągu ostatniego tygodnia", "Następne można wysłać od")
	if err := raw.QueryRow(`SELECT count(*) FROM mail_outbox WHERE to_email = $1`, ownerEmail).Scan(&mails); err != nil || mails != 1 {
		t.Fatalf("the refused reminder went out: %d mails", mails)
	}
	w.get("/r/slaskie/admin/nieaktualne?lang=en").expect(t, 200).contains(t, "Stale listings", "1 stale listing")
}

func TestAdminEditsTheTaxonomyAndRetiresACategory(t *testing.T) {
	s := newTestServer(t)
	admin, _ := s.account("slaskie", tenants.RoleAdmin)
	ownerEmail, owner := s.account("slaskie", tenants.RoleEnterprise)
	_, mod := s.account("slaskie", tenants.RoleModerator)
	w := s.web()
	w.signIn("slaskie", admin)
	w.get("/r/slaskie/admin/kategorie").expect(t, 200).contains(t, "Catering i gastronomia", `id="f-name_pl"`, `id="f-cpv"`)

	// Bad input comes back at its field.
	w.post("/r/slaskie/admin/kategorie", url.Values{"name_pl": {" "}, "cpv": {"55"}}).expect(t, 422).contains(t, `id="f-name_pl-err"`)
	w.post("/r/slaskie/admin/kategorie", url.Values{"name_pl": {"Druk 3D"}, "cpv": {"9x"}}).expect(t, 422).
		contains(t, `id="f-cpv-err"`, "„9x” nie jest działem CPV", `value="Druk 3D"`)

	added := w.post("/r/slaskie/admin/kategorie", url.Values{"name_pl": {"Druk 3D"}, "name_en": {"3D printing"}, "cpv": {"79, 22"}}).expect(t, 303)
	w.get(added.Location).expect(t, 200).contains(t, "Druk 3D", "druk_3d", "79, 22", "Zapisano kategorię.")
	w.post("/r/slaskie/admin/kategorie/druk_3d", url.Values{"name_pl": {"Druk przestrzenny"}, "name_en": {"3D printing"}, "cpv": {"79"}}).expect(t, 303)
	w.get("/r/slaskie/admin/kategorie/druk_3d").expect(t, 200).contains(t, `value="Druk przestrzenny"`, `value="79"`)

	// A listing with the category keeps it once retired; the form offers it
	// to that listing only.
	d := pageListing("Spółdzielnia Drukarska", "1234563218")
	d.Categories = []string{"catering", "druk_3d"}
	id := publishAs(t, s, owner, mod, d)
	w.post("/r/slaskie/admin/kategorie/druk_3d/wycofaj", url.Values{"retire": {"1"}}).expect(t, 303)
	w.get("/r/slaskie/admin/kategorie").expect(t, 200).contains(t, "wycofana", "Przywróć")
	w.get("/r/slaskie/podmiot/"+id).expect(t, 200).contains(t, "Druk przestrzenny")

	ow := s.web()
	ow.signIn("slaskie", ownerEmail)
	if p := ow.get("/r/slaskie/moje/nowy").expect(t, 200); strings.Contains(p.Body, `value="druk_3d"`) {
		t.Fatal("a new listing is offered the retired category")
	}
	ow.get("/r/slaskie/moje/"+id).expect(t, 200).contains(t, `value="druk_3d"`)
	if p := s.web().get("/r/slaskie/").expect(t, 200); strings.Contains(p.Body, "Druk przestrzenny") {
		t.Fatal("the home page offers the retired category")
	}
	w.post("/r/slaskie/admin/kategorie/druk_3d/wycofaj", url.Values{"retire": {"0"}}).expect(t, 303)
	if p := ow.get("/r/slaskie/moje/nowy").expect(t, 200); !strings.Contains(p.Body, `value="druk_3d"`) {
		t.Fatal("a restored category is not offered")
	}
	w.get("/r/slaskie/admin/kategorie/nie_ma").expect(t, 404)
	w.get("/r/slaskie/admin/kategorie?lang=en").expect(t, 200).contains(t, "3D printing")
}
