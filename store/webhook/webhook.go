// Package webhook signs and sends the webhook outbox's deliveries over
// HTTP, and verifies a signature as a receiver would. No SQL: the outbox
// is store's.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"katalogpes/store"
)

// SignatureHeader carries "t=UNIX,v1=HEX": HMAC-SHA256 with the
// subscription's secret over "UNIX.BODY".
const SignatureHeader = "X-Katalog-Signature"

// ReplayWindow is how old (or how far ahead) a signed timestamp may be.
const ReplayWindow = 5 * time.Minute

// Sign is the signature header's value for body at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(ts + "."))
	h.Write(body)
	return h.Sum(nil)
}

// Verify checks a signature header against body at now: what a receiver
// does before trusting a delivery.
func Verify(secret, header string, body []byte, now time.Time) error {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return errors.New("webhook: malformed signature header")
	}
	if d := now.Sub(time.Unix(unix, 0)); d > ReplayWindow || d < -ReplayWindow {
		return errors.New("webhook: timestamp outside the replay window")
	}
	got, err := hex.DecodeString(sig)
	if err != nil || !hmac.Equal(got, mac(secret, ts, body)) {
		return errors.New("webhook: signature does not match")
	}
	return nil
}

// Sender delivers the outbox.
type Sender struct {
	DB     *store.DB
	Client *http.Client
	Log    *slog.Logger
}

// RunOnce sends the deliveries due now and says how many it tried.
func (s Sender) RunOnce(ctx context.Context) (int, error) {
	list, err := s.DB.ClaimWebhookDeliveries(ctx, 20)
	if err != nil {
		return 0, err
	}
	for _, d := range list {
		code, failure := s.send(ctx, d)
		if err := s.DB.RecordWebhookDelivery(ctx, d, code, failure); err != nil {
			return 0, err
		}
	}
	return len(list), nil
}

func (s Sender) send(ctx context.Context, d store.WebhookDelivery) (int, string) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Payload))
	if err != nil {
		return 0, err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "katalogpes-webhooks/1")
	req.Header.Set("X-Katalog-Event", d.Event)
	req.Header.Set("X-Katalog-Delivery", d.ID)
	req.Header.Set(SignatureHeader, Sign(d.Secret, time.Now(), d.Payload))
	resp, err := s.Client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Sprintf("answered %d", resp.StatusCode)
	}
	return resp.StatusCode, ""
}

// Run sends the outbox every interval until ctx ends.
func (s Sender) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		for {
			n, err := s.RunOnce(ctx)
			if err != nil && ctx.Err() == nil {
				s.Log.Warn("webhook deliveries", "err", err)
			}
			if n == 0 || err != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
