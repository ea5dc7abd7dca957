package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// VATClient asks the Ministry of Finance's VAT white list (wykaz
// podatników VAT). Base is the site, e.g. https://wl-api.mf.gov.pl.
type VATClient struct {
	base string
	c    *caller
}

// NewVAT makes a client. The search API takes 100 queries a day from an
// address, so by default a node asks at most that (a burst of ten, then
// one every 14.4 minutes); the cache in store spares most of them, and
// the nightly check does not ask this list at all.
func NewVAT(base string, hc *http.Client, l Limits) *VATClient {
	if l.Every == 0 {
		l.Every, l.Burst = 24*time.Hour/100, 10
	}
	return &VATClient{base: strings.TrimRight(base, "/"), c: newCaller(VAT, hc, l)}
}

// Open reports whether the circuit is open.
func (v *VATClient) Open() bool { return v.c.Open() }

// ByNIP asks about a NIP on a day. A NIP absent from the list is
// ErrNotFound, which is no sign the NIP is invalid: many PES are not VAT
// payers at all.
func (v *VATClient) ByNIP(ctx context.Context, nip string, day time.Time) (Entity, error) {
	u := fmt.Sprintf("%s/api/search/nip/%s?date=%s", v.base, url.PathEscape(nip), day.Format(time.DateOnly))
	a, err := v.c.get(ctx, u)
	if err != nil {
		return Entity{}, err
	}
	if a.status != http.StatusOK {
		var p struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(a.body, &p)
		return Entity{}, fmt.Errorf("vat %s: %w: status %d %s %s", nip, ErrUnavailable, a.status, p.Code, p.Message)
	}
	return ParseVAT(a.body)
}

type vatAnswer struct {
	Result *struct {
		Subject *struct {
			Name             string  `json:"name"`
			NIP              string  `json:"nip"`
			StatusVat        string  `json:"statusVat"`
			REGON            string  `json:"regon"`
			KRS              *string `json:"krs"`
			ResidenceAddress *string `json:"residenceAddress"`
			WorkingAddress   *string `json:"workingAddress"`
			RemovalDate      *string `json:"removalDate"`
		} `json:"subject"`
		RequestID string `json:"requestId"`
	} `json:"result"`
}

// ParseVAT reads a /api/search/nip answer; no subject is ErrNotFound.
func ParseVAT(body []byte) (Entity, error) {
	var x vatAnswer
	if err := json.Unmarshal(body, &x); err != nil {
		return Entity{}, fmt.Errorf("vat: %w: %v", ErrMalformed, err)
	}
	if x.Result == nil || x.Result.RequestID == "" {
		return Entity{}, fmt.Errorf("vat: %w: no result or requestId", ErrMalformed)
	}
	s := x.Result.Subject
	if s == nil {
		return Entity{Source: VAT, RequestID: x.Result.RequestID}, fmt.Errorf("vat: %w", ErrNotFound)
	}
	if strings.TrimSpace(s.Name) == "" {
		// A subject without a name is no answer to rely on (found by fuzzing).
		return Entity{}, fmt.Errorf("vat: %w: a subject without a name", ErrMalformed)
	}
	e := Entity{Source: VAT, Name: s.Name, NIP: s.NIP, REGON: s.REGON, VATStatus: s.StatusVat,
		RequestID: x.Result.RequestID, KRS: deref(s.KRS), VATRemoved: deref(s.RemovalDate)}
	if addr := firstNonEmpty(deref(s.WorkingAddress), deref(s.ResidenceAddress)); addr != "" {
		e.Address = vatAddress(addr)
	}
	return e, nil
}

// vatAddress splits the list's one-line "ULICA 1, 00-000 MIASTO".
func vatAddress(s string) Address {
	street, rest, ok := strings.Cut(s, ", ")
	if !ok {
		return Address{City: s}
	}
	a := Address{Street: street}
	if len(rest) > 7 && rest[2] == '-' && rest[6] == ' ' {
		a.PostalCode, a.City = rest[:6], rest[7:]
	} else {
		a.City = rest
	}
	return a
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
