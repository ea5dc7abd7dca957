package store_test

import (
	"encoding/json"
	"testing"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// A need published (by a moderator's approval, or at once where the
// region skips review) queues need.published for the region's
// subscribers of it; a pending or rejected need queues nothing.
func TestNeedPublishedEventsReachTheirSubscribers(t *testing.T) {
	f := newNeedFixture(t)
	sl := tenants.WithPrincipal(f.buyer, tenants.Principal{})
	if _, err := f.db.CreateWebhook(sl, store.NewWebhook{URL: "https://owes.example.org/needs", Events: []string{store.EventNeedPublished}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.CreateWebhook(sl, store.NewWebhook{URL: "https://gmina.example.org/listings", Events: []string{store.EventListingPublished}}); err != nil {
		t.Fatal(err)
	}
	needEvents := func() []string {
		t.Helper()
		list, err := f.db.FindWebhookDeliveries(sl, 50)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, d := range list {
			if d.Event != store.EventNeedPublished {
				continue
			}
			var body struct {
				Event  string            `json:"event"`
				Tenant string            `json:"tenant"`
				Data   map[string]string `json:"data"`
			}
			if err := json.Unmarshal(d.Payload, &body); err != nil {
				t.Fatal(err)
			}
			if d.URL != "https://owes.example.org/needs" || body.Event != store.EventNeedPublished || body.Tenant != "slaskie" {
				t.Fatalf("delivery %+v, payload %+v: want need.published of slaskie to its subscriber", d, body)
			}
			ids = append(ids, body.Data["need_id"])
		}
		return ids
	}

	reviewed := f.need("zapytanie", nil, false)
	if _, err := f.db.SubmitNeed(f.buyer, reviewed.ID); err != nil {
		t.Fatal(err)
	}
	if got := needEvents(); len(got) != 0 {
		t.Fatalf("a need waiting for review queued %v", got)
	}
	_, mod := f.pub.Ctxs("slaskie")
	modCtx := tenants.WithPrincipal(mod, tenants.Principal{AccountID: tenants.PrincipalFrom(mod).AccountID, Role: tenants.RoleModerator})
	ok := func(store.NeedDecision) store.Mail { return store.Mail{Subject: "ok", Body: "ok"} }
	if _, err := f.db.ModerateNeed(modCtx, reviewed.ID, true, "", ok); err != nil {
		t.Fatal(err)
	}
	if got := needEvents(); len(got) != 1 || got[0] != reviewed.ID {
		t.Fatalf("after approval %v, want [%s]", got, reviewed.ID)
	}

	rejected := f.need("zapytanie", nil, false)
	if _, err := f.db.SubmitNeed(f.buyer, rejected.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.ModerateNeed(modCtx, rejected.ID, false, "Opis jest niepełny", ok); err != nil {
		t.Fatal(err)
	}
	if got := needEvents(); len(got) != 1 {
		t.Fatalf("a rejected need queued an event: %v", got)
	}

	admin := tenants.WithPrincipal(mod, tenants.Principal{AccountID: tenants.PrincipalFrom(mod).AccountID, Role: tenants.RoleAdmin})
	st, err := f.db.FindNeedSettings(admin)
	if err != nil {
		t.Fatal(err)
	}
	st.PublishUnreviewed = true
	if err := f.db.UpdateNeedSettings(admin, *st); err != nil {
		t.Fatal(err)
	}
	direct := f.need("zapytanie", nil, false)
	n, err := f.db.SubmitNeed(f.buyer, direct.ID)
	if err != nil || n.Status != store.NeedPublished {
		t.Fatalf("submit without review: %+v %v", n, err)
	}
	if got := needEvents(); len(got) != 2 || got[0] != direct.ID || got[1] != reviewed.ID {
		t.Fatalf("after publishing without review %v, want [%s %s]", got, direct.ID, reviewed.ID)
	}

	other := storetest.Ctx(t, f.db, "malopolskie", tenants.Principal{})
	if list, err := f.db.FindWebhookDeliveries(other, 10); err != nil || len(list) != 0 {
		t.Fatalf("another region has deliveries %+v (%v)", list, err)
	}
}
