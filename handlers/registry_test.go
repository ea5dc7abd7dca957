package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"katalogpes/handlers/view"
	"katalogpes/store"
	"katalogpes/store/registry"
	"katalogpes/store/registry/registrytest"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// withRegistries connects the server to the replayed registries.
func (s *testServer) withRegistries(l registry.Limits) (*registrytest.Server, *store.Registries) {
	s.t.Helper()
	rs := registrytest.New(s.t)
	hc := rs.Client()
	if l.Timeout == 0 {
		l = registry.Limits{Timeout: 2 * time.Second, Every: time.Millisecond, Burst: 100}
	}
	reg := s.db.Registries(registry.NewKRS(rs.KRSURL(), hc, l), registry.NewBIR(rs.BIRURL(), "abcde12345abcde12345", hc, l), registry.NewVAT(rs.VATURL(), hc, l))
	s.srv.UseRegistries(reg)
	return rs, reg
}

func TestRegistryAPIPrefillsFromAKRSNumber(t *testing.T) {
	s := newTestServer(t)
	s.withRegistries(registry.Limits{})
	tk := s.signUp("slaskie", storetest.Unique("podmiot@example.org"))
	s.do("GET", "/r/slaskie/api/v1/registry?krs=123456", nil).expect(t, 401)
	var a struct {
		Sources []struct {
			Name  string `json:"name"`
			OK    bool   `json:"ok"`
			Error string `json:"error"`
		} `json:"sources"`
		Prefill struct {
			Name      string `json:"name"`
			LegalForm string `json:"legal_form"`
			Address   struct {
				City       string `json:"city"`
				GminaTERYT string `json:"gmina_teryt"`
			} `json:"address"`
			PKD []struct {
				Code    string `json:"code"`
				Version int    `json:"version"`
			} `json:"pkd"`
			NIP string `json:"nip"`
		} `json:"prefill"`
	}
	// A KRS number of fewer digits is padded, as people type it.
	s.do("GET", "/r/slaskie/api/v1/registry?krs=123456", nil, bearer(tk.AccessToken)).expect(t, 200).json(t, &a)
	if a.Prefill.Name != "SPÓŁDZIELNIA SOCJALNA „ZIELONY ZAKĄTEK”" || a.Prefill.LegalForm != "spoldzielnia_socjalna" ||
		a.Prefill.Address.GminaTERYT != "2469011" || a.Prefill.NIP != "6341123416" || len(a.Prefill.PKD) != 3 || a.Prefill.PKD[0].Version != 2007 {
		t.Fatalf("prefill %+v", a.Prefill)
	}
	if len(a.Sources) != 3 {
		t.Fatalf("sources %+v", a.Sources)
	}
	p := s.do("GET", "/r/slaskie/api/v1/registry?nip=1234567890", nil, bearer(tk.AccessToken)).expect(t, 422).problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "nip" {
		t.Fatalf("bad NIP: %+v", p)
	}
}

// publishWithKRS publishes through the API a listing with a NIP and
// (unless "") a KRS number.
func (s *testServer) publishWithKRS(owner, mod tokens, name, nip, krs string) string {
	s.t.Helper()
	body := listingBody(name)
	body["nip"] = nip
	if krs != "" {
		body["krs"] = krs
	}
	var l struct{ ID string }
	s.do("POST", "/r/slaskie/api/v1/listings", body, bearer(owner.AccessToken)).expect(s.t, 201).json(s.t, &l)
	s.do("POST", "/r/slaskie/api/v1/listings/"+l.ID+"/submit", nil, bearer(owner.AccessToken)).expect(s.t, 200)
	s.do("POST", "/r/slaskie/api/v1/moderation/"+l.ID+"/approve", nil, bearer(mod.AccessToken)).expect(s.t, 200)
	return l.ID
}

// With no registry configured the API says so per registry, and the
// listing form offers no button.
func TestRegistriesOffLeaveEverythingWorking(t *testing.T) {
	s := newTestServer(t)
	tk := s.signUp("slaskie", storetest.Unique("podmiot@example.org"))
	r := s.do("GET", "/r/slaskie/api/v1/registry?krs=0000123456", nil, bearer(tk.AccessToken)).expect(t, 200)
	if !strings.Contains(string(r.Body), `"error":"off"`) {
		t.Fatalf("answer %s", r.Body)
	}
	email, _ := s.account("slaskie", tenants.RoleEnterprise)
	w := s.web()
	w.signIn("slaskie", email)
	if strings.Contains(w.get("/r/slaskie/moje/nowy").expect(t, 200).Body, `value="registry"`) {
		t.Fatal("the form offers the registries while none is configured")
	}
}

// "Pobierz z rejestru" works without JavaScript: the form posts, comes
// back filled, and nothing is saved until the owner saves.
func TestListingFormFillsFromTheRegistryAndTheOwnerSaves(t *testing.T) {
	s := newTestServer(t)
	s.withRegistries(registry.Limits{})
	email, owner := s.account("slaskie", tenants.RoleEnterprise)
	w := s.web()
	w.signIn("slaskie", email)
	w.get("/r/slaskie/moje/nowy").expect(t, 200).contains(t, `value="registry"`, "Pobierz z rejestru")
	p := w.post("/r/slaskie/moje/nowy", map[string][]string{"action": {"registry"}, "krs": {"0000654321"}}).expect(t, 200)
	p.contains(t, "Uzupełniliśmy formularz", `value="FUNDACJA POMOCNA DŁOŃ"`, `value="9541234501"`, `value="247654322"`,
		`value="ul. Zwycięstwa 5"`, `value="44-100"`, `value="2466011" selected`, `name="pkd_version" value="2007"`,
		`value="88.10.Z"`, "Zwolniony")
	// No number, or a bad one: the field says so and the form stays.
	w.post("/r/slaskie/moje/nowy", map[string][]string{"action": {"registry"}, "name": {"Fundacja"}}).expect(t, 422).contains(t, `value="Fundacja"`, `id="f-nip-err"`)
	w.post("/r/slaskie/moje/nowy", map[string][]string{"action": {"registry"}, "nip": {"1234567890"}}).expect(t, 422).contains(t, "NIP ma błędną cyfrę kontrolną")
	mine, err := s.db.FindOwnListings(storetest.Ctx(t, s.db, "slaskie", owner))
	if err != nil || len(mine) != 0 {
		t.Fatalf("filling saved something: %d %v", len(mine), err)
	}
	// What the page shows filled in, as the browser would post it back.
	form := map[string][]string{"action": {"save"}, "name": {"FUNDACJA POMOCNA DŁOŃ"}, "legal_form": {"fundacja"},
		"krs": {"0000654321"}, "nip": {"9541234501"}, "regon": {"247654322"}, "pkd": {"88.10.Z"}, "pkd_version": {"2007"},
		"address.street": {"ul. Zwycięstwa 5"}, "address.postal_code": {"44-100"}, "address.city": {"Gliwice"},
		"powiat": {"2466"}, "address.gmina_teryt": {"2466011"}, "certificates[0].kind": {"opp"}, "certificates[0].issuer": {"KRS"},
		"description": {"Pomoc społeczna w Gliwicach."}, "categories": {"catering"}, "contact.email": {"biuro@pomocna.example.org"}}
	p.contains(t, `name="certificates[0].issuer" type="text" value="KRS"`, `<option value="opp" selected>`)
	w.post("/r/slaskie/moje/nowy", form).expect(t, 303)
	mine, err = s.db.FindOwnListings(storetest.Ctx(t, s.db, "slaskie", owner))
	if err != nil || len(mine) != 1 {
		t.Fatalf("saved %d: %v", len(mine), err)
	}
	l := mine[0]
	if l.LegalForm != "fundacja" || l.KRS != "0000654321" || l.Address.GminaTERYT != "2466011" || len(l.PKD) != 1 || l.PKD[0].Version != 2007 {
		t.Fatalf("saved %+v", l.ListingData)
	}
	if len(l.Certificates) != 1 || l.Certificates[0].Kind != "opp" || l.Certificates[0].Issuer != "KRS" {
		t.Fatalf("OPP status from KRS not kept: %+v", l.Certificates)
	}
}

// A registry that hangs or answers 503 leaves the form working within
// the clients' timeout, says so, and opens the circuit.
func TestListingFormWorksWhenTheRegistriesAreDownOrHang(t *testing.T) {
	s := newTestServer(t)
	rs, _ := s.withRegistries(registry.Limits{Timeout: 300 * time.Millisecond, Every: time.Millisecond, Burst: 100, Failures: 1, OpenFor: time.Hour})
	rs.Set("krs", registrytest.Hang)
	rs.Set("regon", registrytest.Down)
	rs.Set("vat", registrytest.Hang)
	email, _ := s.account("slaskie", tenants.RoleEnterprise)
	w := s.web()
	w.signIn("slaskie", email)
	w.get("/r/slaskie/moje/nowy").expect(t, 200)
	form := newListingForm()
	form.Set("nip", "6341123416")
	form.Set("krs", "0000123456")
	form.Set("action", "registry")
	p := w.post("/r/slaskie/moje/nowy", form).expect(t, 200)
	p.contains(t, "Nie udało się pobrać danych z rejestrów", "rejestr nie odpowiada", `value="Spółdzielnia Socjalna Pod Dębem"`, `value="ul. Dębowa 3"`)
	krsHits := rs.Hits("krs")
	// The circuit is open: asking again goes nowhere near the registry.
	rs.Set("krs", registrytest.Normal)
	form.Set("krs", "0000654321")
	w.post("/r/slaskie/moje/nowy", form).expect(t, 200).contains(t, "rejestr nie odpowiada")
	if rs.Hits("krs") != krsHits {
		t.Fatal("an open circuit still called KRS")
	}
	form.Set("action", "save")
	form.Set("nip", "5260250274")
	w.post("/r/slaskie/moje/nowy", form).expect(t, 303)
}

func TestVerificationOnTheProfileTheQueueAndTheFlagsPage(t *testing.T) {
	s := newTestServer(t)
	_, reg := s.withRegistries(registry.Limits{})
	owner, mod := s.signUp("slaskie", storetest.Unique("podmiot@example.org")), s.staff("slaskie", tenants.RoleModerator)
	fine := s.publishWithKRS(owner, mod, "Spółdzielnia Socjalna Zielony Zakątek", "6341123416", "0000123456")
	goneOwner := s.signUp("slaskie", storetest.Unique("dawna@example.org"))
	gone := s.publishWithKRS(goneOwner, mod, "Pralnia Dawna", "6441238805", "0000222333")
	tr, err := view.NewTranslator()
	if err != nil {
		t.Fatal(err)
	}
	if n, err := reg.CheckNight(context.Background(), store.Night(time.Now()), 10, view.NewComposer(tr, "http://localhost").RegistryFlag); err != nil || n != 2 {
		t.Fatalf("nightly check: %d %v", n, err)
	}
	var got struct {
		ID           string `json:"id"`
		Verification *struct {
			Sources []string `json:"sources"`
			Flags   []string `json:"flags"`
		} `json:"verification"`
	}
	s.do("GET", "/r/slaskie/api/v1/listings/"+gone, nil).expect(t, 200).json(t, &got)
	if got.ID != gone || got.Verification == nil || len(got.Verification.Flags) != 1 || got.Verification.Flags[0] != "struck_off" {
		t.Fatalf("listing's verification %+v", got.Verification)
	}
	pub := s.web()
	pub.get("/r/slaskie/podmiot/"+fine).expect(t, 200).contains(t, "Dane zweryfikowane w KRS i REGON:")
	if strings.Contains(pub.get("/r/slaskie/podmiot/"+gone).Body, "Rejestry mówią inaczej") {
		t.Fatal("the public sees a mismatch")
	}

	modEmail, _ := s.account("slaskie", tenants.RoleModerator)
	m := s.web()
	m.signIn("slaskie", modEmail)
	page := m.get("/r/slaskie/admin/weryfikacja").expect(t, 200).contains(t, "Pralnia Dawna", "wykreślony z KRS")
	if strings.Contains(page.Body, "Spółdzielnia Socjalna Zielony Zakątek") {
		t.Fatal("an entity in good standing is flagged")
	}
	var api struct {
		Flags []struct {
			Name  string   `json:"name"`
			Flags []string `json:"flags"`
		} `json:"flags"`
	}
	s.do("GET", "/r/slaskie/api/v1/admin/verification?flag=struck_off", nil, bearer(mod.AccessToken)).expect(t, 200).json(t, &api)
	if len(api.Flags) != 1 || api.Flags[0].Flags[0] != "struck_off" {
		t.Fatalf("flags %+v", api.Flags)
	}
	s.do("GET", "/r/slaskie/api/v1/admin/verification?flag=nonsense", nil, bearer(mod.AccessToken)).expect(t, 422)
	s.do("GET", "/r/slaskie/api/v1/admin/verification", nil, bearer(owner.AccessToken)).expect(t, 403)

	// An edit waiting in the queue shows the moderator where the
	// registries disagree with the listing.
	s.do("PATCH", "/r/slaskie/api/v1/listings/"+gone, map[string]any{"description": "Pranie i prasowanie."}, bearer(goneOwner.AccessToken)).expect(t, 200)
	m.get("/r/slaskie/moderacja").expect(t, 200).contains(t, "Rejestry mówią inaczej", "Pola niezgodne z rejestrami: nazwa", "wykreślony z KRS", "Sprawdź teraz w rejestrach")

	res := m.post("/r/slaskie/admin/weryfikacja/"+gone, map[string][]string{"action": {"suspended"}, "reason": {"Wykreślony z KRS."}}).expect(t, 303)
	m.get(res.Location).expect(t, 200).contains(t, "Wpis zawieszony", "Brak sygnałów")
	if l, err := s.db.FindListingByID(storetest.Ctx(t, s.db, "slaskie", tenants.Principal{Role: tenants.RoleModerator}), gone); err != nil || l.Status != store.StatusSuspended {
		t.Fatalf("suspended? %v %v", l, err)
	}
}

func TestAnAdminChecksAnImportsRowsInTheRegistries(t *testing.T) {
	s := newTestServer(t)
	s.withRegistries(registry.Limits{})
	admin, _ := s.account("slaskie", tenants.RoleAdmin)
	w := s.web()
	w.signIn("slaskie", admin)
	file := "nazwa;nip;krs\r\nFundacja Pomocna Dłoń;9541234501;0000654321\r\nPralnia Dawna;6441238805;0000222333\r\n"
	jobPath := w.postFile("/r/slaskie/admin/import", "rejestr.csv", []byte(file)).expect(t, 303).Location
	w.untilDone(t, jobPath).contains(t, "Sprawdź wiersze w rejestrach")
	p := w.post(jobPath+"/rejestry", nil).expect(t, 303)
	if p.Location != jobPath+"/rejestry" {
		t.Fatalf("after starting: %q", p.Location)
	}
	done := w.untilDone(t, p.Location)
	done.contains(t, "Sprawdzono 2 wiersze z numerem", "Fundacja Pomocna Dłoń", "zgodne z rejestrami", "Pralnia Dawna", "wykreślony z KRS", "Rejestry mówią inaczej: nazwa")

	other, _ := s.account("malopolskie", tenants.RoleAdmin)
	o := s.web()
	o.signIn("malopolskie", other)
	o.get(strings.Replace(p.Location, "/r/slaskie/", "/r/malopolskie/", 1)).expect(t, 404)
}
