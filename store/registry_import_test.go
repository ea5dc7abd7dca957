package store_test

import (
	"slices"
	"testing"

	"katalogpes/store"
	"katalogpes/store/registry"
)

func TestAnImportsRowsAreCheckedInTheRegistries(t *testing.T) {
	e := newImportEnv(t, "slaskie")
	srv, reg := replayed(t, e.db, registry.Limits{})
	file := []byte("nazwa;nip;krs\r\nFundacja Pomocna Dłoń;9541234501;0000654321\r\nPralnia Dawna;6441238805;0000222333\r\n" +
		"Bez numerów;;\r\nNieznany podmiot;5260250274;\r\n")
	up, err := e.db.CreateImportUpload(e.admin, "rejestr.csv", store.ImportCSV, file)
	if err != nil {
		t.Fatal(err)
	}
	job, err := e.db.StartImportJob(e.admin, up.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.StartImportCheck(e.admin, job.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.db.StartImportCheck(e.admin, job.ID); store.ErrorCode(err) != store.EConflict {
		t.Fatalf("a second check while one runs: %v", err)
	}
	if err := reg.RunImportCheck(e.admin, job.ID); err != nil {
		t.Fatal(err)
	}
	c, err := e.db.FindImportCheck(e.admin, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != "done" || c.RowsTotal != 3 || c.RowsDone != 3 || len(c.Results) != 3 {
		t.Fatalf("check %+v", c)
	}
	fund, gone, unknown := c.Results[0], c.Results[1], c.Results[2]
	if fund.Row != 2 || !slices.Equal(fund.Found, []string{"krs", "regon"}) || len(fund.Flags) != 0 || len(fund.Mismatches) != 0 {
		t.Fatalf("foundation row %+v", fund)
	}
	if gone.Row != 3 || !slices.Equal(gone.Flags, []string{"struck_off"}) || !slices.Contains(gone.Mismatches, "name") {
		t.Fatalf("struck-off row %+v", gone)
	}
	if unknown.Row != 5 || !unknown.NotFound {
		t.Fatalf("unknown row %+v", unknown)
	}
	if srv.Hits("vat") != 0 {
		t.Fatal("an import's check spent the VAT list's daily queries")
	}
	if _, err := e.db.FindImportCheck(adminCtx(t, e.db, "malopolskie"), job.ID); store.ErrorCode(err) != store.ENotFound {
		t.Fatalf("another region's admin reads the check: %v", err)
	}
}
