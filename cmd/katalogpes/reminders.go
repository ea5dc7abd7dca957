package main

import (
	"context"
	"log/slog"

	"katalogpes/handlers/view"
	"katalogpes/store"
)

// runReminders mails the owners of stale listings (unconfirmed for a year)
// once per period, every REMINDER_INTERVAL (default an hour), until ctx
// ends. Every instance of serve runs it; the store makes sure no owner is
// reminded twice.
func runReminders(ctx context.Context, db *store.DB, cfg Config, mail *view.Composer, log *slog.Logger) {
	compose := func(r store.Reminder) store.Mail { return mail.Reminder(r.Lang, r) }
	_ = db.RunReminders(ctx, store.RemindersConfig{Every: cfg.ReminderInterval, Log: log, Compose: compose})
}
