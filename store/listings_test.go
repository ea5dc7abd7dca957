package store_test

import (
	"context"
	"errors"
	"testing"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// actors makes an enterprise owner and a moderator in tenant slug.
func actors(t *testing.T, db *storetest.DB, slug string) (owner, mod context.Context) {
	t.Helper()
	ctx := storetest.Ctx(t, db, slug, tenants.Principal{})
	mk := func(role tenants.Role) context.Context {
		a, err := db.CreateAccount(ctx, store.NewAccount{Email: storetest.Unique(string(role) + "@example.org"), Name: string(role) + " " + slug, Password: "dobre-haslo-123", Role: role, Active: true})
		if err != nil {
			t.Fatalf("create %s: %v", role, err)
		}
		return tenants.WithPrincipal(ctx, tenants.Principal{AccountID: a.ID, Name: a.Name, Role: role})
	}
	return mk(tenants.RoleEnterprise), mk(tenants.RoleModerator)
}

func validListing(name string) store.ListingData {
	return store.ListingData{
		Name: name, LegalForm: "spoldzielnia_socjalna", Kinds: []string{"spoldzielnia_socjalna"},
		NIP: "526-025-02-74", Description: "Catering dla szkół i urzędów.", Categories: []string{"catering"},
		Address: store.Address{Street: "ul. Mariacka 1", PostalCode: "40014", City: "Katowice", GminaTERYT: "2469011"},
		Contact: store.Contact{Email: "biuro@example.org", Phone: "600 100 200", Website: "example.org"},
	}
}

func fieldKeys(err error) map[string]string {
	var se *store.Error
	out := map[string]string{}
	if errors.As(err, &se) {
		for _, f := range se.Fields {
			out[f.Field] = f.Key
		}
	}
	return out
}

func TestCreateListingNormalisesAndDerives(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	owner, _ := actors(t, db, "slaskie")
	l, err := db.CreateListing(owner, validListing("Spółdzielnia Socjalna Kłos"))
	if err != nil {
		t.Fatal(err)
	}
	if l.Status != store.StatusDraft || l.NIP != "5260250274" || l.Address.PostalCode != "40-014" || l.Contact.Phone != "+48600100200" {
		t.Fatalf("not normalised: %+v", l)
	}
	if l.ReservedContractsEligible || l.ReservedContractsBasis != nil {
		t.Fatalf("a social cooperative without employment figures is eligible for reserved contracts: %+v", l.ReservedContractsBasis)
	}
	if l.Powiat.Name != "Katowice" || l.Voivodeship.Code != "24" || l.Completeness == 0 || l.Stale {
		t.Fatalf("derived fields wrong: powiat %+v voivodeship %+v completeness %d stale %v", l.Powiat, l.Voivodeship, l.Completeness, l.Stale)
	}
}

func TestInvalidListingsAreRefusedFieldByField(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	owner, _ := actors(t, db, "slaskie")
	cases := []struct {
		name  string
		edit  func(d *store.ListingData)
		field string
		key   string
	}{
		{"bad NIP checksum", func(d *store.ListingData) { d.NIP = "1234567890" }, "nip", "nip.checksum"},
		{"bad REGON-9", func(d *store.ListingData) { d.REGON = "891129302" }, "regon", "regon.checksum"},
		{"bad REGON-14", func(d *store.ListingData) { d.REGON = "89112930100001" }, "regon", "regon.checksum"},
		{"gmina of another voivodeship", func(d *store.ListingData) { d.Address.GminaTERYT = "1261011" }, "address.gmina_teryt", "teryt.other_voivodeship"},
		{"unknown gmina", func(d *store.ListingData) { d.Address.GminaTERYT = "2499011" }, "address.gmina_teryt", "teryt.gmina_unknown"},
		{"at risk over total", func(d *store.ListingData) {
			d.Employment = &store.Employment{Total: 3, AtRisk: 5, AsOf: "2026-01-01"}
		}, "employment.at_risk", "employment.at_risk_over_total"},
		{"javascript website", func(d *store.ListingData) { d.Contact.Website = "javascript:alert(1)" }, "contact.website", "website.scheme"},
		{"unknown legal form", func(d *store.ListingData) { d.LegalForm = "spolka_akcyjna" }, "legal_form", "legal_form.unknown"},
		{"missing name", func(d *store.ListingData) { d.Name = "  " }, "name", "required"},
		{"too long name", func(d *store.ListingData) { d.Name = string(make([]rune, 201)) }, "name", "too_long"},
		{"bad postal code", func(d *store.ListingData) { d.Address.PostalCode = "4-0014" }, "address.postal_code", "postal_code.format"},
		{"unknown category", func(d *store.ListingData) { d.Categories = []string{"kosmonautyka"} }, "categories[0]", "category.unknown"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := validListing("Test " + c.name)
			c.edit(&d)
			_, err := db.CreateListing(owner, d)
			if store.ErrorCode(err) != store.EInvalid {
				t.Fatalf("err = %v, want invalid", err)
			}
			if got := fieldKeys(err)[c.field]; got != c.key {
				t.Fatalf("field %s: %q, want %q (all: %v)", c.field, got, c.key, fieldKeys(err))
			}
		})
	}
	mine, err := db.FindOwnListings(owner)
	if err != nil || len(mine) != 0 {
		t.Fatalf("refused listings left rows behind: %d (%v)", len(mine), err)
	}
}

func TestDuplicateNIPInTheTenantConflicts(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	owner, _ := actors(t, db, "slaskie")
	if _, err := db.CreateListing(owner, validListing("Pierwszy")); err != nil {
		t.Fatal(err)
	}
	_, err := db.CreateListing(owner, validListing("Drugi"))
	if store.ErrorCode(err) != store.EConflict || fieldKeys(err)["nip"] != "nip.duplicate" {
		t.Fatalf("err = %v, want a NIP conflict", err)
	}
	// Another region may list the same NIP (a branch in another voivodeship).
	other, _ := actors(t, db, "malopolskie")
	d := validListing("W Krakowie")
	d.Address.GminaTERYT, d.Address.City = "1261011", "Kraków"
	if _, err := db.CreateListing(other, d); err != nil {
		t.Fatalf("same NIP in another tenant: %v", err)
	}
}

func TestModerationLifeCycleWithRevision(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	owner, mod := actors(t, db, "slaskie")
	public := storetest.Ctx(t, db, "slaskie", tenants.Principal{})
	l, err := db.CreateListing(owner, validListing("Stara nazwa"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.FindListingByID(public, l.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the public reads a draft: %v", err)
	}
	if _, err := db.Moderate(mod, l.ID, store.ActionApprove, ""); store.ErrorCode(err) != store.EConflict {
		t.Fatalf("approving a draft: %v, want conflict", err)
	}
	mustOK := func(_ *store.Listing, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	mustOK(db.SubmitListing(owner, l.ID))
	if _, err := db.Moderate(mod, l.ID, store.ActionReject, " "); store.ErrorCode(err) != store.EInvalid {
		t.Fatalf("reject without reason: %v, want invalid", err)
	}
	if _, err := db.Moderate(owner, l.ID, store.ActionApprove, ""); store.ErrorCode(err) != store.EForbidden {
		t.Fatalf("owner approving: %v, want forbidden", err)
	}
	mustOK(db.Moderate(mod, l.ID, store.ActionRequestChanges, "Dodaj opis oferty"))
	mustOK(db.UpdateListing(owner, l.ID, store.ListingUpdate{Data: store.ListingData{Description: "Catering dla szkół, urzędów i firm w całym regionie."}, Fields: []string{"description"}}))
	mustOK(db.SubmitListing(owner, l.ID))
	mustOK(db.Moderate(mod, l.ID, store.ActionApprove, ""))

	// An edit of a published listing waits for a moderator.
	mustOK(db.UpdateListing(owner, l.ID, store.ListingUpdate{Data: store.ListingData{Name: "Nowa nazwa"}, Fields: []string{"name"}}))
	pub, err := db.FindListingByID(public, l.ID)
	if err != nil || pub.Name != "Stara nazwa" || pub.Revision != nil {
		t.Fatalf("public sees %q (revision %v, err %v), want the published name only", pub.Name, pub.Revision, err)
	}
	queue, err := db.FindModerationQueue(mod)
	if err != nil || len(queue) != 1 || queue[0].Kind != "revision" || queue[0].Changes[0].Field != "name" {
		t.Fatalf("queue = %+v (%v), want the revision with the name change", queue, err)
	}
	mustOK(db.Moderate(mod, l.ID, store.ActionApprove, ""))
	if pub, _ = db.FindListingByID(public, l.ID); pub.Name != "Nowa nazwa" {
		t.Fatalf("after approval the public sees %q", pub.Name)
	}
	mustOK(db.Moderate(mod, l.ID, store.ActionSuspend, "Nieaktualne dane kontaktowe"))
	if _, err := db.FindListingByID(public, l.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a suspended listing is public: %v", err)
	}
	history, err := db.FindListingEvents(owner, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"create", "submit", "request_changes", "edit", "submit", "approve", "revision", "approve_revision", "suspend"}
	if len(history) != len(want) {
		t.Fatalf("history has %d events, want %d: %+v", len(history), len(want), history)
	}
	for i, e := range history {
		if e.Action != want[i] || e.Actor == "" {
			t.Fatalf("event %d = %+v, want action %s with an actor", i, e, want[i])
		}
	}
	if history[2].Reason != "Dodaj opis oferty" || history[8].Reason != "Nieaktualne dane kontaktowe" {
		t.Fatalf("reasons not kept: %+v", history)
	}
}

func TestAnotherTenantsModeratorCannotSeeTheListing(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	owner, _ := actors(t, db, "slaskie")
	_, otherMod := actors(t, db, "malopolskie")
	l, err := db.CreateListing(owner, validListing("Śląska"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SubmitListing(owner, l.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Moderate(otherMod, l.ID, store.ActionApprove, ""); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("moderator of another tenant: %v, want not found", err)
	}
}

func TestSomeoneElsesListingIsForbidden(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	owner, _ := actors(t, db, "slaskie")
	intruder, _ := actors(t, db, "slaskie")
	l, err := db.CreateListing(owner, validListing("Cudza"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SubmitListing(owner, l.ID); err != nil {
		t.Fatal(err)
	}
	// A pending listing is invisible to others: not found.
	if _, err := db.UpdateListing(intruder, l.ID, store.ListingUpdate{Data: store.ListingData{Name: "x"}, Fields: []string{"name"}}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("editing someone's pending listing: %v, want not found", err)
	}
}
