package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestProductionRefusesToStartWithoutSigningKeys(t *testing.T) {
	t.Setenv("APP_ENV", "production")
	t.Setenv("JWT_KEYS", "")
	cfg, err := LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	_, err = cfg.signingKeys()
	if err == nil || !strings.Contains(err.Error(), "JWT_KEYS") {
		t.Fatalf("err = %v, want one naming JWT_KEYS", err)
	}
}

func TestDevelopmentKeepsAGeneratedKey(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("APP_ENV", "development")
	t.Setenv("JWT_KEYS", "")
	t.Setenv("DATA_DIR", dir)
	cfg, err := LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	first, err := cfg.signingKeys()
	if err != nil {
		t.Fatal(err)
	}
	second, err := cfg.signingKeys()
	if err != nil {
		t.Fatal(err)
	}
	if first[0].ID != second[0].ID || !first[0].Private.Equal(second[0].Private) {
		t.Fatal("a second start made a new key: tokens would not survive a restart")
	}
	if _, err := os.Stat(filepath.Join(dir, "jwt-keys")); err != nil {
		t.Fatalf("key not kept: %v", err)
	}
}

func TestUnknownAppEnvIsRefused(t *testing.T) {
	t.Setenv("APP_ENV", "staging")
	if _, err := LoadConfig(); err == nil {
		t.Fatal("APP_ENV=staging accepted")
	}
}

func TestBadValuesStopTheStartNamingTheVariable(t *testing.T) {
	for _, tc := range []struct{ name, value string }{
		{"HTTP_ADDR", "abc"},
		{"REMINDER_INTERVAL", "soon"},
		{"REMINDER_INTERVAL", "-1h"},
		{"DIGEST_HOUR", "24"},
		{"DIGEST_HOUR", "morning"},
		{"TRUSTED_PROXIES", "10.0.0.1,load-balancer"},
		{"TRUSTED_PROXIES", "10.0.0.0/33"},
		{"SEARCH_FALLBACK_SLOTS", "0"},
		{"MEMORY_LIMIT_MB", "-1"},
		{"MEMORY_LIMIT_MB", "lots"},
		{"SEARCH_FALLBACK_SLOTS", "many"},
	} {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			t.Setenv("APP_ENV", "development")
			t.Setenv(tc.name, tc.value)
			_, err := LoadConfig()
			if err == nil || !strings.Contains(err.Error(), tc.name) {
				t.Fatalf("%s=%s: err = %v, want one naming %s", tc.name, tc.value, err, tc.name)
			}
		})
	}
}

func TestDefaultsSuitADevelopersMachine(t *testing.T) {
	for _, k := range []string{"APP_ENV", "HTTP_ADDR", "BASE_URL", "REMINDER_INTERVAL"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	cfg, err := LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTPAddr != "127.0.0.1:8080" || cfg.BaseURL != "http://localhost:8080" || cfg.ReminderInterval != time.Hour {
		t.Fatalf("defaults: %+v", cfg)
	}
}

func TestTrustedProxiesAreAddressesAndNetworks(t *testing.T) {
	t.Setenv("APP_ENV", "development")
	t.Setenv("TRUSTED_PROXIES", " 10.0.0.5, 192.168.0.0/16 ,fd00::/8,")
	cfg, err := LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(cfg.TrustedProxies)
	if got != "[10.0.0.5/32 192.168.0.0/16 fd00::/8]" {
		t.Fatalf("TRUSTED_PROXIES parsed as %s", got)
	}
}

func TestEveryCommandsHelpEndsWellAndOnItsLine(t *testing.T) {
	for _, c := range commands {
		err := c.run(t.Context(), Config{}, nil, []string{"-h"})
		if code := report(c.name, err); code != 0 {
			t.Errorf("katalogpes %s -h: exit %d (%v)", c.name, code, err)
		}
	}
}
