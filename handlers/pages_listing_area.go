package handlers

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"katalogpes/store"
	"katalogpes/tenants"
)

// The service area is chosen on the listing form by names: the region's
// powiats as checkboxes, or gminas added powiat by powiat. The form's
// fields carry the units' codes as values, never as text; the stored data
// stays service_area.scope with its TERYT codes.
const (
	areaPowiats     = "service_area.powiats"
	areaGminaPowiat = "service_area.gmina_powiat"
	areaGminas      = "service_area.gminas"
)

// setAreaValues writes a stored service area into the form's fields.
func setAreaValues(v url.Values, sa store.ServiceArea) {
	switch sa.Scope {
	case "powiats":
		v[areaPowiats] = append([]string(nil), sa.TERYT...)
	case "gminas":
		v[areaGminas] = append([]string(nil), sa.TERYT...)
		if len(sa.TERYT) > 0 && len(sa.TERYT[0]) >= 4 {
			v.Set(areaGminaPowiat, sa.TERYT[0][:4])
		}
	}
}

// readArea reads the service area's units for its scope. The whole
// voivodeship keeps the voivodeships already stored (an area may span
// more than the region), else checkServiceArea fills in the region.
func (f listingForm) readArea(base store.ServiceArea) []string {
	switch f.pl.Data.ServiceArea.Scope {
	case "powiats":
		return nonEmpty(f.v[areaPowiats])
	case "gminas":
		return nonEmpty(f.v[areaGminas])
	case "voivodeships":
		if base.Scope == "voivodeships" {
			return base.TERYT
		}
	}
	return nil
}

// checkServiceArea refuses units outside the region, which the form never
// offers (a hand-made post), at the field that would have offered them,
// and makes "voivodeships" with no units the region's own.
func (s *Server) checkServiceArea(ctx context.Context, pl *parsedListing) error {
	t, _ := tenants.FromContext(ctx)
	sa := &pl.Data.ServiceArea
	switch sa.Scope {
	case "voivodeships":
		if len(sa.TERYT) == 0 {
			sa.TERYT = []string{t.TERYT}
		}
	case "powiats":
		powiats, err := s.db.FindPowiatsOf(ctx, t.TERYT)
		if err != nil {
			return err
		}
		ours := map[string]bool{}
		for _, p := range powiats {
			ours[p.Code] = true
		}
		for _, c := range sa.TERYT {
			if !ours[c] {
				pl.Errs = append(pl.Errs, store.FieldError{Field: areaPowiats, Key: "service_area.outside_region"})
				break
			}
		}
	case "gminas":
		for _, c := range sa.TERYT {
			if !strings.HasPrefix(c, t.TERYT) {
				pl.Errs = append(pl.Errs, store.FieldError{Field: areaGminas, Key: "service_area.outside_region"})
				break
			}
		}
	}
	return nil
}

// areaField is the control a store error about the area's units belongs to.
func areaField(scope string) string {
	switch scope {
	case "powiats":
		return areaPowiats
	case "gminas":
		return areaGminas
	}
	return "service_area.scope"
}

// areaOptions offers the region's powiats, and as gminas those already
// chosen and those of the powiat picked last.
func (s *Server) areaOptions(ctx context.Context, p *listingFormPage, v url.Values) error {
	p.Options[areaPowiats] = p.Options["powiat"]
	p.Options[areaGminaPowiat] = p.Options["powiat"]
	chosen, err := s.db.FindGminasByCode(ctx, nonEmpty(v[areaGminas]))
	if err != nil {
		return fmt.Errorf("name the chosen gminas: %w", err)
	}
	if pw := v.Get(areaGminaPowiat); pw != "" {
		more, err := s.db.FindGminasOfPowiat(ctx, pw)
		if err != nil {
			return err
		}
		chosen = append(chosen, more...)
	}
	seen := map[string]bool{}
	for _, g := range chosen {
		if !seen[g.Code] {
			seen[g.Code] = true
			p.Options[areaGminas] = append(p.Options[areaGminas], Option{Value: g.Code, Label: p.Tf("ui.form.area_gmina", "Gmina", g.Label(), "Powiat", g.PowiatName)})
		}
	}
	return nil
}

// nameUnits adds to names ("teryt:CODE") the names of the seats' gminas
// and of the service areas' units of the queue's listings, both versions,
// so the moderator's diff shows names, not codes.
func (s *Server) nameUnits(ctx context.Context, items []store.QueueItem, names map[string]string) error {
	var gminas, others []string
	for _, it := range items {
		for _, d := range []store.ListingData{it.Listing.ListingData, editable(it.Listing)} {
			for _, code := range append([]string{d.Address.GminaTERYT}, d.ServiceArea.TERYT...) {
				switch {
				case code == "" || names["teryt:"+code] != "":
				case len(code) == 7:
					gminas = append(gminas, code)
				default:
					others = append(others, code)
				}
			}
		}
	}
	found, err := s.db.FindGminasByCode(ctx, gminas)
	if err != nil {
		return fmt.Errorf("name the queue's gminas: %w", err)
	}
	for _, g := range found {
		names["teryt:"+g.Code] = g.Label()
	}
	for _, code := range gminas {
		if names["teryt:"+code] == "" { // a part of a gmina: the gmina it belongs to
			if g, err := s.db.FindGmina(ctx, code); err == nil {
				names["teryt:"+code] = g.Label()
			}
		}
	}
	if len(others) == 0 {
		return nil
	}
	units, err := s.db.UnitNames(ctx)
	if err != nil {
		return fmt.Errorf("name the queue's areas: %w", err)
	}
	for _, code := range others {
		if n, ok := units[code]; ok {
			names["teryt:"+code] = n
		}
	}
	return nil
}
