package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"katalogpes/tenants"
)

func TestCSRFKeyIsReadAsHexOrBase64(t *testing.T) {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	for _, value := range []string{
		hex.EncodeToString(key),
		base64.StdEncoding.EncodeToString(key),
		base64.RawURLEncoding.EncodeToString(key),
		" " + base64.StdEncoding.EncodeToString(key) + "\n",
	} {
		t.Setenv("APP_ENV", "production")
		t.Setenv("CSRF_KEY", value)
		cfg, err := LoadConfig()
		if err != nil {
			t.Fatalf("CSRF_KEY=%q: %v", value, err)
		}
		got, err := cfg.csrfKey()
		if err != nil || !bytes.Equal(got, key) {
			t.Fatalf("CSRF_KEY=%q: key %x, %v", value, got, err)
		}
	}
}

func TestBadCSRFKeyStopsTheStart(t *testing.T) {
	for _, value := range []string{
		"not a key!",
		base64.StdEncoding.EncodeToString(make([]byte, 16)), // too short
		strings.Repeat("ab", 31),                            // 31 bytes of hex
	} {
		t.Setenv("APP_ENV", "development")
		t.Setenv("CSRF_KEY", value)
		_, err := LoadConfig()
		if err == nil || !strings.Contains(err.Error(), "CSRF_KEY") {
			t.Fatalf("CSRF_KEY=%q: err = %v, want one naming CSRF_KEY", value, err)
		}
		// The value is a secret: the message does not repeat it.
		if strings.Contains(err.Error(), value) {
			t.Fatalf("the message repeats the key: %v", err)
		}
	}
}

func TestProductionRefusesToStartWithoutCSRFKey(t *testing.T) {
	t.Setenv("APP_ENV", "production")
	t.Setenv("CSRF_KEY", "")
	cfg, err := LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.csrfKey(); err == nil || !strings.Contains(err.Error(), "CSRF_KEY") {
		t.Fatalf("err = %v, want one naming CSRF_KEY", err)
	}
}

func TestDevelopmentKeepsAGeneratedCSRFKey(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("APP_ENV", "development")
	t.Setenv("CSRF_KEY", "")
	t.Setenv("DATA_DIR", dir)
	cfg, err := LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	first, err := cfg.csrfKey()
	if err != nil {
		t.Fatal(err)
	}
	second, err := cfg.csrfKey()
	if err != nil {
		t.Fatal(err)
	}
	if len(first) < 32 || !bytes.Equal(first, second) {
		t.Fatal("a second start made a new CSRF key: open forms would not survive a restart")
	}
	st, err := os.Stat(filepath.Join(dir, "csrf-key"))
	if err != nil {
		t.Fatalf("key not kept: %v", err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("csrf-key mode %v, want 0600", st.Mode().Perm())
	}
}

// Two processes started with the same JWT_KEYS, or in development with the
// same DATA_DIR, accept each other's access tokens.
func TestNodesWithTheSameKeysVerifyEachOthersTokens(t *testing.T) {
	seed := make([]byte, ed25519.SeedSize)
	_, _ = rand.Read(seed)
	shared := tenants.FormatKey(tenants.SigningKey{ID: "k1", Private: ed25519.NewKeyFromSeed(seed)})
	dir := t.TempDir()
	for name, env := range map[string]map[string]string{
		"JWT_KEYS": {"APP_ENV": "production", "JWT_KEYS": shared},
		"DATA_DIR": {"APP_ENV": "development", "JWT_KEYS": "", "DATA_DIR": dir},
	} {
		t.Run(name, func(t *testing.T) {
			for k, v := range env {
				t.Setenv(k, v)
			}
			issuer, verifier := startKeys(t), startKeys(t)
			p := tenants.Principal{AccountID: "a1", Role: tenants.RoleModerator, TenantID: "t1"}
			tok, _, err := issuer.Issue(p, "slaskie")
			if err != nil {
				t.Fatal(err)
			}
			got, err := verifier.Verify(tok, "slaskie", func(string) string { return "t1" })
			if err != nil || got.AccountID != "a1" {
				t.Fatalf("the other process refused the token: %+v, %v", got, err)
			}
		})
	}
}

// startKeys is what serve does with the environment at start.
func startKeys(t *testing.T) *tenants.Keys {
	t.Helper()
	cfg, err := LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	signing, err := cfg.signingKeys()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := tenants.NewKeys(signing, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func TestProcessesStartingAtOnceKeepOneDevelopmentKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "csrf-key")
	got := make(chan string, 8)
	for i := range 8 {
		go func() {
			kept, err := keepOnce(path, strings.Repeat(string(rune('a'+i)), 8))
			if err != nil {
				t.Error(err)
			}
			got <- kept
		}()
	}
	first := <-got
	for range 7 {
		if k := <-got; k != first {
			t.Fatalf("one process kept %q, another %q", first, k)
		}
	}
}
