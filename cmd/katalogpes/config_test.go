package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
