package store_test

import (
	"testing"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// TestListingEventsReachOnlyTheirRegionsSubscribers: publishing and
// removing a listing queue an event for its region's subscriptions to
// that event only; a decision that fails queues nothing.
func TestListingEventsReachOnlyTheirRegionsSubscribers(t *testing.T) {
	db := storetest.New(t)
	storetest.LoadTERYT(t, db)
	sl := storetest.Ctx(t, db, "slaskie", tenants.Principal{})
	ma := storetest.Ctx(t, db, "malopolskie", tenants.Principal{})
	if _, err := db.CreateWebhook(sl, store.NewWebhook{URL: "https://owes.example.org/hook", Events: []string{store.EventListingPublished}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateWebhook(sl, store.NewWebhook{URL: "https://gmina.example.org/hook", Events: []string{store.EventListingRemoved}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateWebhook(ma, store.NewWebhook{URL: "https://krakow.example.org/hook", Events: store.WebhookEvents()}); err != nil {
		t.Fatal(err)
	}
	pub := storetest.NewPublisher(t, db)
	id := pub.Publish("slaskie", store.ListingData{Name: "Spółdzielnia Zdarzeń", NIP: "5260250274",
		Address: store.Address{Street: "ul. Mariacka 1", PostalCode: "40-014", City: "Katowice", GminaTERYT: "2469011"}})
	_, mod := pub.Ctxs("slaskie")
	if _, err := db.Moderate(mod, id, store.ActionApprove, ""); err == nil {
		t.Fatal("approving a published listing again went through")
	}
	if _, err := db.Moderate(mod, id, store.ActionSuspend, "Nieaktualne dane"); err != nil {
		t.Fatal(err)
	}
	list, err := db.FindWebhookDeliveries(sl, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Event != store.EventListingRemoved || list[0].URL != "https://gmina.example.org/hook" ||
		list[1].Event != store.EventListingPublished || list[1].URL != "https://owes.example.org/hook" {
		t.Fatalf("deliveries %+v: want one published, one removed, each to its subscriber", list)
	}
	if other, err := db.FindWebhookDeliveries(ma, 10); err != nil || len(other) != 0 {
		t.Fatalf("another region's subscriber got %+v (%v)", other, err)
	}
	for _, bad := range []store.NewWebhook{{URL: "ftp://x.example.org", Events: []string{store.EventListingPublished}},
		{URL: "https://x.example.org"}, {URL: "https://x.example.org", Events: []string{"listing.eaten"}}} {
		if _, err := db.CreateWebhook(sl, bad); store.ErrorCode(err) != store.EInvalid {
			t.Errorf("%+v: %v, want invalid", bad, err)
		}
	}
}
