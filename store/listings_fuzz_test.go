package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"sync"
	"testing"
	"time"

	"katalogpes/migrations"
)

// FuzzListingData decodes request bodies into ListingData strictly, as the
// API does (handlers fuzz that decoder itself), and validates them as checkListing does (normalize,
// then validatePlaces against registerPlaces). Properties: no panic; a refusal is a store Error; and what
// validates is stored as it would be (json.Marshal, then PostgreSQL's
// jsonb, which is what listings.data holds), read back strictly, edited
// with an empty merge patch, and validated again: it must validate again
// and come out unchanged. The jsonb round trip needs the PostgreSQL named
// by DATABASE_URL, like every store test.
func FuzzListingData(f *testing.F) {
	for _, s := range []string{
		`{"name":"Spółdzielnia Socjalna Kłos","legal_form":"spoldzielnia_socjalna","kinds":["spoldzielnia_socjalna"],` +
			`"nip":"526-025-02-74","description":"Catering dla szkół.","categories":["catering"],` +
			`"address":{"street":"ul. Mariacka 1","postal_code":"40014","city":"Katowice","gmina_teryt":"2469011"},` +
			`"contact":{"email":"biuro@Example.ORG","phone":"600 100 200","website":"example.org"}}`,
		`{"name":" Fundacja ","legal_form":"fundacja","krs":"123456","regon":"891-129-301",` +
			`"pkd":[{"code":"5610a"},{"code":"56.29.Z","version":2007,"main":true}],` +
			`"offers":[{"title":"Obiady","kind":""},{"title":"Kosze","kind":"produkt","category":"rekodzielo"}],` +
			`"address":{"postal_code":"00-950","city":"Warszawa","gmina_teryt":"1465088"},"geo":{"lat":52.23,"lng":21.01},` +
			`"service_area":{"scope":"radius","radius_km":25.5},"social_enterprise":{"decision_no":"1/2024","decision_date":"2024-02-29"},` +
			`"employment":{"total":10,"at_risk":3,"as_of":"2025-01-31","target_groups":["bezrobotni","bezrobotni"]},` +
			`"certificates":[{"kind":"opp","issuer":"NIW","valid_until":"2030-12-31"}],"founded_year":1999,"logo_url":"https://x.pl/l.png"}`,
		`{"name":"X","legal_form":"kgw","address":{"postal_code":"31042","city":"K","gmina_teryt":"1261011"},` +
			`"service_area":{"scope":"voivodeships","teryt":["12","12"]},"kinds":[]}`,
		`{"name":"X","unknown":1}`, `{"name":1}`, `{"geo":{"lat":"52"}}`, `{} {}`, `[]`, `null`, ``, `{"name":"\u0000"}`,
	} {
		f.Add([]byte(s))
	}
	db := jsonbDB(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := decodeStrict(body)
		if err != nil {
			return
		}
		if errs := validate(t, &d); len(errs) > 0 {
			return
		}
		(&Listing{ListingData: d}).derive(time.Now()) // must not panic either
		want, err := json.Marshal(d)
		if err != nil {
			t.Fatalf("encode valid listing %+v: %v", d, err)
		}
		var stored []byte
		if err := db.QueryRow(`SELECT $1::jsonb::text`, string(want)).Scan(&stored); err != nil {
			t.Fatalf("valid listing %s cannot be stored as jsonb: %v", want, err)
		}
		edited, err := decodeStrict(stored)
		if err != nil {
			t.Fatalf("stored listing %s does not decode: %v", stored, err)
		}
		if errs := validate(t, &edited); len(errs) > 0 {
			t.Fatalf("valid listing %s does not validate once stored: %+v", want, errs)
		}
		got, _ := json.Marshal(edited)
		if !bytes.Equal(got, want) {
			t.Fatalf("listing changed through storage and validation:\n got %s\nwant %s", got, want)
		}
	})
}

// decodeStrict reads one JSON object with no unknown fields, as the API's
// decoder does.
func decodeStrict(raw []byte) (ListingData, error) {
	var d ListingData
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return d, err
	}
	if dec.More() {
		return d, errors.New("trailing data")
	}
	return d, nil
}

// jsonbDB opens the PostgreSQL of DATABASE_URL for jsonb casts (no tables,
// so no database of its own is needed).
func jsonbDB(f *testing.F) *sql.DB {
	f.Helper()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		f.Fatal("DATABASE_URL is not set: run the tests with `make test` or scripts/with-services.sh, which start PostgreSQL")
	}
	db, err := sql.Open("postgres", url)
	if err != nil {
		f.Fatalf("open PostgreSQL: %v", err)
	}
	db.SetMaxOpenConns(1)
	f.Cleanup(func() { db.Close() })
	if err := db.Ping(); err != nil {
		f.Fatalf("reach PostgreSQL: %v", err)
	}
	return db
}

// validate runs the checks CreateListing runs before it stores d, with the
// seat's voivodeship as the tenant's.
func validate(t *testing.T, d *ListingData) []FieldError {
	errs := d.normalize()
	if len(errs) > 0 {
		return errs
	}
	more, err := validatePlaces(context.Background(), d, d.Address.GminaTERYT[:2], "", registerPlaces{})
	if err != nil {
		t.Fatalf("validate places: %v", err)
	}
	return more
}

// registerPlaces answers validatePlaces without a database: every
// well-formed TERYT code exists (normalize checked the form; whether a code
// is in the register decides no storage question), and the categories are
// the ones migrations seed for every tenant.
type registerPlaces struct{}

func (registerPlaces) gmina(_ context.Context, code string) (Gmina, error) {
	if code[6] != '1' && code[6] != '2' && code[6] != '3' {
		code = partGmina(code)
	}
	return Gmina{Code: code, VoivodeshipCode: code[:2]}, nil
}

func (registerPlaces) unknownCodes(context.Context, []string) ([]string, error) { return nil, nil }

var seededCategory = regexp.MustCompile(`(?m)^\s*\('([a-z0-9_]+)',\s+'`)

func (registerPlaces) categoryCodes(context.Context, string) (map[string]bool, error) {
	return seededCategories()
}

// seededCategories reads the category codes once per process.
var seededCategories = sync.OnceValues(func() (map[string]bool, error) {
	sql, err := migrations.FS.ReadFile("00002_tenants_teryt.sql")
	if err != nil {
		return nil, err
	}
	codes := map[string]bool{}
	for _, m := range seededCategory.FindAllSubmatch(sql, -1) {
		codes[string(m[1])] = true
	}
	if !codes["catering"] {
		return nil, errors.New("no category codes found in migration 00002")
	}
	return codes, nil
})
