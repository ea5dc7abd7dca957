package handlers

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestTheContractDocumentsEveryRoute: every api and ops route of the
// table has its apiDoc and every apiDoc its route.
func TestTheContractDocumentsEveryRoute(t *testing.T) {
	_, s := newRouteServer(t, discardLog())
	if s.contractErr != nil {
		t.Fatal(s.contractErr)
	}
	for _, m := range s.contract.mismatches {
		t.Error(m)
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	var operations struct {
		Paths map[string]map[string]struct {
			ID         string `json:"operationId"`
			Tags       []string
			Parameters []struct{ Name, In string }
			Responses  map[string]json.RawMessage
		} `json:"paths"`
	}
	if err := json.Unmarshal(s.contract.json, &operations); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for path, methods := range operations.Paths {
		for method, op := range methods {
			if op.ID == "" || ids[op.ID] || len(op.Tags) != 1 {
				t.Errorf("%s %s: operation id %q (unique?) and tags %v", method, path, op.ID, op.Tags)
			}
			ids[op.ID] = true
			hasSlug := false
			for _, p := range op.Parameters {
				hasSlug = hasSlug || p.In == "path" && p.Name == "slug"
			}
			if hasSlug != strings.Contains(path, "{slug}") {
				t.Errorf("%s %s: a slug parameter %v", method, path, hasSlug)
			}
			if _, ok := op.Responses["500"]; !ok {
				t.Errorf("%s %s documents no 500 problem", method, path)
			}
		}
	}
	if err := json.Unmarshal(s.contract.json, &doc); err != nil {
		t.Fatal(err)
	}
	for _, r := range s.routeTable() {
		if r.kind != api && r.kind != ops {
			continue
		}
		for _, v := range variants(r) {
			if _, ok := doc.Paths[v.path][strings.ToLower(r.method)]; !ok {
				t.Errorf("%s %s is not in the document", r.method, v.path)
			}
		}
	}
	if out := os.Getenv("OPENAPI_OUT"); out != "" {
		if err := os.WriteFile(out, s.contract.json, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
