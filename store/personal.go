package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"katalogpes/tenants"
)

// ErasedName replaces the name of an erased account, in the account and in
// the audit log; erasedText replaces its e-mail and name inside texts.
const (
	ErasedName = "Usunięte konto"
	erasedText = "[usunięto]"
)

// FindPersonalData is everything held about one account (GDPR art. 15 and 20).
type PersonalData struct {
	GeneratedAt time.Time         `json:"generated_at"`
	Account     PersonalAccount   `json:"account"`
	Listings    []*Listing        `json:"listings"`
	Events      []PersonalEvent   `json:"events"`
	Mail        []SentMail        `json:"mail"`
	Sessions    []PersonalSession `json:"sessions"`
	Tokens      []PersonalToken   `json:"tokens"`
	Claims      []PersonalClaim   `json:"claims"`
}

// PersonalClaim is one claim of a listing the account made.
type PersonalClaim struct {
	ListingID string    `db:"listing_id" json:"listing_id"`
	Method    string    `db:"method" json:"method"`
	Status    string    `db:"status" json:"status"`
	Note      string    `db:"note" json:"note"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
}

// PersonalAccount is the account's own row, without its password hash.
type PersonalAccount struct {
	ID         string     `db:"id" json:"id"`
	Email      string     `db:"email" json:"email"`
	Name       string     `db:"name" json:"name"`
	Role       string     `db:"role" json:"role"`
	Status     string     `db:"status" json:"status"`
	Tenant     *string    `db:"tenant" json:"tenant"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
	VerifiedAt *time.Time `db:"verified_at" json:"verified_at"`
}

// PersonalEvent is a line of the audit log the account wrote.
type PersonalEvent struct {
	ListingID string `db:"listing_id" json:"listing_id"`
	Event
}

// PersonalSession is one refresh token of the account (never the token).
type PersonalSession struct {
	CreatedAt time.Time  `db:"created_at" json:"created_at"`
	ExpiresAt time.Time  `db:"expires_at" json:"expires_at"`
	UsedAt    *time.Time `db:"used_at" json:"used_at"`
	RevokedAt *time.Time `db:"revoked_at" json:"revoked_at"`
}

// PersonalToken is one single-use mail token of the account (never the
// token).
type PersonalToken struct {
	Purpose   string     `db:"purpose" json:"purpose"`
	ExpiresAt time.Time  `db:"expires_at" json:"expires_at"`
	UsedAt    *time.Time `db:"used_at" json:"used_at"`
}

// FindPersonalData gathers everything held about the signed-in account: its
// row, its listings (with pending revisions), the audit-log lines it wrote,
// the mail sent to it, its sessions and tokens.
func (db *DB) FindPersonalData(ctx context.Context) (*PersonalData, error) {
	p := tenants.PrincipalFrom(ctx)
	if !p.Authenticated() {
		return nil, Errorf(EUnauthorized, "auth.required")
	}
	d := &PersonalData{GeneratedAt: db.now().UTC()}
	var rows []listingRow
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &d.Account, `
			SELECT a.id, a.email, a.name, a.role, a.status, t.slug AS tenant, a.created_at, a.verified_at
			FROM accounts a LEFT JOIN tenants t ON t.id = a.tenant_id WHERE a.id = $1`, p.AccountID)
		if err != nil {
			return notFound(err, "personal data: account")
		}
		if err := tx.SelectContext(ctx, &rows, listingSelect+` WHERE l.owner_id = $1 ORDER BY l.created_at, l.id`, p.AccountID); err != nil {
			return fmt.Errorf("personal data: listings: %w", err)
		}
		if err := tx.SelectContext(ctx, &d.Events, `
			SELECT listing_id, at, actor_name, actor_role, action, from_status, to_status, reason, fields
			FROM listing_events WHERE actor_id = $1 ORDER BY id`, p.AccountID); err != nil {
			return fmt.Errorf("personal data: events: %w", err)
		}
		if err := tx.SelectContext(ctx, &d.Mail, `
			SELECT id, to_email, subject, body, sent_at, created_at FROM mail_outbox
			WHERE lower(to_email) = lower($1) ORDER BY id`, d.Account.Email); err != nil {
			return fmt.Errorf("personal data: mail: %w", err)
		}
		if err := tx.SelectContext(ctx, &d.Sessions, `
			SELECT created_at, expires_at, used_at, revoked_at FROM refresh_tokens
			WHERE account_id = $1 ORDER BY created_at`, p.AccountID); err != nil {
			return fmt.Errorf("personal data: sessions: %w", err)
		}
		if err := tx.SelectContext(ctx, &d.Tokens, `
			SELECT purpose, expires_at, used_at FROM account_tokens WHERE account_id = $1 ORDER BY expires_at`, p.AccountID); err != nil {
			return fmt.Errorf("personal data: tokens: %w", err)
		}
		if err := tx.SelectContext(ctx, &d.Claims, `
			SELECT listing_id, method, status, note, created_at FROM listing_claims WHERE claimant_id = $1 ORDER BY created_at`, p.AccountID); err != nil {
			return fmt.Errorf("personal data: claims: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if d.Listings, err = db.toListings(rows, true); err != nil {
		return nil, err
	}
	if d.Events == nil {
		d.Events = []PersonalEvent{}
	}
	if d.Mail == nil {
		d.Mail = []SentMail{}
	}
	if d.Sessions == nil {
		d.Sessions = []PersonalSession{}
	}
	if d.Tokens == nil {
		d.Tokens = []PersonalToken{}
	}
	if d.Claims == nil {
		d.Claims = []PersonalClaim{}
	}
	return d, nil
}

// EraseAccount erases the signed-in account (GDPR art. 17), all or
// nothing: its e-mail becomes deleted-<id>@invalid, its name ErasedName,
// its password unusable and its status deleted; its listings are archived
// (and queued for removal from search) with its e-mail and name cut from
// their texts; its sessions, mail tokens and claims are deleted, and so is
// the mail sent to it. The audit log is kept, under the pseudonym. Erasing an
// erased account does nothing.
func (db *DB) EraseAccount(ctx context.Context) error {
	p := tenants.PrincipalFrom(ctx)
	if !p.Authenticated() {
		return Errorf(EUnauthorized, "auth.required")
	}
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		var a Account
		err := tx.GetContext(ctx, &a, `
			SELECT id, tenant_id, email, name, role, status, password_hash, created_at, verified_at
			FROM accounts WHERE id = $1 FOR UPDATE`, p.AccountID)
		if err != nil {
			return notFound(err, "erase account")
		}
		if a.Status == AccountDeleted {
			return nil
		}
		scrub := newScrubber(a.Email, a.Name)
		actor := tenants.Principal{AccountID: a.ID, Name: ErasedName, Role: a.Role}
		owned, err := eraseListings(ctx, tx, a.ID, actor, scrub)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE listing_events SET actor_name = $2 WHERE actor_id = $1`, a.ID, ErasedName); err != nil {
			return fmt.Errorf("pseudonymise audit log: %w", err)
		}
		// library (issue 18): the library's history, under the pseudonym too.
		if _, err := tx.ExecContext(ctx, `UPDATE library_item_events SET actor_name = $2 WHERE actor_id = $1`, a.ID, ErasedName); err != nil {
			return fmt.Errorf("pseudonymise library history: %w", err)
		}
		// Moderators' reasons may quote the person: cut them out too.
		var reasons []struct {
			ID     int64  `db:"id"`
			Reason string `db:"reason"`
		}
		if err := tx.SelectContext(ctx, &reasons, `
			SELECT id, reason FROM listing_events
			WHERE (actor_id = $1 OR listing_id = ANY($2::uuid[])) AND reason <> ''`, a.ID, pq.Array(owned)); err != nil {
			return fmt.Errorf("read audit reasons: %w", err)
		}
		for _, r := range reasons {
			if s := scrub.text(r.Reason); s != r.Reason {
				if _, err := tx.ExecContext(ctx, `UPDATE listing_events SET reason = $2 WHERE id = $1`, r.ID, s); err != nil {
					return fmt.Errorf("scrub audit reason: %w", err)
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM mail_outbox WHERE lower(to_email) = lower($1)`, a.Email); err != nil {
			return fmt.Errorf("erase mail: %w", err)
		}
		for _, q := range []string{
			`DELETE FROM account_tokens WHERE account_id = $1`,
			`DELETE FROM refresh_tokens WHERE account_id = $1`,
			`DELETE FROM notifications WHERE account_id = $1`,
			`DELETE FROM listing_claims WHERE claimant_id = $1`,
		} {
			if _, err := tx.ExecContext(ctx, q, a.ID); err != nil {
				return fmt.Errorf("erase sessions and tokens: %w", err)
			}
		}
		// "!" is no bcrypt hash: no password ever matches it.
		if _, err := tx.ExecContext(ctx, `
			UPDATE accounts SET email = 'deleted-' || id::text || '@invalid', name = $2, password_hash = '!', status = 'deleted'
			WHERE id = $1`, a.ID, ErasedName); err != nil {
			return fmt.Errorf("erase account: %w", err)
		}
		return nil
	})
}

// eraseListings archives the account's listings with its e-mail and name
// cut from their texts, and returns their ids.
func eraseListings(ctx context.Context, tx *sqlx.Tx, accountID string, actor tenants.Principal, scrub *scrubber) ([]string, error) {
	var rows []struct {
		ID             string  `db:"id"`
		TenantID       string  `db:"tenant_id"`
		Status         string  `db:"status"`
		Data           []byte  `db:"data"`
		Revision       []byte  `db:"revision"`
		StatusReason   string  `db:"status_reason"`
		RevisionReason string  `db:"revision_reason"`
		RevisionStatus *string `db:"revision_status"`
	}
	if err := tx.SelectContext(ctx, &rows, `
		SELECT id, tenant_id, status, data, revision, status_reason, revision_reason, revision_status
		FROM listings WHERE owner_id = $1 ORDER BY id FOR UPDATE`, accountID); err != nil {
		return nil, fmt.Errorf("lock listings of account: %w", err)
	}
	ids := make([]string, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.ID)
		data, err := scrub.json(r.Data)
		if err != nil {
			return nil, fmt.Errorf("scrub listing %s: %w", r.ID, err)
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE listings SET status = 'archived', data = $2, revision = NULL, revision_status = NULL,
			       status_reason = $3, revision_reason = '', review_snapshot = NULL, updated_at = now()
			WHERE id = $1`, r.ID, data, scrub.text(r.StatusReason)); err != nil {
			return nil, fmt.Errorf("archive listing %s: %w", r.ID, err)
		}
		if r.Status != StatusArchived {
			if err := addEvent(ctx, tx, r.TenantID, r.ID, actor, "archive", r.Status, StatusArchived, "account_erased", nil); err != nil {
				return nil, err
			}
		}
		if err := enqueueIndex(ctx, tx, r.TenantID, r.ID); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// scrubber cuts an erased person's e-mail and name out of texts.
type scrubber struct{ res []*regexp.Regexp }

// minScrubName is the shortest name cut out of texts: shorter ones would
// maul ordinary words.
const minScrubName = 4

func newScrubber(email, name string) *scrubber {
	s := &scrubber{}
	for _, v := range []string{email, name} {
		v = strings.TrimSpace(v)
		if utf8.RuneCountInString(v) >= minScrubName {
			s.res = append(s.res, regexp.MustCompile(`(?i)`+regexp.QuoteMeta(v)))
		}
	}
	return s
}

func (s *scrubber) text(t string) string {
	for _, re := range s.res {
		t = re.ReplaceAllLiteralString(t, erasedText)
	}
	return t
}

// json scrubs every string of a JSON document, keys aside.
func (s *scrubber) json(raw []byte) ([]byte, error) {
	if len(raw) == 0 {
		return raw, nil
	}
	// Numbers stay as written (UseNumber), not rounded through float64.
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(s.walk(v))
}

func (s *scrubber) walk(v any) any {
	switch x := v.(type) {
	case string:
		if t := s.text(x); t != x {
			// An address field emptied rather than left holding a marker.
			if strings.TrimSpace(t) == erasedText {
				return ""
			}
			return t
		}
		return x
	case []any:
		for i := range x {
			x[i] = s.walk(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = s.walk(x[k])
		}
	}
	return v
}

// FindAccountByEmail reads the account of the context's tenant (or a
// platform account, in the all-tenants scope) with the e-mail: for the
// CLI, which acts as a named admin.
func (db *DB) FindAccountByEmail(ctx context.Context, email string) (*Account, error) {
	var a Account
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &a, `
			SELECT id, tenant_id, email, name, role, status, password_hash, created_at, verified_at
			FROM accounts WHERE tenant_id IS NOT DISTINCT FROM $1 AND lower(email) = lower($2)`,
			nullTenant(ctx), strings.TrimSpace(email))
	})
	if err != nil {
		return nil, notFound(err, "find account by e-mail")
	}
	return &a, nil
}
