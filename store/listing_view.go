package store

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"time"
)

// Listing is a listing as read: its data plus status, place names and the
// derived fields (reserved-contract eligibility, completeness, staleness).
type Listing struct {
	ID     string `json:"id"`
	Tenant string `json:"tenant"`
	Status string `json:"status"`
	ListingData
	Voivodeship               Unit   `json:"voivodeship"`
	Powiat                    Unit   `json:"powiat"`
	Gmina                     Unit   `json:"gmina"`
	ReservedContractsEligible bool   `json:"reserved_contracts_eligible"`
	ReservedContractsBasis    *Basis `json:"reserved_contracts_basis,omitempty"`
	PSPreferenceEligible      bool   `json:"ps_preference_eligible"`
	Completeness              int    `json:"completeness"`
	// CompletenessHints are what would raise Completeness, for the owner.
	CompletenessHints []CompletenessHint `json:"completeness_hints,omitempty"`
	CreatedAt         time.Time          `json:"created_at"`
	UpdatedAt         time.Time          `json:"updated_at"`
	VerifiedAt        *time.Time         `json:"verified_at"`
	PublishedAt       *time.Time         `json:"published_at,omitempty"`
	ConfirmedAt       time.Time          `json:"confirmed_at"`
	Stale             bool               `json:"stale"`
	StatusReason      string             `json:"status_reason,omitempty"`
	Revision          *Revision          `json:"pending_revision,omitempty"`
	OwnerID           string             `json:"-"`
	TenantID          string             `json:"-"`
	SubmittedAt       *time.Time         `json:"-"`
	// Warnings are notes for the owner and staff about the version being
	// edited (dates already past); they stop nothing.
	Warnings []Warning `json:"warnings,omitempty"`
}

// Unit is a territorial unit's code and name.
type Unit struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Basis says why a listing may take reserved contracts: the kind or the
// stated aim, the share of employees at risk, the day the figures are true
// for and the last day they count. A basis whose LapsesOn has passed is
// still given (with eligibility false), so the profile can say it lapsed.
type Basis struct {
	Reason      string `json:"reason"`         // kind | reintegration_aim
	Kind        string `json:"kind,omitempty"` // spoldzielnia_socjalna | zpch, for reason kind
	AtRiskShare int    `json:"at_risk_share"`  // percent, rounded down
	AsOf        string `json:"as_of"`
	LapsesOn    string `json:"lapses_on"`
}

// Revision is a pending edit of a published listing.
type Revision struct {
	Status      string      `json:"status"`
	Reason      string      `json:"reason,omitempty"`
	Fields      []string    `json:"fields"`
	SubmittedAt *time.Time  `json:"submitted_at,omitempty"`
	Data        ListingData `json:"data"`
}

// StaleAfter is how long a listing stays fresh without its owner confirming.
const StaleAfter = 365 * 24 * time.Hour

// derive fills the derived fields as of now.
func (l *Listing) derive(now time.Time) {
	l.ReservedContractsEligible, l.ReservedContractsBasis = l.ListingData.ReservedEligibility(now)
	l.PSPreferenceEligible = l.ListingData.PSPreference(now)
	l.Completeness = l.ListingData.Completeness()
	l.CompletenessHints = l.ListingData.CompletenessHints()
	l.Stale = now.Sub(l.ConfirmedAt) > StaleAfter
}

// CompletenessHint is a part of a listing that is missing and how many
// points of the completeness score filling it would add. Field is the form
// field to fill (its input's id is "f-"+Field).
type CompletenessHint struct {
	Field  string `json:"field"`
	Points int    `json:"points"`
}

// completenessParts are the score's parts, each with its weight and the
// form field that fills it: the one place the weights are defined.
var completenessParts = []struct {
	field  string
	points int
	filled func(d *ListingData) bool
}{
	{"description", 20, func(d *ListingData) bool { return len(d.Description) >= 80 }},
	{"offers", 15, func(d *ListingData) bool { return len(d.Offers) > 0 }},
	{"categories", 15, func(d *ListingData) bool { return len(d.Categories) > 0 }},
	{"contact", 10, func(d *ListingData) bool { return d.Contact.Email != "" || d.Contact.Phone != "" }},
	{"website", 5, func(d *ListingData) bool { return d.Contact.Website != "" }},
	{"logo_url", 5, func(d *ListingData) bool { return d.LogoURL != "" }},
	{"employment", 10, func(d *ListingData) bool { return d.Employment != nil }},
	{"service_area", 10, func(d *ListingData) bool {
		return len(d.ServiceArea.TERYT) > 0 || d.ServiceArea.Scope == "country" || d.ServiceArea.Scope == "radius"
	}},
	{"certificates", 10, func(d *ListingData) bool { return len(d.Certificates) > 0 || d.SocialEnterprise != nil }},
}

// Completeness weighs what buyers use, 0–100.
func (d *ListingData) Completeness() int {
	score := 0
	for _, p := range completenessParts {
		if p.filled(d) {
			score += p.points
		}
	}
	return score
}

// CompletenessHints lists what is missing, most points first (form order
// among equals): what would raise the score and by how much.
func (d *ListingData) CompletenessHints() []CompletenessHint {
	var out []CompletenessHint
	for _, p := range completenessParts {
		if !p.filled(d) {
			out = append(out, CompletenessHint{Field: p.field, Points: p.points})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Points > out[j].Points })
	return out
}

// ValidCertificates are the certificates still in force on now's date.
func (d *ListingData) ValidCertificates(now time.Time) []Certificate {
	today := now.Format("2006-01-02")
	var out []Certificate
	for _, c := range d.Certificates {
		if c.ValidUntil == "" || c.ValidUntil >= today {
			out = append(out, c)
		}
	}
	return out
}

// IsSocialEnterprise reports whether the status is in force on now's date.
func (d *ListingData) IsSocialEnterprise(now time.Time) bool {
	se := d.SocialEnterprise
	if se == nil || se.WithdrawnAt != "" && se.WithdrawnAt <= now.Format("2006-01-02") {
		return false
	}
	return se.ValidUntil == "" || se.ValidUntil >= now.Format("2006-01-02")
}

// changedFields names the top-level fields that differ between a and b.
func changedFields(a, b ListingData) []string {
	var out []string
	for _, c := range DiffListings(a, b) {
		out = append(out, c.Field)
	}
	return out
}

// FieldChange is one field of a pending version against the published one.
type FieldChange struct {
	Field  string          `json:"field"`
	Before json.RawMessage `json:"before"`
	After  json.RawMessage `json:"after"`
}

// DiffListings lists each changed field with both values, in form order.
// Each field is encoded alone, as it is inside the listing's JSON (an
// omitted empty field has no value): no round trip through a map, which
// was a third of an import's own CPU.
func DiffListings(before, after ListingData) []FieldChange {
	bv, av := reflect.ValueOf(before), reflect.ValueOf(after)
	var out []FieldChange
	for _, f := range listingFields {
		b, a := fieldJSON(bv, f), fieldJSON(av, f)
		if !bytes.Equal(b, a) {
			out = append(out, FieldChange{Field: f.name, Before: b, After: a})
		}
	}
	return out
}

// listingField is a field of ListingData as JSON names it.
type listingField struct {
	name      string
	index     int
	omitEmpty bool
}

// listingFields are ListingData's fields in listingFieldOrder.
var listingFields = func() []listingField {
	byName := map[string]listingField{}
	t := reflect.TypeFor[ListingData]()
	for i := range t.NumField() {
		name, opts, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		byName[name] = listingField{name: name, index: i, omitEmpty: opts == "omitempty"}
	}
	out := make([]listingField, len(listingFieldOrder))
	for i, name := range listingFieldOrder {
		f, ok := byName[name]
		if !ok {
			panic("listingFieldOrder names no field of ListingData: " + name)
		}
		out[i] = f
	}
	return out
}()

// fieldJSON is field f of v encoded, nil when omitempty leaves it out.
func fieldJSON(v reflect.Value, f listingField) json.RawMessage {
	fv := v.Field(f.index)
	if f.omitEmpty && fv.IsZero() {
		return nil
	}
	b, _ := json.Marshal(fv.Interface())
	return b
}

// listingFieldOrder is the order fields appear in forms and diffs.
var listingFieldOrder = []string{"name", "short_name", "legal_form", "kinds", "operator", "krs", "nip", "regon",
	"description", "categories", "pkd", "offers", "address", "geo", "service_area", "contact",
	"social_enterprise", "reintegration_aim", "employment", "certificates", "founded_year", "logo_url"}
