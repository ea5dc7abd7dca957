package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"time"

	"github.com/wneessen/go-mail"

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
		send, err = smtpSender(u, smtpTimeout)
		if err != nil {
			log.Error("SMTP_URL cannot be used; mail waits in the outbox", "err", err)
			return
		}
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

// smtpTimeout bounds each connection, command and message, so a stuck mail
// server holds up neither the worker nor shutdown.
const smtpTimeout = 20 * time.Second

// deadlineDialer bounds the whole SMTP conversation, greeting included: the
// library's timeout alone does not cover a server that accepts and stays
// silent.
func deadlineDialer(timeout time.Duration) mail.DialContextFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{Timeout: timeout}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
			conn.Close()
			return nil, err
		}
		return conn, nil
	}
}

// smtpSender sends through SMTP_URL: smtp://[user:pass@]host[:port][?from=…]
// (STARTTLS when the server offers it) or smtps:// (TLS from the start).
func smtpSender(u *url.URL, timeout time.Duration) (func(store.SentMail) error, error) {
	from := u.Query().Get("from")
	if from == "" {
		from = "katalog@" + u.Hostname()
	}
	opts := []mail.Option{
		mail.WithTimeout(timeout), mail.WithTLSPolicy(mail.TLSOpportunistic),
		mail.WithDialContextFunc(deadlineDialer(timeout)),
	}
	port := 25
	if u.Scheme == "smtps" {
		opts = append(opts, mail.WithSSL())
		port = 465
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("SMTP_URL port %q: %w", p, err)
		}
		port = n
	}
	opts = append(opts, mail.WithPort(port))
	if u.User != nil {
		pw, _ := u.User.Password()
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(u.User.Username()), mail.WithPassword(pw))
	}
	client, err := mail.NewClient(u.Hostname(), opts...)
	if err != nil {
		return nil, fmt.Errorf("SMTP client for %s: %w", u.Host, err)
	}
	return func(m store.SentMail) error {
		msg := mail.NewMsg(mail.WithCharset(mail.CharsetUTF8), mail.WithEncoding(mail.EncodingQP))
		if err := msg.From(from); err != nil {
			return fmt.Errorf("mail from %q: %w", from, err)
		}
		if err := msg.To(m.To); err != nil {
			return fmt.Errorf("mail to %q: %w", m.To, err)
		}
		msg.Subject(m.Subject)
		msg.SetDate()
		msg.SetMessageID()
		msg.SetBodyString(mail.TypeTextPlain, m.Body)
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		if err := client.DialAndSendWithContext(ctx, msg); err != nil {
			return fmt.Errorf("send mail %d: %w", m.ID, err)
		}
		return nil
	}, nil
}
