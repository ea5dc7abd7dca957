package handlers

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	// The generated client's runtime: kept in go.mod by this import.
	_ "github.com/oapi-codegen/runtime"
)

// TestAGeneratedClientBuilds generates a Go client (types and calls) from
// the contract with oapi-codegen (pinned as a tool in go.mod) and
// compiles it: what an integrator does first.
func TestAGeneratedClientBuilds(t *testing.T) {
	_, s := newRouteServer(t, discardLog())
	if s.contractErr != nil {
		t.Fatal(s.contractErr)
	}
	doc := filepath.Join(t.TempDir(), "openapi.json")
	if err := os.WriteFile(doc, s.contract.json, 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("testdata", "apiclient")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	gen := exec.Command("go", "tool", "oapi-codegen", "-generate", "types,client", "-package", "apiclient",
		"-o", filepath.Join(dir, "client.gen.go"), doc)
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("oapi-codegen: %v\n%s", err, out)
	}
	build := exec.Command("go", "vet", "./"+dir)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("the generated client does not build: %v\n%s", err, out)
	}
}
