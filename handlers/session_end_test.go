package handlers_test

import (
	"testing"
)

// TestAnEndedSessionsAccessTokenIsRefusedAtOnce: the access token of a
// session that ended is refused on the next request, not at its expiry.
func TestAnEndedSessionsAccessTokenIsRefusedAtOnce(t *testing.T) {
	s := newTestServer(t)
	t.Run("logout", func(t *testing.T) {
		tk := s.signUp("slaskie", "wyloguj@example.org")
		s.do("GET", "/r/slaskie/api/v1/me", nil, bearer(tk.AccessToken)).expect(t, 200)
		s.do("POST", "/r/slaskie/api/v1/auth/logout", nil, bearer(tk.AccessToken)).expect(t, 204)
		s.do("GET", "/r/slaskie/api/v1/me", nil, bearer(tk.AccessToken)).expect(t, 401)
	})
	t.Run("a reused refresh token ends the session", func(t *testing.T) {
		tk := s.signUp("slaskie", "kradziez@example.org")
		var next tokens
		s.do("POST", "/r/slaskie/api/v1/auth/refresh", map[string]string{"refresh_token": tk.RefreshToken}).expect(t, 200).json(t, &next)
		s.do("POST", "/r/slaskie/api/v1/auth/refresh", map[string]string{"refresh_token": tk.RefreshToken}).expect(t, 401)
		s.do("GET", "/r/slaskie/api/v1/me", nil, bearer(next.AccessToken)).expect(t, 401)
		s.do("GET", "/r/slaskie/api/v1/me", nil, bearer(tk.AccessToken)).expect(t, 401)
	})
	t.Run("password change ends the other sessions", func(t *testing.T) {
		email := "zmiana@example.org"
		tk := s.signUp("slaskie", email)
		s.do("POST", "/r/slaskie/api/v1/me/password", map[string]string{"current_password": goodPassword, "new_password": "nowe-dlugie-haslo-7"}, bearer(tk.AccessToken)).expect(t, 204)
		s.do("GET", "/r/slaskie/api/v1/me", nil, bearer(tk.AccessToken)).expect(t, 401)
	})
	t.Run("a deleted account can no longer create listings", func(t *testing.T) {
		tk := s.signUp("slaskie", "usun@example.org")
		s.do("DELETE", "/r/slaskie/api/v1/me", nil, bearer(tk.AccessToken)).expect(t, 204)
		s.do("POST", "/r/slaskie/api/v1/listings", listingBody("Po usunięciu"), bearer(tk.AccessToken)).expect(t, 401)
	})
	t.Run("a region's refresh token works only in its region", func(t *testing.T) {
		tk := s.signUp("slaskie", "odswiez@example.org")
		for _, path := range []string{"/api/v1/auth/refresh", "/r/malopolskie/api/v1/auth/refresh"} {
			s.do("POST", path, map[string]string{"refresh_token": tk.RefreshToken}).expect(t, 401)
		}
		// Refused elsewhere, the token was not used up.
		var next tokens
		s.do("POST", "/r/slaskie/api/v1/auth/refresh", map[string]string{"refresh_token": tk.RefreshToken}).expect(t, 200).json(t, &next)
		s.do("GET", "/r/slaskie/api/v1/me", nil, bearer(next.AccessToken)).expect(t, 200)
	})
}
