package main

import (
	"context"
	"log/slog"

	"katalogpes/handlers/view"
	"katalogpes/store"
)

// runCertificateReminders mails owners 30 days before a certificate of
// their listing lapses, every REMINDER_INTERVAL, until ctx ends. Every
// instance of serve runs it; the store's sent-markers mail each once.
func runCertificateReminders(ctx context.Context, db *store.DB, cfg Config, mail *view.Composer, log *slog.Logger) {
	_ = db.RunCertificateReminders(ctx, store.CertificateRemindersConfig{Every: cfg.ReminderInterval, Log: log, Compose: mail.CertificateExpiring})
}
