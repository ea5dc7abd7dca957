package store_test

import (
	"testing"

	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

func TestALogoURLIsAnHTTPSAddressAndOnlyWhereTheRegionAllowsIt(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	owner, _ := actors(t, db, "slaskie")
	for _, bad := range []string{"//evil.example/logo.png", "/\\evil.example/logo.png", "http://example.org/l.png",
		"https://user:pw@example.org/l.png", "https://", "javascript:alert(1)", "https://example.org/\tl.png"} {
		d := validListing("Zły adres logo")
		d.LogoURL = bad
		if _, err := db.CreateListing(owner, d); fieldKeys(err)["logo_url"] != "logo_url.invalid" {
			t.Errorf("logo_url %q: %v", bad, err)
		}
	}
	d := validListing("Logo z zewnątrz")
	d.LogoURL = "https://cdn.example.org/logo.png"
	if _, err := db.CreateListing(owner, d); fieldKeys(err)["logo_url"] != "logo_url.external_not_allowed" {
		t.Fatalf("an external logo where the region allows none: %v", err)
	}
	tn, _ := tenants.FromContext(owner)
	allowing := *tn
	allowing.Settings.ExternalImages = true
	l, err := db.CreateListing(tenants.WithPrincipal(tenants.NewContext(owner, &allowing), tenants.PrincipalFrom(owner)), d)
	if err != nil || l.LogoURL != d.LogoURL {
		t.Fatalf("an external logo where the region allows it: %v", err)
	}
}
