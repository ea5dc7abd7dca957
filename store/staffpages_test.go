package store_test

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// registerWithBadRows is five good rows of slaskie and two bad: an
// unknown 7-digit gmina (row 3) and a NIP that fails its check (row 6).
func registerWithBadRows(t *testing.T) []byte {
	t.Helper()
	rows := goodRows(7, 612000000)
	rows[1]["gmina_teryt"] = "2469999"
	rows[4]["nip"] = "1234567890"
	return csvFile(t, rows, plColumns, ';', false)
}

func TestDryRunWritesNothingAndShowsTheRowsAsStored(t *testing.T) {
	e := newImportEnv(t, "slaskie")
	file := registerWithBadRows(t)
	res, err := e.db.ImportWith(e.admin, bytes.NewReader(file), store.ImportOptions{Format: store.ImportCSV, DryRun: true, Preview: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 5 || res.Skipped != 2 {
		t.Fatalf("dry run: imported %d, skipped %d; want 5, 2", res.Imported, res.Skipped)
	}
	for _, q := range []string{`SELECT count(*) FROM listings`, `SELECT count(*) FROM listing_events`, `SELECT count(*) FROM search_outbox`} {
		if n := e.count(t, q); n != 0 {
			t.Fatalf("a dry run wrote: %s = %d", q, n)
		}
	}
	if len(res.Preview) != 3 || res.Preview[0].Row != 2 || res.Preview[1].Row != 4 || res.Preview[0].GminaName == "" ||
		!slices.Equal(res.Preview[0].Categories, []string{"catering", "sprzatanie"}) || res.Preview[0].Updates {
		t.Fatalf("preview: %+v", res.Preview)
	}
	if res.Columns["address.gmina_teryt"] != "gmina_teryt" || res.Columns["name"] != "nazwa" {
		t.Fatalf("columns as the file names them: %v", res.Columns)
	}
	got := errorTriples(res.Errors)
	if !slices.Equal(got, []string{"3 address.gmina_teryt teryt.gmina_unknown", "6 nip nip.checksum"}) {
		t.Fatalf("errors: %v", got)
	}
	if res.Errors[0].Params["Code"] != "2469999" {
		t.Fatalf("the unknown gmina's message lacks its code: %v", res.Errors[0].Params)
	}

	real := e.run(t, file, store.ImportCSV)
	if real.Imported != 5 || e.count(t, `SELECT count(*) FROM listings`) != 5 {
		t.Fatalf("the import after the dry run: %+v", real)
	}
	again, err := e.db.ImportWith(e.admin, bytes.NewReader(file), store.ImportOptions{Format: store.ImportCSV, DryRun: true, Preview: 1})
	if err != nil || again.Imported != 0 || again.Skipped != 7 {
		t.Fatalf("dry run over imported rows: %+v (%v)", again, err)
	}
}

func TestAnImportJobKeepsItsFileAndReportsTheBadRowsAsXLSX(t *testing.T) {
	e := newImportEnv(t, "slaskie")
	file := registerWithBadRows(t)
	up, err := e.db.CreateImportUpload(e.admin, "rejestr.csv", store.ImportCSV, file)
	if err != nil {
		t.Fatal(err)
	}
	job, err := e.db.StartImportJob(e.admin, up.ID, true)
	if err != nil || job.Status != store.JobRunning {
		t.Fatalf("start: %+v (%v)", job, err)
	}
	if _, err := e.db.RunImportJob(e.admin, job.ID); err != nil {
		t.Fatal(err)
	}
	job, err = e.db.FindImportJob(e.admin, job.ID)
	if err != nil || job.Status != store.JobDone || job.Result == nil || job.Result.Imported != 5 || len(job.Result.Preview) != 5 {
		t.Fatalf("done: %+v (%v)", job, err)
	}
	if e.count(t, `SELECT count(*) FROM listings`) != 0 {
		t.Fatal("the dry-run job wrote listings")
	}
	var buf bytes.Buffer
	err = e.db.WriteImportReport(e.admin, job.ID, &buf, func(ie store.ImportError) string { return ie.Field + ": " + ie.Key })
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][len(plColumns)] != "Błędy" || rows[0][0] != "nazwa" {
		t.Fatalf("report rows: %q", rows)
	}
	if rows[1][10] != "2469999" || !strings.Contains(rows[1][len(plColumns)], "teryt.gmina_unknown") ||
		!strings.Contains(rows[2][len(plColumns)], "nip.checksum") {
		t.Fatalf("bad rows with their errors: %q", rows[1:])
	}

	// The same file imported for real; another admin sees neither.
	other := adminCtx(t, e.db, "slaskie")
	if _, err := e.db.FindImportJob(other, job.ID); store.ErrorCode(err) != store.ENotFound {
		t.Fatalf("another admin reads the job: %v", err)
	}
	if _, err := e.db.StartImportJob(other, up.ID, false); store.ErrorCode(err) != store.ENotFound {
		t.Fatalf("another admin imports the upload: %v", err)
	}
	real, err := e.db.StartImportJob(e.admin, up.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := e.db.RunImportJob(e.admin, real.ID); err != nil || res.Imported != 5 {
		t.Fatalf("import: %+v (%v)", res, err)
	}
	if e.count(t, `SELECT count(*) FROM listings`) != 5 {
		t.Fatal("the import job wrote no listings")
	}
}

func TestAReminderByHandGoesOnceAWeekAndIsInTheHistory(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	raw := superuser(t, db)
	mod := staffCtx(t, db, "slaskie", tenants.RoleModerator)
	id, email, owner := ownedListing(t, db, "slaskie", "Przypominany", mod)
	exec(t, raw, `UPDATE listings SET confirmed_at = now() - interval '400 days' WHERE id = $1`, id)

	rem, err := db.SendReminder(mod, id, reminderMail)
	if err != nil || rem.ToEmail != email {
		t.Fatalf("first reminder: %+v (%v)", rem, err)
	}
	_, err = db.SendReminder(mod, id, reminderMail)
	var se *store.Error
	if store.ErrorCode(err) != store.EConflict || !errors.As(err, &se) || se.Key != "reminder.too_soon" {
		t.Fatalf("a second reminder within the week: %v", err)
	}
	if next, ok := se.Params["Next"].(time.Time); !ok || time.Until(next) < 6*24*time.Hour {
		t.Fatalf("the refusal says when: %v", se.Params)
	}
	if n := mailCount(t, raw, email); n != 1 {
		t.Fatalf("%d mails, want 1", n)
	}
	hist, err := db.FindReminderHistory(mod, []string{id})
	if err != nil || len(hist[id]) != 1 || hist[id][0].ToEmail != email || hist[id][0].SentByName == "" {
		t.Fatalf("history: %+v (%v)", hist, err)
	}
	if _, err := db.SendReminder(owner, id, reminderMail); store.ErrorCode(err) != store.EForbidden {
		t.Fatalf("an enterprise sends reminders: %v", err)
	}
	if _, err := db.SendReminder(staffCtx(t, db, "malopolskie", tenants.RoleModerator), id, reminderMail); store.ErrorCode(err) != store.ENotFound {
		t.Fatalf("another region's moderator reminds: %v", err)
	}
	exec(t, raw, `UPDATE listing_reminders SET sent_at = now() - interval '8 days' WHERE listing_id = $1`, id)
	if _, err := db.SendReminder(mod, id, reminderMail); err != nil {
		t.Fatalf("a week later: %v", err)
	}
	if hist, _ := db.FindReminderHistory(mod, []string{id}); len(hist[id]) != 2 || !hist[id][0].SentAt.After(hist[id][1].SentAt) {
		t.Fatalf("history, newest first: %+v", hist[id])
	}
	list, total, err := db.FindStaleListings(mod, store.StaleFilter{Owner: "no"})
	if err != nil || total != 0 || len(list) != 0 {
		t.Fatalf("stale without owner: %d (%v)", total, err)
	}
	if _, total, _ := db.FindStaleListings(mod, store.StaleFilter{Owner: "yes", Powiat: "2469"}); total != 1 {
		t.Fatalf("stale with owner in Katowice: %d", total)
	}
}

func TestCategoriesAreAddedRenamedAndRetiredPerRegion(t *testing.T) {
	db := storetest.New(t)
	admin := adminCtx(t, db, "slaskie")
	c, err := db.CreateCategory(admin, store.CategoryInput{NamePL: "Usługi pralnicze", CPV: []string{"98, 50"}})
	if err != nil || c.Code != "uslugi_pralnicze" || c.NameEN != "Usługi pralnicze" || !slices.Equal([]string(c.CPV), []string{"98", "50"}) {
		t.Fatalf("add: %+v (%v)", c, err)
	}
	c2, err := db.CreateCategory(admin, store.CategoryInput{NamePL: "Usługi  pralnicze!", ParentCode: "catering"})
	if err != nil || c2.Code != "uslugi_pralnicze_2" || c2.ParentCode == nil || *c2.ParentCode != "catering" {
		t.Fatalf("a second with the same name: %+v (%v)", c2, err)
	}
	for _, bad := range []struct {
		in    store.CategoryInput
		field string
	}{
		{store.CategoryInput{NamePL: " "}, "name_pl"},
		{store.CategoryInput{NamePL: "Druk", CPV: []string{"9x"}}, "cpv"},
		{store.CategoryInput{NamePL: "Druk", ParentCode: "uslugi_pralnicze_2"}, "parent_code"},
	} {
		_, err := db.CreateCategory(admin, bad.in)
		var se *store.Error
		if !errors.As(err, &se) || se.Code != store.EInvalid || len(se.Fields) == 0 || se.Fields[0].Field != bad.field {
			t.Errorf("%+v: %v, want an error at %s", bad.in, err, bad.field)
		}
	}
	if _, err := db.UpdateCategory(admin, c.Code, store.CategoryInput{NamePL: "Pralnia i prasowalnia", NameEN: "Laundry and ironing", CPV: []string{"98"}}); err != nil {
		t.Fatal(err)
	}
	if err := db.RetireCategory(admin, "catering", true); err != nil {
		t.Fatal(err)
	}
	cats, err := db.FindCategories(admin)
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]store.Category{}
	for _, cat := range cats {
		byCode[cat.Code] = cat
	}
	if got := byCode[c.Code]; got.NamePL != "Pralnia i prasowalnia" || got.NameEN != "Laundry and ironing" || got.Code != "uslugi_pralnicze" {
		t.Fatalf("renamed: %+v", got)
	}
	if !byCode["catering"].Retired() || !byCode["uslugi_pralnicze_2"].Retired() || byCode["sprzatanie"].Retired() {
		t.Fatal("retiring catering retires it and its subcategory only")
	}
	if err := db.RetireCategory(admin, "catering", false); err != nil || func() bool {
		cats, _ := db.FindCategories(admin)
		for _, cat := range cats {
			if cat.Code == "catering" {
				return cat.Retired()
			}
		}
		return true
	}() {
		t.Fatalf("restore: %v", err)
	}
	other := adminCtx(t, db, "malopolskie")
	if cats, _ := db.FindCategories(other); len(cats) != 15 {
		t.Fatalf("another region sees %d categories, want its 15", len(cats))
	}
	if err := db.RetireCategory(other, c.Code, true); store.ErrorCode(err) != store.ENotFound {
		t.Fatalf("another region retires ours: %v", err)
	}
	mod := staffCtx(t, db, "slaskie", tenants.RoleModerator)
	if _, err := db.CreateCategory(mod, store.CategoryInput{NamePL: "Druk"}); store.ErrorCode(err) != store.EForbidden {
		t.Fatalf("a moderator adds a category: %v", err)
	}
}
