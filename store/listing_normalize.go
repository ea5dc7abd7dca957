package store

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"katalogpes/store/ident"
)

// normalize trims and canonicalises the data in place and checks what
// needs no database: formats, checksums, codes, bounds. The sections run
// in the listing's order, so errors come in the order of the form.
func (d *ListingData) normalize() []FieldError {
	v := &validator{}
	d.normalizeIdentity(v)
	d.normalizePKD(v)
	d.normalizeOffers(v)
	d.normalizeAddress(v)
	d.normalizeServiceArea(v)
	d.normalizeContact(v)
	d.normalizeSocialEnterprise(v)
	d.normalizeEmployment(v)
	d.normalizeCertificates(v)
	if d.FoundedYear != 0 && (d.FoundedYear < 1800 || d.FoundedYear > time.Now().Year()) {
		v.add("founded_year", "founded_year.range")
	}
	return v.errs
}

// normalizeIdentity checks names, description, legal form, kinds, registry
// numbers and categories.
func (d *ListingData) normalizeIdentity(v *validator) {
	v.text("name", &d.Name, maxName, true)
	v.text("short_name", &d.ShortName, maxShortName, false)
	v.text("operator", &d.Operator, maxName, false)
	v.text("description", &d.Description, maxDescription, false)
	if !oneOf(d.LegalForm, LegalForms) {
		v.add("legal_form", "legal_form.unknown")
	}
	if len(d.Kinds) > len(Kinds) {
		v.add("kinds", "too_many")
	}
	for i, k := range d.Kinds {
		if !oneOf(k, Kinds) {
			v.add(fmt.Sprintf("kinds[%d]", i), "kind.unknown")
		}
	}
	d.Kinds = dedupe(d.Kinds)
	v.ident("nip", "nip", &d.NIP, ident.NormalizeNIP)
	v.ident("regon", "regon", &d.REGON, ident.NormalizeREGON)
	v.ident("krs", "krs", &d.KRS, ident.NormalizeKRS)
	if len(d.Categories) > 20 {
		v.add("categories", "too_many")
	}
	d.Categories = dedupe(d.Categories)
}

// normalizePKD checks the activity codes; the version defaults to 2025.
func (d *ListingData) normalizePKD(v *validator) {
	if len(d.PKD) > maxListItems {
		v.add("pkd", "too_many")
	}
	for i := range d.PKD {
		f := fmt.Sprintf("pkd[%d]", i)
		v.ident(f+".code", "pkd", &d.PKD[i].Code, ident.NormalizePKD)
		if d.PKD[i].Code == "" {
			v.add(f+".code", "required")
		}
		if d.PKD[i].Version == 0 {
			d.PKD[i].Version = 2025
		}
		if d.PKD[i].Version != 2007 && d.PKD[i].Version != 2025 {
			v.add(f+".version", "pkd.version")
		}
	}
}

// normalizeOffers checks the offers; the kind defaults to a service.
func (d *ListingData) normalizeOffers(v *validator) {
	if len(d.Offers) > maxOffers {
		v.add("offers", "too_many")
	}
	for i := range d.Offers {
		o := &d.Offers[i]
		f := fmt.Sprintf("offers[%d]", i)
		v.text(f+".title", &o.Title, maxLine, true)
		v.text(f+".description", &o.Description, maxOfferText, false)
		if o.Kind == "" {
			o.Kind = "usluga"
		}
		if !oneOf(o.Kind, OfferKinds) {
			v.add(f+".kind", "offer.kind")
		}
	}
}

// normalizeAddress checks the seat's address and point.
func (d *ListingData) normalizeAddress(v *validator) {
	v.text("address.street", &d.Address.Street, maxLine, false)
	v.text("address.city", &d.Address.City, 100, true)
	v.ident("address.postal_code", "postal_code", &d.Address.PostalCode, ident.NormalizePostalCode)
	if d.Address.PostalCode == "" {
		v.add("address.postal_code", "required")
	}
	d.Address.GminaTERYT = strings.TrimSpace(d.Address.GminaTERYT)
	if d.Address.GminaTERYT == "" {
		v.add("address.gmina_teryt", "required")
	} else {
		v.ident("address.gmina_teryt", "teryt", &d.Address.GminaTERYT, ident.NormalizeTERYTGmina)
	}
	if d.Geo != nil && (d.Geo.Lat < 49 || d.Geo.Lat > 55 || d.Geo.Lng < 14 || d.Geo.Lng > 24.5) {
		v.add("geo", "geo.outside_poland")
	}
}

// normalizeServiceArea checks the scope and that its codes have the
// scope's length (whether they exist needs the database).
func (d *ListingData) normalizeServiceArea(v *validator) {
	sa := &d.ServiceArea
	if sa.Scope == "" {
		sa.Scope = "gminas" // the seat's gmina, once it is known to exist
	}
	if !oneOf(sa.Scope, ServiceAreaScopes) {
		v.add("service_area.scope", "service_area.scope")
	}
	if len(sa.TERYT) > 500 {
		v.add("service_area.teryt", "too_many")
	}
	want := map[string]int{"voivodeships": 2, "powiats": 4, "gminas": 7}[sa.Scope]
	for i, c := range sa.TERYT {
		if want == 0 || len(c) != want || strings.Trim(c, "0123456789") != "" {
			v.add(fmt.Sprintf("service_area.teryt[%d]", i), "service_area.teryt")
		}
	}
	if sa.Scope == "radius" && (sa.RadiusKm <= 0 || sa.RadiusKm > 1000) {
		v.add("service_area.radius_km", "service_area.radius")
	}
	if sa.Scope == "radius" && d.Geo == nil {
		v.add("geo", "required")
	}
}

// normalizeContact checks email, phone, website and logo.
func (d *ListingData) normalizeContact(v *validator) {
	v.ident("contact.email", "email", &d.Contact.Email, ident.ValidateEmail)
	v.ident("contact.phone", "phone", &d.Contact.Phone, ident.NormalizePhone)
	v.ident("contact.website", "website", &d.Contact.Website, ident.ValidateWebsite)
	if d.LogoURL != "" && !externalImageURL(d.LogoURL) {
		v.add("logo_url", "logo_url.invalid")
	}
}

// normalizeSocialEnterprise checks the status decision, when given.
func (d *ListingData) normalizeSocialEnterprise(v *validator) {
	se := d.SocialEnterprise
	if se == nil {
		return
	}
	v.text("social_enterprise.decision_no", &se.DecisionNo, 100, true)
	v.date("social_enterprise.decision_date", se.DecisionDate, true)
	v.date("social_enterprise.valid_until", se.ValidUntil, false)
	v.date("social_enterprise.withdrawn_at", se.WithdrawnAt, false)
}

// normalizeEmployment checks the employment figures, when given.
func (d *ListingData) normalizeEmployment(v *validator) {
	e := d.Employment
	if e == nil {
		return
	}
	if e.Total < 0 || e.Total > 100000 {
		v.add("employment.total", "employment.total")
	}
	if e.AtRisk < 0 {
		v.add("employment.at_risk", "employment.at_risk_negative")
	} else if e.AtRisk > e.Total {
		v.add("employment.at_risk", "employment.at_risk_over_total")
	}
	v.date("employment.as_of", e.AsOf, true)
	for i, g := range e.TargetGroups {
		if !oneOf(g, TargetGroups) {
			v.add(fmt.Sprintf("employment.target_groups[%d]", i), "target_group.unknown")
		}
	}
	e.TargetGroups = dedupe(e.TargetGroups)
}

// normalizeCertificates checks the certificates' kinds, issuers, dates.
func (d *ListingData) normalizeCertificates(v *validator) {
	if len(d.Certificates) > 20 {
		v.add("certificates", "too_many")
	}
	for i := range d.Certificates {
		c := &d.Certificates[i]
		f := fmt.Sprintf("certificates[%d]", i)
		if !oneOf(c.Kind, CertificateKinds) {
			v.add(f+".kind", "certificate.kind")
		}
		v.text(f+".issuer", &c.Issuer, maxLine, false)
		v.date(f+".valid_until", c.ValidUntil, false)
	}
}

// externalImageURL accepts an absolute https address of another site and
// nothing a browser could read otherwise: "//host/…" (scheme-relative),
// "/\\host", credentials, control characters (a NUL would also fail the
// jsonb column).
func externalImageURL(raw string) bool {
	if strings.ContainsFunc(raw, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return false
	}
	u, err := url.Parse(raw)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil && u.Opaque == "" &&
		strings.HasPrefix(raw, "https://") && len(raw) <= 2000
}
