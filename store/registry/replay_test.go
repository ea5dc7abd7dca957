package registry_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"katalogpes/store/registry"
	"katalogpes/store/registry/registrytest"
)

func clients(t *testing.T, l registry.Limits) (*registrytest.Server, *registry.KRSClient, *registry.BIRClient, *registry.VATClient) {
	t.Helper()
	s := registrytest.New(t)
	hc := s.Client()
	return s, registry.NewKRS(s.KRSURL(), hc, l), registry.NewBIR(s.BIRURL(), "abcde12345abcde12345", hc, l), registry.NewVAT(s.VATURL(), hc, l)
}

var fast = registry.Limits{Timeout: 2 * time.Second, Every: time.Millisecond, Burst: 100}

func TestKRSExtractOfASocialCooperative(t *testing.T) {
	_, krs, _, _ := clients(t, fast)
	e, err := krs.Extract(context.Background(), "0000123456")
	if err != nil {
		t.Fatal(err)
	}
	if e.Name != "SPÓŁDZIELNIA SOCJALNA „ZIELONY ZAKĄTEK”" || e.LegalFormCode != "spoldzielnia_socjalna" || e.NIP != "6341123416" ||
		e.REGON != "241234560" || e.Register != "P" || e.OPP {
		t.Fatalf("entity %+v", e)
	}
	if e.Address.Street != "UL. MARIACKA 12/3" || e.Address.PostalCode != "40-014" || e.Address.City != "KATOWICE" || e.Address.GminaTERYT != "" {
		t.Fatalf("address %+v (KRS gives names, no TERYT)", e.Address)
	}
	want := []registry.PKD{{"56.29.Z", 2007, true}, {"81.30.Z", 2007, false}, {"88.99.Z", 2007, false}}
	if len(e.PKD) != len(want) {
		t.Fatalf("pkd %+v", e.PKD)
	}
	for i := range want {
		if e.PKD[i] != want[i] {
			t.Fatalf("pkd %d = %+v, want %+v", i, e.PKD[i], want[i])
		}
	}
	if e.Inactive() != "" {
		t.Fatalf("active entity reads as %q", e.Inactive())
	}
}

func TestKRSFindsAFoundationInTheAssociationsRegister(t *testing.T) {
	s, krs, _, _ := clients(t, fast)
	e, err := krs.Extract(context.Background(), "0000654321")
	if err != nil {
		t.Fatal(err)
	}
	if e.Register != "S" || e.LegalFormCode != "fundacja" || !e.OPP {
		t.Fatalf("entity %+v", e)
	}
	if s.Hits("krs") != 2 {
		t.Fatalf("%d requests, want P then S", s.Hits("krs"))
	}
}

func TestKRSStruckOffAndBankrupt(t *testing.T) {
	_, krs, _, _ := clients(t, fast)
	for krsNo, want := range map[string]string{"0000222333": "struck_off", "0000333444": "bankrupt"} {
		e, err := krs.Extract(context.Background(), krsNo)
		if err != nil {
			t.Fatal(err)
		}
		if e.Inactive() != want {
			t.Fatalf("%s: %q (%+v), want %q", krsNo, e.Inactive(), e, want)
		}
	}
}

func TestKRSNotFoundAndMalformed(t *testing.T) {
	_, krs, _, _ := clients(t, fast)
	if _, err := krs.Extract(context.Background(), "0000000404"); !errors.Is(err, registry.ErrNotFound) {
		t.Fatalf("not found: %v", err)
	}
	if _, err := krs.Extract(context.Background(), "0000999999"); !errors.Is(err, registry.ErrMalformed) {
		t.Fatalf("malformed: %v", err)
	}
}

// A registry answering 503 opens the circuit: later calls fail at once,
// without reaching it.
func TestRegistryDownOpensTheCircuit(t *testing.T) {
	s, krs, bir, vat := clients(t, registry.Limits{Timeout: time.Second, Every: time.Millisecond, Burst: 100, Failures: 2, OpenFor: time.Hour})
	for _, name := range []string{"krs", "regon", "vat"} {
		s.Set(name, registrytest.Down)
	}
	ctx := context.Background()
	calls := map[string]func() error{
		"krs":   func() error { _, err := krs.Extract(ctx, "0000123456"); return err },
		"regon": func() error { _, err := bir.Find(ctx, registry.Query{NIP: "6341123416"}); return err },
		"vat":   func() error { _, err := vat.ByNIP(ctx, "6341123416", time.Now()); return err },
	}
	open := map[string]func() bool{"krs": krs.Open, "regon": bir.Open, "vat": vat.Open}
	for name, call := range calls {
		for i := 0; i < 2; i++ {
			if err := call(); !errors.Is(err, registry.ErrUnavailable) {
				t.Fatalf("%s: %v, want unavailable", name, err)
			}
		}
		if !open[name]() {
			t.Fatalf("%s: circuit still closed after two 503s", name)
		}
		before := s.Hits(name)
		if err := call(); !errors.Is(err, registry.ErrUnavailable) {
			t.Fatalf("%s open: %v", name, err)
		}
		if s.Hits(name) != before {
			t.Fatalf("%s: an open circuit still called the registry", name)
		}
	}
}

// A registry that hangs costs a caller its timeout, no more: the call ends
// with ErrUnavailable (the test's own deadline would catch a hang).
func TestRegistryHangingEndsAtTheTimeout(t *testing.T) {
	s, krs, bir, vat := clients(t, registry.Limits{Timeout: 200 * time.Millisecond, Every: time.Millisecond, Burst: 100})
	for _, name := range []string{"krs", "regon", "vat"} {
		s.Set(name, registrytest.Hang)
	}
	ctx := context.Background()
	if _, err := krs.Extract(ctx, "0000123456"); !errors.Is(err, registry.ErrUnavailable) {
		t.Fatalf("krs: %v", err)
	}
	if _, err := bir.Find(ctx, registry.Query{KRS: "0000123456"}); !errors.Is(err, registry.ErrUnavailable) {
		t.Fatalf("regon: %v", err)
	}
	if _, err := vat.ByNIP(ctx, "6341123416", time.Now()); !errors.Is(err, registry.ErrUnavailable) {
		t.Fatalf("vat: %v", err)
	}
}

func TestBIRFindByKRSGivesTheGminaTERYT(t *testing.T) {
	s, _, bir, _ := clients(t, fast)
	e, err := bir.Find(context.Background(), registry.Query{KRS: "0000123456"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Address.GminaTERYT != "2469011" || e.Address.PostalCode != "40-014" || e.Address.Street != "ul. Mariacka 12/3" ||
		e.LegalFormCode != "spoldzielnia_socjalna" || e.REGON != "241234560" || e.NIP != "6341123416" || e.KRS != "0000123456" {
		t.Fatalf("entity %+v", e)
	}
	// Sign in, search, report; a second search keeps the session.
	if _, err := bir.Find(context.Background(), registry.Query{NIP: "9541234501"}); err != nil {
		t.Fatal(err)
	}
	if s.Hits("regon") != 5 {
		t.Fatalf("%d SOAP calls, want 5 (one sign-in)", s.Hits("regon"))
	}
}

func TestBIRDatesThatEndOrPauseAnEntity(t *testing.T) {
	_, _, bir, _ := clients(t, fast)
	for nip, want := range map[string]string{"6441238805": "deleted", "6342222209": "bankrupt", "7771234509": "suspended", "9541234501": ""} {
		e, err := bir.Find(context.Background(), registry.Query{NIP: nip})
		if err != nil {
			t.Fatal(err)
		}
		if e.Inactive() != want {
			t.Fatalf("%s: %q, want %q (%+v)", nip, e.Inactive(), want, e)
		}
	}
}

func TestBIRNotFoundAndMalformed(t *testing.T) {
	_, _, bir, _ := clients(t, fast)
	// ErrorCode 4 in the answer, and an empty answer explained by GetValue.
	for _, q := range []registry.Query{{NIP: "5260250274"}, {REGON: "017511575"}} {
		if _, err := bir.Find(context.Background(), q); !errors.Is(err, registry.ErrNotFound) {
			t.Fatalf("%+v: %v", q, err)
		}
	}
	if _, err := bir.Find(context.Background(), registry.Query{NIP: "1234563218"}); !errors.Is(err, registry.ErrMalformed) {
		t.Fatalf("malformed: %v", err)
	}
}

// Many PES are VAT-exempt: the list knows them as Zwolniony, which is an
// answer, not an invalid NIP.
func TestVATExemptFoundationIsFound(t *testing.T) {
	_, _, _, vat := clients(t, fast)
	e, err := vat.ByNIP(context.Background(), "9541234501", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if e.VATStatus != "Zwolniony" || e.RequestID == "" || e.Name != "FUNDACJA POMOCNA DŁOŃ" || e.Address.PostalCode != "44-100" {
		t.Fatalf("entity %+v", e)
	}
	if _, err := vat.ByNIP(context.Background(), "5260250274", time.Now()); !errors.Is(err, registry.ErrNotFound) {
		t.Fatalf("absent: %v", err)
	}
	if _, err := vat.ByNIP(context.Background(), "1234563218", time.Now()); !errors.Is(err, registry.ErrMalformed) {
		t.Fatalf("malformed: %v", err)
	}
}
