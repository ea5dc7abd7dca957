// Package registry holds the clients of the three public registries that
// say who an entity is: the KRS open API (Ministry of Justice), GUS BIR 1.1
// for REGON (SOAP) and the Ministry of Finance VAT white list. Each client
// has a timeout, a circuit breaker and a rate limit; the PostgreSQL cache
// around them lives in store. No SQL and no HTTP server here; it imports
// nothing of ours.
package registry

import (
	"errors"
	"strings"
)

// The registries, as named in the API and in the cache.
const (
	KRS   = "krs"
	REGON = "regon"
	VAT   = "vat"
)

// Errors a client answers with. NotFound is an answer (the registry knows
// no such entity); the others say the registry could not answer.
var (
	ErrNotFound    = errors.New("registry: not found")
	ErrUnavailable = errors.New("registry: unavailable")
	ErrMalformed   = errors.New("registry: malformed answer")
)

// Entity is what one registry says about an entity, in our vocabulary
// where it maps (LegalFormCode, GminaTERYT) and in its own words beside.
type Entity struct {
	Source        string  `json:"source"`
	Name          string  `json:"name,omitempty"`
	LegalForm     string  `json:"legal_form_name,omitempty"` // the registry's own wording
	LegalFormCode string  `json:"legal_form,omitempty"`      // our code (DOMAIN.md), "" when unknown
	NIP           string  `json:"nip,omitempty"`
	REGON         string  `json:"regon,omitempty"`
	KRS           string  `json:"krs,omitempty"`
	Register      string  `json:"register,omitempty"` // KRS: P (entrepreneurs) or S (associations)
	Address       Address `json:"address"`
	PKD           []PKD   `json:"pkd,omitempty"`
	OPP           bool    `json:"opp,omitempty"` // KRS: public-benefit organisation
	VATStatus     string  `json:"vat_status,omitempty"`
	RequestID     string  `json:"request_id,omitempty"` // VAT: proves the check
	// Dates (YYYY-MM-DD) that end or pause an entity's life.
	StruckOff  string `json:"struck_off,omitempty"` // KRS: wykreślenie
	Bankrupt   string `json:"bankrupt,omitempty"`   // KRS or REGON: upadłość
	Suspended  string `json:"suspended,omitempty"`  // REGON: zawieszenie (not later resumed)
	Ended      string `json:"ended,omitempty"`      // REGON: zakończenie działalności
	Deleted    string `json:"deleted,omitempty"`    // REGON: skreślenie z REGON
	VATRemoved string `json:"vat_removed,omitempty"`
}

// Address is a seat. GminaTERYT (7 digits) only REGON gives, from its
// symbols; KRS gives names.
type Address struct {
	Street      string `json:"street,omitempty"`
	PostalCode  string `json:"postal_code,omitempty"`
	City        string `json:"city,omitempty"`
	Gmina       string `json:"gmina,omitempty"`
	Voivodeship string `json:"voivodeship,omitempty"`
	GminaTERYT  string `json:"gmina_teryt,omitempty"`
}

// PKD is an activity code with its classification's version.
type PKD struct {
	Code    string `json:"code"`
	Version int    `json:"version"`
	Main    bool   `json:"main"`
}

// Inactive says why the entity no longer trades as listed, or "".
func (e Entity) Inactive() string {
	switch {
	case e.StruckOff != "":
		return "struck_off"
	case e.Bankrupt != "":
		return "bankrupt"
	case e.Deleted != "":
		return "deleted"
	case e.Ended != "":
		return "ended"
	case e.Suspended != "":
		return "suspended"
	}
	return ""
}

// krsForm maps KRS's formaPrawna (and, for cooperatives, the name) to our
// legal-form codes.
func krsForm(form, name string) string {
	f := strings.ToUpper(form)
	switch {
	case strings.Contains(f, "SPÓŁDZIELNIA"):
		return cooperative(name)
	case strings.Contains(f, "FUNDACJA"):
		return "fundacja"
	case strings.Contains(f, "STOWARZYSZENIE"), strings.Contains(f, "ZWIĄZEK STOWARZYSZEŃ"):
		return "stowarzyszenie"
	case strings.Contains(f, "SPÓŁKA Z OGRANICZONĄ"), strings.Contains(f, "SPÓŁKA AKCYJNA"),
		strings.Contains(f, "KLUB SPORTOWY"):
		return "spolka_non_profit"
	case strings.Contains(f, "KOŁO GOSPODYŃ"):
		return "kgw"
	case f == "":
		return ""
	}
	return "inna"
}

// cooperative tells the kinds of spółdzielnia apart by their names, the
// one place either registry says which kind it is.
func cooperative(name string) string {
	n := strings.ToUpper(name)
	switch {
	case strings.Contains(n, "SOCJALN"):
		return "spoldzielnia_socjalna"
	case strings.Contains(n, "INWALID"), strings.Contains(n, "NIEWIDOM"):
		return "spoldzielnia_inwalidow"
	case strings.Contains(n, "PRODUKCJI ROLNEJ"):
		return "spoldzielnia_produkcji_rolnej"
	case strings.Contains(n, "PRACY"):
		return "spoldzielnia_pracy"
	}
	return "inna"
}

// regonForm maps REGON's detailed legal form (szczególna forma prawna,
// GUS's dictionary) to our codes by its name, which BIR sends beside the
// symbol ("SPÓŁDZIELNIE", "FUNDACJE", "STOWARZYSZENIA"…).
func regonForm(form, name string) string {
	f := strings.ToUpper(form)
	switch {
	case f == "":
		return ""
	case strings.Contains(f, "SPÓŁDZIELNI"):
		return cooperative(name)
	case strings.Contains(f, "FUNDACJ"):
		return "fundacja"
	case strings.Contains(f, "STOWARZYSZ"):
		return "stowarzyszenie"
	case strings.Contains(f, "GOSPODYŃ WIEJSKICH"):
		return "kgw"
	case strings.Contains(f, "KOŚCI"):
		return "koscielna_osoba_prawna"
	case strings.Contains(f, "SPÓŁKI Z OGRANICZONĄ"), strings.Contains(f, "SPÓŁKI AKCYJNE"):
		return "spolka_non_profit"
	}
	return "inna"
}
