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
