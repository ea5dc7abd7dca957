package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"katalogpes/store/registry"
	"katalogpes/tenants"
)

// The registry clients (store/registry), as the cache sees them.
type (
	KRSSource interface {
		Extract(ctx context.Context, krs string) (registry.Entity, error)
	}
	REGONSource interface {
		Find(ctx context.Context, q registry.Query) (registry.Entity, error)
	}
	VATSource interface {
		ByNIP(ctx context.Context, nip string, day time.Time) (registry.Entity, error)
	}
)

// How long an answer and an error are kept.
const (
	RegistryAnswerTTL = 24 * time.Hour
	RegistryErrorTTL  = 10 * time.Minute
)

// Registries asks KRS, REGON and the VAT list through a cache in
// PostgreSQL. A nil source is a registry that is off (not configured).
type Registries struct {
	db    *DB
	krs   KRSSource
	regon REGONSource
	vat   VATSource
}

// Registries wraps the clients; nil ones are off.
func (db *DB) Registries(krs KRSSource, regon REGONSource, vat VATSource) *Registries {
	return &Registries{db: db, krs: krs, regon: regon, vat: vat}
}

// On reports whether any registry is configured.
func (r *Registries) On() bool {
	return r != nil && (r.krs != nil || r.regon != nil || r.vat != nil)
}

// RegistryQuery is what a person typed: any of the three numbers,
// already normalised. NoVAT leaves the VAT list out (the nightly check:
// its daily limit is for people filling in forms).
type RegistryQuery struct {
	NIP, KRS, REGON string
	NoVAT           bool
}

// SourceResult is one registry's answer. Error is "" (found),
// "not_found", "unavailable", "malformed" or "off".
type SourceResult struct {
	Name      string           `json:"name"`
	CheckedAt time.Time        `json:"checked_at"`
	OK        bool             `json:"ok"`
	Found     bool             `json:"found"`
	Data      *registry.Entity `json:"data,omitempty"`
	Error     string           `json:"error,omitempty"`
}

// RegistryAnswer is every registry's answer and the form's prefill.
type RegistryAnswer struct {
	Sources []SourceResult `json:"sources"`
	Prefill Prefill        `json:"prefill"`
}

// Source is the answer of one registry, if it was asked.
func (a RegistryAnswer) Source(name string) (SourceResult, bool) {
	for _, s := range a.Sources {
		if s.Name == name {
			return s, true
		}
	}
	return SourceResult{}, false
}

// Prefill is what the registries say, in the listing's fields. GminaError
// says why the gmina is not filled in ("outside_region", "unknown").
type Prefill struct {
	Name       string  `json:"name,omitempty"`
	LegalForm  string  `json:"legal_form,omitempty"`
	Address    Address `json:"address"`
	PKD        []PKD   `json:"pkd,omitempty"`
	KRS        string  `json:"krs,omitempty"`
	NIP        string  `json:"nip,omitempty"`
	REGON      string  `json:"regon,omitempty"`
	OPP        bool    `json:"opp,omitempty"`
	GminaError string  `json:"gmina_error,omitempty"`
}

// Look asks the registries about an entity: KRS and REGON at once, then
// the VAT list with the NIP either gave. A registry that cannot answer is
// ok:false and the others still answer.
func (r *Registries) Look(ctx context.Context, q RegistryQuery) (RegistryAnswer, error) {
	var krs, regon SourceResult
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		krs = r.askKRS(ctx, q.KRS)
	}()
	go func() {
		defer wg.Done()
		regon = r.askREGON(ctx, q)
	}()
	wg.Wait()
	// Found by NIP or REGON, an entity in KRS is read there too (PKD, OPP).
	if q.KRS == "" && regon.Data != nil && regon.Data.KRS != "" {
		krs = r.askKRS(ctx, regon.Data.KRS)
	}
	nip := q.NIP
	for _, s := range []SourceResult{krs, regon} {
		if nip == "" && s.Data != nil {
			nip = s.Data.NIP
		}
	}
	var vat SourceResult
	if !q.NoVAT {
		vat = r.askVAT(ctx, nip)
	}
	a := RegistryAnswer{}
	for _, s := range []SourceResult{krs, regon, vat} {
		if s.Name != "" {
			a.Sources = append(a.Sources, s)
		}
	}
	if err := ctx.Err(); err != nil {
		return a, fmt.Errorf("ask registries: %w", err)
	}
	p, err := r.prefill(ctx, krs.Data, regon.Data, vat.Data)
	a.Prefill = p
	return a, err
}

func (r *Registries) askKRS(ctx context.Context, krs string) SourceResult {
	if krs == "" {
		return SourceResult{}
	}
	if r.krs == nil {
		return SourceResult{Name: registry.KRS, Error: "off"}
	}
	return r.cached(ctx, registry.KRS, krs, func(ctx context.Context) (registry.Entity, error) { return r.krs.Extract(ctx, krs) })
}

func (r *Registries) askREGON(ctx context.Context, q RegistryQuery) SourceResult {
	rq, key := registry.Query{NIP: q.NIP}, "nip:"+q.NIP
	switch {
	case q.REGON != "":
		rq, key = registry.Query{REGON: q.REGON}, "regon:"+q.REGON
	case q.NIP == "" && q.KRS != "":
		rq, key = registry.Query{KRS: q.KRS}, "krs:"+q.KRS
	case q.NIP == "":
		return SourceResult{}
	}
	if r.regon == nil {
		return SourceResult{Name: registry.REGON, Error: "off"}
	}
	return r.cached(ctx, registry.REGON, key, func(ctx context.Context) (registry.Entity, error) { return r.regon.Find(ctx, rq) })
}

func (r *Registries) askVAT(ctx context.Context, nip string) SourceResult {
	if nip == "" {
		return SourceResult{}
	}
	if r.vat == nil {
		return SourceResult{Name: registry.VAT, Error: "off"}
	}
	day := r.db.now().In(warsaw)
	return r.cached(ctx, registry.VAT, nip, func(ctx context.Context) (registry.Entity, error) { return r.vat.ByNIP(ctx, nip, day) })
}

// cached answers from registry_cache while fresh, else asks and keeps the
// answer (24 h) or the error (10 min).
func (r *Registries) cached(ctx context.Context, name, key string, ask func(context.Context) (registry.Entity, error)) SourceResult {
	res := SourceResult{Name: name}
	var row struct {
		Found     bool      `db:"found"`
		Entity    []byte    `db:"entity"`
		Error     string    `db:"error"`
		CheckedAt time.Time `db:"checked_at"`
	}
	err := r.db.tx(tenants.WithAllTenants(ctx), func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &row, `SELECT found, coalesce(entity, 'null'::jsonb) AS entity, error, checked_at
			FROM registry_cache WHERE registry = $1 AND key = $2 AND expires_at > $3`, name, key, r.db.now())
	})
	if err == nil {
		res.CheckedAt, res.Found, res.Error = row.CheckedAt, row.Found, row.Error
		res.OK = row.Error == "" || row.Error == "not_found"
		if row.Found {
			var e registry.Entity
			if json.Unmarshal(row.Entity, &e) == nil {
				res.Data = &e
			}
		}
		return res
	}
	e, err := ask(ctx)
	res.CheckedAt = r.db.now()
	ttl := RegistryAnswerTTL
	switch {
	case err == nil:
		res.OK, res.Found, res.Data = true, true, &e
	case errors.Is(err, registry.ErrNotFound):
		res.OK, res.Error = true, "not_found"
	case errors.Is(err, registry.ErrMalformed):
		res.Error, ttl = "malformed", RegistryErrorTTL
	default:
		res.Error, ttl = "unavailable", RegistryErrorTTL
	}
	if ctx.Err() != nil {
		return res // the caller gave up: its own timeout is no registry error
	}
	var body any
	if res.Data != nil {
		body = res.Data
	}
	raw, _ := json.Marshal(body)
	_ = r.db.tx(tenants.WithAllTenants(ctx), func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO registry_cache (registry, key, found, entity, error, checked_at, expires_at)
			VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)
			ON CONFLICT (registry, key) DO UPDATE SET found = $3, entity = $4::jsonb, error = $5, checked_at = $6, expires_at = $7`,
			name, key, res.Found, string(raw), res.Error, res.CheckedAt, res.CheckedAt.Add(ttl))
		return err
	})
	return res
}

// prefill merges the answers: names and legal form from KRS first, the
// seat from REGON (which has TERYT symbols), PKD from KRS.
func (r *Registries) prefill(ctx context.Context, krs, regon, vat *registry.Entity) (Prefill, error) {
	var p Prefill
	for _, e := range []*registry.Entity{krs, regon, vat} {
		if e == nil {
			continue
		}
		p.Name = firstSet(p.Name, e.Name)
		p.LegalForm = firstSet(p.LegalForm, e.LegalFormCode)
		p.KRS = firstSet(p.KRS, e.KRS)
		p.NIP = firstSet(p.NIP, e.NIP)
		p.REGON = firstSet(p.REGON, e.REGON)
		if p.PKD == nil {
			for _, c := range e.PKD {
				p.PKD = append(p.PKD, PKD{Code: c.Code, Version: c.Version, Main: c.Main})
			}
		}
	}
	p.OPP = krs != nil && krs.OPP
	seat := regon
	if seat == nil || seat.Address.City == "" {
		seat = firstEntity(krs, vat)
	}
	if seat != nil {
		p.Address = Address{Street: seat.Address.Street, PostalCode: seat.Address.PostalCode, City: seat.Address.City}
	}
	if regon == nil || regon.Address.GminaTERYT == "" {
		return p, nil
	}
	g, err := findGmina(ctx, r.db.db, regon.Address.GminaTERYT)
	var se *Error
	switch {
	case errors.As(err, &se) && se.Code == ENotFound:
		p.GminaError = "unknown"
	case err != nil:
		return p, fmt.Errorf("prefill gmina: %w", err)
	default:
		if t, ok := tenants.FromContext(ctx); ok && g.VoivodeshipCode != t.TERYT {
			p.GminaError = "outside_region"
		} else {
			p.Address.GminaTERYT = g.Code
		}
	}
	return p, nil
}

func firstEntity(es ...*registry.Entity) *registry.Entity {
	for _, e := range es {
		if e != nil {
			return e
		}
	}
	return nil
}

func firstSet(have, next string) string {
	if have != "" {
		return have
	}
	return strings.TrimSpace(next)
}
