package main

import (
	"context"
	"fmt"
	"log/slog"
	"mime"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"katalogpes/store"
)

// runMailer sends the mail outbox through SMTP_URL until ctx ends. Without
// SMTP_URL (development) messages are logged and marked sent; they stay
// readable at /dev/mail.
func runMailer(ctx context.Context, db *store.DB, cfg Config, log *slog.Logger) {
	send := func(m store.SentMail) error {
		log.Info("mail (no SMTP_URL; not sent)", "to", m.To, "subject", m.Subject)
		return nil
	}
	if cfg.SMTPURL != "" {
		u, err := url.Parse(cfg.SMTPURL)
		if err != nil {
			log.Error("SMTP_URL is not a URL; mail waits in the outbox", "err", err)
			return
		}
		send = smtpSender(u)
	}
	for {
		batch, err := db.ClaimMail(ctx, 20)
		if err != nil && ctx.Err() == nil {
			log.Error("claim mail", "err", err)
		}
		for _, m := range batch {
			if err := send(m); err != nil {
				log.Warn("mail not sent; will retry", "to", m.To, "err", err)
				_ = db.RetryMail(ctx, m.ID, err)
				continue
			}
			_ = db.MarkMailSent(ctx, m.ID)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func smtpSender(u *url.URL) func(store.SentMail) error {
	from := u.Query().Get("from")
	if from == "" {
		from = "katalog@" + u.Hostname()
	}
	var auth smtp.Auth
	if u.User != nil {
		pw, _ := u.User.Password()
		auth = smtp.PlainAuth("", u.User.Username(), pw, u.Hostname())
	}
	return func(m store.SentMail) error {
		msg := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s",
			from, m.To, mimeSubject(m.Subject), strings.ReplaceAll(m.Body, "\n", "\r\n"))
		return smtp.SendMail(u.Host, auth, from, []string{m.To}, []byte(msg))
	}
}

// mimeSubject encodes a Polish subject line (RFC 2047).
func mimeSubject(s string) string {
	return mimeQ.Encode("utf-8", s)
}

var mimeQ = mime.QEncoding
