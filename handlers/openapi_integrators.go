package handlers

import (
	"net/http"

	"katalogpes/store"
)

// The contract of the integrators' routes (issue 16).

func integratorDocs() []apiDoc {
	return []apiDoc{
		{method: get, path: "/admin/api-keys", id: "listAPIKeys", tag: "integrators", summary: "The region's API keys with their use", answer: []store.APIKey{}},
		{method: post, path: "/admin/api-keys", id: "createAPIKey", tag: "integrators", summary: "Make an API key (shown once)",
			body: store.NewAPIKey{}, ok: http.StatusCreated, answer: apiKeyCreated{}},
		{method: del, path: "/admin/api-keys/:id", id: "revokeAPIKey", tag: "integrators", summary: "Revoke an API key at once", ok: http.StatusNoContent},
	}
}
