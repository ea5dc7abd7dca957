package handlers_test

import (
	"context"
	"testing"
	"time"

	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// A published need is matched at once, not at the workers' next tick: the
// tick here is an hour, so only the commit's notice can wake the worker.
func TestAPublishedNeedWakesTheMatchingWorker(t *testing.T) {
	s := newTestServer(t)
	api := "/r/slaskie/api/v1"
	_, email := s.cleaner("slaskie", "Czyste Katowice", "1234563218", "2469011", 10, 4, store.ServiceArea{Scope: "gminas", TERYT: []string{"2469011"}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.srv.NeedJobs(ctx, time.Hour) }()
	t.Cleanup(func() { cancel(); <-done })
	waitForListening(t, s, store.NeedMatchChannel, 1)

	buyer := s.buyerTokens("slaskie", storetest.Unique("zamowienia@um.katowice.pl"))
	var n store.Need
	s.do("POST", api+"/needs", needBody("zastrzezone_94"), bearer(buyer.AccessToken)).expect(t, 201).json(t, &n)
	s.do("POST", api+"/needs/"+n.ID+"/submit", nil, bearer(buyer.AccessToken)).expect(t, 200)
	mod := s.staff("slaskie", tenants.RoleModerator)
	s.do("POST", api+"/moderation/needs/"+n.ID+"/approve", nil, bearer(mod.AccessToken)).expect(t, 200)

	// Whether the mail comes before the hour's tick is the question; a
	// generous deadline, not a speed.
	for deadline := time.Now().Add(60 * time.Second); len(s.mailsTo(email)) == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the matched cooperative got no mail: the worker waited for its tick")
		}
	}
}
