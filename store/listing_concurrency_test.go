package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"katalogpes/store"
	"katalogpes/store/storetest"
)

// Sixty edits of one tenant's listings, several at once on the same
// listing, through a pool of ten connections: each edit holds its listing
// locked in one transaction, so validation must not wait for another
// connection the other edits hold.
func TestConcurrentEditsShareASmallPool(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	owner, _ := actors(t, db, "slaskie")
	ids := make([]string, 6)
	for i := range ids {
		d := validListing(fmt.Sprintf("Spółdzielnia %d", i))
		d.NIP = ""
		l, err := db.CreateListing(owner, d)
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = l.ID
	}
	db.LimitPool(10)
	ctx, cancel := context.WithTimeout(owner, 20*time.Second)
	defer cancel()
	const edits = 60
	errs := make(chan error, edits)
	var wg sync.WaitGroup
	for i := 0; i < edits; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			id := ids[i%len(ids)]
			_, err := db.UpdateListing(ctx, id, editDescription(fmt.Sprintf("Catering dla szkół, wersja %d.", i)))
			if err != nil {
				err = fmt.Errorf("edit %d of %s: %w", i, id, err)
			}
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func editDescription(s string) store.ListingUpdate {
	return store.ListingUpdate{Data: store.ListingData{Description: s}, Fields: []string{"description"}}
}

// An edit sets the fields it changed on the listing as it is when the edit
// lands: an edit made from an older read does not undo another's field.
func TestEditsOfDifferentFieldsBothStand(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	owner, _ := actors(t, db, "slaskie")
	l, err := db.CreateListing(owner, validListing("Stara nazwa"))
	if err != nil {
		t.Fatal(err)
	}
	renamed := l.ListingData
	renamed.Name = "Nowa nazwa"
	described := l.ListingData
	described.Description = "Catering dla szkół, urzędów i firm w całym regionie."
	described.Contact.Phone = ""
	for _, after := range []store.ListingData{renamed, described} {
		if _, err := db.UpdateListing(owner, l.ID, store.ListingChanges(l.ListingData, after)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.FindListingByID(owner, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Nowa nazwa" || got.Description != described.Description || got.Contact.Phone != "" || got.Contact.Email != l.Contact.Email {
		t.Fatalf("after both edits: name %q, description %q, contact %+v", got.Name, got.Description, got.Contact)
	}
}
