package tenants

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Access tokens are EdDSA-signed JWTs. Several keys may be configured so
// they can rotate: the newest signs, any verifies, the `kid` header says
// which.
const (
	TokenIssuer   = "katalogpes"
	TokenAudience = "katalogpes-api"
)

// ErrBadToken is returned for any token that must not be trusted; the
// wrapped cause is for logs, never for the client.
var ErrBadToken = errors.New("invalid access token")

// SigningKey is one Ed25519 key with its id.
type SigningKey struct {
	ID      string
	Private ed25519.PrivateKey
}

// Keys signs and verifies access tokens.
type Keys struct {
	signing SigningKey
	verify  map[string]ed25519.PublicKey
	ttl     time.Duration
	now     func() time.Time
}

// ParseKeys reads "kid:base64seed[,kid:base64seed…]" (newest last), each
// seed 32 bytes of standard base64.
func ParseKeys(spec string) ([]SigningKey, error) {
	var keys []SigningKey
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		kid, b64, ok := strings.Cut(part, ":")
		if !ok || kid == "" {
			return nil, fmt.Errorf("JWT key %q: want kid:base64seed", part)
		}
		seed, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("JWT key %q: seed must be %d bytes of base64", kid, ed25519.SeedSize)
		}
		keys = append(keys, SigningKey{ID: kid, Private: ed25519.NewKeyFromSeed(seed)})
	}
	if len(keys) == 0 {
		return nil, errors.New("no JWT key given")
	}
	return keys, nil
}

// FormatKey renders a key in the form ParseKeys reads.
func FormatKey(k SigningKey) string {
	return k.ID + ":" + base64.StdEncoding.EncodeToString(k.Private.Seed())
}

// NewKeys signs with the last key and verifies with all; tokens live ttl.
func NewKeys(keys []SigningKey, ttl time.Duration) (*Keys, error) {
	if len(keys) == 0 {
		return nil, errors.New("no JWT key given")
	}
	k := &Keys{signing: keys[len(keys)-1], verify: map[string]ed25519.PublicKey{}, ttl: ttl, now: time.Now}
	for _, key := range keys {
		k.verify[key.ID] = key.Private.Public().(ed25519.PublicKey)
	}
	return k, nil
}

// TTL is how long an access token lives.
func (k *Keys) TTL() time.Duration { return k.ttl }

type accessClaims struct {
	Tenant  string `json:"tenant"`
	Role    Role   `json:"role"`
	Name    string `json:"name,omitempty"`
	Session string `json:"sid,omitempty"`
	jwt.RegisteredClaims
}

// Issue signs an access token for p, valid on the tenant named by slug
// (empty for a platform account).
func (k *Keys) Issue(p Principal, tenantSlug string) (string, time.Time, error) {
	now := k.now()
	exp := now.Add(k.ttl)
	claims := accessClaims{
		Tenant: tenantSlug, Role: p.Role, Name: p.Name, Session: p.SessionID,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   p.AccountID,
			Issuer:    TokenIssuer,
			Audience:  jwt.ClaimStrings{TokenAudience},
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
		},
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims)
	tok.Header["kid"] = k.signing.ID
	s, err := tok.SignedString(k.signing.Private)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign access token: %w", err)
	}
	return s, exp, nil
}

// Verify checks a token's signature (EdDSA only, key by kid), exp, iss, aud,
// and that it belongs to the tenant of the request (slug; empty on the
// national hub). Platform tokens are valid on every tenant.
func (k *Keys) Verify(token, tenantSlug string, tenantID func(slug string) string) (Principal, error) {
	var claims accessClaims
	_, err := jwt.ParseWithClaims(token, &claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		pub, ok := k.verify[kid]
		if !ok {
			return nil, fmt.Errorf("unknown kid %q", kid)
		}
		return pub, nil
	},
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithIssuer(TokenIssuer),
		jwt.WithAudience(TokenAudience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(k.now),
	)
	if err != nil {
		return Principal{}, fmt.Errorf("%w: %w", ErrBadToken, err)
	}
	if claims.Subject == "" || !claims.Role.Valid() {
		return Principal{}, fmt.Errorf("%w: no subject or role", ErrBadToken)
	}
	if claims.Role == RolePlatform {
		if claims.Tenant != "" {
			return Principal{}, fmt.Errorf("%w: platform token with a tenant", ErrBadToken)
		}
	} else if claims.Tenant != tenantSlug {
		return Principal{}, fmt.Errorf("%w: token of tenant %q used on %q", ErrBadToken, claims.Tenant, tenantSlug)
	}
	p := Principal{AccountID: claims.Subject, Name: claims.Name, Role: claims.Role, SessionID: claims.Session}
	if claims.Tenant != "" && tenantID != nil {
		p.TenantID = tenantID(claims.Tenant)
	}
	return p, nil
}
