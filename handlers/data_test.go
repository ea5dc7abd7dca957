package handlers_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"mime/multipart"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"katalogpes/store"
	"katalogpes/tenants"
)

// upload posts a file as the multipart field "file".
func (s *testServer) upload(path, filename string, content []byte, opts ...reqOpt) response {
	s.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		s.t.Fatal(err)
	}
	_, _ = fw.Write(content)
	if err := mw.Close(); err != nil {
		s.t.Fatal(err)
	}
	return s.do("POST", path, buf.Bytes(), append(opts, header("Content-Type", mw.FormDataContentType()))...)
}

// registerNIP is the seq-th valid NIP of a run kept for these tests.
func registerNIP(seq int) string {
	w := []int{6, 5, 7, 2, 3, 4, 5, 6, 7}
	for p := 888000000 + seq*3; ; p++ {
		d := fmt.Sprintf("%09d", p)
		sum := 0
		for i := range w {
			sum += int(d[i]-'0') * w[i]
		}
		if sum%11 != 10 {
			return d + fmt.Sprint(sum%11)
		}
	}
}

// registerFile is a region's spreadsheet of n entities, varied in legal form,
// kind, place and category; from is the first NIP's sequence number.
func registerFile(slug string, n, from int) []byte {
	places := map[string][][3]string{
		"slaskie":     {{"2469011", "Katowice", "40-014"}, {"2466011", "Gliwice", "44-100"}},
		"malopolskie": {{"1261011", "Kraków", "30-001"}},
	}[slug]
	forms := [][2]string{{"Spółdzielnia socjalna", "spoldzielnia_socjalna"}, {"fundacja", "cis, ngo_gospodarcza"}, {"stowarzyszenie", "kis"}}
	words := []string{"Zielony Ogród", "Smaki Regionu", "Czysty Dom"}
	var b strings.Builder
	b.WriteString("nazwa;forma_prawna;rodzaj;nip;ulica;kod_pocztowy;miejscowosc;gmina_teryt;email;telefon;opis;kategorie\r\n")
	for i := 0; i < n; i++ {
		pl, f := places[i%len(places)], forms[i%len(forms)]
		cats := "catering"
		if i%2 == 1 {
			cats = "Sprzątanie, catering"
		}
		if i%4 == 3 {
			cats = "sprzatanie"
		}
		fmt.Fprintf(&b, "%s %s %d;%s;%s;%s;ul. Testowa %d;%s;%s;%s;biuro%d@example.org;600100%03d;Opis działalności numer %d.;%s\r\n",
			f[0], words[i%len(words)], from+i, f[0], f[1], registerNIP(from+i), i+1, pl[2], pl[1], pl[0], from+i, i, i, cats)
	}
	return []byte(b.String())
}

type importAnswer struct {
	Imported int `json:"imported"`
	Updated  int `json:"updated"`
	Skipped  int `json:"skipped"`
	Errors   []struct {
		Row     int    `json:"row"`
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

func TestImportOverHTTPReportsBadRowsInTheCallersLanguage(t *testing.T) {
	s := newTestServer(t)
	admin := s.staff("slaskie", tenants.RoleAdmin)
	mod := s.staff("slaskie", tenants.RoleModerator)
	file := registerFile("slaskie", 5, 0)
	// Row 4 (the third entity) gets a NIP whose check digit is wrong.
	bad := registerNIP(2)
	wrong := bad[:9] + fmt.Sprint((int(bad[9]-'0')+1)%10)
	file = bytes.Replace(file, []byte(bad), []byte(wrong), 1)
	path := "/r/slaskie/api/v1/admin/import"

	s.upload(path, "rejestr.csv", file).expect(t, 401)
	s.upload(path, "rejestr.csv", file, bearer(mod.AccessToken)).expect(t, 403)

	var res importAnswer
	s.upload(path, "rejestr.csv", file, bearer(admin.AccessToken)).expect(t, 200).json(t, &res)
	if res.Imported != 4 || res.Skipped != 1 || len(res.Errors) != 1 || res.Errors[0].Row != 4 || res.Errors[0].Field != "nip" ||
		!strings.Contains(res.Errors[0].Message, "NIP") || res.Errors[0].Message == "nip.checksum" {
		t.Fatalf("first import: %+v", res)
	}
	pl := res.Errors[0].Message
	s.upload(path, "rejestr.csv", file, bearer(admin.AccessToken), header("Accept-Language", "en")).expect(t, 200).json(t, &res)
	if res.Imported != 0 || res.Updated != 0 || res.Skipped != 5 || len(res.Errors) != 1 || res.Errors[0].Message == pl {
		t.Fatalf("second import, in English: %+v (Polish was %q)", res, pl)
	}

	// The same register as a spreadsheet, by its content type alone.
	x := excelize.NewFile()
	r := csv.NewReader(bytes.NewReader(registerFile("slaskie", 3, 50)))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, rec := range recs {
		row := make([]any, len(rec))
		for j := range rec {
			row[j] = rec[j]
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var xb bytes.Buffer
	if err := x.Write(&xb); err != nil {
		t.Fatal(err)
	}
	s.upload(path, "rejestr", xb.Bytes(), bearer(admin.AccessToken)).expect(t, 200).json(t, &res)
	if res.Imported != 3 || len(res.Errors) != 0 {
		t.Fatalf("xlsx import: %+v", res)
	}

	t.Run("bad requests are 422 naming the file", func(t *testing.T) {
		for name, r := range map[string]response{
			"no file":           s.do("POST", path, map[string]string{"file": "x"}, bearer(admin.AccessToken)),
			"unknown extension": s.upload(path, "rejestr.ods", file, bearer(admin.AccessToken)),
			"old excel":         s.upload(path, "rejestr.xls", file, bearer(admin.AccessToken)),
			"not a register":    s.upload(path, "notatki.csv", []byte("zakupy;mleko\nchleb;masło\n"), bearer(admin.AccessToken)),
			"empty":             s.upload(path, "pusty.csv", nil, bearer(admin.AccessToken)),
		} {
			p := r.expect(t, 422).problem(t)
			if len(p.Errors) == 0 || p.Errors[0].Field != "file" || p.Errors[0].Message == "" {
				t.Errorf("%s: %+v", name, p)
			}
		}
	})
}

// startSearch gives the test server clean indexes and a running outbox
// worker; at the end the worker stops (before the database goes) and the
// indexes and their search key are dropped.
func (s *testServer) startSearch() {
	s.t.Helper()
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = s.svc.DropIndexes(ctx)
	}
	drop() // a previous run's documents must not count
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := s.svc.EnsureSettings(ctx); err != nil {
		s.t.Fatalf("search settings: %v", err)
	}
	wctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.svc.RunWorker(tenants.WithAllTenants(wctx))
	}()
	s.t.Cleanup(func() { stop(); <-done; drop() })
}

// waitIndexed waits until the search outbox is empty.
func (s *testServer) waitIndexed() {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		depth, _, err := s.db.OutboxStats(tenants.WithAllTenants(context.Background()))
		if err != nil {
			s.t.Fatal(err)
		}
		if depth == 0 {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("search outbox still holds %d rows", depth)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// searchIDs pages through the search API and returns the ids and total.
func (s *testServer) searchIDs(base, query string) ([]string, int) {
	s.t.Helper()
	var ids []string
	total := 0
	for page := 1; ; page++ {
		var res struct {
			Hits     []struct{ ID string } `json:"hits"`
			Total    int                   `json:"total"`
			Degraded bool                  `json:"degraded"`
		}
		s.do("GET", fmt.Sprintf("%s/search?%s&per_page=100&page=%d", base, query, page), nil).expect(s.t, 200).json(s.t, &res)
		if res.Degraded {
			s.t.Fatal("the search degraded to PostgreSQL: this test is about the index")
		}
		total = res.Total
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		if len(res.Hits) == 0 || page*100 >= total {
			break
		}
	}
	slices.Sort(ids)
	return ids, total
}

// exportIDs reads the id column of each export format.
func (s *testServer) exportIDs(base, query string) map[string][]string {
	s.t.Helper()
	out := map[string][]string{}
	for _, format := range []string{"csv", "json", "xlsx"} {
		r := s.do("GET", base+"/export."+format+"?"+query, nil).expect(s.t, 200)
		if r.Header.Get("X-Data-License") != store.DataLicense || !strings.Contains(r.Header.Get("Link"), "creativecommons.org/licenses/by/4.0") ||
			!strings.Contains(r.Header.Get("Content-Disposition"), "attachment; filename=\"katalog-pes-") || r.Header.Get("X-Data-Generated-At") == "" {
			s.t.Fatalf("%s export headers: %v", format, r.Header)
		}
		var ids []string
		switch format {
		case "csv":
			if !bytes.HasPrefix(r.Body, []byte("\uFEFFid;nazwa;")) {
				s.t.Fatalf("csv starts %q", r.Body[:min(20, len(r.Body))])
			}
			cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.Body, []byte("\uFEFF"))))
			cr.Comma = ';'
			recs, err := cr.ReadAll()
			if err != nil {
				s.t.Fatal(err)
			}
			for _, rec := range recs[1:] {
				ids = append(ids, rec[0])
			}
		case "json":
			var doc struct {
				License     string    `json:"license"`
				GeneratedAt time.Time `json:"generated_at"`
				Count       int       `json:"count"`
				Listings    []struct {
					ID     string `json:"id"`
					Status string `json:"status"`
				} `json:"listings"`
			}
			r.json(s.t, &doc)
			if doc.License != store.DataLicense || doc.GeneratedAt.IsZero() || doc.Count != len(doc.Listings) {
				s.t.Fatalf("json export: license %q, generated %v, count %d of %d", doc.License, doc.GeneratedAt, doc.Count, len(doc.Listings))
			}
			for _, l := range doc.Listings {
				ids = append(ids, l.ID)
			}
		case "xlsx":
			f, err := excelize.OpenReader(bytes.NewReader(r.Body))
			if err != nil {
				s.t.Fatal(err)
			}
			rows, err := f.GetRows(f.GetSheetList()[0])
			if err != nil {
				s.t.Fatal(err)
			}
			for _, row := range rows[1:] {
				ids = append(ids, row[0])
			}
			f.Close()
		}
		slices.Sort(ids)
		out[format] = ids
	}
	return out
}

// The acceptance test: the export of a filtered search has exactly the
// listings the search API counts, with or without words, in a region and
// in the whole country.
func TestExportHasExactlyTheListingsTheSearchCounts(t *testing.T) {
	s := newTestServer(t)
	s.startSearch()
	for slug, n := range map[string]int{"slaskie": 110, "malopolskie": 12} {
		var res importAnswer
		s.upload("/r/"+slug+"/api/v1/admin/import", "rejestr.csv", registerFile(slug, n, map[string]int{"slaskie": 1000, "malopolskie": 2000}[slug]),
			bearer(s.staff(slug, tenants.RoleAdmin).AccessToken)).expect(t, 200).json(t, &res)
		if res.Imported != n {
			t.Fatalf("%s: imported %+v", slug, res)
		}
	}
	s.waitIndexed()

	cases := []struct{ base, query string }{
		{"/r/slaskie/api/v1", "legal_form=fundacja&category=catering"},
		{"/r/slaskie/api/v1", "gmina=2466011&kind=cis&kind=kis"},
		{"/r/slaskie/api/v1", ""},
		{"/r/slaskie/api/v1", "q=" + url.QueryEscape("zielony ogród")},
		{"/r/slaskie/api/v1", "q=smaki&category=sprzatanie"},
		{"/api/v1", "kind=cis"},
		{"/api/v1", "q=" + url.QueryEscape("czysty dom") + "&legal_form=stowarzyszenie"},
		{"/r/malopolskie/api/v1", "category=sprzatanie"},
		{"/api/v1", "q=opis"}, // every listing: the search is read page after page
	}
	for _, c := range cases {
		t.Run(c.base+"?"+c.query, func(t *testing.T) {
			want, total := s.searchIDs(c.base, c.query)
			if total == 0 || len(want) != total || c.query == "q=opis" && total <= 100 {
				t.Fatalf("the search finds %d of %d: the case proves nothing", len(want), total)
			}
			for format, got := range s.exportIDs(c.base, c.query) {
				if !slices.Equal(got, want) {
					t.Errorf("%s export has %d listings, the search counts %d", format, len(got), total)
				}
			}
		})
	}
	// Nothing found is an empty file, not an error.
	if got := s.exportIDs("/r/malopolskie/api/v1", "legal_form=kgw"); len(got["csv"]) != 0 || len(got["json"]) != 0 || len(got["xlsx"]) != 0 {
		t.Fatalf("an empty search exported %v", got)
	}
}

func TestExportRefusesBadParameters(t *testing.T) {
	s := newTestServer(t)
	p := s.do("GET", "/r/slaskie/api/v1/export.csv?legal_form=korporacja", nil).expect(t, 422).problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "legal_form" {
		t.Fatalf("%+v", p)
	}
	s.do("GET", "/r/atlantyda/api/v1/export.json", nil).expect(t, 404)
	s.do("GET", "/r/slaskie/api/v1/export.pdf", nil).expect(t, 404)
}

// rawDB is a superuser connection to the test's database.
func (s *testServer) rawDB() *sql.DB {
	s.t.Helper()
	raw, err := sql.Open("postgres", s.db.URL)
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { raw.Close() })
	return raw
}

// tablesHolding lists every text column of every table holding needle
// (case folded), as table.column: what erasure must leave empty.
func (s *testServer) tablesHolding(needle string) []string {
	s.t.Helper()
	raw := s.rawDB()
	rows, err := raw.Query(`SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'
		AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY')`)
	if err != nil {
		s.t.Fatal(err)
	}
	var cols [][2]string
	for rows.Next() {
		var tbl, col string
		_ = rows.Scan(&tbl, &col)
		cols = append(cols, [2]string{tbl, col})
	}
	rows.Close()
	var found []string
	for _, c := range cols {
		var n int
		if err := raw.QueryRow(fmt.Sprintf(`SELECT count(*) FROM %q WHERE strpos(lower(%q::text), lower($1)) > 0`, c[0], c[1]), needle).Scan(&n); err != nil {
			s.t.Fatal(err)
		}
		if n > 0 {
			found = append(found, c[0]+"."+c[1])
		}
	}
	return found
}

// publishVia creates, submits and approves a listing through the API.
func (s *testServer) publishVia(owner, mod tokens, name, nip string) string {
	s.t.Helper()
	return s.publishWithKRS(owner, mod, name, nip, "")
}

func TestStaleListingsAndTheOwnersOneClickConfirmation(t *testing.T) {
	s := newTestServer(t)
	raw := s.rawDB()
	owner := s.signUp("slaskie", "nieaktualny@example.org")
	mod := s.staff("slaskie", tenants.RoleModerator)
	id := s.publishVia(owner, mod, "Stary wpis", registerNIP(1))
	s.publishVia(owner, mod, "Świeży wpis", registerNIP(2))
	if _, err := raw.Exec(`UPDATE listings SET confirmed_at = now() - interval '13 months' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}

	var stale struct {
		Listings []struct {
			ID    string `json:"id"`
			Stale bool   `json:"stale"`
		} `json:"listings"`
		Total int `json:"total"`
	}
	s.do("GET", "/r/slaskie/api/v1/admin/stale", nil, bearer(mod.AccessToken)).expect(t, 200).json(t, &stale)
	if stale.Total != 1 || len(stale.Listings) != 1 || stale.Listings[0].ID != id || !stale.Listings[0].Stale {
		t.Fatalf("stale list %+v", stale)
	}
	s.do("GET", "/r/slaskie/api/v1/admin/stale", nil, bearer(owner.AccessToken)).expect(t, 403)
	s.do("GET", "/r/slaskie/api/v1/admin/stale?per_page=1000", nil, bearer(mod.AccessToken)).expect(t, 422)
	// A page past the limit is a field error, not a negative OFFSET (500).
	if p := s.do("GET", "/r/slaskie/api/v1/admin/stale?page=99999999999999999", nil, bearer(mod.AccessToken)).expect(t, 422).problem(t); len(p.Errors) != 1 || p.Errors[0].Field != "page" {
		t.Fatalf("huge page: %+v", p)
	}
	s.do("POST", "/r/slaskie/api/v1/listings/"+id+"/confirm", nil).expect(t, 401)
	s.do("POST", "/r/slaskie/api/v1/listings/"+id+"/confirm", nil, bearer(s.signUp("slaskie", "obcy@example.org").AccessToken)).expect(t, 403)

	var l struct {
		Stale       bool      `json:"stale"`
		ConfirmedAt time.Time `json:"confirmed_at"`
	}
	s.do("POST", "/r/slaskie/api/v1/listings/"+id+"/confirm", nil, bearer(owner.AccessToken)).expect(t, 200).json(t, &l)
	if l.Stale || time.Since(l.ConfirmedAt) > time.Minute {
		t.Fatalf("after confirming: %+v", l)
	}
	s.do("GET", "/r/slaskie/api/v1/admin/stale", nil, bearer(mod.AccessToken)).expect(t, 200).json(t, &stale)
	if stale.Total != 0 || len(stale.Listings) != 0 {
		t.Fatalf("still stale: %+v", stale)
	}
	s.do("POST", "/r/malopolskie/api/v1/listings/"+id+"/confirm", nil, bearer(s.staff("malopolskie", tenants.RoleAdmin).AccessToken)).expect(t, 404)
}

func TestAccountHolderDownloadsAndErasesTheirData(t *testing.T) {
	s := newTestServer(t)
	email := "usun.mnie@example.org"
	owner := s.signUp("slaskie", email)
	mod := s.staff("slaskie", tenants.RoleModerator)
	id := s.publishVia(owner, mod, "Pracownia Jana Kowalskiego", registerNIP(3))

	s.do("GET", "/r/slaskie/api/v1/me/data", nil).expect(t, 401)
	var data struct {
		Account struct {
			Email, Name string
		} `json:"account"`
		Listings []struct{ ID string }     `json:"listings"`
		Events   []struct{ Action string } `json:"events"`
		Mail     []struct{ To string }     `json:"mail"`
	}
	r := s.do("GET", "/r/slaskie/api/v1/me/data", nil, bearer(owner.AccessToken)).expect(t, 200)
	r.json(t, &data)
	if data.Account.Email != email || data.Account.Name != "Jan Kowalski" || len(data.Listings) != 1 || data.Listings[0].ID != id ||
		len(data.Events) != 2 || len(data.Mail) != 2 /* the verification and the approval */ || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("my data: %+v", data)
	}

	s.do("DELETE", "/r/slaskie/api/v1/me", nil, bearer(owner.AccessToken)).expect(t, 204)
	for _, needle := range []string{email, "Jan Kowalski"} {
		if found := s.tablesHolding(needle); len(found) > 0 {
			t.Errorf("%q is still in %v", needle, found)
		}
	}
	s.do("POST", "/r/slaskie/api/v1/auth/login", map[string]string{"email": email, "password": goodPassword}).expect(t, 401)
	s.do("POST", "/r/slaskie/api/v1/auth/refresh", map[string]string{"refresh_token": owner.RefreshToken}).expect(t, 401)
	s.do("GET", "/r/slaskie/api/v1/listings/"+id, nil).expect(t, 404)
	// The moderator still sees what happened, by whom in pseudonym.
	var history []struct{ Actor, Action string }
	s.do("GET", "/r/slaskie/api/v1/listings/"+id+"/history", nil, bearer(mod.AccessToken)).expect(t, 200).json(t, &history)
	if len(history) != 4 || history[0].Actor != store.ErasedName || history[3].Action != "archive" {
		t.Fatalf("history %+v", history)
	}
}
