package handlers

import "testing"

func TestSignInGoesOnlyToAPathOfThisRegion(t *testing.T) {
	for _, tc := range []struct{ base, next, want string }{
		{"/r/slaskie/", "/r/slaskie/moje", "/r/slaskie/moje"},
		{"/r/slaskie/", "/r/slaskie/szukaj?q=katering&page=2", "/r/slaskie/szukaj?q=katering&page=2"},
		{"/", "/moje/123", "/moje/123"},
		{"/", "/\t/evil.example/", ""},
		{"/", "/%09/evil.example/", ""},
		{"/", "//evil.example/", ""},
		{"/", "/\\evil.example/", ""},
		{"/", "/\\/evil.example/", ""},
		{"/", "/%2f%2fevil.example/", ""},
		{"/", "/%2F/evil.example", ""},
		{"/", "/%5cevil.example", ""},
		{"/", "/moje\r\nLocation: https://evil.example", ""},
		{"/", "/moje%0d%0aSet-Cookie:x=1", ""},
		{"/", "javascript:alert(1)", ""},
		{"/", "https://evil.example/", ""},
		{"/", "http:/evil.example", ""},
		{"/", "///evil.example", ""},
		{"/r/slaskie/", "/r/malopolskie/moje", ""},
		{"/r/slaskie/", "/r/slaskie/../malopolskie/moje", ""},
		{"/r/slaskie/", "/r/slaskie/logowanie", ""},
		{"/", "", ""},
	} {
		if got := sameOriginPath(tc.base, tc.next); got != tc.want {
			t.Errorf("sameOriginPath(%q, %q) = %q, want %q", tc.base, tc.next, got, tc.want)
		}
	}
}
