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

// KRSClient reads current extracts (OdpisAktualny) from the KRS open API.
// Base is up to the API's own paths, e.g. https://api-krs.ms.gov.pl/api/krs.
type KRSClient struct {
	base string
	c    *caller
}

// NewKRS makes a client; the API asks for no key. Its published limit is
// modest, so the default pace is two calls a second.
func NewKRS(base string, hc *http.Client, l Limits) *KRSClient {
	if l.Every == 0 {
		l.Every = 500 * time.Millisecond
	}
	return &KRSClient{base: strings.TrimRight(base, "/"), c: newCaller(KRS, hc, l)}
}

// Open reports whether the circuit is open.
func (k *KRSClient) Open() bool { return k.c.Open() }

// Extract returns the current extract of a 10-digit KRS number, looked up
// in the register of entrepreneurs (P) and then of associations (S).
func (k *KRSClient) Extract(ctx context.Context, krs string) (Entity, error) {
	for _, reg := range []string{"P", "S"} {
		u := fmt.Sprintf("%s/OdpisAktualny/%s?rejestr=%s&format=json", k.base, url.PathEscape(krs), reg)
		a, err := k.c.get(ctx, u)
		if err != nil {
			return Entity{}, err
		}
		switch {
		case a.status == http.StatusNotFound || a.status == http.StatusNoContent:
			continue
		case a.status != http.StatusOK:
			return Entity{}, fmt.Errorf("krs %s: %w: status %d", krs, ErrUnavailable, a.status)
		}
		return ParseKRS(a.body)
	}
	return Entity{}, fmt.Errorf("krs %s: %w", krs, ErrNotFound)
}

// krsExtract is the part of OdpisAktualny we read.
type krsExtract struct {
	Odpis struct {
		Rodzaj    string `json:"rodzaj"`
		NaglowekA struct {
			Rejestr          string `json:"rejestr"`
			NumerKRS         string `json:"numerKRS"`
			DataWykreslenia  string `json:"dataWykresleniaZRejestruPrzedsiebiorcow"`
			DataWykresleniaS string `json:"dataWykresleniaZRejestruStowarzyszen"`
		} `json:"naglowekA"`
		Dane struct {
			Dzial1 struct {
				DanePodmiotu struct {
					FormaPrawna    string `json:"formaPrawna"`
					Identyfikatory struct {
						REGON string `json:"regon"`
						NIP   string `json:"nip"`
					} `json:"identyfikatory"`
					Nazwa     string `json:"nazwa"`
					StatusOPP *bool  `json:"czyPosiadaStatusOPP"`
				} `json:"danePodmiotu"`
				SiedzibaIAdres struct {
					Siedziba struct {
						Wojewodztwo string `json:"wojewodztwo"`
						Gmina       string `json:"gmina"`
						Miejscowosc string `json:"miejscowosc"`
					} `json:"siedziba"`
					Adres struct {
						Ulica       string `json:"ulica"`
						NrDomu      string `json:"nrDomu"`
						NrLokalu    string `json:"nrLokalu"`
						Miejscowosc string `json:"miejscowosc"`
						KodPocztowy string `json:"kodPocztowy"`
					} `json:"adres"`
				} `json:"siedzibaIAdres"`
			} `json:"dzial1"`
			Dzial3 struct {
				Przedmiot struct {
					Przewazajaca []krsPKD `json:"przedmiotPrzewazajacejDzialalnosci"`
					Pozostala    []krsPKD `json:"przedmiotPozostalejDzialalnosci"`
				} `json:"przedmiotDzialalnosci"`
			} `json:"dzial3"`
			Dzial6 struct {
				Wykreslenie struct {
					Data string `json:"dataWykresleniaZRejestru"`
				} `json:"informacjeOWykresleniu"`
				Upadlosc []struct {
					Data string `json:"dataOgloszeniaUpadlosci"`
					Opis string `json:"sposobZakonczeniaPostepowania"`
				} `json:"postepowanieUpadlosciowe"`
			} `json:"dzial6"`
		} `json:"dane"`
	} `json:"odpis"`
}

type krsPKD struct {
	KodDzial    string `json:"kodDzial"`
	KodKlasa    string `json:"kodKlasa"`
	KodPodklasa string `json:"kodPodklasa"`
}

// ParseKRS reads an OdpisAktualny JSON answer.
func ParseKRS(body []byte) (Entity, error) {
	var x krsExtract
	if err := json.Unmarshal(body, &x); err != nil {
		return Entity{}, fmt.Errorf("krs: %w: %v", ErrMalformed, err)
	}
	o := x.Odpis
	p := o.Dane.Dzial1.DanePodmiotu
	if o.NaglowekA.NumerKRS == "" || strings.TrimSpace(p.Nazwa) == "" { // a blank name too (found by fuzzing)
		return Entity{}, fmt.Errorf("krs: %w: no KRS number or name", ErrMalformed)
	}
	e := Entity{
		Source:    KRS,
		Name:      strings.TrimSpace(p.Nazwa),
		LegalForm: p.FormaPrawna,
		NIP:       p.Identyfikatory.NIP,
		REGON:     regon9(p.Identyfikatory.REGON),
		KRS:       o.NaglowekA.NumerKRS,
		Register:  strings.TrimPrefix(o.NaglowekA.Rejestr, "Rej"),
		OPP:       p.StatusOPP != nil && *p.StatusOPP,
	}
	e.LegalFormCode = krsForm(p.FormaPrawna, e.Name)
	s, a := o.Dane.Dzial1.SiedzibaIAdres.Siedziba, o.Dane.Dzial1.SiedzibaIAdres.Adres
	e.Address = Address{
		Street:      street(a.Ulica, a.NrDomu, a.NrLokalu),
		PostalCode:  a.KodPocztowy,
		City:        firstNonEmpty(a.Miejscowosc, s.Miejscowosc),
		Gmina:       s.Gmina,
		Voivodeship: s.Wojewodztwo,
	}
	for i, list := range [][]krsPKD{o.Dane.Dzial3.Przedmiot.Przewazajaca, o.Dane.Dzial3.Przedmiot.Pozostala} {
		for _, c := range list {
			if c.KodDzial == "" || c.KodKlasa == "" || c.KodPodklasa == "" {
				continue
			}
			// KRS keeps PKD 2007 codes.
			e.PKD = append(e.PKD, PKD{Code: c.KodDzial + "." + c.KodKlasa + "." + c.KodPodklasa, Version: 2007, Main: i == 0})
		}
	}
	e.StruckOff = krsDate(firstNonEmpty(o.Dane.Dzial6.Wykreslenie.Data, o.NaglowekA.DataWykreslenia, o.NaglowekA.DataWykresleniaS))
	for _, u := range o.Dane.Dzial6.Upadlosc {
		if d := krsDate(u.Data); d != "" && u.Opis == "" {
			e.Bankrupt = d
		}
	}
	return e, nil
}

// krsDate turns KRS's DD.MM.YYYY into YYYY-MM-DD; anything else is "".
func krsDate(s string) string {
	t, err := time.Parse("02.01.2006", strings.TrimSpace(s))
	if err != nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

// regon9 drops the five zeros KRS appends to a nine-digit REGON.
func regon9(s string) string {
	if len(s) == 14 && strings.HasSuffix(s, "00000") {
		return s[:9]
	}
	return s
}

func street(name, house, flat string) string {
	s := strings.TrimSpace(name + " " + house)
	if flat != "" {
		s += "/" + flat
	}
	return s
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}
