package store

import (
	"context"
	"encoding/json"
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
			if err := addEvent(ctx, tx, t.ID, id, p, "submit", row.Status, StatusPending, "", nil); err != nil {
				return err
			}
			return db.alertStaff(ctx, tx, t.ID, WaitingItem{Kind: WaitingSubmission, ListingID: id, ListingName: cur.Name})
		case row.Status == StatusPublished && cur.Revision != nil && cur.Revision.Status != "pending":
			if _, err := tx.ExecContext(ctx, `
				UPDATE listings SET revision_status = 'pending', revision_reason = '', revision_submitted_at = now()
				WHERE id = $1`, id); err != nil {
				return fmt.Errorf("submit revision: %w", err)
			}
			if err := addEvent(ctx, tx, t.ID, id, p, "submit_revision", row.Status, row.Status, "", cur.Revision.Fields); err != nil {
				return err
			}
			return db.alertStaff(ctx, tx, t.ID, WaitingItem{Kind: WaitingRevision, ListingID: id, ListingName: cur.Revision.Data.Name})
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

// Moderate applies a moderator's decision without telling the owner: for
// the demo seed and tests. The site decides with ModerateAndTell.
func (db *DB) Moderate(ctx context.Context, id, action, reason string) (*Listing, error) {
	return db.ModerateAndTell(ctx, id, action, reason, nil)
}

// ModerateAndTell applies a moderator's decision. Approve, reject and
// request changes act on a pending listing or on a published listing's
// pending revision; suspend takes a published listing out of view,
// reinstate puts it back. Reject, request changes and suspend need a
// reason. What changes the public face is queued for the search index, and
// the owner's mail and notification (written by tell) are queued, in the
// same transaction.
func (db *DB) ModerateAndTell(ctx context.Context, id, action, reason string, tell DecisionNotice) (*Listing, error) {
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
		kind, err := decide(ctx, tx, t, p, row, cur, action, reason)
		if err != nil {
			return err
		}
		return tellOwner(ctx, tx, t, row, Decision{Kind: kind, ListingName: cur.Name, Reason: reason}, tell)
	})
}

// decide makes the change a decision means and says which decision it
// was, as its owner is told (a Notice… kind).
func decide(ctx context.Context, tx *sqlx.Tx, t *tenants.Tenant, p tenants.Principal, row *listingRow, cur *Listing, action, reason string) (string, error) {
	id := row.ID
	revisionPending := cur.Revision != nil && cur.Revision.Status == "pending"
	exec := func(q string, args ...any) error {
		_, err := tx.ExecContext(ctx, q, append([]any{id}, args...)...)
		if err != nil {
			return fmt.Errorf("%s listing %s: %w", action, id, err)
		}
		return nil
	}
	// event writes the audit line and, where the public face changed,
	// queues the search index.
	event := func(name, to string, fields []string, index bool, kind string) (string, error) {
		if err := addEvent(ctx, tx, t.ID, id, p, name, row.Status, to, reason, fields); err != nil {
			return "", err
		}
		if err := listingWebhook(ctx, tx, id, row.Status, to); err != nil { // issue 16: webhooks
			return "", err
		}
		if index {
			return kind, enqueueIndex(ctx, tx, t.ID, id)
		}
		return kind, nil
	}
	switch {
	case action == ActionApprove && row.Status == StatusPending:
		if err := exec(`UPDATE listings SET status = 'published', status_reason = '', published_at = coalesce(published_at, now()),
			verified_at = now(), verified_by = $2, confirmed_at = now(), updated_at = now(), review_snapshot = NULL WHERE id = $1`, p.AccountID); err != nil {
			return "", err
		}
		return event(action, StatusPublished, nil, true, NoticeApproved)
	case action == ActionApprove && row.Status == StatusPublished && revisionPending:
		if err := checkDuplicates(ctx, tx, &cur.Revision.Data, t.ID, id); err != nil {
			return "", err
		}
		if err := exec(`UPDATE listings SET data = revision, revision = NULL, revision_status = NULL, revision_reason = '',
			verified_at = now(), verified_by = $2, confirmed_at = now(), updated_at = now(), review_snapshot = NULL WHERE id = $1`, p.AccountID); err != nil {
			return "", err
		}
		return event("approve_revision", row.Status, cur.Revision.Fields, true, NoticeRevisionAccepted)
	case action == ActionReject && row.Status == StatusPending:
		if err := exec(`UPDATE listings SET status = 'rejected', status_reason = $2, updated_at = now(), review_snapshot = NULL WHERE id = $1`, reason); err != nil {
			return "", err
		}
		return event(action, StatusRejected, nil, false, NoticeRejected)
	case action == ActionRequestChanges && row.Status == StatusPending:
		// The data as it was asked about: the resubmission's diff starts here.
		if err := exec(`UPDATE listings SET status = 'changes_requested', status_reason = $2, updated_at = now(), review_snapshot = data WHERE id = $1`, reason); err != nil {
			return "", err
		}
		return event(action, StatusChangesRequested, nil, false, NoticeChangesRequested)
	case action == ActionReject && revisionPending:
		if err := exec(`UPDATE listings SET revision = NULL, revision_status = NULL, revision_reason = $2, review_snapshot = NULL WHERE id = $1`, reason); err != nil {
			return "", err
		}
		return event("reject_revision", row.Status, cur.Revision.Fields, false, NoticeRevisionRejected)
	case action == ActionRequestChanges && revisionPending:
		if err := exec(`UPDATE listings SET revision_status = 'changes_requested', revision_reason = $2, review_snapshot = revision WHERE id = $1`, reason); err != nil {
			return "", err
		}
		return event("request_changes_revision", row.Status, cur.Revision.Fields, false, NoticeChangesRequested)
	case action == ActionSuspend && row.Status == StatusPublished,
		action == ActionReinstate && row.Status == StatusSuspended:
		to, kind := StatusSuspended, NoticeSuspended
		if action == ActionReinstate {
			to, kind = StatusPublished, NoticeReinstated
		}
		if err := exec(`UPDATE listings SET status = $2, status_reason = $3, updated_at = now() WHERE id = $1`, to, reason); err != nil {
			return "", err
		}
		return event(action, to, nil, true, kind)
	}
	return "", errIllegal(action, row.Status)
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
		if err := listingWebhook(ctx, tx, id, row.Status, StatusArchived); err != nil { // issue 16: webhooks
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
	// SinceChangesRequested: Changes are against the version the
	// moderators asked changes of, not the published one.
	SinceChangesRequested bool `json:"since_changes_requested,omitempty"`
}

// FindModerationQueue lists pending listings and revisions, oldest first, each
// with what changed against the published version.
func (db *DB) FindModerationQueue(ctx context.Context) ([]QueueItem, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	var rows []listingRow
	var snaps []struct {
		ID   string `db:"id"`
		Data []byte `db:"review_snapshot"`
	}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		err := tx.SelectContext(ctx, &rows, listingSelect+`
			WHERE l.tenant_id = $1 AND (l.status = 'pending' OR l.revision_status = 'pending')
			ORDER BY CASE WHEN l.status = 'pending' THEN l.submitted_at ELSE l.revision_submitted_at END, l.id`, tid)
		if err != nil {
			return err
		}
		return tx.SelectContext(ctx, &snaps, `
			SELECT id, review_snapshot FROM listings
			WHERE tenant_id = $1 AND (status = 'pending' OR revision_status = 'pending') AND review_snapshot IS NOT NULL`, tid)
	})
	if err != nil {
		return nil, fmt.Errorf("moderation queue: %w", err)
	}
	asked := make(map[string]ListingData, len(snaps))
	for _, s := range snaps {
		var d ListingData
		if err := json.Unmarshal(s.Data, &d); err != nil {
			return nil, fmt.Errorf("decode review snapshot of %s: %w", s.ID, err)
		}
		asked[s.ID] = d
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
		if before, ok := asked[l.ID]; ok {
			it.Changes, it.SinceChangesRequested = DiffListings(before, editableData(l)), true
		}
		wait := now.Sub(it.SubmittedAt).Round(time.Minute)
		it.WaitingSecs = int64(now.Sub(it.SubmittedAt).Seconds())
		it.WaitingFor = wait.String()
		items = append(items, it)
	}
	return items, nil
}

// editableData is the version under review: the pending revision, if
// any, else the listing.
func editableData(l *Listing) ListingData {
	if l.Revision != nil {
		return l.Revision.Data
	}
	return l.ListingData
}
