package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"katalogpes/tenants"
)

// SubmitListing sends a listing (or its revision) to the moderators.
func (db *DB) SubmitListing(ctx context.Context, id string) (*Listing, error) {
	return db.changeListing(ctx, id, false, func(tx *sqlx.Tx, t *tenants.Tenant, p tenants.Principal, row *listingRow, cur *Listing) error {
		switch {
		case row.Status == StatusDraft || row.Status == StatusChangesRequested || row.Status == StatusRejected:
			if errs := cur.ListingData.checkSubmittable(); len(errs) > 0 {
				return Invalid(errs)
			}
			if _, err := tx.ExecContext(ctx, `
				UPDATE listings SET status = 'pending', status_reason = '', submitted_at = now(), updated_at = now()
				WHERE id = $1`, id); err != nil {
				return fmt.Errorf("submit listing: %w", err)
			}
			return addEvent(ctx, tx, t.ID, id, p, "submit", row.Status, StatusPending, "", nil)
		case row.Status == StatusPublished && cur.Revision != nil && cur.Revision.Status != "pending":
			if _, err := tx.ExecContext(ctx, `
				UPDATE listings SET revision_status = 'pending', revision_reason = '', revision_submitted_at = now()
				WHERE id = $1`, id); err != nil {
				return fmt.Errorf("submit revision: %w", err)
			}
			return addEvent(ctx, tx, t.ID, id, p, "submit_revision", row.Status, row.Status, "", cur.Revision.Fields)
		}
		return errIllegal("submit", row.Status)
	})
}

// Moderation actions.
const (
	ActionApprove        = "approve"
	ActionReject         = "reject"
	ActionRequestChanges = "request_changes"
	ActionSuspend        = "suspend"
	ActionReinstate      = "reinstate"
)

// Moderate applies a moderator's decision. Approve, reject and request
// changes act on a pending listing or on a published listing's pending
// revision; suspend takes a published listing out of view, reinstate puts
// it back. Reject, request changes and suspend need a reason. What changes
// the public face is queued for the search index in the same transaction.
func (db *DB) Moderate(ctx context.Context, id, action, reason string) (*Listing, error) {
	if !tenants.PrincipalFrom(ctx).Role.IsStaff() {
		return nil, Errorf(EForbidden, "forbidden")
	}
	reason = strings.TrimSpace(reason)
	if action != ActionApprove && action != ActionReinstate && reason == "" {
		return nil, Invalid([]FieldError{{Field: "reason", Key: "required"}})
	}
	if utf8.RuneCountInString(reason) > 2000 {
		return nil, Invalid([]FieldError{{Field: "reason", Key: "too_long", Params: map[string]any{"Max": 2000}}})
	}
	return db.changeListing(ctx, id, true, func(tx *sqlx.Tx, t *tenants.Tenant, p tenants.Principal, row *listingRow, cur *Listing) error {
		revisionPending := cur.Revision != nil && cur.Revision.Status == "pending"
		exec := func(q string, args ...any) error {
			_, err := tx.ExecContext(ctx, q, append([]any{id}, args...)...)
			if err != nil {
				return fmt.Errorf("%s listing %s: %w", action, id, err)
			}
			return nil
		}
		switch {
		case action == ActionApprove && row.Status == StatusPending:
			if err := exec(`UPDATE listings SET status = 'published', status_reason = '', published_at = coalesce(published_at, now()),
				verified_at = now(), verified_by = $2, confirmed_at = now(), updated_at = now() WHERE id = $1`, p.AccountID); err != nil {
				return err
			}
			if err := addEvent(ctx, tx, t.ID, id, p, action, row.Status, StatusPublished, reason, nil); err != nil {
				return err
			}
			return enqueueIndex(ctx, tx, t.ID, id)
		case action == ActionApprove && row.Status == StatusPublished && revisionPending:
			if err := checkDuplicates(ctx, tx, &cur.Revision.Data, t.ID, id); err != nil {
				return err
			}
			if err := exec(`UPDATE listings SET data = revision, revision = NULL, revision_status = NULL, revision_reason = '',
				verified_at = now(), verified_by = $2, confirmed_at = now(), updated_at = now() WHERE id = $1`, p.AccountID); err != nil {
				return err
			}
			if err := addEvent(ctx, tx, t.ID, id, p, "approve_revision", row.Status, row.Status, reason, cur.Revision.Fields); err != nil {
				return err
			}
			return enqueueIndex(ctx, tx, t.ID, id)
		case action == ActionReject && row.Status == StatusPending,
			action == ActionRequestChanges && row.Status == StatusPending:
			to := map[string]string{ActionReject: StatusRejected, ActionRequestChanges: StatusChangesRequested}[action]
			if err := exec(`UPDATE listings SET status = $2, status_reason = $3, updated_at = now() WHERE id = $1`, to, reason); err != nil {
				return err
			}
			return addEvent(ctx, tx, t.ID, id, p, action, row.Status, to, reason, nil)
		case action == ActionReject && revisionPending:
			if err := exec(`UPDATE listings SET revision = NULL, revision_status = NULL, revision_reason = $2 WHERE id = $1`, reason); err != nil {
				return err
			}
			return addEvent(ctx, tx, t.ID, id, p, "reject_revision", row.Status, row.Status, reason, cur.Revision.Fields)
		case action == ActionRequestChanges && revisionPending:
			if err := exec(`UPDATE listings SET revision_status = 'changes_requested', revision_reason = $2 WHERE id = $1`, reason); err != nil {
				return err
			}
			return addEvent(ctx, tx, t.ID, id, p, "request_changes_revision", row.Status, row.Status, reason, cur.Revision.Fields)
		case action == ActionSuspend && row.Status == StatusPublished,
			action == ActionReinstate && row.Status == StatusSuspended:
			to := map[string]string{ActionSuspend: StatusSuspended, ActionReinstate: StatusPublished}[action]
			if err := exec(`UPDATE listings SET status = $2, status_reason = $3, updated_at = now() WHERE id = $1`, to, reason); err != nil {
				return err
			}
			if err := addEvent(ctx, tx, t.ID, id, p, action, row.Status, to, reason, nil); err != nil {
				return err
			}
			return enqueueIndex(ctx, tx, t.ID, id)
		}
		return errIllegal(action, row.Status)
	})
}

// ArchiveListing takes a listing out for good: its owner or an admin.
func (db *DB) ArchiveListing(ctx context.Context, id string) error {
	t, ok := tenants.FromContext(ctx)
	if !ok {
		return ErrNoScope
	}
	p := tenants.PrincipalFrom(ctx)
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		row, err := lockListing(ctx, tx, t.ID, id, false)
		if err != nil {
			return err
		}
		if p.Role == tenants.RoleModerator {
			return Errorf(EForbidden, "forbidden")
		}
		if row.Status == StatusArchived {
			return errIllegal("archive", row.Status)
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE listings SET status = 'archived', revision = NULL, revision_status = NULL, updated_at = now()
			WHERE id = $1`, id); err != nil {
			return fmt.Errorf("archive listing: %w", err)
		}
		if err := addEvent(ctx, tx, t.ID, id, p, "archive", row.Status, StatusArchived, "", nil); err != nil {
			return err
		}
		return enqueueIndex(ctx, tx, t.ID, id)
	})
}

// QueueItem is one thing waiting for a moderator.
type QueueItem struct {
	Listing     *Listing      `json:"listing"`
	Kind        string        `json:"kind"` // new | revision
	SubmittedAt time.Time     `json:"submitted_at"`
	WaitingFor  string        `json:"waiting_for"`
	WaitingSecs int64         `json:"waiting_seconds"`
	Changes     []FieldChange `json:"changes"`
}

// FindModerationQueue lists pending listings and revisions, oldest first, each
// with what changed against the published version.
func (db *DB) FindModerationQueue(ctx context.Context) ([]QueueItem, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	var rows []listingRow
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &rows, listingSelect+`
			WHERE l.tenant_id = $1 AND (l.status = 'pending' OR l.revision_status = 'pending')
			ORDER BY CASE WHEN l.status = 'pending' THEN l.submitted_at ELSE l.revision_submitted_at END, l.id`, tid)
	})
	if err != nil {
		return nil, fmt.Errorf("moderation queue: %w", err)
	}
	now := db.now()
	items := make([]QueueItem, 0, len(rows))
	for i := range rows {
		l, err := rows[i].listing(now, true)
		if err != nil {
			return nil, err
		}
		it := QueueItem{Listing: l, Kind: "new"}
		if l.Status == StatusPublished && l.Revision != nil {
			it.Kind = "revision"
			if l.Revision.SubmittedAt != nil {
				it.SubmittedAt = *l.Revision.SubmittedAt
			}
			it.Changes = DiffListings(l.ListingData, l.Revision.Data)
		} else {
			if l.SubmittedAt != nil {
				it.SubmittedAt = *l.SubmittedAt
			}
			it.Changes = DiffListings(ListingData{}, l.ListingData)
		}
		wait := now.Sub(it.SubmittedAt).Round(time.Minute)
		it.WaitingSecs = int64(now.Sub(it.SubmittedAt).Seconds())
		it.WaitingFor = wait.String()
		items = append(items, it)
	}
	return items, nil
}
