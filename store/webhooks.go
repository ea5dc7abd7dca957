package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"katalogpes/tenants"
)

// Webhook events (API.md "Integrators").
const (
	EventListingPublished = "listing.published"
	EventListingRemoved   = "listing.removed"
	EventNeedPublished    = "need.published"
)

// WebhookEvents are the events a region may subscribe to.
func WebhookEvents() []string {
	return []string{EventListingPublished, EventListingRemoved, EventNeedPublished}
}

// WebhookRetryFor is how long a delivery is retried before it fails.
const WebhookRetryFor = 24 * time.Hour

// Webhook is a region's subscription; Secret only when just made.
type Webhook struct {
	ID        string         `db:"id" json:"id"`
	URL       string         `db:"url" json:"url"`
	Events    pq.StringArray `db:"events" json:"events"`
	Secret    string         `db:"secret" json:"secret,omitempty" description:"Signs the deliveries: shown once, when made."`
	CreatedAt time.Time      `db:"created_at" json:"created_at"`
}

// NewWebhook is what an admin asks for.
type NewWebhook struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
}

// WebhookDelivery is one event sent (or being sent) to a subscription.
type WebhookDelivery struct {
	ID             string          `db:"id" json:"id"`
	WebhookID      string          `db:"webhook_id" json:"webhook_id"`
	URL            string          `db:"url" json:"url"`
	Secret         string          `db:"secret" json:"-"`
	Event          string          `db:"event" json:"event"`
	Payload        json.RawMessage `db:"payload" json:"-"`
	Status         string          `db:"status" json:"status"`
	Attempts       int             `db:"attempts" json:"attempts"`
	NextAttemptAt  time.Time       `db:"next_attempt_at" json:"next_attempt_at"`
	LastStatusCode *int            `db:"last_status_code" json:"last_status_code"`
	LastError      string          `db:"last_error" json:"last_error"`
	CreatedAt      time.Time       `db:"created_at" json:"created_at"`
	DeliveredAt    *time.Time      `db:"delivered_at" json:"delivered_at"`
}

func (n *NewWebhook) validate() error {
	var errs []FieldError
	u, err := url.Parse(n.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(n.URL) > 2000 {
		errs = append(errs, FieldError{Field: "url", Key: "webhook.url"})
	}
	if len(n.Events) == 0 {
		errs = append(errs, FieldError{Field: "events", Key: "webhook.events"})
	}
	for _, e := range n.Events {
		if !slices.Contains(WebhookEvents(), e) {
			errs = append(errs, FieldError{Field: "events", Key: "webhook.event", Params: map[string]any{"Value": e}})
			break
		}
	}
	if len(errs) > 0 {
		return Invalid(errs)
	}
	return nil
}

// CreateWebhook subscribes the context's tenant; the secret is returned.
func (db *DB) CreateWebhook(ctx context.Context, n NewWebhook) (*Webhook, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if err := n.validate(); err != nil {
		return nil, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("webhook secret: %w", err)
	}
	var creator *string
	if p := tenants.PrincipalFrom(ctx); p.AccountID != "" {
		creator = &p.AccountID
	}
	var w Webhook
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &w, `
			INSERT INTO webhooks (tenant_id, url, events, secret, created_by) VALUES ($1, $2, $3, $4, $5)
			RETURNING id, url, events, secret, created_at`, tid, n.URL, pq.StringArray(n.Events), "whsec_"+hex.EncodeToString(raw), creator)
	})
	if err != nil {
		return nil, fmt.Errorf("create webhook: %w", err)
	}
	return &w, nil
}

// FindWebhooks lists the context's tenant's subscriptions (no secrets).
func (db *DB) FindWebhooks(ctx context.Context) ([]Webhook, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	list := []Webhook{}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &list, `SELECT id, url, events, '' AS secret, created_at FROM webhooks
			WHERE tenant_id = $1 AND removed_at IS NULL ORDER BY created_at DESC, id`, tid)
	})
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	return list, nil
}

// RemoveWebhook ends a subscription; its pending deliveries stop.
func (db *DB) RemoveWebhook(ctx context.Context, id string) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if !ValidID(id) {
		return Errorf(ENotFound, "not_found")
	}
	var n int64
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE webhooks SET removed_at = now() WHERE id = $1 AND tenant_id = $2 AND removed_at IS NULL`, id, tid)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE webhook_deliveries SET status = 'failed', last_error = 'subscription removed' WHERE webhook_id = $1 AND status = 'pending'`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("remove webhook %s: %w", id, err)
	}
	if n == 0 {
		return Errorf(ENotFound, "not_found")
	}
	return nil
}

// EnqueueWebhookEvent queues event with its data for every subscription
// of the context's tenant, in tx: the event is sent if and only if the
// change it tells of commits. Other features call it from their own
// write transactions (need.published, from the needs).
func EnqueueWebhookEvent(ctx context.Context, tx *sqlx.Tx, event string, data any) error {
	t, ok := tenants.FromContext(ctx)
	if !ok {
		return ErrNoScope
	}
	body, err := json.Marshal(map[string]any{"event": event, "tenant": t.Slug, "occurred_at": time.Now().UTC(), "data": data})
	if err != nil {
		return fmt.Errorf("webhook %s: %w", event, err)
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO webhook_deliveries (tenant_id, webhook_id, event, payload)
		SELECT tenant_id, id, $2, $3 FROM webhooks
		WHERE tenant_id = $1 AND removed_at IS NULL AND $2 = ANY (events)`, t.ID, event, body); err != nil {
		return fmt.Errorf("queue webhook %s: %w", event, err)
	}
	return nil
}

// listingWebhook tells subscribers a listing came into or left the public
// catalog (issue 16); other changes send nothing.
func listingWebhook(ctx context.Context, tx *sqlx.Tx, listingID, from, to string) error {
	data := map[string]string{"listing_id": listingID, "status": to}
	switch {
	case to == StatusPublished && from != StatusPublished:
		return EnqueueWebhookEvent(ctx, tx, EventListingPublished, data)
	case from == StatusPublished && to != StatusPublished:
		return EnqueueWebhookEvent(ctx, tx, EventListingRemoved, data)
	}
	return nil
}
