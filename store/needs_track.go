package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"katalogpes/tenants"
)

// RemindPeriod is how often a buyer may remind those who have not answered.
const RemindPeriod = 24 * time.Hour

// NeedOutcomes are the ways a buyer closes a need.
var NeedOutcomes = []string{"awarded", "not_awarded", "cancelled"}

// Match is one line of the buyer's tracking table.
type Match struct {
	ListingID     string     `db:"listing_id" json:"listing_id"`
	Name          string     `db:"name" json:"name"`
	Tenant        string     `db:"tenant_slug" json:"tenant"`
	NotifiedAt    time.Time  `db:"notified_at" json:"notified_at"`
	OpenedAt      *time.Time `db:"opened_at" json:"opened_at"`
	AnsweredAt    *time.Time `db:"answered_at" json:"answered_at"`
	DeclinedAt    *time.Time `db:"declined_at" json:"declined_at"`
	DeclineReason string     `db:"decline_reason" json:"decline_reason,omitempty"`
	Matched       bool       `db:"matched" json:"matched"` // false: it found the need by itself
}

// FindNeedMatches is the tracking table: who was notified, opened,
// answered, declined; for the buyer and staff.
func (db *DB) FindNeedMatches(ctx context.Context, needID string) ([]Match, error) {
	n, err := db.ownOrStaffNeed(ctx, needID)
	if err != nil {
		return nil, err
	}
	list := []Match{}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &list, `
			SELECT m.listing_id, m.listing_name AS name, t.slug AS tenant_slug, m.notified_at, m.opened_at, m.answered_at,
			       m.declined_at, m.decline_reason, m.score >= 0 AS matched
			FROM need_matches m JOIN tenants t ON t.id = m.listing_tenant_id
			WHERE m.need_id = $1 ORDER BY m.score DESC, m.listing_name, m.listing_id`, n.ID)
	})
	if err != nil {
		return nil, fmt.Errorf("matches of %s: %w", needID, err)
	}
	return list, nil
}

// RemindNeed mails the matched entities that neither answered nor
// declined, at most once per RemindPeriod; it returns how many.
func (db *DB) RemindNeed(ctx context.Context, needID string, compose NeedNoticeFunc) (int, error) {
	t, p, err := buyerCtx(ctx)
	if err != nil {
		return 0, err
	}
	sent := 0
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := lockOwnNeed(ctx, tx, t.ID, p.AccountID, needID, NeedPublished); err != nil {
			return err
		}
		var n Need
		if err := tx.GetContext(ctx, &n, needSelect+` WHERE n.id = $1`, needID); err != nil {
			return fmt.Errorf("read need: %w", err)
		}
		if n.RemindedAt != nil && db.now().Sub(*n.RemindedAt) < RemindPeriod {
			return &Error{Code: EConflict, Key: "need.remind_too_soon", Params: map[string]any{"Next": n.RemindedAt.Add(RemindPeriod)}}
		}
		sent, err = tellMatched(ctx, tx, &n, NoticeNeedRemind, "m.answered_at IS NULL AND m.declined_at IS NULL", compose)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE need_matches SET reminded_at = now() WHERE need_id = $1 AND answered_at IS NULL AND declined_at IS NULL`, needID); err != nil {
			return fmt.Errorf("mark reminded: %w", err)
		}
		_, err := tx.ExecContext(ctx, `UPDATE needs SET reminded_at = $2 WHERE id = $1`, needID, db.now())
		return err
	})
	return sent, err
}

// tellMatched sends a notice of kind to each entity n reached whose
// match fits cond (a fixed condition on need_matches m), and says how many.
// Entities of other regions among them are read and told across regions
// (as the matcher does); tx returns to the context's region after.
func tellMatched(ctx context.Context, tx *sqlx.Tx, n *Need, kind, cond string, compose NeedNoticeFunc) (told int, err error) {
	if err := scopeTx(ctx, tx, ""); err != nil {
		return 0, err
	}
	if t, ok := tenants.FromContext(ctx); ok {
		// The rest of tx must not run with every tenant in scope.
		defer func() { err = errors.Join(err, scopeTx(ctx, tx, t.ID)) }()
	}
	var who []needCandidate
	if err := tx.SelectContext(ctx, &who, `
		SELECT l.id, l.tenant_id, tt.slug AS tenant_slug, coalesce(l.name, '') AS name, l.owner_id,
		       coalesce(CASE WHEN a.status = 'active' THEN a.email END, l.data->'contact'->>'email', '') AS email,
		       coalesce(CASE WHEN a.status = 'active' THEN a.lang END, 'pl') AS lang, 0 AS weekly_cap, m.score
		FROM need_matches m JOIN listings l ON l.id = m.listing_id JOIN tenants tt ON tt.id = l.tenant_id
		LEFT JOIN accounts a ON a.id = l.owner_id
		WHERE m.need_id = $1 AND `+cond+` ORDER BY l.id`, n.ID); err != nil {
		return 0, fmt.Errorf("find entities to tell (%s): %w", kind, err)
	}
	sent := 0
	for _, c := range who {
		if c.Email == "" {
			continue
		}
		notice := NeedNotice{Kind: kind, Need: n, ListingID: c.ID, ListingName: c.Name, ListingTenantSlug: c.TenantSlug, To: c.Email, Lang: c.Lang}
		if err := tellEntity(ctx, tx, notice, c.TenantID, c.OwnerID, compose); err != nil {
			return 0, err
		}
		sent++
	}
	return sent, nil
}

// CloseInput is a buyer's outcome.
type CloseInput struct {
	Outcome   string   `json:"outcome"`
	AwardedTo []string `json:"awarded_to"`
	ValuePLN  *float64 `json:"value_pln"`
}

// CloseNeed closes a published need (or one its deadline closed) with an
// outcome: awarded to which listed entities (those that answered) and
// for how much, not awarded, or cancelled.
func (db *DB) CloseNeed(ctx context.Context, needID string, in CloseInput) (*Need, error) {
	t, p, err := buyerCtx(ctx)
	if err != nil {
		return nil, err
	}
	v := &validator{}
	if !oneOf(in.Outcome, NeedOutcomes) {
		v.add("outcome", "need.outcome")
	}
	in.AwardedTo = dedupe(trimAll(in.AwardedTo))
	if in.Outcome == "awarded" {
		if len(in.AwardedTo) == 0 {
			v.add("awarded_to", "need.awarded_to")
		}
		if in.ValuePLN == nil || *in.ValuePLN <= 0 || *in.ValuePLN > 1e11 {
			v.add("value_pln", "need.value_pln")
		}
	} else {
		in.AwardedTo, in.ValuePLN = nil, nil
	}
	for i, id := range in.AwardedTo {
		if !ValidID(id) {
			v.add(fmt.Sprintf("awarded_to[%d]", i), "need.awarded_to")
		}
	}
	if len(v.errs) > 0 {
		return nil, Invalid(v.errs)
	}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		status, err := lockOwnNeed(ctx, tx, t.ID, p.AccountID, needID, NeedPublished, NeedClosed)
		if err != nil {
			return err
		}
		if status == NeedClosed {
			var has bool
			if err := tx.GetContext(ctx, &has, `SELECT outcome IS NOT NULL FROM needs WHERE id = $1`, needID); err != nil {
				return err
			}
			if has {
				return Errorf(EConflict, "need.transition")
			}
		}
		if len(in.AwardedTo) > 0 {
			var k int
			if err := tx.GetContext(ctx, &k, `SELECT count(DISTINCT x) FROM unnest($2::text[]) x
				WHERE EXISTS (SELECT 1 FROM need_answers a WHERE a.need_id = $1 AND a.listing_id::text = x)
				   OR EXISTS (SELECT 1 FROM need_answer_partners pa JOIN need_answers a ON a.id = pa.answer_id
				              WHERE a.need_id = $1 AND pa.listing_id::text = x AND pa.confirmed_at IS NOT NULL)`,
				needID, pq.Array(in.AwardedTo)); err != nil {
				return fmt.Errorf("check awardees: %w", err)
			}
			if k != len(in.AwardedTo) {
				return Invalid([]FieldError{{Field: "awarded_to", Key: "need.awarded_answered"}})
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE needs SET status = 'closed', outcome = $2, awarded_to = coalesce($3::uuid[], '{}'), value_pln = $4,
			closed_at = coalesce(closed_at, now()), updated_at = now() WHERE id = $1`,
			needID, in.Outcome, pq.Array(in.AwardedTo), in.ValuePLN); err != nil {
			return fmt.Errorf("close need %s: %w", needID, err)
		}
		return queueNeedIndex(ctx, tx, t.ID, needID)
	})
	if err != nil {
		return nil, err
	}
	return db.FindNeed(ctx, needID)
}

// CloseDueNeeds closes every published need whose deadline passed
// (all-tenants scope; safe on several nodes) and returns how many.
func (db *DB) CloseDueNeeds(ctx context.Context) (int, error) {
	var n int
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		var due []struct {
			ID       string `db:"id"`
			TenantID string `db:"tenant_id"`
		}
		if err := tx.SelectContext(ctx, &due, `UPDATE needs SET status = 'closed', closed_at = deadline, updated_at = now()
			WHERE id IN (SELECT id FROM needs WHERE status = 'published' AND deadline <= $1 FOR UPDATE SKIP LOCKED)
			RETURNING id, tenant_id`, db.now()); err != nil {
			return fmt.Errorf("close due needs: %w", err)
		}
		for _, d := range due {
			if err := queueNeedIndex(ctx, tx, d.TenantID, d.ID); err != nil {
				return err
			}
		}
		n = len(due)
		return nil
	})
	return n, err
}

// AskOutcomes sends, a week after the deadline of a need still without an
// outcome, one short question to its buyer and to the entities that
// answered; each need once (all-tenants scope, SKIP LOCKED).
func (db *DB) AskOutcomes(ctx context.Context, toBuyer func(NeedDecision) Mail, toEntity NeedNoticeFunc) (int, error) {
	asked := 0
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		var ids []string
		if err := tx.SelectContext(ctx, &ids, `UPDATE needs SET outcome_asked_at = now()
			WHERE id IN (SELECT id FROM needs WHERE status IN ('published', 'closed') AND outcome IS NULL
			             AND outcome_asked_at IS NULL AND deadline <= $1 FOR UPDATE SKIP LOCKED)
			RETURNING id`, db.now().Add(-7*24*time.Hour)); err != nil {
			return fmt.Errorf("find needs to ask about: %w", err)
		}
		for _, id := range ids {
			var n Need
			if err := tx.GetContext(ctx, &n, needSelect+` WHERE n.id = $1`, id); err != nil {
				return fmt.Errorf("read need %s: %w", id, err)
			}
			if err := tellBuyer(ctx, tx, n.TenantID, n.ID, n.BuyerID, "outcome", "", toBuyer); err != nil {
				return err
			}
			if _, err := tellMatched(ctx, tx, &n, NoticeNeedOutcome, "m.answered_at IS NOT NULL", toEntity); err != nil {
				return err
			}
			asked++
		}
		return nil
	})
	return asked, err
}

// Question is one public question on a need and the buyer's answer.
type Question struct {
	ID         string     `db:"id" json:"id"`
	Question   string     `db:"question" json:"question"`
	Answer     string     `db:"answer" json:"answer,omitempty"`
	AskedAt    time.Time  `db:"asked_at" json:"asked_at"`
	AnsweredAt *time.Time `db:"answered_at" json:"answered_at,omitempty"`
}

// FindQuestions lists a readable need's questions, oldest first.
func (db *DB) FindQuestions(ctx context.Context, needID string) ([]Question, error) {
	n, err := db.FindNeed(ctx, needID)
	if err != nil {
		return nil, err
	}
	list := []Question{}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &list, `SELECT id, question, answer, asked_at, answered_at FROM need_questions
			WHERE need_id = $1 ORDER BY asked_at, id`, n.ID)
	})
	return list, err
}

// AskQuestion adds a signed-in person's question to an open need; the
// buyer is told.
func (db *DB) AskQuestion(ctx context.Context, needID, text string, compose func(NeedDecision) Mail) (*Question, error) {
	t, ok := tenants.FromContext(ctx)
	if !ok {
		return nil, ErrNoScope
	}
	p := tenants.PrincipalFrom(ctx)
	if !p.Authenticated() {
		return nil, Errorf(EUnauthorized, "auth.required")
	}
	v := &validator{}
	v.text("question", &text, 2000, true)
	if len(v.errs) > 0 {
		return nil, Invalid(v.errs)
	}
	var q Question
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		n, err := db.openNeed(ctx, tx, t.ID, needID)
		if err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &q, `INSERT INTO need_questions (tenant_id, need_id, asker_id, question) VALUES ($1, $2, $3, $4)
			RETURNING id, question, answer, asked_at, answered_at`, t.ID, n.ID, p.AccountID, text); err != nil {
			return fmt.Errorf("save question: %w", err)
		}
		return tellBuyer(ctx, tx, t.ID, n.ID, n.BuyerID, "question", text, compose)
	})
	if err != nil {
		return nil, err
	}
	return &q, nil
}

// AnswerQuestion is the buyer's public answer; the asker is told.
func (db *DB) AnswerQuestion(ctx context.Context, needID, questionID, text string, compose func(Question, *Need, string) Mail) (*Question, error) {
	t, p, err := buyerCtx(ctx)
	if err != nil {
		return nil, err
	}
	v := &validator{}
	v.text("answer", &text, 5000, true)
	if len(v.errs) > 0 {
		return nil, Invalid(v.errs)
	}
	if !ValidID(questionID) {
		return nil, ErrNotFound
	}
	var q Question
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := lockOwnNeed(ctx, tx, t.ID, p.AccountID, needID, NeedPublished, NeedClosed); err != nil {
			return err
		}
		var asker struct {
			Email sql.NullString `db:"email"`
			Lang  sql.NullString `db:"lang"`
		}
		if err := tx.GetContext(ctx, &q, `UPDATE need_questions SET answer = $3, answered_at = now() WHERE need_id = $1 AND id = $2
			RETURNING id, question, answer, asked_at, answered_at`, needID, questionID, text); err != nil {
			return notFound(err, "find question "+questionID)
		}
		if err := tx.GetContext(ctx, &asker, `SELECT a.email, a.lang FROM need_questions q LEFT JOIN accounts a ON a.id = q.asker_id WHERE q.id = $1`, questionID); err != nil {
			return fmt.Errorf("read asker: %w", err)
		}
		if !asker.Email.Valid || compose == nil {
			return nil
		}
		var n Need
		if err := tx.GetContext(ctx, &n, needSelect+` WHERE n.id = $1`, needID); err != nil {
			return fmt.Errorf("read need: %w", err)
		}
		m := compose(q, &n, asker.Lang.String)
		m.To = asker.Email.String
		return enqueueMail(ctx, tx, sql.NullString{String: t.ID, Valid: true}, m)
	})
	if err != nil {
		return nil, err
	}
	return &q, nil
}
