package main

import (
	"context"
	"log/slog"

	"katalogpes/handlers/view"
	"katalogpes/store"
)

// runDigests mails each region's moderators and admins, once a day from
// DIGEST_HOUR (Polish time), what waits for them, checking every
// REMINDER_INTERVAL until ctx ends. Every instance of serve runs it; the
// store's sent-markers mail each person once a day.
func runDigests(ctx context.Context, db *store.DB, cfg Config, mail *view.Composer, log *slog.Logger) {
	_ = db.RunDigests(ctx, store.DigestsConfig{Every: cfg.ReminderInterval, Hour: cfg.DigestHour, Log: log, Compose: mail.Digest})
}
