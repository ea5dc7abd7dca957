// Package storetest gives tests a fresh, migrated database of their own on
// the real PostgreSQL named by DATABASE_URL (make test starts one), dropped
// when the test ends. A missing database is a failure, never a skip.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"katalogpes/store"
	"katalogpes/tenants"
)

// DB is a test database: the store handle plus the URL it was opened with.
type DB struct {
	*store.DB
	URL string
}

// Name is the database's name, for what the server reports about it
// (pg_stat_activity).
func (db *DB) Name() string {
	u, err := url.Parse(db.URL)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Path, "/")
}

// New creates and migrates a database for one test.
func New(t testing.TB) *DB {
	t.Helper()
	dbURL := NewEmpty(t)
	ctx := context.Background()
	if _, err := store.Migrate(ctx, dbURL, nil); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return &DB{DB: db, URL: dbURL}
}

// NewEmpty creates an empty database (no migrations) for one test, dropped
// when the test ends, and returns its URL: a target for restoring a dump.
func NewEmpty(t testing.TB) string {
	t.Helper()
	base := os.Getenv("DATABASE_URL")
	if base == "" {
		t.Fatal("DATABASE_URL is not set: run the tests with `make test` or scripts/with-services.sh, which start PostgreSQL")
	}
	admin, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatalf("open admin connection: %v", err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "kp_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	t.Cleanup(func() {
		admin, err := sql.Open("postgres", base)
		if err != nil {
			return
		}
		defer admin.Close()
		_, _ = admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	})
	return u.String()
}

// TERCPath finds the official TERC register for tests: TERYT_FILE, else
// ../shared/data/ beside the checkout.
func TERCPath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("TERYT_FILE"); p != "" {
		return p
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test's directory")
		}
		dir = parent
	}
	p := filepath.Join(filepath.Dir(dir), "shared", "data", "TERC_2020-01-01.csv")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("TERC register not found at %s; set TERYT_FILE", p)
	}
	return p
}

// LoadTERYT loads the official TERC register into db.
func LoadTERYT(t testing.TB, db *DB) store.TERCCounts {
	t.Helper()
	f, err := os.Open(TERCPath(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	terc, err := store.ParseTERC(f)
	if err != nil {
		t.Fatalf("parse TERC: %v", err)
	}
	counts, err := db.LoadTERC(context.Background(), terc)
	if err != nil {
		t.Fatalf("load TERC: %v", err)
	}
	return counts
}

// FindTenants returns the seeded tenants by slug.
func Tenants(t testing.TB, db *DB) map[string]*tenants.Tenant {
	t.Helper()
	list, err := db.FindTenants(context.Background())
	if err != nil {
		t.Fatalf("list tenants: %v", err)
	}
	out := map[string]*tenants.Tenant{}
	for i := range list {
		out[list[i].Slug] = &list[i]
	}
	return out
}

// Ctx returns a context scoped to tenant slug, acting as p.
func Ctx(t testing.TB, db *DB, slug string, p tenants.Principal) context.Context {
	t.Helper()
	tn, ok := Tenants(t, db)[slug]
	if !ok {
		t.Fatalf("no tenant %q", slug)
	}
	return tenants.WithPrincipal(tenants.NewContext(context.Background(), tn), p)
}

// Unique returns s with a random suffix, for e-mails and names.
func Unique(s string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return strings.Replace(s, "@", "+"+hex.EncodeToString(b)+"@", 1)
}
