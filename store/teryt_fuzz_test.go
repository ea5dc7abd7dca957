package store

import (
	"bufio"
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// FuzzParseTERC feeds TERC files to the register's parser. Properties: no
// panic; a refusal is a TERCError naming a line of the file; an accepted
// register has well-formed codes (so LoadTERC's partGmina cannot fail on
// them) and reads back the same when written out again.
func FuzzParseTERC(f *testing.F) {
	const header = "WOJ;POW;GMI;RODZ;NAZWA;NAZWA_DOD;STAN_NA\r\n"
	for _, s := range []string{
		header + "02;;;;DOLNOŚLĄSKIE;województwo;2020-01-01\r\n02;01;;;bolesławiecki;powiat;2020-01-01\r\n" +
			"02;01;01;1;Bolesławiec;gmina miejska;2020-01-01\r\n02;01;04;3;Nowogrodziec;gmina miejsko-wiejska;2020-01-01\r\n" +
			"02;01;04;4;Nowogrodziec;miasto;2020-01-01\r\n02;01;04;5;Nowogrodziec;obszar wiejski;2020-01-01\r\n",
		"\uFEFF" + strings.ReplaceAll(header, "\r", "") + "14;65;01;1;Warszawa;gmina miejska, miasto stołeczne;2020-01-01\n14;65;01;8;Bemowo;dzielnica;2020-01-01\n",
		"", "\n\n", header, "woj;pow;gmi;rodz;nazwa;nazwa_dod;stan_na\n 02 ; ; ; ; X ; ; 2020-01-01 \n",
		header + "02;01;01;1;;gmina miejska;2020-01-01\n", header + "02;01;01;7;X;;2020-01-01\n",
		header + "02;01;01;1;X;;2020-02-30\n", header + "2;;;;X;;2020-01-01\n", header + "02;;;;X;;\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, file []byte) {
		terc, err := ParseTERC(bytes.NewReader(file))
		if err != nil {
			var te *TERCError
			if errors.As(err, &te) {
				if te.Line < 0 || te.Line > bytes.Count(file, []byte("\n"))+1 {
					t.Fatalf("error %v names a line the file does not have", err)
				}
			} else if !errors.Is(err, bufio.ErrTooLong) {
				t.Fatalf("refusal %v is neither a TERCError nor a line too long", err)
			}
			return
		}
		checkTERCCodes(t, terc)
		again, err := ParseTERC(strings.NewReader(writeTERC(terc)))
		if err != nil {
			t.Fatalf("register written back does not parse: %v\n%s", err, writeTERC(terc))
		}
		if !reflect.DeepEqual(again, terc) {
			t.Fatalf("register written back reads %+v, want %+v", again, terc)
		}
	})
}

func checkTERCCodes(t *testing.T, terc *TERC) {
	t.Helper()
	kinds := []struct {
		units []TERCUnit
		len   int
	}{{terc.Voivodeships, 2}, {terc.Powiats, 4}, {terc.Gminas, 7}, {terc.Parts, 7}}
	for _, k := range kinds {
		for _, u := range k.units {
			if len(u.Code) != k.len || strings.Trim(u.Code, "0123456789") != "" || u.Name == "" ||
				u.StanNa.After(terc.StanNa) {
				t.Fatalf("unit %+v is malformed (want a %d-digit code, a name, STAN_NA up to %v)", u, k.len, terc.StanNa)
			}
		}
	}
	for _, p := range terc.Parts {
		if g := partGmina(p.Code); len(g) != 7 || g[:4] != p.Code[:4] || (g[6] != '3' && g[6] != '1') {
			t.Fatalf("part %s belongs to %q, not a gmina code", p.Code, g)
		}
	}
}

// writeTERC writes a register in the official layout, one kind of unit
// after the other (ParseTERC keeps each kind in file order).
func writeTERC(terc *TERC) string {
	var b strings.Builder
	b.WriteString("WOJ;POW;GMI;RODZ;NAZWA;NAZWA_DOD;STAN_NA\n")
	for _, list := range [][]TERCUnit{terc.Voivodeships, terc.Powiats, terc.Gminas, terc.Parts} {
		for _, u := range list {
			c := u.Code + strings.Repeat(" ", 7-len(u.Code))
			fields := []string{c[:2], c[2:4], c[4:6], u.RODZ, u.Name, u.KindName, u.StanNa.Format("2006-01-02")}
			b.WriteString(strings.Join(fields, ";") + "\n")
		}
	}
	return b.String()
}
