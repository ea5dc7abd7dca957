package main

import (
	"strings"
	"testing"
)

func TestRegistryVariablesAreURLsAndBIRNeedsItsKey(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string // "" loads
	}{
		{map[string]string{}, ""},
		{map[string]string{"KRS_API_URL": "https://api-krs.ms.gov.pl/api/krs", "VAT_API_URL": "https://wl-api.mf.gov.pl"}, ""},
		{map[string]string{"KRS_API_URL": "api-krs.ms.gov.pl"}, "KRS_API_URL"},
		{map[string]string{"VAT_API_URL": "ftp://wl-api.mf.gov.pl"}, "VAT_API_URL"},
		{map[string]string{"BIR_URL": "https://wyszukiwarkaregontest.stat.gov.pl/wsBIR/UslugaBIRzewnPubl.svc"}, "BIR_KEY"},
		{map[string]string{"BIR_URL": "https://wyszukiwarkaregontest.stat.gov.pl/wsBIR/UslugaBIRzewnPubl.svc", "BIR_KEY": "abcde12345abcde12345"}, ""},
	} {
		for _, k := range []string{"KRS_API_URL", "BIR_URL", "BIR_KEY", "VAT_API_URL"} {
			t.Setenv(k, tc.env[k])
		}
		_, err := LoadConfig()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%v: %v", tc.env, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%v: err %v, want one naming %s", tc.env, err, tc.want)
		}
	}
}
