package store_test

import (
	"reflect"
	"testing"

	"katalogpes/store"
	"katalogpes/store/storetest"
)

func TestListingChangeIsAnnouncedOnCommitWithItsID(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	pub := storetest.NewPublisher(t, db)
	id := pub.Publish("slaskie", store.ListingData{Name: "Spółdzielnia Socjalna Ogniwo", Address: katowice("Katowice")})
	notices := listen(t, db, store.ListingChannel)
	if n := nextNotice(t, notices); !n.Missed {
		t.Fatalf("first notice %+v, want Missed", n)
	}
	tn := storetest.Tenants(t, db)["slaskie"]
	_, mod := pub.Ctxs("slaskie")
	if _, err := db.Moderate(mod, id, store.ActionSuspend, "Dane do wyjaśnienia."); err != nil {
		t.Fatal(err)
	}
	// Suspending writes the listing once; every notice names it alone.
	n := nextNotice(t, notices)
	if got := store.ParseListingChange(n.Payload); got.TenantID != tn.ID || !reflect.DeepEqual(got.IDs, []string{id}) {
		t.Fatalf("notice %q parsed as %+v, want tenant %s and listing %s", n.Payload, got, tn.ID, id)
	}
	for len(notices) > 0 {
		if got := store.ParseListingChange((<-notices).Payload); !reflect.DeepEqual(got.IDs, []string{id}) {
			t.Fatalf("a further notice names %v", got.IDs)
		}
	}
}

func TestBulkListingChangeIsAnnouncedForTheWholeTenant(t *testing.T) {
	db := storetest.New(t)
	tn := storetest.Tenants(t, db)["slaskie"]
	raw := superuser(t, db)
	if _, err := raw.Exec(`INSERT INTO listings (tenant_id, status, data)
		SELECT $1, 'draft', jsonb_build_object('name', 'Podmiot ' || g) FROM generate_series(1, 101) g`, tn.ID); err != nil {
		t.Fatal(err)
	}
	notices := listen(t, db, store.ListingChannel)
	nextNotice(t, notices)
	// A new listing is in nobody's cache: inserting announced nothing.
	noNotice(t, notices)
	if _, err := raw.Exec(`UPDATE listings SET reminded_at = now() WHERE tenant_id = $1`, tn.ID); err != nil {
		t.Fatal(err)
	}
	if got := store.ParseListingChange(nextNotice(t, notices).Payload); got.TenantID != tn.ID || got.IDs != nil {
		t.Fatalf("bulk change parsed as %+v, want tenant %s without ids", got, tn.ID)
	}
	if _, err := raw.Exec(`UPDATE listings SET reminded_at = now() WHERE tenant_id = $1 AND data->>'name' IN ('Podmiot 1', 'Podmiot 2')`, tn.ID); err != nil {
		t.Fatal(err)
	}
	if got := store.ParseListingChange(nextNotice(t, notices).Payload); got.TenantID != tn.ID || len(got.IDs) != 2 {
		t.Fatalf("change of two parsed as %+v, want their two ids", got)
	}
}

// Another table shown on a listing's page announces its listing through
// the same function, naming the column that holds the listing's id.
func TestAnotherTableAnnouncesItsListings(t *testing.T) {
	db := storetest.New(t)
	tn := storetest.Tenants(t, db)["slaskie"]
	raw := superuser(t, db)
	for _, q := range []string{
		`CREATE TABLE listing_extras (tenant_id uuid NOT NULL, listing_id uuid NOT NULL)`,
		`CREATE TRIGGER listing_extras_changed AFTER INSERT ON listing_extras
		   REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION notify_listings_changed('listing_id')`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	notices := listen(t, db, store.ListingChannel)
	nextNotice(t, notices)
	const id = "0b0f2f5e-7d1c-4a43-9d59-3f0c6d2b7a11"
	if _, err := raw.Exec(`INSERT INTO listing_extras VALUES ($1, $2)`, tn.ID, id); err != nil {
		t.Fatal(err)
	}
	if got := store.ParseListingChange(nextNotice(t, notices).Payload); got.TenantID != tn.ID || !reflect.DeepEqual(got.IDs, []string{id}) {
		t.Fatalf("parsed %+v, want listing %s of tenant %s", got, id, tn.ID)
	}
}

// What else a profile page shows announces its listing: the registry
// check and the library items that name it (migration 00041).
func TestVerificationsAndLibraryLinksAnnounceTheirListing(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	tn := storetest.Tenants(t, db)["slaskie"]
	raw := superuser(t, db)
	id := storetest.NewPublisher(t, db).Publish("slaskie", store.ListingData{Name: "Spółdzielnia Ogłoszona",
		Address: store.Address{City: "Katowice", PostalCode: "40-001", GminaTERYT: "2469011"}})
	notices := listen(t, db, store.ListingChannel)
	nextNotice(t, notices)
	if _, err := raw.Exec(`INSERT INTO listing_verifications (listing_id, tenant_id, checked_at) VALUES ($1, $2, now())`, id, tn.ID); err != nil {
		t.Fatal(err)
	}
	if got := store.ParseListingChange(nextNotice(t, notices).Payload); got.TenantID != tn.ID || !reflect.DeepEqual(got.IDs, []string{id}) {
		t.Fatalf("a verification announced %+v, want listing %s", got, id)
	}
	var item string
	if err := raw.QueryRow(`INSERT INTO library_items (tenant_id, kind, status, title) VALUES ($1, 'raport', 'draft', 'Raport o spółdzielniach') RETURNING id`, tn.ID).Scan(&item); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO library_item_listings (tenant_id, item_id, listing_id) VALUES ($1, $2, $3)`, tn.ID, item, id); err != nil {
		t.Fatal(err)
	}
	if got := store.ParseListingChange(nextNotice(t, notices).Payload); !reflect.DeepEqual(got.IDs, []string{id}) {
		t.Fatalf("a library link announced %+v, want listing %s", got, id)
	}
	if _, err := raw.Exec(`UPDATE library_items SET title = 'Raport o spółdzielniach 2026' WHERE id = $1`, item); err != nil {
		t.Fatal(err)
	}
	if got := store.ParseListingChange(nextNotice(t, notices).Payload); !reflect.DeepEqual(got.IDs, []string{id}) {
		t.Fatalf("a library item's edit announced %+v, want listing %s", got, id)
	}
}
