package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"katalogpes/search"
	"katalogpes/store"
	"katalogpes/store/storetest"
	"katalogpes/tenants"
)

// TestBackupRestore follows the README's operations section: a catalog
// dumped with pg_dump -Fc and restored with pg_restore --no-owner into an
// empty database, then reindexed, answers searches, exports and statistics
// exactly as the original did, keeps row-level security and lets its
// accounts sign in.
func TestBackupRestore(t *testing.T) {
	pgDump, pgRestore := postgresTool(t, "pg_dump"), postgresTool(t, "pg_restore")
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	original := storetest.New(t)
	cfg := Config{DatabaseURL: original.URL, MeiliIndexPrefix: testIndex(t)}
	cfg.MeiliURL, cfg.MeiliMasterKey = os.Getenv("MEILI_URL"), os.Getenv("MEILI_MASTER_KEY")
	if cfg.MeiliURL == "" {
		t.Fatal("MEILI_URL is not set: run the tests with `make test` or scripts/with-services.sh, which start Meilisearch")
	}
	mustRun(t, "teryt load", runTERYT(ctx, cfg, log, []string{"load", storetest.TERCPath(t)}))
	mustRun(t, "seed --demo", runSeed(ctx, cfg, log, []string{"--demo"}))
	mustRun(t, "reindex", runReindex(ctx, cfg, log, nil))
	// One clock for both snapshots: exports print it and judge certificates by it.
	generated := time.Now().UTC().Truncate(time.Second)
	before := takeSnapshot(t, original, cfg, generated)

	dump := filepath.Join(t.TempDir(), "katalogpes.dump")
	// As the README says: the tables force row-level security on their
	// owner, so a dump not run by a superuser sees rows only in the
	// all-tenants scope.
	runTool(t, []string{"PGOPTIONS=-c app.all_tenants=on"}, pgDump, "--enable-row-security", "-Fc", "-f", dump, "-d", original.URL)
	restoredURL := storetest.NewEmpty(t)
	// The roles are there already: they are cluster-wide and this cluster
	// has migrated before (the README says what a fresh cluster needs).
	runTool(t, nil, pgRestore, "--no-owner", "--exit-on-error", "-d", restoredURL, dump)
	applied, err := store.Migrate(ctx, restoredURL, nil)
	if err != nil || len(applied) != 0 {
		t.Fatalf("migrate after restore: applied %v, err %v; want nothing to do", applied, err)
	}
	restoredDB, err := store.Open(ctx, restoredURL)
	if err != nil {
		t.Fatalf("open restored database: %v", err)
	}
	t.Cleanup(func() { restoredDB.Close() })
	restored := &storetest.DB{DB: restoredDB, URL: restoredURL}
	restoredCfg := cfg
	restoredCfg.DatabaseURL, restoredCfg.MeiliIndexPrefix = restoredURL, testIndex(t)
	mustRun(t, "reindex of the restored database", runReindex(ctx, restoredCfg, log, nil))
	after := takeSnapshot(t, restored, restoredCfg, generated)

	for name, want := range before.searches {
		if got := after.searches[name]; !reflect.DeepEqual(got, want) {
			t.Errorf("search %s after restore:\n got total %d ids %v\nwant total %d ids %v", name, got.Total, hitIDs(got), want.Total, hitIDs(want))
		}
	}
	for name, want := range before.exports {
		if got := after.exports[name]; !bytes.Equal(got, want) {
			line, g, w := firstDifference(got, want)
			t.Errorf("export %s after restore differs first at line %d:\n got %s\nwant %s", name, line, g, w)
		}
	}
	if !reflect.DeepEqual(after.stats, before.stats) {
		t.Errorf("statistics after restore:\n got %+v\nwant %+v", after.stats, before.stats)
	}
	if !reflect.DeepEqual(after.report, before.report) {
		t.Errorf("report after restore:\n got %+v\nwant %+v", after.report, before.report)
	}
	assertIsolated(t, restoredURL, demoListings)
	slaskie := tenants.NewContext(ctx, storetest.Tenants(t, restored)["slaskie"])
	if _, err := restored.Authenticate(slaskie, "demo@slaskie.example.org", demoPassword); err != nil {
		t.Errorf("demo account signs in after restore: %v", err)
	}
}

// snapshot is what a backup must bring back, keyed by a readable name.
type snapshot struct {
	searches map[string]*search.Result
	exports  map[string][]byte
	stats    map[string]*store.Stats
	report   []store.ReportRow
}

// backupSearches are regional and national searches, with words, filters
// and a distance, in every sort the restored index must reproduce.
var backupSearches = map[string]search.Query{
	"national, all by name": {Sort: "name", PerPage: 100},
	"national, catering":    {Q: "catering", PerPage: 100},
	"national, near Katowice": {ListingFilter: store.ListingFilter{
		Near: &store.Geo{Lat: 50.2599, Lng: 19.0216}, RadiusKm: 150, LegalForms: []string{"spoldzielnia_socjalna", "fundacja"}},
		Sort: "distance", PerPage: 100},
	"national, updated, page 2": {Sort: "updated", Page: 2, PerPage: 7},
	"slaskie, all":              {Tenant: "slaskie", PerPage: 100},
	"malopolskie, catering category": {Tenant: "malopolskie", Sort: "name", PerPage: 100,
		ListingFilter: store.ListingFilter{Categories: []string{"catering"}}},
	"mazowieckie, pranie": {Tenant: "mazowieckie", Q: "pranie pościeli", PerPage: 100},
}

// takeSnapshot records the searches (on cfg's index), the national ("")
// and a regional export in CSV and JSON, and the statistics of db.
func takeSnapshot(t *testing.T, db *storetest.DB, cfg Config, generated time.Time) snapshot {
	t.Helper()
	ctx := context.Background()
	svc, err := search.New(search.Config{URL: cfg.MeiliURL, MasterKey: cfg.MeiliMasterKey, Prefix: cfg.MeiliIndexPrefix}, db.DB, nil)
	if err != nil {
		t.Fatalf("search service: %v", err)
	}
	s := snapshot{searches: map[string]*search.Result{}, exports: map[string][]byte{}, stats: map[string]*store.Stats{}}
	for name, q := range backupSearches {
		res, err := svc.Search(ctx, q)
		if err != nil {
			t.Fatalf("search %s: %v", name, err)
		}
		if res.Degraded || res.Total == 0 {
			t.Fatalf("search %s: degraded %v, total %d; want answers from the index", name, res.Degraded, res.Total)
		}
		res.TookMs = 0
		s.searches[name] = res
	}
	national := tenants.WithAllTenants(ctx)
	scopes := map[string]context.Context{ // by the region's slug, "" the whole country
		"":        national,
		"slaskie": tenants.NewContext(ctx, storetest.Tenants(t, db)["slaskie"]),
	}
	for slug, sctx := range scopes {
		meta := store.ExportMeta{Tenant: slug, GeneratedAt: generated}
		for _, format := range []string{store.ExportCSV, store.ExportJSON} {
			s.exports[cmp.Or(slug, "national")+"."+format] = export(t, db, sctx, format, meta)
		}
		st, err := db.ComputeStats(sctx)
		if err != nil {
			t.Fatalf("stats of %q: %v", slug, err)
		}
		s.stats[slug] = st
	}
	if n := s.stats[""].Published; n != demoListings {
		t.Fatalf("national statistics count %d published listings; want the demo's %d", n, demoListings)
	}
	s.report, err = db.Report(national, []string{"legal_form", "powiat"}, store.ReportFilter{})
	if err != nil {
		t.Fatalf("report: %v", err)
	}
	return s
}

// export writes the scope's whole export in format, page by page as the
// handlers stream it.
func export(t *testing.T, db *storetest.DB, ctx context.Context, format string, meta store.ExportMeta) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := store.NewExportWriter(&buf, format, meta)
	if err != nil {
		t.Fatalf("start %s export: %v", format, err)
	}
	for after := ""; ; {
		page, err := db.ExportPage(ctx, store.ListingFilter{}, after, 10)
		if err != nil {
			t.Fatalf("export page after %q: %v", after, err)
		}
		if len(page) == 0 {
			break
		}
		if err := w.Write(page); err != nil {
			t.Fatalf("write %s export: %v", format, err)
		}
		after = page[len(page)-1].ID
	}
	if err := w.Close(); err != nil {
		t.Fatalf("close %s export: %v", format, err)
	}
	return buf.Bytes()
}

// assertIsolated checks row-level security survived the restore: the
// application role sees no listing without a scope and all of them with
// the all-tenants one.
func assertIsolated(t *testing.T, databaseURL string, all int) {
	t.Helper()
	dsn, err := store.WithRole(databaseURL, store.AppRole)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatalf("open as %s: %v", store.AppRole, err)
	}
	defer pool.Close()
	ctx := context.Background()
	conn, err := pool.Conn(ctx)
	if err != nil {
		t.Fatalf("connect as %s: %v", store.AppRole, err)
	}
	defer conn.Close()
	var unscoped, scoped int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM listings`).Scan(&unscoped); err != nil {
		t.Fatalf("count listings without a scope: %v", err)
	}
	if _, err := conn.ExecContext(ctx, `SELECT set_config('app.all_tenants', 'on', false)`); err != nil {
		t.Fatalf("scope to all tenants: %v", err)
	}
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM listings`).Scan(&scoped); err != nil {
		t.Fatalf("count listings of all tenants: %v", err)
	}
	if unscoped != 0 || scoped != all {
		t.Errorf("as %s after restore: %d listings without a scope, %d with all tenants; want 0 and %d", store.AppRole, unscoped, scoped, all)
	}
}

// postgresTool finds a PostgreSQL client program; a missing one fails the
// test, as the backup procedure cannot be checked without it.
func postgresTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found (install postgresql-client): %v", name, err)
	}
	return path
}

// runTool runs a program with extra environment variables; a failure
// fails the test with its output.
func runTool(t *testing.T, env []string, path string, args ...string) {
	t.Helper()
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", filepath.Base(path), args, err, out)
	}
}

func mustRun(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("katalogpes %s: %v", what, err)
	}
}

// testIndex names a fresh index prefix for this test and deletes its
// indexes at the end.
func testIndex(t *testing.T) string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	prefix := "test_backup_" + hex.EncodeToString(b) + "_"
	t.Cleanup(func() {
		svc, err := search.New(search.Config{URL: os.Getenv("MEILI_URL"), MasterKey: os.Getenv("MEILI_MASTER_KEY"), Prefix: prefix}, nil, nil)
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = svc.DropIndexes(ctx)
	})
	return prefix
}

func hitIDs(r *search.Result) []string {
	if r == nil {
		return nil
	}
	ids := make([]string, len(r.Hits))
	for i, h := range r.Hits {
		ids[i] = h.ID
	}
	return ids
}

// firstDifference finds the first line (1-based) where two documents differ.
func firstDifference(got, want []byte) (line int, g, w []byte) {
	gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := 0; i < max(len(gl), len(wl)); i++ {
		if i >= len(gl) || i >= len(wl) || !bytes.Equal(gl[i], wl[i]) {
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			return i + 1, g, w
		}
	}
	return 0, nil, nil
}

// demoListings is how many listings seed --demo publishes: each city's,
// and the two imported without an owner.
var demoListings = len(demoCities)*listingsPerCity + 2
