package store

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"katalogpes/store/ident"
)

// ListingData is what an enterprise registers: the API's listing fields
// that a person edits. It is stored as one JSON document (listings.data).
type ListingData struct {
	Name             string            `json:"name"`
	ShortName        string            `json:"short_name"`
	LegalForm        string            `json:"legal_form"`
	Kinds            []string          `json:"kinds"`
	Operator         string            `json:"operator"`
	KRS              string            `json:"krs"`
	NIP              string            `json:"nip"`
	REGON            string            `json:"regon"`
	Description      string            `json:"description"`
	Categories       []string          `json:"categories"`
	PKD              []PKD             `json:"pkd"`
	Offers           []Offer           `json:"offers"`
	Address          Address           `json:"address"`
	Geo              *Geo              `json:"geo"`
	ServiceArea      ServiceArea       `json:"service_area"`
	Contact          Contact           `json:"contact"`
	SocialEnterprise *SocialEnterprise `json:"social_enterprise"`
	Employment       *Employment       `json:"employment"`
	Certificates     []Certificate     `json:"certificates"`
	FoundedYear      int               `json:"founded_year,omitempty"`
	LogoURL          string            `json:"logo_url"`
}

// PKD is a code of the Polish classification of activities.
type PKD struct {
	Code    string `json:"code"`
	Version int    `json:"version"`
	Main    bool   `json:"main"`
}

// Offer is one product or service.
type Offer struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Kind        string `json:"kind"` // usluga | produkt
	Category    string `json:"category"`
}

// Address is the seat; its gmina decides the tenant.
type Address struct {
	Street     string `json:"street"`
	PostalCode string `json:"postal_code"`
	City       string `json:"city"`
	GminaTERYT string `json:"gmina_teryt"`
}

// Geo is a point, WGS 84.
type Geo struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// ServiceArea is where the entity works.
type ServiceArea struct {
	Scope    string   `json:"scope"` // country | voivodeships | powiats | gminas | radius
	TERYT    []string `json:"teryt"`
	RadiusKm float64  `json:"radius_km,omitempty"`
}

// Contact is how buyers reach the entity.
type Contact struct {
	Email   string `json:"email"`
	Phone   string `json:"phone"`
	Website string `json:"website"`
}

// SocialEnterprise is the voivode's decision granting the status.
type SocialEnterprise struct {
	DecisionNo   string `json:"decision_no"`
	DecisionDate string `json:"decision_date"`
	ValidUntil   string `json:"valid_until,omitempty"`
	WithdrawnAt  string `json:"withdrawn_at,omitempty"`
}

// Employment are the figures that decide reserved-contract eligibility.
type Employment struct {
	Total        int      `json:"total"`
	AtRisk       int      `json:"at_risk"`
	AsOf         string   `json:"as_of"`
	TargetGroups []string `json:"target_groups"`
}

// Certificate is a mark or status with an expiry.
type Certificate struct {
	Kind       string `json:"kind"`
	Issuer     string `json:"issuer"`
	ValidUntil string `json:"valid_until"`
}

// The codes of DOMAIN.md.
var (
	LegalForms = []string{"spoldzielnia_socjalna", "spoldzielnia_pracy", "spoldzielnia_inwalidow",
		"spoldzielnia_produkcji_rolnej", "fundacja", "stowarzyszenie", "kgw", "koscielna_osoba_prawna",
		"spolka_non_profit", "jst", "inna"}
	Kinds        = []string{"spoldzielnia_socjalna", "cis", "kis", "wtz", "zaz", "zpch", "ngo_gospodarcza", "ngo_odplatna", "inny"}
	TargetGroups = []string{"niepelnosprawni", "bezrobotni", "bezdomni", "opuszczajacy_zaklady_karne",
		"opuszczajacy_piecze", "zaburzenia_psychiczne", "uchodzcy", "inne"}
	CertificateKinds  = []string{"zakup_prospoleczny", "znak_jakosci_es", "opp", "inny"}
	ServiceAreaScopes = []string{"country", "voivodeships", "powiats", "gminas", "radius"}
	OfferKinds        = []string{"usluga", "produkt"}
)

func oneOf(v string, set []string) bool {
	for _, s := range set {
		if s == v {
			return true
		}
	}
	return false
}

// Text bounds, in characters.
const (
	maxName        = 200
	maxShortName   = 80
	maxDescription = 5000
	maxLine        = 200
	maxOffers      = 50
	maxOfferText   = 2000
	maxListItems   = 50
)

var dateRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// validator collects field errors.
type validator struct{ errs []FieldError }

func (v *validator) add(field, key string, params ...any) {
	fe := FieldError{Field: field, Key: key}
	if len(params) == 2 {
		fe.Params = map[string]any{params[0].(string): params[1]}
	}
	v.errs = append(v.errs, fe)
}

func (v *validator) text(field string, s *string, max int, required bool) {
	*s = strings.TrimSpace(*s)
	switch {
	case *s == "" && required:
		v.add(field, "required")
	case utf8.RuneCountInString(*s) > max:
		v.add(field, "too_long", "Max", max)
	case !utf8.ValidString(*s) || strings.ContainsRune(*s, '\uFFFD') || strings.ContainsRune(*s, 0):
		v.add(field, "encoding")
	}
}

func (v *validator) date(field, s string, required bool) {
	if s == "" {
		if required {
			v.add(field, "required")
		}
		return
	}
	if _, err := time.Parse("2006-01-02", s); err != nil || !dateRe.MatchString(s) {
		v.add(field, "date.invalid")
	}
}

// ident normalises an identifier in place; a failure becomes the message
// kind.code (nip.checksum, postal_code.format…).
func (v *validator) ident(field, kind string, s *string, norm func(string) (string, error)) {
	*s = strings.TrimSpace(*s)
	if *s == "" {
		return
	}
	out, err := norm(*s)
	if err != nil {
		code := ident.CodeFormat
		if e, ok := err.(ident.Error); ok {
			code = e.Code
		}
		v.add(field, kind+"."+code)
		return
	}
	*s = out
}

// normalize trims and canonicalises the data in place and checks what
// needs no database: formats, checksums, codes, bounds.
func (d *ListingData) normalize() []FieldError {
	v := &validator{}
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
	v.ident("contact.email", "email", &d.Contact.Email, ident.ValidateEmail)
	v.ident("contact.phone", "phone", &d.Contact.Phone, ident.NormalizePhone)
	v.ident("contact.website", "website", &d.Contact.Website, ident.ValidateWebsite)
	// A NUL would pass the prefix test and then fail the jsonb column.
	if d.LogoURL != "" && (!strings.HasPrefix(d.LogoURL, "https://") && !strings.HasPrefix(d.LogoURL, "/") ||
		strings.ContainsRune(d.LogoURL, 0)) {
		v.add("logo_url", "logo_url.invalid")
	}
	if se := d.SocialEnterprise; se != nil {
		v.text("social_enterprise.decision_no", &se.DecisionNo, 100, true)
		v.date("social_enterprise.decision_date", se.DecisionDate, true)
		v.date("social_enterprise.valid_until", se.ValidUntil, false)
		v.date("social_enterprise.withdrawn_at", se.WithdrawnAt, false)
	}
	if e := d.Employment; e != nil {
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
	if d.FoundedYear != 0 && (d.FoundedYear < 1800 || d.FoundedYear > time.Now().Year()) {
		v.add("founded_year", "founded_year.range")
	}
	return v.errs
}

// checkSubmittable says what a listing still lacks before review.
func (d *ListingData) checkSubmittable() []FieldError {
	v := &validator{}
	if d.Description == "" {
		v.add("description", "required")
	}
	if len(d.Categories) == 0 {
		v.add("categories", "required")
	}
	if d.Contact.Email == "" && d.Contact.Phone == "" {
		v.add("contact.email", "contact.required")
	}
	return v.errs
}

func dedupe(list []string) []string {
	seen := map[string]bool{}
	out := list[:0]
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// validateInTenant checks what needs the database: the seat's gmina lies in
// the tenant's voivodeship (and is stored as the gmina proper), service-area
// codes exist, categories are the tenant's. It reads through tx, the
// transaction of the write being checked.
func validateInTenant(ctx context.Context, tx *sqlx.Tx, d *ListingData, tenantTERYT, tenantID string) ([]FieldError, error) {
	return validatePlaces(ctx, d, tenantTERYT, tenantID, txPlaces{tx})
}

// places answers what validatePlaces asks of the TERYT register and the
// tenant's categories: the database for one listing, memory for an import.
type places interface {
	gmina(ctx context.Context, code string) (Gmina, error) // ENotFound when unknown
	unknownCodes(ctx context.Context, codes []string) ([]string, error)
	categoryCodes(ctx context.Context, tenantID string) (map[string]bool, error)
}

// txPlaces asks the database, within a write's transaction.
type txPlaces struct{ tx *sqlx.Tx }

func (p txPlaces) gmina(ctx context.Context, code string) (Gmina, error) {
	return findGmina(ctx, p.tx, code)
}

func (p txPlaces) unknownCodes(ctx context.Context, codes []string) ([]string, error) {
	var unknown []string
	err := p.tx.SelectContext(ctx, &unknown, `
		SELECT c FROM unnest($1::text[]) AS c
		WHERE NOT EXISTS (SELECT 1 FROM teryt_voivodeships WHERE code = c)
		  AND NOT EXISTS (SELECT 1 FROM teryt_powiats WHERE code = c)
		  AND NOT EXISTS (SELECT 1 FROM teryt_gminas WHERE code = c)
		  AND NOT EXISTS (SELECT 1 FROM teryt_gmina_parts WHERE code = c)`, pqStrings(codes))
	if err != nil {
		return nil, fmt.Errorf("check service area: %w", err)
	}
	return unknown, nil
}

func (p txPlaces) categoryCodes(ctx context.Context, tenantID string) (map[string]bool, error) {
	return categoryCodesIn(ctx, p.tx, tenantID)
}

func validatePlaces(ctx context.Context, d *ListingData, tenantTERYT, tenantID string, pl places) ([]FieldError, error) {
	v := &validator{}
	if d.Address.GminaTERYT != "" {
		g, err := pl.gmina(ctx, d.Address.GminaTERYT)
		switch {
		case ErrorCode(err) == ENotFound:
			v.add("address.gmina_teryt", "teryt.unknown")
		case err != nil:
			return nil, err
		case g.VoivodeshipCode != tenantTERYT:
			v.add("address.gmina_teryt", "teryt.other_voivodeship")
		default:
			d.Address.GminaTERYT = g.Code
			if d.ServiceArea.Scope == "gminas" && len(d.ServiceArea.TERYT) == 0 {
				d.ServiceArea.TERYT = []string{g.Code}
			}
		}
	}
	if len(d.ServiceArea.TERYT) > 0 {
		unknown, err := pl.unknownCodes(ctx, d.ServiceArea.TERYT)
		if err != nil {
			return nil, err
		}
		for _, c := range unknown {
			for i, s := range d.ServiceArea.TERYT {
				if s == c {
					v.add(fmt.Sprintf("service_area.teryt[%d]", i), "teryt.unknown")
				}
			}
		}
	}
	if len(d.Categories) > 0 || len(d.Offers) > 0 {
		known, err := pl.categoryCodes(ctx, tenantID)
		if err != nil {
			return nil, err
		}
		for i, c := range d.Categories {
			if !known[c] {
				v.add(fmt.Sprintf("categories[%d]", i), "category.unknown")
			}
		}
		for i, o := range d.Offers {
			if o.Category != "" && !known[o.Category] {
				v.add(fmt.Sprintf("offers[%d].category", i), "category.unknown")
			}
		}
	}
	return v.errs, nil
}
