package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// SentMail is a message of the outbox, as the development mailbox shows it.
type SentMail struct {
	ID      int64      `db:"id" json:"-"`
	To      string     `db:"to_email" json:"to"`
	Subject string     `db:"subject" json:"subject"`
	Body    string     `db:"body" json:"body"`
	SentAt  *time.Time `db:"sent_at" json:"sent_at"`
	Created time.Time  `db:"created_at" json:"created_at"`
}

// FindMailTo lists the newest messages to an address (all tenants' scope).
func (db *DB) FindMailTo(ctx context.Context, to string, limit int) ([]SentMail, error) {
	var list []SentMail
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &list, `
			SELECT id, to_email, subject, body, sent_at, created_at FROM mail_outbox
			WHERE lower(to_email) = lower($1) ORDER BY id DESC LIMIT $2`, to, limit)
	})
	if err != nil {
		return nil, fmt.Errorf("read mailbox: %w", err)
	}
	return list, nil
}

// ClaimMail leases up to limit unsent messages for a sender, across
// tenants; a crashed sender's lease runs out and another picks them up.
func (db *DB) ClaimMail(ctx context.Context, limit int) ([]SentMail, error) {
	var list []SentMail
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &list, `
			UPDATE mail_outbox SET available_at = now() + interval '2 minutes', attempts = attempts + 1
			WHERE id IN (SELECT id FROM mail_outbox WHERE sent_at IS NULL AND available_at <= now()
			             ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
			RETURNING id, to_email, subject, body, sent_at, created_at`, limit)
	})
	if err != nil {
		return nil, fmt.Errorf("claim mail: %w", err)
	}
	return list, nil
}

// MarkMailSent records a message as delivered to the SMTP server.
func (db *DB) MarkMailSent(ctx context.Context, id int64) error {
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE mail_outbox SET sent_at = now(), last_error = '' WHERE id = $1`, id)
		return err
	})
}

// RetryMail puts a message back with a growing delay.
func (db *DB) RetryMail(ctx context.Context, id int64, cause error) error {
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `
			UPDATE mail_outbox SET last_error = $2,
			       available_at = now() + least(interval '1 hour', interval '10 seconds' * power(2, attempts))
			WHERE id = $1`, id, cause.Error())
		return err
	})
}
