package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"katalogpes/tenants"
)

// Config is every setting, read from the environment once at start.
type Config struct {
	Env            string // development | production
	DatabaseURL    string
	MeiliURL       string
	MeiliMasterKey string
	MeiliIndex     string
	HTTPAddr       string
	BaseDomain     string
	BaseURL        string
	JWTKeys        string
	SMTPURL        string
	DataDir        string
	AccessTTL      time.Duration
}

// Development reports whether this is a developer's machine.
func (c Config) Development() bool { return c.Env == "development" }

func env(name, def string) string {
	if v := strings.TrimSpace(os.Getenv(name)); v != "" {
		return v
	}
	return def
}

// LoadConfig reads the environment. Defaults suit a developer's machine.
func LoadConfig() (Config, error) {
	c := Config{
		Env:            env("APP_ENV", "development"),
		DatabaseURL:    env("DATABASE_URL", ""),
		MeiliURL:       env("MEILI_URL", "http://127.0.0.1:7701"),
		MeiliMasterKey: env("MEILI_MASTER_KEY", ""),
		MeiliIndex:     env("MEILI_INDEX", "listings"),
		HTTPAddr:       env("HTTP_ADDR", "127.0.0.1:8080"),
		BaseDomain:     env("BASE_DOMAIN", ""),
		JWTKeys:        env("JWT_KEYS", ""),
		SMTPURL:        env("SMTP_URL", ""),
		DataDir:        env("DATA_DIR", ".data"),
		AccessTTL:      15 * time.Minute,
	}
	if c.Env != "development" && c.Env != "production" {
		return c, fmt.Errorf("APP_ENV must be development or production, not %q", c.Env)
	}
	port := c.HTTPAddr[strings.LastIndexByte(c.HTTPAddr, ':')+1:]
	c.BaseURL = strings.TrimRight(env("BASE_URL", "http://localhost:"+port), "/")
	return c, nil
}

// needDatabase names the missing variable rather than failing later.
func (c Config) needDatabase() error {
	if c.DatabaseURL == "" {
		return errors.New("DATABASE_URL is not set (make run sets it; see README)")
	}
	return nil
}

// signingKeys returns the JWT keys: from JWT_KEYS, or in development from
// (or newly into) DATA_DIR/jwt-keys. Production refuses to start without.
func (c Config) signingKeys() ([]tenants.SigningKey, error) {
	if c.JWTKeys != "" {
		return tenants.ParseKeys(c.JWTKeys)
	}
	if !c.Development() {
		return nil, errors.New("JWT_KEYS is not set: production needs the signing keys (kid:base64seed, newest last)")
	}
	path := filepath.Join(c.DataDir, "jwt-keys")
	if b, err := os.ReadFile(path); err == nil {
		return tenants.ParseKeys(string(b))
	}
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return nil, err
	}
	key := tenants.SigningKey{ID: "dev-" + time.Now().UTC().Format("20060102"), Private: ed25519.NewKeyFromSeed(seed)}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("keep development JWT key: %w", err)
	}
	if err := os.WriteFile(path, []byte(tenants.FormatKey(key)), 0o600); err != nil {
		return nil, fmt.Errorf("keep development JWT key: %w", err)
	}
	return []tenants.SigningKey{key}, nil
}
