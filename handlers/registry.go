package handlers

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"katalogpes/store"
)

// registryBudget bounds one prefill: KRS and REGON are asked at once, then
// the VAT list, each within its client's timeout; a registry that hangs
// costs the person this, never the request's whole deadline.
const registryBudget = 9 * time.Second

// registryQuery reads one identifier (KRS, else NIP, else REGON) from get
// and normalises it; a malformed one is a 422 at its field.
func registryQuery(get func(string) string) (store.RegistryQuery, error) {
	given := map[string]string{}
	for _, kind := range []string{store.LookupKRS, store.LookupNIP, store.LookupREGON} {
		if v := strings.TrimSpace(get(kind)); v != "" {
			given[kind] = v
			break
		}
	}
	q, err := store.NewLookup(given)
	if err != nil {
		return store.RegistryQuery{}, err
	}
	var rq store.RegistryQuery
	switch q.Kind {
	case store.LookupKRS:
		rq.KRS = q.Value
	case store.LookupNIP:
		rq.NIP = q.Value
	default:
		rq.REGON = q.Value
	}
	return rq, nil
}

// askRegistries asks within the budget.
func (s *Server) askRegistries(ctx context.Context, q store.RegistryQuery) (store.RegistryAnswer, error) {
	ctx, cancel := context.WithTimeout(ctx, registryBudget)
	defer cancel()
	return s.registries.Look(ctx, q)
}

// registryAPI is GET …/registry?nip=|krs=|regon= (API.md "Registries").
func (s *Server) registryAPI(c *fiber.Ctx) error {
	q, err := registryQuery(func(k string) string { return c.Query(k) })
	if err != nil {
		return err
	}
	a, err := s.askRegistries(c.UserContext(), q)
	if err != nil {
		return err
	}
	if a.Sources == nil {
		a.Sources = []store.SourceResult{}
	}
	return c.JSON(a)
}

// registryNotice is what the form says after "Pobierz z rejestru": each
// registry's answer, and whether the form was filled.
type registryNotice struct {
	Filled  bool
	Sources []store.SourceResult
	Gmina   string // why the gmina was left empty: outside_region, unknown
}

// registryFill redraws the listing form filled from the registries. Nothing
// is saved: the owner checks, edits and saves. A registry that cannot
// answer leaves the form as it was, and says so.
func (s *Server) registryFill(c *fiber.Ctx, v url.Values, redraw func(*registryNotice, error) error) error {
	q, err := registryQuery(v.Get)
	if err != nil {
		return redraw(nil, err)
	}
	a, err := s.askRegistries(c.UserContext(), q)
	if err != nil {
		return err
	}
	n := &registryNotice{Sources: a.Sources, Gmina: a.Prefill.GminaError}
	p := a.Prefill
	if p.Name == "" {
		return redraw(n, nil)
	}
	n.Filled = true
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("name", p.Name)
	set("legal_form", p.LegalForm)
	set("krs", p.KRS)
	set("nip", p.NIP)
	set("regon", p.REGON)
	set("address.street", p.Address.Street)
	set("address.postal_code", p.Address.PostalCode)
	set("address.city", p.Address.City)
	if g := p.Address.GminaTERYT; g != "" {
		v.Set("address.gmina_teryt", g)
		v.Set("powiat", g[:4])
	}
	if len(p.PKD) > 0 {
		codes := make([]string, 0, len(p.PKD))
		for _, c := range p.PKD {
			codes = append(codes, c.Code)
		}
		v.Set("pkd", strings.Join(codes, ", "))
		v.Set("pkd_version", fmt.Sprint(p.PKD[0].Version))
	}
	if p.OPP {
		addOPP(v)
	}
	return redraw(n, nil)
}

// addOPP fills the public-benefit certificate KRS gives, marked as the
// registry's, unless the form already has one.
func addOPP(v url.Values) {
	row := 0
	for ; row < maxCertRows; row++ {
		kind := v.Get(fmt.Sprintf("certificates[%d].kind", row))
		if kind == "opp" {
			return
		}
		if kind == "" {
			break
		}
	}
	if row == maxCertRows {
		return
	}
	v.Set(fmt.Sprintf("certificates[%d].kind", row), "opp")
	v.Set(fmt.Sprintf("certificates[%d].issuer", row), "KRS")
}
