package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"katalogpes/handlers"
	"katalogpes/store"
)

// runReminders mails the owners of stale listings (unconfirmed for a year)
// once per period, every REMINDER_INTERVAL (default an hour), until ctx
// ends. Every instance of serve runs it; the store makes sure no owner is
// reminded twice.
func runReminders(ctx context.Context, db *store.DB, cfg Config, log *slog.Logger) {
	tr, err := handlers.NewTranslator()
	if err != nil {
		log.Error("reminders: no translations; not running", "err", err)
		return
	}
	_ = db.RunReminders(ctx, store.RemindersConfig{Every: cfg.ReminderInterval, Log: log, Compose: reminderMail(tr, cfg.BaseURL)})
}

// reminderMail writes the reminder in Polish, linking to the listing's
// page, where its signed-in owner confirms it with one click.
func reminderMail(tr *handlers.Translator, baseURL string) func(store.Reminder) store.Mail {
	warsaw, err := time.LoadLocation("Europe/Warsaw")
	if err != nil {
		warsaw = time.UTC
	}
	return func(r store.Reminder) store.Mail {
		params := map[string]any{
			"Name":      r.ListingName,
			"Region":    r.TenantName,
			"Confirmed": r.ConfirmedAt.In(warsaw).Format("2006-01-02"),
			"Link":      fmt.Sprintf("%s/r/%s/podmiot/%s", baseURL, r.TenantSlug, r.ListingID),
		}
		return store.Mail{
			Subject: tr.T("pl", "mail.reminder.subject", params),
			Body:    tr.T("pl", "mail.reminder.body", params),
		}
	}
}
