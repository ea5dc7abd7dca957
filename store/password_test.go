package store

import "testing"

func TestWeakPasswordsAreRefusedSayingWhy(t *testing.T) {
	const email, name = "jan.kowalski@gmina-ruda.pl", "Jan Kowalski"
	for _, tc := range []struct{ pw, key string }{
		{"aaaaaaaaaa", "password.repetitive"},
		{"          ", "password.repetitive"},
		{"abababababab", "password.repetitive"},
		{"jan.kowalski@gmina-ruda.pl", "password.personal"},
		{"jan.kowalski1", "password.personal"},
		{"password123", "password.weak"},
		{"Password1234", "password.weak"},
		{"qwertyuiop12", "password.weak"},
		{"kowalski2024!", "password.weak"},
		{"krotkie", "password.too_short"},
	} {
		errs := CheckPassword("password", tc.pw, email, name)
		if len(errs) != 1 || errs[0].Key != tc.key || errs[0].Field != "password" {
			t.Errorf("%q: %+v, want %s", tc.pw, errs, tc.key)
		}
	}
	for _, pw := range []string{"dobre-haslo-123", "nowe-dlugie-haslo-7", "Spółdzielnia-w-Rudzie-2026"} {
		if errs := CheckPassword("password", pw, email, name); len(errs) > 0 {
			t.Errorf("%q refused: %+v", pw, errs)
		}
	}
}
