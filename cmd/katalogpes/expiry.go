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
func runCertificateReminders(ctx context.Context, db *store.DB, cfg Config, log *slog.Logger) {
	tr, err := view.NewTranslator()
	if err != nil {
		log.Error("certificate reminders: no translations; not running", "err", err)
		return
	}
	mail := view.NewComposer(tr, cfg.BaseURL)
	_ = db.RunCertificateReminders(ctx, store.CertificateRemindersConfig{Every: cfg.ReminderInterval, Log: log, Compose: mail.CertificateExpiring})
}
