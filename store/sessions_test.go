package store_test

import (
	"testing"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

func TestPasswordChangeAndStaffRemovalRevokeSessions(t *testing.T) {
	db := storetest.New(t)
	ctx := storetest.Ctx(t, db, "slaskie", tenants.Principal{})
	a, err := db.CreateAccount(ctx, store.NewAccount{Email: "mod@rops.example.org", Name: "Mod", Password: "stare-haslo-12345", Role: tenants.RoleModerator, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	s1, err := db.StartSession(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.ChangePassword(ctx, a.ID, "zle-haslo-123456", "nowe-haslo-12345"); store.ErrorCode(err) != store.EInvalid {
		t.Fatalf("wrong current password: %v, want invalid", err)
	}
	if err := db.ChangePassword(ctx, a.ID, "stare-haslo-12345", "nowe-haslo-12345"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RotateSession(ctx, s1.RefreshToken); store.ErrorCode(err) != store.EUnauthorized {
		t.Fatalf("refresh after password change: %v, want unauthorized", err)
	}
	s2, err := db.StartSession(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.DisableAccount(ctx, "MOD@rops.example.org"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RotateSession(ctx, s2.RefreshToken); store.ErrorCode(err) != store.EUnauthorized {
		t.Fatalf("refresh after removal: %v, want unauthorized", err)
	}
	if _, err := db.Authenticate(ctx, "mod@rops.example.org", "nowe-haslo-12345"); store.ErrorCode(err) != store.EUnauthorized {
		t.Fatalf("a removed account signs in: %v", err)
	}
}
