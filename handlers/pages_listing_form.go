package handlers

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"katalogpes/store"
)

// The listing form's fields are named as the API's fields are, with dots
// for nesting and [n] for rows (address.city, offers[0].title), so the
// store's field errors land next to their controls unchanged.

// Rows of the repeated parts of the form.
const (
	maxOfferRows = 20
	maxCertRows  = 10
)

// listingValues is a listing as its form's values.
func listingValues(d store.ListingData) url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("name", d.Name)
	set("short_name", d.ShortName)
	set("legal_form", d.LegalForm)
	v["kinds"] = append([]string(nil), d.Kinds...)
	set("operator", d.Operator)
	set("krs", d.KRS)
	set("nip", d.NIP)
	set("regon", d.REGON)
	set("description", d.Description)
	v["categories"] = append([]string(nil), d.Categories...)
	var pkd []string
	for _, c := range d.PKD {
		pkd = append(pkd, c.Code)
	}
	set("pkd", strings.Join(pkd, ", "))
	if len(d.PKD) > 0 && d.PKD[0].Version == 2007 {
		set("pkd_version", "2007")
	}
	for i, o := range d.Offers {
		f := fmt.Sprintf("offers[%d].", i)
		set(f+"title", o.Title)
		set(f+"description", o.Description)
		set(f+"kind", o.Kind)
		set(f+"category", o.Category)
	}
	set("address.street", d.Address.Street)
	set("address.postal_code", d.Address.PostalCode)
	set("address.city", d.Address.City)
	set("address.gmina_teryt", d.Address.GminaTERYT)
	if len(d.Address.GminaTERYT) >= 4 {
		set("powiat", d.Address.GminaTERYT[:4])
	}
	if d.Geo != nil {
		set("geo.lat", strconv.FormatFloat(d.Geo.Lat, 'f', -1, 64))
		set("geo.lng", strconv.FormatFloat(d.Geo.Lng, 'f', -1, 64))
	}
	set("service_area.scope", d.ServiceArea.Scope)
	setAreaValues(v, d.ServiceArea)
	if d.ServiceArea.RadiusKm != 0 {
		set("service_area.radius_km", strconv.FormatFloat(d.ServiceArea.RadiusKm, 'f', -1, 64))
	}
	set("contact.email", d.Contact.Email)
	set("contact.phone", d.Contact.Phone)
	set("contact.website", d.Contact.Website)
	if se := d.SocialEnterprise; se != nil {
		set("social_enterprise.decision_no", se.DecisionNo)
		set("social_enterprise.decision_date", se.DecisionDate)
		set("social_enterprise.valid_until", se.ValidUntil)
		set("social_enterprise.withdrawn_at", se.WithdrawnAt)
	}
	if d.ReintegrationAim {
		set("reintegration_aim", "true")
	}
	if e := d.Employment; e != nil {
		set("employment.total", strconv.Itoa(e.Total))
		set("employment.at_risk", strconv.Itoa(e.AtRisk))
		set("employment.as_of", e.AsOf)
		v["employment.target_groups"] = append([]string(nil), e.TargetGroups...)
	}
	for i, c := range d.Certificates {
		f := fmt.Sprintf("certificates[%d].", i)
		set(f+"kind", c.Kind)
		set(f+"issuer", c.Issuer)
		set(f+"valid_until", c.ValidUntil)
	}
	if d.FoundedYear != 0 {
		set("founded_year", strconv.Itoa(d.FoundedYear))
	}
	return v
}

// parsedListing is a form read back: the data, the errors of what could
// not even be read (a number that is no number), and which row on screen
// each offer and certificate came from, since empty rows are dropped.
type parsedListing struct {
	Data      store.ListingData
	Errs      []store.FieldError
	offerRow  []int
	certRow   []int
	OfferRows int
	CertRows  int
}

// screenField names the control of a store field: list items point at
// their list, compacted rows at the row the person filled in.
func (pl *parsedListing) screenField(field string) string {
	for _, list := range []string{"kinds", "categories", "employment.target_groups"} {
		if strings.HasPrefix(field, list+"[") {
			return list
		}
	}
	if strings.HasPrefix(field, "pkd") {
		return "pkd"
	}
	if strings.HasPrefix(field, "service_area.teryt") {
		return areaField(pl.Data.ServiceArea.Scope)
	}
	for _, r := range []struct {
		prefix string
		rows   []int
	}{{"offers[", pl.offerRow}, {"certificates[", pl.certRow}} {
		if !strings.HasPrefix(field, r.prefix) {
			continue
		}
		i := rowOf(field)
		if i >= 0 && i < len(r.rows) {
			return fmt.Sprintf("%s%d]%s", r.prefix, r.rows[i], field[strings.IndexByte(field, ']')+1:])
		}
	}
	if field == "geo" {
		return "geo.lat"
	}
	return field
}

// parseListing reads the form into listing data on top of base (the
// current version), so fields the form does not show are kept.
func parseListing(v url.Values, base store.ListingData) *parsedListing {
	pl := &parsedListing{Data: base}
	f := listingForm{v: v, pl: pl}
	f.readIdentity()
	f.readOffers()
	f.readPlace(base.ServiceArea)
	pl.Data.Contact = store.Contact{Email: f.get("contact.email"), Phone: f.get("contact.phone"), Website: f.get("contact.website")}
	f.readSocialEnterprise()
	f.readEmployment()
	f.readCertificates()
	pl.Data.FoundedYear = 0
	if y := f.get("founded_year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil {
			f.bad("founded_year", "ui.err.whole_number")
		}
		pl.Data.FoundedYear = n
	}
	return pl
}

// listingForm reads the listing form's values, section by section, into pl.
type listingForm struct {
	v  url.Values
	pl *parsedListing
}

func (f listingForm) get(k string) string { return strings.TrimSpace(f.v.Get(k)) }

func (f listingForm) bad(field, key string) {
	f.pl.Errs = append(f.pl.Errs, store.FieldError{Field: field, Key: key})
}

// readIdentity reads names, legal form, kinds, registry numbers,
// description, categories and PKD codes (the first one main).
func (f listingForm) readIdentity() {
	d := &f.pl.Data
	d.Name = f.get("name")
	d.ShortName = f.get("short_name")
	d.LegalForm = f.get("legal_form")
	d.Kinds = nonEmpty(f.v["kinds"])
	d.Operator = f.get("operator")
	d.KRS = f.get("krs")
	d.NIP = f.get("nip")
	d.REGON = f.get("regon")
	d.Description = f.get("description")
	d.Categories = nonEmpty(f.v["categories"])
	d.PKD = nil
	// Codes filled from KRS are PKD 2007 (issue 15); typed ones PKD 2025.
	version := 2025
	if f.get("pkd_version") == "2007" {
		version = 2007
	}
	for i, code := range splitList(f.get("pkd")) {
		d.PKD = append(d.PKD, store.PKD{Code: code, Version: version, Main: i == 0})
	}
}

// readOffers reads the offer rows filled in, remembering their rows.
func (f listingForm) readOffers() {
	d := &f.pl.Data
	d.Offers = nil
	f.pl.OfferRows = rowsIn(f.v, "offers", maxOfferRows)
	for i := 0; i < f.pl.OfferRows; i++ {
		p := fmt.Sprintf("offers[%d].", i)
		o := store.Offer{Title: f.get(p + "title"), Description: f.get(p + "description"), Kind: f.get(p + "kind"), Category: f.get(p + "category")}
		if o.Title == "" && o.Description == "" {
			continue // an empty row; the kind has a default
		}
		d.Offers = append(d.Offers, o)
		f.pl.offerRow = append(f.pl.offerRow, i)
	}
}

// readPlace reads the address, the point and the service area (base is
// the area stored before).
func (f listingForm) readPlace(base store.ServiceArea) {
	d := &f.pl.Data
	d.Address = store.Address{Street: f.get("address.street"), PostalCode: f.get("address.postal_code"),
		City: f.get("address.city"), GminaTERYT: f.get("address.gmina_teryt")}
	d.Geo = nil
	if lat, lng := f.get("geo.lat"), f.get("geo.lng"); lat != "" || lng != "" {
		la, err1 := parseDecimal(lat)
		ln, err2 := parseDecimal(lng)
		if err1 != nil {
			f.bad("geo.lat", "ui.err.number")
		}
		if err2 != nil {
			f.bad("geo.lng", "ui.err.number")
		}
		if err1 == nil && err2 == nil {
			d.Geo = &store.Geo{Lat: la, Lng: ln}
		}
	}
	d.ServiceArea = store.ServiceArea{Scope: f.get("service_area.scope")}
	d.ServiceArea.TERYT = f.readArea(base)
	if r := f.get("service_area.radius_km"); r != "" {
		km, err := parseDecimal(r)
		if err != nil {
			f.bad("service_area.radius_km", "ui.err.number")
		}
		d.ServiceArea.RadiusKm = km
	}
}

// readSocialEnterprise reads the status decision; none when all empty.
func (f listingForm) readSocialEnterprise() {
	d := &f.pl.Data
	d.SocialEnterprise = nil
	se := store.SocialEnterprise{DecisionNo: f.get("social_enterprise.decision_no"), DecisionDate: f.get("social_enterprise.decision_date"),
		ValidUntil: f.get("social_enterprise.valid_until"), WithdrawnAt: f.get("social_enterprise.withdrawn_at")}
	if se != (store.SocialEnterprise{}) {
		d.SocialEnterprise = &se
	}
}

// readEmployment reads the stated integration aim and the employment
// figures; none when all empty.
func (f listingForm) readEmployment() {
	d := &f.pl.Data
	d.ReintegrationAim = f.get("reintegration_aim") == "true"
	d.Employment = nil
	total, atRisk, asOf := f.get("employment.total"), f.get("employment.at_risk"), f.get("employment.as_of")
	groups := nonEmpty(f.v["employment.target_groups"])
	if total != "" || atRisk != "" || asOf != "" || len(groups) > 0 {
		e := &store.Employment{AsOf: asOf, TargetGroups: groups}
		var err error
		if e.Total, err = parseCount(total); err != nil {
			f.bad("employment.total", "ui.err.whole_number")
		}
		if e.AtRisk, err = parseCount(atRisk); err != nil {
			f.bad("employment.at_risk", "ui.err.whole_number")
		}
		d.Employment = e
	}
}

// readCertificates reads the certificate rows filled in, remembering
// their rows.
func (f listingForm) readCertificates() {
	d := &f.pl.Data
	d.Certificates = nil
	f.pl.CertRows = rowsIn(f.v, "certificates", maxCertRows)
	for i := 0; i < f.pl.CertRows; i++ {
		p := fmt.Sprintf("certificates[%d].", i)
		c := store.Certificate{Kind: f.get(p + "kind"), Issuer: f.get(p + "issuer"), ValidUntil: f.get(p + "valid_until")}
		if c.Kind == "" && c.Issuer == "" && c.ValidUntil == "" {
			continue
		}
		d.Certificates = append(d.Certificates, c)
		f.pl.certRow = append(f.pl.certRow, i)
	}
}

// rowsIn is how many rows of a repeated part the form sent: the highest
// row number seen plus one, and never more than max.
func rowsIn(v url.Values, prefix string, max int) int {
	n := 0
	for k := range v {
		if strings.HasPrefix(k, prefix+"[") {
			if i := rowOf(k); i >= 0 && i+1 > n {
				n = i + 1
			}
		}
	}
	return min(n, max)
}

func nonEmpty(list []string) []string {
	var out []string
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// splitList reads "a, b; c" or one per line.
func splitList(s string) []string {
	return nonEmpty(strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == ' ' || r == '\r' }))
}

// parseDecimal takes a Polish decimal comma as well as a point.
func parseDecimal(s string) (float64, error) {
	return strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(s), ",", "."), 64)
}

func parseCount(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	return strconv.Atoi(strings.ReplaceAll(strings.ReplaceAll(s, " ", ""), "\u00a0", ""))
}
