package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"katalogpes/tenants"
)

// A need's review: submitting, publishing (which queues its matching and
// indexing), a moderator's decision, withdrawing.

// NeedDecision is what a buyer is told of a moderator's decision.
type NeedDecision struct {
	// Kind is "approved", "rejected", or what else the buyer hears of:
	// "answer", "question", "outcome".
	Kind   string
	Need   *Need
	Buyer  Buyer
	Reason string
}

// SubmitNeed sends a draft for review, or publishes it at once where the
// region skips review for confirmed buyers. An unconfirmed buyer cannot.
func (db *DB) SubmitNeed(ctx context.Context, id string) (*Need, error) {
	t, p, err := buyerCtx(ctx)
	if err != nil {
		return nil, err
	}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := lockOwnNeed(ctx, tx, t.ID, p.AccountID, id, NeedDraft, NeedRejected); err != nil {
			return err
		}
		var confirmed, skip bool
		if err := tx.GetContext(ctx, &confirmed, `SELECT confirmed_at IS NOT NULL FROM buyer_institutions WHERE account_id = $1`, p.AccountID); err != nil {
			return notFound(err, "read institution")
		}
		if !confirmed {
			return Errorf(EForbidden, "need.unconfirmed")
		}
		var deadline time.Time
		if err := tx.GetContext(ctx, &deadline, `SELECT deadline FROM needs WHERE id = $1`, id); err != nil {
			return fmt.Errorf("read deadline: %w", err)
		}
		if !deadline.After(db.now()) {
			return Invalid([]FieldError{{Field: "deadline", Key: "need.deadline_past"}})
		}
		if err := tx.GetContext(ctx, &skip, `SELECT skip_review FROM need_settings WHERE tenant_id = $1`, t.ID); err != nil {
			return fmt.Errorf("read need settings: %w", err)
		}
		if skip {
			return publishNeed(ctx, tx, t.ID, id)
		}
		_, err := tx.ExecContext(ctx, `UPDATE needs SET status = 'pending', submitted_at = now(), status_reason = '', updated_at = now() WHERE id = $1`, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.FindNeed(ctx, id)
}

// publishNeed makes a need public and queues its matching, indexing and
// the region's need.published webhooks, all in tx: subscribers hear of
// it if and only if it is published.
func publishNeed(ctx context.Context, tx *sqlx.Tx, tenantID, id string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE needs SET status = 'published', published_at = now(), status_reason = '', updated_at = now() WHERE id = $1`, id); err != nil {
		return fmt.Errorf("publish need %s: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO need_match_queue (need_id, tenant_id) VALUES ($1, $2)
		ON CONFLICT (need_id) DO UPDATE SET available_at = now(), done_at = NULL`, id, tenantID); err != nil {
		return fmt.Errorf("queue matching of %s: %w", id, err)
	}
	if err := EnqueueWebhookEvent(ctx, tx, EventNeedPublished, map[string]string{"need_id": id}); err != nil {
		return fmt.Errorf("publish need %s: %w", id, err)
	}
	return queueNeedIndex(ctx, tx, tenantID, id)
}

// queueNeedIndex asks the needs worker to bring the need's document in
// the search index up to date (or remove it).
func queueNeedIndex(ctx context.Context, tx *sqlx.Tx, tenantID, id string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO need_index_outbox (tenant_id, need_id) VALUES ($1, $2)`, tenantID, id); err != nil {
		return fmt.Errorf("queue indexing of need %s: %w", id, err)
	}
	return nil
}

// ModerateNeed approves (publishes) or rejects (with a reason) a pending
// need; its buyer is told by mail (compose) in its language.
func (db *DB) ModerateNeed(ctx context.Context, id string, approve bool, reason string, compose func(NeedDecision) Mail) (*Need, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !tenants.PrincipalFrom(ctx).Can(tenants.PermNeedsModerate) {
		return nil, Errorf(EForbidden, "forbidden")
	}
	if !ValidID(id) {
		return nil, ErrNotFound
	}
	v := &validator{}
	v.text("reason", &reason, 2000, !approve)
	if len(v.errs) > 0 {
		return nil, Invalid(v.errs)
	}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		var status, buyer string
		err := tx.QueryRowxContext(ctx, `SELECT status, buyer_id FROM needs WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, tid, id).Scan(&status, &buyer)
		if err != nil {
			return notFound(err, "find need "+id)
		}
		if status != NeedPending {
			return Errorf(EConflict, "need.transition")
		}
		if approve {
			err = publishNeed(ctx, tx, tid, id)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE needs SET status = 'rejected', status_reason = $2, updated_at = now() WHERE id = $1`, id, reason)
		}
		if err != nil {
			return err
		}
		kind := "rejected"
		if approve {
			kind = "approved"
		}
		return tellBuyer(ctx, tx, tid, id, buyer, kind, reason, compose)
	})
	if err != nil {
		return nil, err
	}
	return db.FindNeed(ctx, id)
}

// tellBuyer queues the buyer's mail about its need, written by compose.
func tellBuyer(ctx context.Context, tx *sqlx.Tx, tenantID, needID, buyerID, kind, reason string, compose func(NeedDecision) Mail) error {
	if compose == nil {
		return nil
	}
	var n Need
	if err := tx.GetContext(ctx, &n, needSelect+` WHERE n.id = $1`, needID); err != nil {
		return fmt.Errorf("read need %s: %w", needID, err)
	}
	var b Buyer
	if err := tx.GetContext(ctx, &b, buyerSelect+` WHERE b.account_id = $1`, buyerID); err != nil {
		return fmt.Errorf("read buyer %s: %w", buyerID, err)
	}
	m := compose(NeedDecision{Kind: kind, Need: &n, Buyer: b, Reason: reason})
	m.To = b.Email
	return enqueueMail(ctx, tx, sql.NullString{String: tenantID, Valid: true}, m)
}

// WithdrawNeed takes a need back: it leaves the search, answers stop.
func (db *DB) WithdrawNeed(ctx context.Context, id string) (*Need, error) {
	t, p, err := buyerCtx(ctx)
	if err != nil {
		return nil, err
	}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := lockOwnNeed(ctx, tx, t.ID, p.AccountID, id, NeedDraft, NeedPending, NeedPublished, NeedRejected); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE needs SET status = 'withdrawn', updated_at = now() WHERE id = $1`, id); err != nil {
			return fmt.Errorf("withdraw need %s: %w", id, err)
		}
		return queueNeedIndex(ctx, tx, t.ID, id)
	})
	if err != nil {
		return nil, err
	}
	return db.FindNeed(ctx, id)
}

// FindPendingNeeds lists needs waiting for a moderator, oldest first.
func (db *DB) FindPendingNeeds(ctx context.Context) ([]Need, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !tenants.PrincipalFrom(ctx).Can(tenants.PermNeedsModerate) {
		return nil, Errorf(EForbidden, "forbidden")
	}
	list := []Need{}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &list, needSelect+` WHERE n.tenant_id = $1 AND n.status = 'pending' ORDER BY n.submitted_at, n.id`, tid)
	})
	if err != nil {
		return nil, fmt.Errorf("pending needs: %w", err)
	}
	return list, nil
}
