package store_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

func TestLibraryItemDraftPublishEditWithHistoryAndOutbox(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	owner, mod := actors(t, db, "slaskie")
	_, otherMod := actors(t, db, "malopolskie")
	public := storetest.Ctx(t, db, "slaskie", tenants.Principal{})
	listingID, _, _ := ownedListing(t, db, "slaskie", "Spółdzielnia Raportowana", mod)

	// An enterprise cannot write the library; bad fields are all named.
	if _, err := db.CreateLibraryItem(owner, store.LibraryInput{Kind: store.KindReport, Title: "x"}); store.ErrorCode(err) != store.EForbidden {
		t.Fatalf("enterprise writes the library: %v", err)
	}
	bad := store.LibraryInput{Kind: "plotka", Title: " ", PublishedOn: "2026-13-01", Categories: []string{"nie_ma"},
		Listings: []string{"nie-uuid"}, Language: "polski"}
	keys := fieldKeys(func() error { _, err := db.CreateLibraryItem(mod, bad); return err }())
	for field, key := range map[string]string{"kind": "library.kind.invalid", "title": "library.title.required",
		"published_on": "library.date.invalid", "categories": "library.category.unknown", "listings": "library.listing.unknown",
		"language": "library.language.invalid"} {
		if keys[field] != key {
			t.Errorf("field %s: %q, want %q (all: %v)", field, keys[field], key, keys)
		}
	}
	ev := store.LibraryInput{Kind: store.KindTraining, Title: "Szkolenie"}
	if k := fieldKeys(func() error { _, err := db.CreateLibraryItem(mod, ev); return err }()); k["event.starts_at"] != "library.event.starts_required" {
		t.Fatalf("an event without a time: %v", k)
	}
	ev.Event = &store.LibraryEventInput{StartsAt: "2026-05-10T10:00", EndsAt: "2026-05-10T09:00", PlaceTERYT: "9999999", OnlineURL: "ftp://x"}
	k := fieldKeys(func() error { _, err := db.CreateLibraryItem(mod, ev); return err }())
	if k["event.ends_at"] != "library.event.ends_before" || k["event.place_teryt"] != "library.event.place_unknown" || k["event.online_url"] != "library.event.url_invalid" {
		t.Fatalf("bad event: %v", k)
	}

	in := store.LibraryInput{Kind: store.KindReport, Title: " Raport o ekonomii społecznej ", Tags: []string{"Klauzule społeczne", "klauzule społeczne"},
		Categories: []string{"catering"}, Listings: []string{listingID}, Authors: []string{"ROPS Katowice"}, PublishedOn: "2026-03-01"}
	it, err := db.CreateLibraryItem(mod, in)
	if err != nil {
		t.Fatal(err)
	}
	if it.Status != store.LibraryDraft || it.Title != "Raport o ekonomii społecznej" || strings.Join(it.Tags, "|") != "klauzule społeczne" ||
		len(it.Listings) != 1 || it.Listings[0].Name != "Spółdzielnia Raportowana" || it.Year() != 2026 || it.Region != "slaskie" {
		t.Fatalf("created %+v", it)
	}
	if linked, _ := db.FindLibraryItemsForListing(public, listingID); len(linked) != 0 {
		t.Fatalf("a draft shows on the profile: %v", linked)
	}
	if _, err := db.PublishLibraryItem(otherMod, it.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another region publishes: %v", err)
	}
	if it, err = db.PublishLibraryItem(mod, it.ID); err != nil || it.Status != store.LibraryPublished || it.PublishedAt == nil {
		t.Fatalf("publish: %+v %v", it, err)
	}
	if linked, _ := db.FindLibraryItemsForListing(public, listingID); len(linked) != 1 || linked[0].ID != it.ID {
		t.Fatalf("the profile's items: %v", linked)
	}
	edit := it.Input()
	edit.Title = "Raport 2026"
	seq := it.Sequence
	if it, err = db.UpdateLibraryItem(mod, it.ID, edit); err != nil || it.Title != "Raport 2026" || it.Sequence <= seq {
		t.Fatalf("edit: %+v %v", it, err)
	}
	hist, err := db.FindLibraryHistory(mod, it.ID)
	if err != nil || len(hist) != 3 || hist[1].Action != "publish" || hist[2].Action != "edit" || strings.Join(hist[2].Fields, ",") != "title" {
		t.Fatalf("history %+v %v", hist, err)
	}
	if n, err := db.LibraryOutboxDepth(tenants.WithAllTenants(t.Context())); err != nil || n != 3 {
		t.Fatalf("outbox holds %d (%v), want 3 (create, publish, edit)", n, err)
	}
	if n, err := db.EnqueueAllLibraryItems(tenants.WithAllTenants(t.Context())); err != nil || n != 1 {
		t.Fatalf("reindex queued %d (%v), want the 1 item", n, err)
	}
	list, err := db.FindLibraryItems(tenants.WithAllTenants(t.Context()), store.LibraryFilter{Tag: "klauzule społeczne"})
	if err != nil || len(list) != 1 {
		t.Fatalf("national tag list %v %v", list, err)
	}

	// An event's times in Warsaw; upcoming and past.
	ev.Event = &store.LibraryEventInput{StartsAt: time.Now().Add(48 * time.Hour).In(store.Warsaw).Format("2006-01-02T15:04"), PlaceTERYT: "2469011"}
	e, err := db.CreateLibraryItem(mod, ev)
	if err != nil || e.Event == nil || e.Event.PlaceName != "Katowice" {
		t.Fatalf("event %+v %v", e, err)
	}
	if _, err := db.PublishLibraryItem(mod, e.ID); err != nil {
		t.Fatal(err)
	}
	if up, _ := db.FindLibraryItems(public, store.LibraryFilter{Events: "upcoming"}); len(up) != 1 || up[0].ID != e.ID {
		t.Fatalf("upcoming %v", up)
	}
	if past, _ := db.FindLibraryItems(public, store.LibraryFilter{Events: "past"}); len(past) != 0 {
		t.Fatalf("past %v", past)
	}
	if _, err := db.ArchiveLibraryItem(mod, e.ID); err != nil {
		t.Fatal(err)
	}
	// A staff member who erases the account stays in the history as the pseudonym.
	if err := db.EraseAccount(mod); err != nil {
		t.Fatal(err)
	}
	if hist, err := db.FindLibraryHistory(public, e.ID); err != nil || len(hist) == 0 || hist[0].ActorName != store.ErasedName {
		t.Fatalf("history after erasure %+v %v", hist, err)
	}
	if _, err := db.UpdateLibraryItem(mod, e.ID, ev); store.ErrorCode(err) != store.EConflict {
		t.Fatalf("an archived item is edited: %v", err)
	}
}

func TestLibraryFileIsCheckedByContent(t *testing.T) {
	if _, err := store.CheckLibraryFile([]byte("To nie jest PDF, tylko tekst.")); fieldKeys(err)["file"] != "library.file.type" {
		t.Fatalf("text as a document: %v", err)
	}
	if _, err := store.CheckLibraryFile(nil); fieldKeys(err)["file"] != "library.file.empty" {
		t.Fatalf("empty: %v", err)
	}
	if _, err := store.CheckLibraryFile(make([]byte, store.MaxLibraryFile+1)); fieldKeys(err)["file"] != "library.file.too_large" {
		t.Fatalf("too large: %v", err)
	}
	if ct, err := store.CheckLibraryFile([]byte("%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n")); err != nil || ct != store.TypePDF {
		t.Fatalf("a PDF: %q %v", ct, err)
	}
	xlsx := excelize.NewFile()
	_ = xlsx.SetCellValue("Sheet1", "A1", "Liczba podmiotów")
	book, err := xlsx.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	if ct, err := store.CheckLibraryFile(book.Bytes()); err != nil || ct != store.TypeXLSX {
		t.Fatalf("an XLSX: %q %v", ct, err)
	}
	var doc bytes.Buffer
	zw := zip.NewWriter(&doc)
	for name, body := range map[string]string{"[Content_Types].xml": `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"word/document.xml": `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>`} {
		w, _ := zw.Create(name)
		_, _ = w.Write([]byte(body))
	}
	_ = zw.Close()
	if ct, err := store.CheckLibraryFile(doc.Bytes()); err != nil || ct != store.TypeDOCX {
		t.Fatalf("a DOCX: %q %v", ct, err)
	}
	// A zip that is neither is refused, whatever it is called.
	var other bytes.Buffer
	zw = zip.NewWriter(&other)
	w, _ := zw.Create("notatki.txt")
	_, _ = w.Write([]byte("nic"))
	_ = zw.Close()
	if _, err := store.CheckLibraryFile(other.Bytes()); fieldKeys(err)["file"] != "library.file.type" {
		t.Fatalf("a plain zip: %v", err)
	}
	if got := store.LibraryFileName(`C:\Dokumenty\Raport końcowy (2026).PDF`, store.TypePDF); got != "Raport-koncowy-2026.pdf" {
		t.Fatalf("download name %q", got)
	}
}
