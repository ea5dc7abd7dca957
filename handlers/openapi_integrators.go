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
		{method: get, path: "/admin/webhooks", id: "listWebhooks", tag: "integrators", summary: "The region's webhook subscriptions", answer: []store.Webhook{}},
		{method: post, path: "/admin/webhooks", id: "createWebhook", tag: "integrators", summary: "Subscribe a URL to events (the secret is shown once)",
			description: "Deliveries are POSTed as JSON with X-Katalog-Signature: t=UNIX,v1=HEX, HMAC-SHA256 with the secret over \"UNIX.BODY\"; refuse a timestamp more than 5 minutes off. A failed delivery is retried with exponential back-off for 24 hours.",
			body:        store.NewWebhook{}, ok: http.StatusCreated, answer: store.Webhook{}},
		{method: del, path: "/admin/webhooks/:id", id: "removeWebhook", tag: "integrators", summary: "Remove a subscription", ok: http.StatusNoContent},
		{method: get, path: "/admin/webhooks/deliveries", id: "webhookDeliveries", tag: "integrators", summary: "The latest deliveries with their status and response code", answer: []store.WebhookDelivery{}},
	}
}
