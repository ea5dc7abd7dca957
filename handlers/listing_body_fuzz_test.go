package handlers

import (
	"encoding/json"
	"errors"
	"testing"

	"katalogpes/store"
)

// FuzzListingBody: the API's decoder and merge patch never panic, refuse
// only with a 400 or a 422, and an empty patch changes nothing.
func FuzzListingBody(f *testing.F) {
	for _, s := range []string{
		`{"name":"Spółdzielnia Socjalna Kłos","legal_form":"spoldzielnia_socjalna","address":{"gmina_teryt":"2469011"}}`,
		`{"name":"X","unknown":1}`, `{"name":1}`, `{"geo":{"lat":"52"}}`, `{} {}`, `[]`, `null`, ``,
		`{"contact":null}`, `{"employment":{"total":"x"}}`, `{"kinds":["a",null]}`,
	} {
		f.Add([]byte(s), []byte(`{"name":"Nowa","description":null}`))
	}
	f.Fuzz(func(t *testing.T, body, patch []byte) {
		refusal := func(err error) {
			var se *store.Error
			if !errors.As(err, &se) || (se.Code != store.EInvalid && se.Code != store.EMalformed) {
				t.Fatalf("refusal %v is not a 400 or 422", err)
			}
		}
		d, err := decodeListingData(body)
		if err != nil {
			refusal(err)
			return
		}
		same, err := applyMergePatch(d, []byte(`{}`))
		if err != nil {
			t.Fatalf("empty patch of a decoded body %s: %v", body, err)
		}
		a, _ := json.Marshal(d)
		b, _ := json.Marshal(same)
		if string(a) != string(b) {
			t.Fatalf("an empty patch changed the listing:\n%s\n%s", a, b)
		}
		if _, err := applyMergePatch(d, patch); err != nil {
			refusal(err)
		}
	})
}
