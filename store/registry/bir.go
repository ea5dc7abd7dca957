package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// BIRClient asks GUS's BIR 1.1 (the REGON database) over SOAP: it signs
// in with the operator's key (Zaloguj), searches by NIP, REGON or KRS
// (DaneSzukajPodmioty) and reads the full report of a legal person or a
// sole trader (DanePobierzPelnyRaport). URL is the service's address, e.g.
// https://wyszukiwarkaregon.stat.gov.pl/wsBIR/UslugaBIRzewnPubl.svc
// (the test service: wyszukiwarkaregontest…, key abcde12345abcde12345).
type BIRClient struct {
	url, key string
	c        *caller

	mu  sync.Mutex
	sid string // the session, shared by this client's calls until refused
}

// NewBIR makes a client. GUS's limits are a few calls a second per key.
func NewBIR(url, key string, hc *http.Client, l Limits) *BIRClient {
	if l.Every == 0 {
		l.Every = 250 * time.Millisecond
	}
	return &BIRClient{url: url, key: key, c: newCaller(REGON, hc, l)}
}

// Open reports whether the circuit is open.
func (b *BIRClient) Open() bool { return b.c.Open() }

// Query is one identifier to search by; exactly one field is set.
type Query struct{ NIP, REGON, KRS string }

func (q Query) param() (string, string) {
	switch {
	case q.NIP != "":
		return "Nip", q.NIP
	case q.REGON != "":
		return "Regon", q.REGON
	}
	return "Krs", q.KRS
}

// The report of each kind of entity (Typ in the search answer).
const (
	ReportLegal = "BIR11OsPrawna"
	ReportCEIDG = "BIR11OsFizycznaDzialalnoscCeidg"
)

// Find searches and reads the entity's full report.
func (b *BIRClient) Find(ctx context.Context, q Query) (Entity, error) {
	name, value := q.param()
	param := `<dat:` + name + `>` + xmlText(value) + `</dat:` + name + `>`
	rows, err := b.rows(ctx, "DaneSzukajPodmioty", `<ns:pParametryWyszukiwania>`+param+`</ns:pParametryWyszukiwania>`)
	if err != nil {
		return Entity{}, fmt.Errorf("regon search %s=%s: %w", name, value, err)
	}
	row := rows[0]
	report, prefix := ReportLegal, "praw_"
	if row["Typ"] == "F" {
		report, prefix = ReportCEIDG, "fiz_"
	}
	regon := row["Regon"]
	rows, err = b.rows(ctx, "DanePobierzPelnyRaport", `<ns:pRegon>`+xmlText(regon)+`</ns:pRegon><ns:pNazwaRaportu>`+report+`</ns:pNazwaRaportu>`)
	if err != nil {
		return Entity{}, fmt.Errorf("regon report %s %s: %w", report, regon, err)
	}
	return BIREntity(rows[0], prefix), nil
}

// rows calls op and reads its rows; an empty answer is explained by
// GetValue(KomunikatKod): 4 not found, 7 no session (sign in again, once).
func (b *BIRClient) rows(ctx context.Context, op, args string) ([]map[string]string, error) {
	for try := 0; try < 2; try++ {
		sid, err := b.session(ctx)
		if err != nil {
			return nil, err
		}
		result, err := b.call(ctx, sid, birPubl, op, args)
		if err != nil {
			return nil, err
		}
		rows, err := ParseBIRRows(result)
		if err != nil {
			return nil, err
		}
		if len(rows) > 0 {
			if code := rows[0]["ErrorCode"]; code != "" {
				return nil, birCode(code)
			}
			return rows, nil
		}
		code, err := b.call(ctx, sid, birBase, "GetValue", `<ns:pNazwaParametru>KomunikatKod</ns:pNazwaParametru>`)
		if err != nil {
			return nil, err
		}
		if code != "7" {
			return nil, birCode(code)
		}
		b.forget(sid)
	}
	return nil, fmt.Errorf("%w: session refused twice", ErrUnavailable)
}

// birCode is GUS's message code as an error.
func birCode(code string) error {
	switch code {
	case "4":
		return ErrNotFound
	case "2":
		return fmt.Errorf("%w: too many identifiers", ErrMalformed)
	}
	return fmt.Errorf("%w: message code %q", ErrUnavailable, code)
}

func (b *BIRClient) session(ctx context.Context) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sid != "" {
		return b.sid, nil
	}
	sid, err := b.call(ctx, "", birPubl, "Zaloguj", `<ns:pKluczUzytkownika>`+xmlText(b.key)+`</ns:pKluczUzytkownika>`)
	if err != nil {
		return "", fmt.Errorf("regon sign-in: %w", err)
	}
	if sid == "" {
		return "", fmt.Errorf("regon sign-in: %w: key refused", ErrUnavailable)
	}
	b.sid = sid
	return sid, nil
}

func (b *BIRClient) forget(sid string) {
	b.mu.Lock()
	if b.sid == sid {
		b.sid = ""
	}
	b.mu.Unlock()
}

// The two contracts of BIR 1.1: the public one and GetValue's base one.
type birContract struct{ ns, iface string }

var (
	birPubl = birContract{"http://CIS/BIR/PUBL/2014/07", "http://CIS/BIR/PUBL/2014/07/IUslugaBIRzewnPubl/"}
	birBase = birContract{"http://CIS/BIR/2014/07", "http://CIS/BIR/2014/07/IUslugaBIR/"}
)

// call sends one SOAP 1.2 request (WS-Addressing headers, as the WSDL
// requires) and returns the text of its …Result element.
func (b *BIRClient) call(ctx context.Context, sid string, k birContract, op, args string) (string, error) {
	env := `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:ns="` + k.ns +
		`" xmlns:dat="http://CIS/BIR/PUBL/2014/07/DataContract"><soap:Header xmlns:wsa="http://www.w3.org/2005/08/addressing">` +
		`<wsa:To>` + xmlText(b.url) + `</wsa:To><wsa:Action>` + k.iface + op + `</wsa:Action></soap:Header>` +
		`<soap:Body><ns:` + op + `>` + args + `</ns:` + op + `></soap:Body></soap:Envelope>`
	h := http.Header{"Content-Type": {`application/soap+xml; charset=utf-8; action="` + k.iface + op + `"`}}
	if sid != "" {
		h.Set("sid", sid)
	}
	a, err := b.c.post(ctx, b.url, h, []byte(env))
	if err != nil {
		return "", err
	}
	if a.status != http.StatusOK {
		return "", fmt.Errorf("%w: status %d", ErrUnavailable, a.status)
	}
	return ParseBIRResult(a.body, a.header.Get("Content-Type"))
}

// BIREntity reads one row of a full report; prefix is the report's
// (praw_ for a legal person, fiz_ for a sole trader).
func BIREntity(row map[string]string, prefix string) Entity {
	g := func(k string) string { return strings.TrimSpace(row[prefix+k]) }
	e := Entity{
		Source:    REGON,
		Name:      g("nazwa"),
		LegalForm: g("szczegolnaFormaPrawna_Nazwa"),
		NIP:       g("nip"),
		REGON:     firstNonEmpty(g("regon9"), g("regon14")),
		Address: Address{
			Street:      street(g("adSiedzUlica_Nazwa"), g("adSiedzNumerNieruchomosci"), g("adSiedzNumerLokalu")),
			PostalCode:  postal(g("adSiedzKodPocztowy")),
			City:        g("adSiedzMiejscowosc_Nazwa"),
			Gmina:       g("adSiedzGmina_Nazwa"),
			Voivodeship: g("adSiedzWojewodztwo_Nazwa"),
			GminaTERYT:  teryt(g("adSiedzWojewodztwo_Symbol"), g("adSiedzPowiat_Symbol"), g("adSiedzGmina_Symbol")),
		},
		Bankrupt: g("dataOrzeczeniaOUpadlosci"),
		Ended:    g("dataZakonczeniaDzialalnosci"),
		Deleted:  firstNonEmpty(g("dataSkresleniaZRegon"), g("dataSkresleniazRegon")),
	}
	if prefix == "praw_" {
		e.LegalFormCode = regonForm(g("szczegolnaFormaPrawna_Nazwa"), e.Name)
		if n := g("numerWRejestrzeEwidencji"); len(n) == 10 && strings.Contains(strings.ToUpper(g("rodzajRejestruEwidencji_Nazwa")), "REJESTR") {
			e.KRS = n
		}
	} else if e.Name != "" {
		e.LegalFormCode = "inna" // a sole trader is none of our forms
	}
	// A suspension counts until a later resumption.
	if s, r := g("dataZawieszeniaDzialalnosci"), g("dataWznowieniaDzialalnosci"); s != "" && r < s {
		e.Suspended = s
	}
	return e
}

// teryt joins REGON's symbols into a 7-digit gmina code (WOJ POW GMI RODZ).
func teryt(woj, pow, gmi string) string {
	if len(woj) != 2 || len(pow) != 2 || len(gmi) != 3 {
		return ""
	}
	return woj + pow + gmi
}

// postal formats REGON's 5 digits as NN-NNN.
func postal(s string) string {
	if len(s) == 5 {
		return s[:2] + "-" + s[2:]
	}
	return s
}

var errNoResult = errors.New("no Result element")
