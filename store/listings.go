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
// ReintegrationAim is the owner's statement that the social and
// occupational integration of people at risk of exclusion is the main aim
// of the entity, or of the unit that performs contracts.
type ListingData struct {
	Name             string            `json:"name"`
	ShortName        string            `json:"short_name"`
	LegalForm        string            `json:"legal_form"`
	Kinds            []string          `json:"kinds"`
	Operator         string            `json:"operator"`
	ReintegrationAim bool              `json:"reintegration_aim"` // integration is the main aim (art. 94 Pzp)
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

var gminaShapeRe = regexp.MustCompile(`^[0-9]{7}$`)

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
			v.add("address.gmina_teryt", "teryt.gmina_unknown", "Code", d.Address.GminaTERYT)
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
