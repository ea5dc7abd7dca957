package ident

import (
	"errors"
	"strings"
	"testing"
	"unicode"
)

// Fuzz targets for the normalisers. Each checks the contract they share
// (see fuzzNormalizer); the seeds here and in testdata/fuzz/ are the
// table cases that sit on a boundary. Run one with
//
//	go test -run '^$' -fuzz '^FuzzNormalizePhone$' -fuzztime 30s ./store/ident/

// fuzzNormalizer fuzzes fn against the contract of the package: it never
// panics; a rejection is an Error with no value beside it; a value has the
// canonical shape and normalises to itself (idempotence); and spaces around
// the input change nothing, since every form pasted into carries them.
func fuzzNormalizer(f *testing.F, fn func(string) (string, error), canonical func(string) bool, seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := fn(s)
		padded, perr := fn(" \t" + s + "\n ")
		if padded != out || codeOf(perr) != codeOf(err) {
			t.Fatalf("(%q) = %q, %v but with spaces around it %q, %v", s, out, err, padded, perr)
		}
		if err != nil {
			var e Error
			if !errors.As(err, &e) {
				t.Fatalf("(%q) error %v is not an ident.Error", s, err)
			}
			if out != "" {
				t.Fatalf("(%q) returned %q alongside %v", s, out, err)
			}
			return
		}
		if !canonical(out) {
			t.Fatalf("(%q) = %q, not in canonical form", s, out)
		}
		again, err := fn(out)
		if err != nil || again != out {
			t.Fatalf("(%q) = %q, %v; want the canonical %q unchanged", out, again, err, out)
		}
	})
}

func codeOf(err error) string {
	var e Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func FuzzNormalizeNIP(f *testing.F) {
	fuzzNormalizer(f, NormalizeNIP, func(s string) bool { return len(s) == 10 && allDigits(s) && !allZero(s) },
		"5260250274", "1234563218", "1234567890", "PL5260250274", "pl 526-025-02-74",
		"526–025–02–74", "0000000000", "", "PL", "PLPL5260250274", "５２６０２５０２７４")
}

func FuzzNormalizeREGON(f *testing.F) {
	fuzzNormalizer(f, NormalizeREGON, func(s string) bool { return (len(s) == 9 || len(s) == 14) && allDigits(s) && !allZero(s[:9]) },
		"891129301", "017511575", " 891-129-301 ", regon14("8911293010001"), "891129302",
		"00000000000000", "000000000"+"00001", "8911293010", "89112930X", "")
}

func FuzzNormalizeKRS(f *testing.F) {
	fuzzNormalizer(f, NormalizeKRS, func(s string) bool { return len(s) == 10 && allDigits(s) && !allZero(s) },
		"0000123456", "123456", "7", " 0000 123 456 ", "00001234567", "KRS123456", "0000-123-456", "000", "  ")
}

func FuzzNormalizePostalCode(f *testing.F) {
	fuzzNormalizer(f, NormalizePostalCode, func(s string) bool {
		return len(s) == 6 && s[2] == '-' && allDigits(s[:2]) && allDigits(s[3:])
	}, "00-950", "31042", " 80-001 ", "009-50", "0095", "009500", "AB-123", "", "00–950")
}

func FuzzNormalizePhone(f *testing.F) {
	fuzzNormalizer(f, NormalizePhone, func(s string) bool {
		digits := strings.TrimPrefix(s, "+")
		if len(digits) == len(s) || !allDigits(digits) || digits[0] == '0' {
			return false
		}
		if strings.HasPrefix(digits, "48") {
			return len(digits) == 11
		}
		return len(digits) >= 8 && len(digits) <= 15
	}, "601234567", "601 234 567", "(22) 123.45.67", "+48 601 234 567", "0048 601 234 567",
		"+49 30 1234567", "0044 20 7946 0958", "+123456789012345", "+48 (0) 22 123 45 67",
		"0 22 123 45 67", "+0123456789", "601+234567", "601234567 wew. 12", "+", "00", "")
}

func FuzzValidateEmail(f *testing.F) {
	fuzzNormalizer(f, ValidateEmail, func(s string) bool {
		local, domain, ok := strings.Cut(s, "@")
		return ok && len(s) <= maxEmail && len(local) <= maxLocal && strings.Contains(domain, ".") &&
			!strings.Contains(domain, "@") && domain == strings.ToLower(domain) && strings.TrimSpace(s) == s
	}, "biuro@spoldzielnia.pl", "Jan.Kowalski@Example.COM.PL", "a+b@x.org.pl", "Jan <jan@x.pl>",
		"jan@localhost", "jan@[127.0.0.1]", `"jan kowalski"@x.pl`, "a@b@c.pl", "jan(x)@x.pl", "@x.pl", "ŁÓDŹ@ŁÓDŹ.PL")
}

func FuzzValidateWebsite(f *testing.F) {
	fuzzNormalizer(f, ValidateWebsite, func(s string) bool {
		return (strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")) &&
			len(s) <= maxWebsite && strings.IndexFunc(s, unicode.IsSpace) < 0
	}, "example.org", "HTTPS://Example.ORG/Path?Q=A#Frag", "//example.org/x", "example.pl:8080/x",
		"ftp://example.org", "https://bank.pl@evil.example", "https://łódź.pl/ścieżka", "http://localhost",
		"https://-x.pl", "https://x.pl:99999", "javascript:alert(1)", "mailto:a@b.pl", "")
}
