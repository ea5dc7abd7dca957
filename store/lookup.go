package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"katalogpes/store/ident"
	"katalogpes/tenants"
)

// The identifiers a buyer may check a supplier by, in the order forms
// offer them.
const (
	LookupNIP   = "nip"
	LookupREGON = "regon"
	LookupKRS   = "krs"
)

// LookupKinds lists them.
var LookupKinds = []string{LookupNIP, LookupREGON, LookupKRS}

// Lookup is one identifier, normalised: "is my supplier a listed PES?".
type Lookup struct {
	Kind  string
	Value string
}

// lookupNormalizers are store/ident's rules for each kind.
var lookupNormalizers = map[string]func(string) (string, error){
	LookupNIP:   ident.NormalizeNIP,
	LookupREGON: ident.NormalizeREGON,
	LookupKRS:   ident.NormalizeKRS,
}

// NewLookup takes what a buyer gave (kind → value; blanks are ignored),
// requires exactly one identifier and normalises it. A malformed one is a
// 422 at its field (nip.checksum, regon.format…).
func NewLookup(given map[string]string) (Lookup, error) {
	var found []Lookup
	for _, kind := range LookupKinds {
		if v := strings.TrimSpace(given[kind]); v != "" {
			found = append(found, Lookup{Kind: kind, Value: v})
		}
	}
	switch len(found) {
	case 0:
		return Lookup{}, Invalid([]FieldError{{Field: LookupNIP, Key: "lookup.one_identifier"}})
	case 1:
	default:
		var fields []FieldError
		for _, f := range found[1:] {
			fields = append(fields, FieldError{Field: f.Kind, Key: "lookup.one_identifier"})
		}
		return Lookup{}, Invalid(fields)
	}
	q := found[0]
	v := &validator{}
	v.ident(q.Kind, q.Kind, &q.Value, lookupNormalizers[q.Kind])
	if len(v.errs) > 0 {
		return Lookup{}, Invalid(v.errs)
	}
	return q, nil
}

// maxLookupMatches bounds the answer: one entity is listed in a region or
// two, never in many.
const maxLookupMatches = 16

// FindListingsByIdentifier finds the published listings that carry the
// identifier, in the context's region or (on the hub) in every region, in
// TERYT order. A REGON matches on its first nine digits: a REGON-14 is a
// local unit of the entity those digits name. None found is an empty list.
func (db *DB) FindListingsByIdentifier(ctx context.Context, q Lookup) ([]*Listing, error) {
	var cond string
	args := []any{q.Value}
	switch q.Kind {
	case LookupNIP:
		cond = `l.nip = $1`
	case LookupKRS:
		cond = `l.krs = $1`
	case LookupREGON:
		cond = `left(l.data->>'regon', 9) = $1`
		args[0] = q.Value[:9]
	default:
		return nil, fmt.Errorf("look up listings: unknown identifier %q", q.Kind)
	}
	if t, ok := tenants.FromContext(ctx); ok {
		cond += ` AND l.tenant_id = $2`
		args = append(args, t.ID)
	}
	var rows []listingRow
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &rows, listingSelect+` WHERE l.status = 'published' AND `+cond+
			fmt.Sprintf(` ORDER BY t.teryt, l.published_at LIMIT %d`, maxLookupMatches), args...)
	})
	if err != nil {
		return nil, fmt.Errorf("look up listings by %s: %w", q.Kind, err)
	}
	return db.toListings(rows, false)
}

// StatusBadges are the codes of the badges a buyer checks, as of now:
// social_enterprise, reserved_contracts, ps_preference, then the kinds of the
// certificates in force (zakup_prospoleczny…), each once.
func (l *Listing) StatusBadges(now time.Time) []string {
	out := []string{}
	if l.IsSocialEnterprise(now) {
		out = append(out, "social_enterprise")
	}
	if l.ReservedContractsEligible {
		out = append(out, "reserved_contracts")
	}
	if l.PSPreferenceEligible {
		out = append(out, "ps_preference")
	}
	for _, c := range l.ValidCertificates(now) {
		if !oneOf(c.Kind, out) {
			out = append(out, c.Kind)
		}
	}
	return out
}
