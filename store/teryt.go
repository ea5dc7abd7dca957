package store

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// TERC is a parsed TERC register (GUS): voivodeships, powiats, gminas and
// the parts of gminas (RODZ 4, 5, 8, 9).
type TERC struct {
	StanNa       time.Time
	Voivodeships []TERCUnit
	Powiats      []TERCUnit
	Gminas       []TERCUnit
	Parts        []TERCUnit
}

// TERCUnit is one row of the register.
type TERCUnit struct {
	Code     string // 2, 4 or 7 digits
	Name     string
	KindName string // NAZWA_DOD: "gmina miejska", "powiat"…
	RODZ     string
	StanNa   time.Time
}

// TERCError points at the line of the file that is wrong.
type TERCError struct {
	Line int
	Msg  string
}

func (e *TERCError) Error() string { return fmt.Sprintf("TERC line %d: %s", e.Line, e.Msg) }

var twoDigits = regexp.MustCompile(`^[0-9]{2}$`)

// ParseTERC reads the official TERC CSV: `;`-separated, UTF-8, with or
// without a BOM, LF or CRLF. Any malformed line refuses the whole file.
func ParseTERC(r io.Reader) (*TERC, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	out := &TERC{}
	line := 0
	sawHeader := false
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if line == 1 {
			text = strings.TrimPrefix(text, "\uFEFF")
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		f := strings.Split(text, ";")
		if !sawHeader {
			if len(f) != 7 || !strings.EqualFold(strings.TrimSpace(f[0]), "WOJ") || !strings.EqualFold(strings.TrimSpace(f[4]), "NAZWA") {
				return nil, &TERCError{line, "expected the header WOJ;POW;GMI;RODZ;NAZWA;NAZWA_DOD;STAN_NA"}
			}
			sawHeader = true
			continue
		}
		if len(f) != 7 {
			return nil, &TERCError{line, fmt.Sprintf("expected 7 fields separated by ';', found %d", len(f))}
		}
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		woj, pow, gmi, rodz, name, kind := f[0], f[1], f[2], f[3], f[4], f[5]
		stan, err := time.Parse("2006-01-02", f[6])
		if err != nil {
			return nil, &TERCError{line, fmt.Sprintf("STAN_NA %q is not a date YYYY-MM-DD", f[6])}
		}
		if name == "" {
			return nil, &TERCError{line, "NAZWA is empty"}
		}
		if !twoDigits.MatchString(woj) {
			return nil, &TERCError{line, fmt.Sprintf("WOJ %q is not two digits", woj)}
		}
		if stan.After(out.StanNa) {
			out.StanNa = stan
		}
		u := TERCUnit{Name: name, KindName: kind, RODZ: rodz, StanNa: stan}
		switch {
		case pow == "" && gmi == "" && rodz == "":
			u.Code = woj
			out.Voivodeships = append(out.Voivodeships, u)
		case twoDigits.MatchString(pow) && gmi == "" && rodz == "":
			u.Code = woj + pow
			out.Powiats = append(out.Powiats, u)
		case twoDigits.MatchString(pow) && twoDigits.MatchString(gmi) && len(rodz) == 1 && strings.Contains("123", rodz):
			u.Code = woj + pow + gmi + rodz
			out.Gminas = append(out.Gminas, u)
		case twoDigits.MatchString(pow) && twoDigits.MatchString(gmi) && len(rodz) == 1 && strings.Contains("4589", rodz):
			u.Code = woj + pow + gmi + rodz
			out.Parts = append(out.Parts, u)
		default:
			return nil, &TERCError{line, fmt.Sprintf("codes WOJ=%q POW=%q GMI=%q RODZ=%q name no unit", woj, pow, gmi, rodz)}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read TERC: %w", err)
	}
	if !sawHeader {
		return nil, &TERCError{line, "the file is empty"}
	}
	return out, nil
}

// partGmina names the gmina a part belongs to: RODZ 4/5 are the town and
// rural area of the urban-rural gmina with the same first six digits; RODZ
// 8/9 (Warsaw's districts, other cities' delegatury) belong to the urban
// gmina of their city with powiat rights.
func partGmina(code string) string {
	switch code[6] {
	case '4', '5':
		return code[:6] + "3"
	default:
		return code[:4] + "011"
	}
}

// TERCCounts is what a load left in the database.
type TERCCounts struct {
	Voivodeships, Powiats, Gminas, Parts int
}

// LoadTERC writes a parsed register in one transaction, updating units in
// place (names change between editions; codes are stable) so listings keep
// their references. Either the whole register lands or nothing does.
func (db *DB) LoadTERC(ctx context.Context, t *TERC) (TERCCounts, error) {
	codes := map[string]bool{}
	for _, g := range t.Gminas {
		codes[g.Code] = true
	}
	for _, p := range t.Parts {
		if !codes[partGmina(p.Code)] {
			return TERCCounts{}, fmt.Errorf("TERC: unit %s (%s) belongs to gmina %s, which the file lacks", p.Code, p.Name, partGmina(p.Code))
		}
	}
	tx, err := db.db.BeginTxx(ctx, nil)
	if err != nil {
		return TERCCounts{}, fmt.Errorf("begin TERC load: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck
	type batch struct {
		sql   string
		units []TERCUnit
		ref   func(TERCUnit) string
	}
	batches := []batch{
		{`INSERT INTO teryt_voivodeships (code, name, stan_na)
		  SELECT code, lower(name), stan FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::date[]) AS u(code, name, kind, ref, stan)
		  ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, stan_na = EXCLUDED.stan_na`,
			t.Voivodeships, func(u TERCUnit) string { return "" }},
		{`INSERT INTO teryt_powiats (code, voivodeship_code, name, kind_name, stan_na)
		  SELECT code, ref, name, kind, stan FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::date[]) AS u(code, name, kind, ref, stan)
		  ON CONFLICT (code) DO UPDATE SET voivodeship_code = EXCLUDED.voivodeship_code, name = EXCLUDED.name, kind_name = EXCLUDED.kind_name, stan_na = EXCLUDED.stan_na`,
			t.Powiats, func(u TERCUnit) string { return u.Code[:2] }},
		{`INSERT INTO teryt_gminas (code, powiat_code, name, kind_name, rodz, stan_na)
		  SELECT code, ref, name, kind, right(code, 1), stan FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::date[]) AS u(code, name, kind, ref, stan)
		  ON CONFLICT (code) DO UPDATE SET powiat_code = EXCLUDED.powiat_code, name = EXCLUDED.name, kind_name = EXCLUDED.kind_name, stan_na = EXCLUDED.stan_na`,
			t.Gminas, func(u TERCUnit) string { return u.Code[:4] }},
		{`INSERT INTO teryt_gmina_parts (code, gmina_code, name, kind_name, rodz, stan_na)
		  SELECT code, ref, name, kind, right(code, 1), stan FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::date[]) AS u(code, name, kind, ref, stan)
		  ON CONFLICT (code) DO UPDATE SET gmina_code = EXCLUDED.gmina_code, name = EXCLUDED.name, kind_name = EXCLUDED.kind_name, stan_na = EXCLUDED.stan_na`,
			t.Parts, func(u TERCUnit) string { return partGmina(u.Code) }},
	}
	for _, b := range batches {
		var code, name, kind, ref, stan []string
		for _, u := range b.units {
			code = append(code, u.Code)
			name = append(name, u.Name)
			kind = append(kind, u.KindName)
			ref = append(ref, b.ref(u))
			stan = append(stan, u.StanNa.Format("2006-01-02"))
		}
		args := []any{pq.Array(code), pq.Array(name), pq.Array(kind), pq.Array(ref), pq.Array(stan)}
		if _, err := tx.ExecContext(ctx, b.sql, args...); err != nil {
			return TERCCounts{}, fmt.Errorf("load TERC units: %w", translate(err))
		}
	}
	var c TERCCounts
	err = tx.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM teryt_voivodeships), (SELECT count(*) FROM teryt_powiats),
		(SELECT count(*) FROM teryt_gminas), (SELECT count(*) FROM teryt_gmina_parts)`).
		Scan(&c.Voivodeships, &c.Powiats, &c.Gminas, &c.Parts)
	if err != nil {
		return TERCCounts{}, fmt.Errorf("count TERC units: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return TERCCounts{}, fmt.Errorf("commit TERC load: %w", err)
	}
	return c, nil
}

// Gmina is a gmina with the units above it, as listings show them.
type Gmina struct {
	Code            string `db:"code" json:"code"`
	Name            string `db:"name" json:"name"`
	KindName        string `db:"kind_name" json:"kind"`
	PowiatCode      string `db:"powiat_code" json:"powiat_code"`
	PowiatName      string `db:"powiat_name" json:"powiat_name"`
	VoivodeshipCode string `db:"voivodeship_code" json:"voivodeship_code"`
	VoivodeshipName string `db:"voivodeship_name" json:"voivodeship_name"`
}

const gminaSelect = `
	SELECT g.code, g.name, g.kind_name, p.code AS powiat_code, p.name AS powiat_name,
	       v.code AS voivodeship_code, v.name AS voivodeship_name
	FROM teryt_gminas g
	JOIN teryt_powiats p ON p.code = g.powiat_code
	JOIN teryt_voivodeships v ON v.code = p.voivodeship_code`

// FindGmina resolves a 7-digit TERYT code to its gmina; a part of a gmina
// (RODZ 4, 5, 8, 9) resolves to the gmina it belongs to.
func (db *DB) FindGmina(ctx context.Context, code string) (Gmina, error) {
	return findGmina(ctx, db.db, code)
}

// findGmina is FindGmina through q: the pool, or a write's transaction.
func findGmina(ctx context.Context, q sqlx.QueryerContext, code string) (Gmina, error) {
	var g Gmina
	err := sqlx.GetContext(ctx, q, &g, gminaSelect+`
		WHERE g.code = coalesce((SELECT gmina_code FROM teryt_gmina_parts WHERE code = $1), $1)`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return g, &Error{Code: ENotFound, Key: "teryt.unknown", Err: fmt.Errorf("gmina %s", code)}
	}
	if err != nil {
		return g, fmt.Errorf("find gmina %s: %w", code, err)
	}
	return g, nil
}

// FindGminasOfPowiat lists a powiat's gminas by name, for pickers.
func (db *DB) FindGminasOfPowiat(ctx context.Context, powiat string) ([]Gmina, error) {
	var list []Gmina
	err := db.db.SelectContext(ctx, &list, gminaSelect+` WHERE p.code = $1 ORDER BY g.name, g.code`, powiat)
	if err != nil {
		return nil, fmt.Errorf("gminas of powiat %s: %w", powiat, err)
	}
	return list, nil
}

// Powiat is a powiat with its voivodeship.
type Powiat struct {
	Code            string `db:"code" json:"code"`
	Name            string `db:"name" json:"name"`
	VoivodeshipCode string `db:"voivodeship_code" json:"voivodeship_code"`
}

// FindPowiatsOf lists the powiats of the given voivodeships, by voivodeship
// and then name, in one query.
func (db *DB) FindPowiatsOf(ctx context.Context, voivodeships ...string) ([]Powiat, error) {
	var list []Powiat
	err := db.db.SelectContext(ctx, &list, `
		SELECT code, name, voivodeship_code FROM teryt_powiats
		WHERE voivodeship_code = ANY($1::text[]) ORDER BY voivodeship_code, name, code`, pq.Array(voivodeships))
	if err != nil {
		return nil, fmt.Errorf("powiats of %v: %w", voivodeships, err)
	}
	return list, nil
}

// UnitNames maps every voivodeship's, powiat's and gmina's TERYT code
// to its name: an export names service areas with it.
func (db *DB) UnitNames(ctx context.Context) (map[string]string, error) {
	var rows []struct{ Code, Name string }
	err := db.db.SelectContext(ctx, &rows, `
		SELECT code, name FROM teryt_voivodeships
		UNION ALL SELECT code, name FROM teryt_powiats
		UNION ALL SELECT code, name FROM teryt_gminas`)
	if err != nil {
		return nil, fmt.Errorf("TERYT unit names: %w", err)
	}
	m := make(map[string]string, len(rows))
	for _, r := range rows {
		m[r.Code] = r.Name
	}
	return m, nil
}
