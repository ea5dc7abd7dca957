package ident

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// identCase is one table row: want is the canonical output, or code the
// expected error code.
type identCase struct {
	name string
	in   string
	want string
	code string
}

func runCases(t *testing.T, fn func(string) (string, error), cases []identCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := fn(tc.in)
			if tc.code != "" {
				var e Error
				if !errors.As(err, &e) || e.Code != tc.code {
					t.Fatalf("(%q) = %q, %v; want error code %q", tc.in, got, err, tc.code)
				}
				if got != "" {
					t.Errorf("(%q) returned %q alongside an error", tc.in, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

// regon14 builds a 14-digit REGON from 13 digits by computing the check
// digit independently of the package.
func regon14(first13 string) string {
	w := []int{2, 4, 8, 5, 0, 9, 7, 3, 6, 1, 2, 4, 8}
	sum := 0
	for i, c := range first13 {
		sum += int(c-'0') * w[i]
	}
	return first13 + strconv.Itoa(sum%11%10)
}

// withWrongLastDigit returns s with its last digit changed.
func withWrongLastDigit(s string) string {
	last := s[len(s)-1] - '0'
	return s[:len(s)-1] + strconv.Itoa(int(last+1)%10)
}

func TestNormalizeNIP(t *testing.T) {
	runCases(t, NormalizeNIP, []identCase{
		{name: "accepts valid", in: "5260250274", want: "5260250274"},
		{name: "accepts second domain example", in: "1234563218", want: "1234563218"},
		{name: "strips dashes", in: "526-025-02-74", want: "5260250274"},
		{name: "strips spaces and tabs", in: " 526 025\t02 74 ", want: "5260250274"},
		{name: "strips PL prefix", in: "PL5260250274", want: "5260250274"},
		{name: "strips lower-case pl prefix with space", in: "pl 526-02-50-274", want: "5260250274"},
		{name: "strips en dash", in: "526–025–02–74", want: "5260250274"},
		{name: "rejects checksum 10", in: "1234567890", code: CodeChecksum},
		{name: "rejects wrong check digit", in: "5260250275", code: CodeChecksum},
		{name: "rejects nine digits", in: "526025027", code: CodeFormat},
		{name: "rejects eleven digits", in: "52602502740", code: CodeFormat},
		{name: "rejects letters", in: "52602502A4", code: CodeFormat},
		{name: "rejects other country prefix", in: "DE5260250274", code: CodeFormat},
		{name: "rejects PL in the middle", in: "52602PL50274", code: CodeFormat},
		{name: "rejects all zeros", in: "0000000000", code: CodeAllZero},
		{name: "rejects empty", in: "", code: CodeFormat},
		{name: "rejects non-ASCII digits", in: "５２６０２５０２７４", code: CodeFormat},
	})
}

func TestNormalizeREGON(t *testing.T) {
	valid14 := regon14("8911293010001")   // parent 891129301
	badParent := regon14("8911293020001") // 891129302 fails REGON-9
	zeroParent := regon14("0000000000001")
	runCases(t, NormalizeREGON, []identCase{
		{name: "accepts valid 9", in: "891129301", want: "891129301"},
		{name: "accepts valid 9 with leading zero", in: "017511575", want: "017511575"},
		{name: "accepts valid 9 where sum mod 11 is 10", in: regon9With10(), want: regon9With10()},
		{name: "strips spaces and dashes", in: " 891-129-301 ", want: "891129301"},
		{name: "accepts valid 14", in: valid14, want: valid14},
		{name: "accepts valid 14 with dashes", in: valid14[:9] + "-" + valid14[9:], want: valid14},
		{name: "rejects wrong check digit 9", in: "891129302", code: CodeChecksum},
		{name: "rejects wrong check digit 14", in: withWrongLastDigit(valid14), code: CodeChecksum},
		{name: "rejects 14 with bad first nine", in: badParent, code: CodeChecksum},
		{name: "rejects 14 with all-zero first nine", in: zeroParent, code: CodeAllZero},
		{name: "rejects all zeros 9", in: "000000000", code: CodeAllZero},
		{name: "rejects all zeros 14", in: "00000000000000", code: CodeAllZero},
		{name: "rejects 10 digits", in: "8911293010", code: CodeFormat},
		{name: "rejects 8 digits", in: "89112930", code: CodeFormat},
		{name: "rejects letters", in: "89112930X", code: CodeFormat},
		{name: "rejects empty", in: "", code: CodeFormat},
	})
}

// regon9With10 finds a valid REGON-9 whose weighted sum is 10 mod 11, so the
// 10 → 0 rule is exercised.
func regon9With10() string {
	w := []int{8, 9, 2, 3, 4, 5, 6, 7}
	for n := 10000000; ; n++ {
		d := strconv.Itoa(n)
		sum := 0
		for i, c := range d {
			sum += int(c-'0') * w[i]
		}
		if sum%11 == 10 {
			return d + "0"
		}
	}
}

func TestNormalizeKRS(t *testing.T) {
	runCases(t, NormalizeKRS, []identCase{
		{name: "accepts ten digits", in: "0000123456", want: "0000123456"},
		{name: "pads short number", in: "123456", want: "0000123456"},
		{name: "pads single digit", in: "7", want: "0000000007"},
		{name: "strips spaces", in: " 0000 123 456 ", want: "0000123456"},
		{name: "rejects eleven digits", in: "00001234567", code: CodeFormat},
		{name: "rejects letters", in: "KRS123456", code: CodeFormat},
		{name: "rejects dashes", in: "0000-123-456", code: CodeFormat},
		{name: "rejects all zeros", in: "0000000000", code: CodeAllZero},
		{name: "rejects short zeros", in: "000", code: CodeAllZero},
		{name: "rejects empty", in: "  ", code: CodeFormat},
	})
}

func TestNormalizePostalCode(t *testing.T) {
	runCases(t, NormalizePostalCode, []identCase{
		{name: "accepts NN-NNN", in: "00-950", want: "00-950"},
		{name: "reformats NNNNN", in: "31042", want: "31-042"},
		{name: "trims spaces", in: " 80-001 ", want: "80-001"},
		{name: "rejects dash elsewhere", in: "009-50", code: CodeFormat},
		{name: "rejects four digits", in: "0095", code: CodeFormat},
		{name: "rejects six digits", in: "009500", code: CodeFormat},
		{name: "rejects letters", in: "AB-123", code: CodeFormat},
		{name: "rejects empty", in: "", code: CodeFormat},
	})
}

func TestNormalizePhone(t *testing.T) {
	runCases(t, NormalizePhone, []identCase{
		{name: "adds +48 to nine digits", in: "601234567", want: "+48601234567"},
		{name: "strips spaces", in: "601 234 567", want: "+48601234567"},
		{name: "strips dashes", in: "601-234-567", want: "+48601234567"},
		{name: "strips parentheses and dots", in: "(22) 123.45.67", want: "+48221234567"},
		{name: "keeps +48", in: "+48 601 234 567", want: "+48601234567"},
		{name: "turns 0048 into +48", in: "0048 601 234 567", want: "+48601234567"},
		{name: "accepts foreign number", in: "+49 30 1234567", want: "+49301234567"},
		{name: "turns 00 into + for foreign", in: "0044 20 7946 0958", want: "+442079460958"},
		{name: "accepts fifteen digits", in: "+123456789012345", want: "+123456789012345"},
		{name: "rejects +48 with eight digits", in: "+48 60123456", code: CodeFormat},
		{name: "rejects +48 with ten digits", in: "+48 6012345678", code: CodeFormat},
		{name: "rejects +48 with trunk zero", in: "+48 (0) 22 123 45 67", code: CodeFormat},
		{name: "rejects old trunk prefix", in: "0 22 123 45 67", code: CodeFormat},
		{name: "rejects eight digits", in: "60123456", code: CodeFormat},
		{name: "rejects ten digits without plus", in: "6012345678", code: CodeFormat},
		{name: "rejects foreign under eight digits", in: "+4930123", code: CodeFormat},
		{name: "rejects sixteen digits", in: "+1234567890123456", code: CodeFormat},
		{name: "rejects country code zero", in: "+0123456789", code: CodeFormat},
		{name: "rejects letters", in: "601 234 ABC", code: CodeFormat},
		{name: "rejects plus in the middle", in: "601+234567", code: CodeFormat},
		{name: "rejects extension", in: "601234567 wew. 12", code: CodeFormat},
		{name: "rejects empty", in: "", code: CodeFormat},
	})
}

func TestValidateEmail(t *testing.T) {
	long := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".pl"
	runCases(t, ValidateEmail, []identCase{
		{name: "accepts plain address", in: "biuro@spoldzielnia.pl", want: "biuro@spoldzielnia.pl"},
		{name: "trims spaces", in: "  biuro@spoldzielnia.pl\n", want: "biuro@spoldzielnia.pl"},
		{name: "lower-cases domain only", in: "Jan.Kowalski@Example.COM.PL", want: "Jan.Kowalski@example.com.pl"},
		{name: "accepts plus tag", in: "a+b@x.org.pl", want: "a+b@x.org.pl"},
		{name: "accepts 254 characters", in: long, want: long},
		{name: "rejects 255 characters", in: "a" + long, code: CodeTooLong},
		{name: "rejects long local part", in: strings.Repeat("a", 65) + "@x.pl", code: CodeTooLong},
		{name: "rejects display name", in: "Jan <jan@x.pl>", code: CodeFormat},
		{name: "rejects angle brackets", in: "<jan@x.pl>", code: CodeFormat},
		{name: "rejects comment", in: "jan@x.pl (Jan)", code: CodeFormat},
		{name: "rejects two at signs", in: "jan@kowalski@x.pl", code: CodeFormat},
		{name: "rejects quoted at sign", in: `"jan@k"@x.pl`, code: CodeFormat},
		{name: "rejects no at sign", in: "jan.x.pl", code: CodeFormat},
		{name: "rejects domain without dot", in: "jan@localhost", code: CodeFormat},
		{name: "rejects domain literal", in: "jan@[10.0.0.1]", code: CodeFormat},
		{name: "rejects leading dot in domain", in: "jan@.x.pl", code: CodeFormat},
		{name: "rejects double dot in domain", in: "jan@x..pl", code: CodeFormat},
		{name: "rejects space inside", in: "jan kowalski@x.pl", code: CodeFormat},
		{name: "rejects two addresses", in: "a@x.pl, b@x.pl", code: CodeFormat},
		{name: "rejects empty", in: "", code: CodeFormat},
	})
}

func TestValidateWebsite(t *testing.T) {
	long := "https://example.pl/" + strings.Repeat("a", 281)
	runCases(t, ValidateWebsite, []identCase{
		{name: "accepts https", in: "https://spoldzielnia.pl", want: "https://spoldzielnia.pl"},
		{name: "accepts http", in: "http://spoldzielnia.pl/oferta?x=1#o", want: "http://spoldzielnia.pl/oferta?x=1#o"},
		{name: "adds https to bare host", in: "www.spoldzielnia.pl", want: "https://www.spoldzielnia.pl"},
		{name: "adds https to host with port", in: "spoldzielnia.pl:8080/a", want: "https://spoldzielnia.pl:8080/a"},
		{name: "adds https to scheme-relative", in: "//spoldzielnia.pl", want: "https://spoldzielnia.pl"},
		{name: "trims and lower-cases scheme and host", in: " HTTPS://WWW.Example.PL/Oferta ", want: "https://www.example.pl/Oferta"},
		{name: "accepts Polish host", in: "https://zażółć.pl", want: "https://zażółć.pl"},
		{name: "accepts 300 characters", in: long, want: long},
		{name: "rejects 301 characters", in: long + "a", code: CodeTooLong},
		{name: "rejects javascript URL", in: "javascript:alert(1)", code: CodeScheme},
		{name: "rejects javascript URL in capitals", in: "JavaScript://%0aalert(1)", code: CodeScheme},
		{name: "rejects data URL", in: "data:text/html,<script>", code: CodeScheme},
		{name: "rejects ftp URL", in: "ftp://ftp.example.pl", code: CodeScheme},
		{name: "rejects mailto", in: "mailto:biuro@example.pl", code: CodeScheme},
		{name: "rejects host without dot", in: "https://localhost", code: CodeFormat},
		{name: "rejects bare word", in: "spoldzielnia", code: CodeFormat},
		{name: "rejects credentials", in: "https://bank.pl@evil.example", code: CodeFormat},
		{name: "rejects opaque http", in: "http:example.pl", code: CodeFormat},
		{name: "rejects empty label", in: "https://example..pl", code: CodeFormat},
		{name: "rejects underscore in host", in: "https://ex_ample.pl", code: CodeFormat},
		{name: "rejects space in host", in: "https://exa mple.pl", code: CodeFormat},
		{name: "keeps path as typed", in: "example.pl/O%20nas/ścieżka", want: "https://example.pl/O%20nas/ścieżka"},
		{name: "rejects space in path", in: "https://example.pl/o nas", code: CodeFormat},
		{name: "rejects empty", in: " ", code: CodeFormat},
	})
}

func TestNormalizePKD(t *testing.T) {
	runCases(t, NormalizePKD, []identCase{
		{name: "accepts NN.NN.X", in: "56.21.Z", want: "56.21.Z"},
		{name: "upper-cases letter", in: "81.21.z", want: "81.21.Z"},
		{name: "reformats NNNNX", in: "8121Z", want: "81.21.Z"},
		{name: "reformats lower-case NNNNX", in: " 4399a ", want: "43.99.A"},
		{name: "rejects missing letter", in: "56.21", code: CodeFormat},
		{name: "rejects digit as letter", in: "56.21.1", code: CodeFormat},
		{name: "rejects wrong separators", in: "56-21-Z", code: CodeFormat},
		{name: "rejects three-digit class", in: "56.210.Z", code: CodeFormat},
		{name: "rejects letters for digits", in: "AB.CD.Z", code: CodeFormat},
		{name: "rejects empty", in: "", code: CodeFormat},
	})
}

func TestNormalizeTERYTGmina(t *testing.T) {
	runCases(t, NormalizeTERYTGmina, []identCase{
		{name: "accepts urban gmina", in: "0201011", want: "0201011"},
		{name: "accepts rural gmina", in: "0201022", want: "0201022"},
		{name: "accepts urban-rural gmina", in: "1201033", want: "1201033"},
		{name: "keeps town part code 4", in: "1201034", want: "1201034"},
		{name: "keeps rural part code 5", in: "1201035", want: "1201035"},
		{name: "accepts Warsaw district", in: "1465018", want: "1465018"},
		{name: "accepts delegatura", in: "1261029", want: "1261029"},
		{name: "trims spaces", in: " 3201011 ", want: "3201011"},
		{name: "rejects RODZ 6", in: "0201016", code: CodeFormat},
		{name: "rejects RODZ 0", in: "0201010", code: CodeFormat},
		{name: "rejects odd voivodeship", in: "0301011", code: CodeFormat},
		{name: "rejects voivodeship 34", in: "3401011", code: CodeFormat},
		{name: "rejects powiat 00", in: "0200011", code: CodeFormat},
		{name: "rejects gmina 00", in: "0201001", code: CodeFormat},
		{name: "rejects six digits", in: "020101", code: CodeFormat},
		{name: "rejects powiat code", in: "0201", code: CodeFormat},
		{name: "rejects letters", in: "02010A1", code: CodeFormat},
		{name: "rejects all zeros", in: "0000000", code: CodeFormat},
	})
}

func TestErrorsMatchSentinels(t *testing.T) {
	_, err := NormalizeNIP("1234567890")
	if !errors.Is(err, ErrChecksum) || errors.Is(err, ErrFormat) {
		t.Fatalf("errors.Is(%v, ErrChecksum) = false or matches ErrFormat", err)
	}
	for _, e := range []Error{ErrFormat, ErrChecksum, ErrAllZero, ErrScheme, ErrTooLong} {
		if msg := e.Error(); !strings.HasPrefix(msg, "ident: ") || strings.Contains(msg, "(") {
			t.Errorf("code %q has no message of its own: %q", e.Code, msg)
		}
	}
}

func BenchmarkNormalizeNIP(b *testing.B) {
	for b.Loop() {
		if _, err := NormalizeNIP("PL 526-025-02-74"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNormalizeREGON(b *testing.B) {
	for name, in := range map[string]string{"9": "891129301", "14": regon14("8911293010001")} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := NormalizeREGON(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
