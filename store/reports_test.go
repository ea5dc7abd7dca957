package store_test

import (
	"errors"
	"strings"
	"testing"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

func TestAReportLandsInItsRegionsInboxWithItsMailAndIsClosed(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	raw := superuser(t, db)
	_, mod := actors(t, db, "slaskie")
	_, otherMod := actors(t, db, "malopolskie")
	id, _, _ := ownedListing(t, db, "slaskie", "Spółdzielnia Zgłoszona", mod)
	public := storetest.Ctx(t, db, "slaskie", tenants.Principal{})
	compose := func(r store.ListingReport) store.Mail {
		return store.Mail{To: "rops@example.org", Subject: "Zgłoszenie: " + r.ListingName, Body: r.Body}
	}
	if _, err := db.CreateListingReport(public, store.NewListingReport{ListingID: id, Body: "  "}, compose); fieldKeys(err)["body"] != "required" {
		t.Fatalf("empty body: %v", err)
	}
	long := store.NewListingReport{ListingID: id, Body: strings.Repeat("ą", 2001), ReporterEmail: "nie-adres"}
	if keys := fieldKeys(func() error { _, err := db.CreateListingReport(public, long, compose); return err }()); keys["body"] != "too_long" || keys["reporter_email"] != "email.format" {
		t.Fatalf("long body and bad e-mail: %v", keys)
	}
	r, err := db.CreateListingReport(public, store.NewListingReport{ListingID: id, Body: " Zmienił się telefon. ", ReporterEmail: "kupujacy@Example.ORG"}, compose)
	if err != nil {
		t.Fatal(err)
	}
	if r.Body != "Zmienił się telefon." || r.ReporterEmail != "kupujacy@example.org" || r.ListingName != "Spółdzielnia Zgłoszona" || r.Status != store.ReportOpen {
		t.Fatalf("report %+v", r)
	}
	if n := mailCount(t, raw, "rops@example.org"); n != 1 {
		t.Fatalf("%d mails to the region, want 1", n)
	}
	// The public reads no inbox; another region's moderator sees nothing and cannot close it.
	if _, err := db.FindOpenListingReports(public); store.ErrorCode(err) != store.EForbidden {
		t.Fatalf("public reads the inbox: %v", err)
	}
	if list, err := db.FindOpenListingReports(otherMod); err != nil || len(list) != 0 {
		t.Fatalf("other region's inbox: %v %v", list, err)
	}
	if err := db.CloseListingReport(otherMod, r.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("other region closes: %v", err)
	}
	list, err := db.FindOpenListingReports(mod)
	if err != nil || len(list) != 1 || list[0].ID != r.ID {
		t.Fatalf("inbox %v %v", list, err)
	}
	if err := db.CloseListingReport(mod, r.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := db.FindOpenListingReports(mod); len(list) != 0 {
		t.Fatalf("closed report still open: %v", list)
	}
	// A listing the public cannot see cannot be reported.
	draft, _, _ := ownedListing(t, db, "slaskie", "Szkic", nil)
	if _, err := db.CreateListingReport(public, store.NewListingReport{ListingID: draft, Body: "x"}, compose); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("report on a draft: %v", err)
	}
}
