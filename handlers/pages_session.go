package handlers

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"katalogpes/store"
	"katalogpes/tenants"
)

// signedTokens is the CSRF middleware's storage without state: a token
// is random bytes, an expiry and an HMAC of both, so checking it needs
// only the key. Set and Delete have nothing to do.
type signedTokens struct {
	key []byte
	ttl time.Duration
}

func (st *signedTokens) sign(payload string) string {
	m := hmac.New(sha256.New, st.key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

func (st *signedTokens) generate() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	payload := base64.RawURLEncoding.EncodeToString(b) + "." + strconv.FormatInt(time.Now().Add(st.ttl).Unix(), 10)
	return payload + "." + st.sign(payload)
}

// Get answers a non-nil value for a genuine, unexpired token.
func (st *signedTokens) Get(token string) ([]byte, error) {
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		return nil, nil
	}
	payload, mac := token[:i], token[i+1:]
	if !hmac.Equal([]byte(mac), []byte(st.sign(payload))) {
		return nil, nil
	}
	_, exp, _ := strings.Cut(payload, ".")
	unix, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || time.Now().Unix() > unix {
		return nil, nil
	}
	return []byte{'+'}, nil
}

func (st *signedTokens) Set(string, []byte, time.Duration) error { return nil }
func (st *signedTokens) Delete(string) error                     { return nil }
func (st *signedTokens) Reset() error                            { return nil }
func (st *signedTokens) Close() error                            { return nil }

// basePath is where the request's region lives: /r/{slug}, or "" on a
// region's own host and on the hub.
func basePath(c *fiber.Ctx) string {
	if slug := c.Params("slug"); slug != "" {
		return "/r/" + slug
	}
	return ""
}

// authCookie sets (or, with an empty value, clears) a token cookie. The
// cookies are scoped to the region's path so that sessions in two regions
// on one host do not overwrite each other.
func (s *Server) authCookie(c *fiber.Ctx, name, value string, maxAge time.Duration) {
	ck := &fiber.Cookie{Name: name, Value: value, Path: basePath(c) + "/", HTTPOnly: true,
		Secure: !s.cfg.Development, SameSite: fiber.CookieSameSiteLaxMode}
	if value == "" {
		ck.Expires = time.Unix(1, 0)
		ck.MaxAge = -1
	} else {
		ck.MaxAge = int(maxAge.Seconds())
	}
	c.Cookie(ck)
}

// startCookieSession puts a session's tokens into cookies and returns the
// principal they carry.
func (s *Server) startCookieSession(c *fiber.Ctx, sess *store.Session) (tenants.Principal, error) {
	tok, err := s.issueTokens(c, sess)
	if err != nil {
		return tenants.Principal{}, err
	}
	// The access cookie goes a little before the token does, so the
	// browser stops sending it and the refresh cookie takes over.
	s.authCookie(c, accessCookie, tok.AccessToken, s.keys.TTL()-10*time.Second)
	s.authCookie(c, refreshCookie, tok.RefreshToken, store.RefreshTTL)
	p := tenants.Principal{AccountID: sess.Account.ID, Name: sess.Account.Name, Role: sess.Account.Role, SessionID: sess.FamilyID}
	if t, ok := tenants.FromContext(c.UserContext()); ok && p.Role != tenants.RolePlatform {
		p.TenantID = t.ID
	}
	return p, nil
}

func (s *Server) endCookieSession(c *fiber.Ctx) {
	s.authCookie(c, accessCookie, "", 0)
	s.authCookie(c, refreshCookie, "", 0)
}

// pageSession renews a page visitor's session silently: when the access
// cookie has gone (or no longer verifies) but the refresh cookie is
// valid, the refresh token is rotated and fresh cookies are set.
func (s *Server) pageSession(c *fiber.Ctx) error {
	ctx := c.UserContext()
	refresh := c.Cookies(refreshCookie)
	if tenants.PrincipalFrom(ctx).Authenticated() || refresh == "" {
		return c.Next()
	}
	if _, ok := tenants.FromContext(ctx); !ok {
		return c.Next()
	}
	sess, err := s.db.RotateSession(ctx, refresh)
	if err != nil {
		if code := store.ErrorCode(err); code != store.EUnauthorized {
			return err
		}
		s.endCookieSession(c)
		return c.Next()
	}
	p, err := s.startCookieSession(c, sess)
	if err != nil {
		return err
	}
	c.SetUserContext(tenants.WithPrincipal(ctx, p))
	return c.Next()
}

// localNext accepts a place to go after signing in only when it is a
// path of this region, so the form cannot send people elsewhere.
func localNext(c *fiber.Ctx, next string) string {
	return sameOriginPath(basePath(c)+"/", next)
}

// sameOriginPath returns next when it is a relative URL of this site under
// base, else "". Browsers forgive much (tabs and newlines are dropped, a
// backslash is a slash, "//host" is another site), so anything unusual is
// refused rather than repaired.
func sameOriginPath(base, next string) string {
	if next == "" || strings.ContainsAny(next, "\\") || hasControl(next) {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.User != nil || hasControl(u.Path) {
		return ""
	}
	// The decoded path as well: "/%2f%2fevil" is "//evil" to some routers.
	for _, p := range []string{next, u.Path, path.Clean(u.Path)} {
		if strings.HasPrefix(p, "//") || strings.Contains(p, "\\") {
			return ""
		}
	}
	clean := path.Clean(u.Path) + "/"
	if !strings.HasPrefix(next, base) || !strings.HasPrefix(clean, base) || strings.Contains(u.Path, "/logowanie") {
		return ""
	}
	return next
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}
