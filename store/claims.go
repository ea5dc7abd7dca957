package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"golang.org/x/crypto/bcrypt"

	"katalogpes/tenants"
)

// Claim statuses and methods (DOMAIN.md, "Claiming a listing").
const (
	ClaimPending  = "pending"
	ClaimAccepted = "accepted"
	ClaimRejected = "rejected"
	ClaimLocked   = "locked"

	ClaimByEmailCode = "email_code"
	ClaimByModerator = "moderator"
)

const (
	// MaxClaimAttempts wrong codes lock a claim for good.
	MaxClaimAttempts = 5
	// ClaimCodeTTL is how long a mailed code works.
	ClaimCodeTTL = 24 * time.Hour
	maxClaimNote = 2000
)

// Claim is a person's request to own a listing nobody owns.
type Claim struct {
	ID            string     `db:"id" json:"id"`
	ListingID     string     `db:"listing_id" json:"listing_id"`
	ListingName   string     `db:"listing_name" json:"listing_name"`
	ClaimantID    string     `db:"claimant_id" json:"-"`
	ClaimantName  string     `db:"claimant_name" json:"claimant_name"`
	ClaimantEmail string     `db:"claimant_email" json:"claimant_email"`
	Method        string     `db:"method" json:"method"`
	Status        string     `db:"status" json:"status"`
	Note          string     `db:"note" json:"note"`
	Reason        string     `db:"reason" json:"reason,omitempty"`
	Attempts      int        `db:"attempts" json:"-"`
	CreatedAt     time.Time  `db:"created_at" json:"created_at"`
	ExpiresAt     *time.Time `db:"expires_at" json:"expires_at,omitempty"`
	DecidedAt     *time.Time `db:"decided_at" json:"decided_at,omitempty"`
}

const claimSelect = `
	SELECT c.id, c.listing_id, coalesce(l.name, '') AS listing_name, c.claimant_id, a.name AS claimant_name,
	       a.email AS claimant_email, c.method, c.status, c.note, c.reason, c.attempts, c.created_at,
	       c.expires_at, c.decided_at
	FROM listing_claims c
	JOIN listings l ON l.id = c.listing_id
	JOIN accounts a ON a.id = c.claimant_id`

// ClaimTarget is a listing as someone about to claim it sees it.
type ClaimTarget struct {
	ID           string  `db:"id"`
	Name         string  `db:"name"`
	ContactEmail string  `db:"contact_email"` // "" → a moderator decides
	OwnerID      *string `db:"owner_id"`
}

// Owned reports whether the listing already has an owner.
func (t *ClaimTarget) Owned() bool { return t.OwnerID != nil }

// ClaimCode is what the mail with a code says; the store sets its To.
type ClaimCode struct {
	ListingID, ListingName, Code string
	ExpiresAt                    time.Time
}

func findClaimTarget(ctx context.Context, tx *sqlx.Tx, tenantID, listingID string, lock bool) (*ClaimTarget, error) {
	if !ValidID(listingID) {
		return nil, ErrNotFound
	}
	q := `SELECT id, coalesce(name, '') AS name, coalesce(data->'contact'->>'email', '') AS contact_email, owner_id
		FROM listings WHERE tenant_id = $1 AND id = $2 AND status <> 'archived'`
	if lock {
		q += ` FOR UPDATE`
	}
	var t ClaimTarget
	if err := tx.GetContext(ctx, &t, q, tenantID, listingID); err != nil {
		return nil, notFound(err, "find listing to claim "+listingID)
	}
	return &t, nil
}

// FindClaimTarget reads a listing of the context's tenant for the claim
// form, whatever its status (an import may wait unpublished).
func (db *DB) FindClaimTarget(ctx context.Context, listingID string) (*ClaimTarget, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	var t *ClaimTarget
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		t, err = findClaimTarget(ctx, tx, tid, listingID, false)
		return err
	})
	return t, err
}

// claimant is the signed-in enterprise account a claim is for.
func claimant(ctx context.Context) (*tenants.Tenant, tenants.Principal, error) {
	t, ok := tenants.FromContext(ctx)
	if !ok {
		return nil, tenants.Principal{}, ErrNoScope
	}
	p := tenants.PrincipalFrom(ctx)
	switch {
	case !p.Authenticated():
		return nil, p, Errorf(EUnauthorized, "auth.required")
	case p.Role != tenants.RoleEnterprise:
		return nil, p, Errorf(EForbidden, "claim.enterprise_only")
	}
	return t, p, nil
}

// StartClaim asks to own a listing nobody owns. With a contact e-mail on
// the listing a six-digit code goes there (compose writes the mail in the
// caller's language); without one the claim, with the person's note, waits
// for a moderator. Asking again renews the open claim (a new code) but
// keeps its count of wrong codes; a locked claim stays locked.
func (db *DB) StartClaim(ctx context.Context, listingID, note string, compose func(ClaimCode) Mail) (*Claim, error) {
	t, p, err := claimant(ctx)
	if err != nil {
		return nil, err
	}
	v := &validator{}
	v.text("note", &note, maxClaimNote, false)
	if len(v.errs) > 0 {
		return nil, Invalid(v.errs)
	}
	var claimID string
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		target, err := findClaimTarget(ctx, tx, t.ID, listingID, true)
		if err != nil {
			return err
		}
		if target.Owned() {
			return Errorf(EConflict, "claim.owned")
		}
		var locked bool
		if err := tx.GetContext(ctx, &locked, `SELECT EXISTS (SELECT 1 FROM listing_claims
			WHERE listing_id = $1 AND claimant_id = $2 AND status = 'locked')`, target.ID, p.AccountID); err != nil {
			return fmt.Errorf("check locked claims: %w", err)
		}
		if locked {
			return Errorf(EConflict, "claim.locked")
		}
		method, code, hash, expires := ClaimByModerator, "", "", sql.NullTime{}
		if target.ContactEmail != "" {
			method, code = ClaimByEmailCode, newClaimCode()
			raw, err := bcrypt.GenerateFromPassword([]byte(code), bcryptCost)
			if err != nil {
				return fmt.Errorf("hash claim code: %w", err)
			}
			hash, expires = string(raw), sql.NullTime{Time: db.now().Add(ClaimCodeTTL), Valid: true}
		}
		if err := tx.GetContext(ctx, &claimID, `
			INSERT INTO listing_claims (tenant_id, listing_id, claimant_id, method, status, code_hash, expires_at, note)
			VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7)
			ON CONFLICT (listing_id, claimant_id) WHERE status = 'pending'
			DO UPDATE SET method = EXCLUDED.method, code_hash = EXCLUDED.code_hash,
			              expires_at = EXCLUDED.expires_at, note = EXCLUDED.note
			RETURNING id`, t.ID, target.ID, p.AccountID, method, hash, expires, note); err != nil {
			return fmt.Errorf("save claim of %s: %w", target.ID, err)
		}
		if method != ClaimByEmailCode {
			return db.alertStaff(ctx, tx, t.ID, WaitingItem{Kind: WaitingClaim, ListingID: target.ID, ListingName: target.Name})
		}
		m := compose(ClaimCode{ListingID: target.ID, ListingName: target.Name, Code: code, ExpiresAt: expires.Time})
		m.To = target.ContactEmail
		return enqueueMail(ctx, tx, sql.NullString{String: t.ID, Valid: true}, m)
	})
	if err != nil {
		return nil, err
	}
	return db.findClaim(ctx, claimID)
}

// newClaimCode is six random digits.
func newClaimCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// ConfirmClaim checks the mailed code of the caller's claim of a listing
// and, when it is right, makes the caller its owner. A wrong code is a 422
// at the field code and counts; the fifth locks the claim. The count is
// kept even though the answer is an error.
func (db *DB) ConfirmClaim(ctx context.Context, listingID, code string) (*Listing, error) {
	t, p, err := claimant(ctx)
	if err != nil {
		return nil, err
	}
	if !ValidID(listingID) {
		return nil, Errorf(ENotFound, "claim.none")
	}
	code = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, code)
	var refusal error
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		var c struct {
			ID        string     `db:"id"`
			Status    string     `db:"status"`
			CodeHash  string     `db:"code_hash"`
			Attempts  int        `db:"attempts"`
			ExpiresAt *time.Time `db:"expires_at"`
		}
		err := tx.GetContext(ctx, &c, `
			SELECT id, status, code_hash, attempts, expires_at FROM listing_claims
			WHERE tenant_id = $1 AND listing_id = $2 AND claimant_id = $3 AND method = 'email_code'
			  AND status IN ('pending', 'locked')
			ORDER BY status = 'locked' DESC, created_at DESC LIMIT 1 FOR UPDATE`, t.ID, listingID, p.AccountID)
		if errors.Is(err, sql.ErrNoRows) {
			return Errorf(ENotFound, "claim.none")
		}
		if err != nil {
			return fmt.Errorf("find claim of %s: %w", listingID, err)
		}
		switch {
		case c.Status == ClaimLocked:
			refusal = Errorf(EConflict, "claim.locked")
			return nil
		case c.ExpiresAt == nil || db.now().After(*c.ExpiresAt):
			refusal = Invalid([]FieldError{{Field: "code", Key: "claim.code_expired"}})
			return nil
		case bcrypt.CompareHashAndPassword([]byte(c.CodeHash), []byte(code)) != nil:
			refusal = wrongClaimCode(ctx, tx, c.ID, c.Attempts+1)
			return nil
		}
		return acceptClaim(ctx, tx, t.ID, c.ID, listingID, p, p.AccountID, "")
	})
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		return nil, refusal
	}
	return db.FindListingByID(ctx, listingID)
}

// wrongClaimCode counts a wrong code and returns the answer to give; at
// MaxClaimAttempts the claim locks.
func wrongClaimCode(ctx context.Context, tx *sqlx.Tx, claimID string, attempts int) error {
	status, key := ClaimPending, "claim.code_wrong"
	if attempts >= MaxClaimAttempts {
		status, key = ClaimLocked, "claim.code_locked"
	}
	if _, err := tx.ExecContext(ctx, `UPDATE listing_claims SET attempts = $2, status = $3 WHERE id = $1`, claimID, attempts, status); err != nil {
		return fmt.Errorf("count wrong claim code: %w", err)
	}
	return Invalid([]FieldError{{Field: "code", Key: key, Params: map[string]any{"Left": MaxClaimAttempts - attempts}}})
}

// acceptClaim hands the listing to the claimant (who says, in the
// history, they took it over), closes the other open claims of it, and
// records who decided.
func acceptClaim(ctx context.Context, tx *sqlx.Tx, tenantID, claimID, listingID string, who tenants.Principal, decidedBy, reason string) error {
	var status string
	err := tx.GetContext(ctx, &status, `
		UPDATE listings SET owner_id = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2 AND owner_id IS NULL
		RETURNING status`, tenantID, listingID, who.AccountID)
	if errors.Is(err, sql.ErrNoRows) {
		return Errorf(EConflict, "claim.owned")
	}
	if err != nil {
		return fmt.Errorf("hand listing %s to its claimant: %w", listingID, err)
	}
	if _, err := tx.ExecContext(ctx, `
		UPDATE listing_claims SET status = 'accepted', reason = $3, decided_at = now(), decided_by = $2 WHERE id = $1`,
		claimID, decidedBy, reason); err != nil {
		return fmt.Errorf("accept claim %s: %w", claimID, err)
	}
	if _, err := tx.ExecContext(ctx, `
		UPDATE listing_claims SET status = 'rejected', reason = 'claim.taken', decided_at = now()
		WHERE listing_id = $1 AND status = 'pending' AND id <> $2`, listingID, claimID); err != nil {
		return fmt.Errorf("close other claims of %s: %w", listingID, err)
	}
	return addEvent(ctx, tx, tenantID, listingID, who, "claim", status, status, reason, nil)
}

// findClaim reads one claim of the context's tenant.
func (db *DB) findClaim(ctx context.Context, id string) (*Claim, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	var c Claim
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &c, claimSelect+` WHERE c.tenant_id = $1 AND c.id = $2`, tid, id)
	})
	if err != nil {
		return nil, notFound(err, "find claim "+id)
	}
	return &c, nil
}

// FindOwnClaim is the caller's newest claim of a listing.
func (db *DB) FindOwnClaim(ctx context.Context, listingID string) (*Claim, error) {
	t, p, err := claimant(ctx)
	if err != nil {
		return nil, err
	}
	if !ValidID(listingID) {
		return nil, ErrNotFound
	}
	var c Claim
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &c, claimSelect+`
			WHERE c.tenant_id = $1 AND c.listing_id = $2 AND c.claimant_id = $3
			ORDER BY c.created_at DESC, c.id LIMIT 1`, t.ID, listingID, p.AccountID)
	})
	if err != nil {
		return nil, notFound(err, "find own claim of "+listingID)
	}
	return &c, nil
}

// FindWaitingClaims lists the tenant's claims waiting for a moderator,
// oldest first: for its staff only.
func (db *DB) FindWaitingClaims(ctx context.Context) ([]Claim, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if !tenants.PrincipalFrom(ctx).Role.IsStaff() {
		return nil, Errorf(EForbidden, "forbidden")
	}
	list := []Claim{}
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &list, claimSelect+`
			WHERE c.tenant_id = $1 AND c.status = 'pending' AND c.method = 'moderator'
			ORDER BY c.created_at, c.id`, tid)
	})
	if err != nil {
		return nil, fmt.Errorf("claims waiting for a moderator: %w", err)
	}
	return list, nil
}

// DecideClaim approves or rejects a claim waiting for a moderator of the
// context's tenant, and mails the claimant the decision (compose writes
// it; the store sets its To). Another tenant's claim is not found.
func (db *DB) DecideClaim(ctx context.Context, claimID string, approve bool, reason string, compose func(Claim) Mail) (*Claim, error) {
	t, ok := tenants.FromContext(ctx)
	if !ok {
		return nil, ErrNoScope
	}
	mod := tenants.PrincipalFrom(ctx)
	if !mod.Role.IsStaff() {
		return nil, Errorf(EForbidden, "forbidden")
	}
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > maxClaimNote {
		return nil, Invalid([]FieldError{{Field: "reason", Key: "too_long", Params: map[string]any{"Max": maxClaimNote}}})
	}
	if !ValidID(claimID) {
		return nil, ErrNotFound
	}
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		var c Claim
		if err := tx.GetContext(ctx, &c, claimSelect+` WHERE c.tenant_id = $1 AND c.id = $2 FOR UPDATE OF c`, t.ID, claimID); err != nil {
			return notFound(err, "find claim "+claimID)
		}
		if c.Status != ClaimPending || c.Method != ClaimByModerator {
			return Errorf(EConflict, "claim.decided")
		}
		if approve {
			who := tenants.Principal{AccountID: c.ClaimantID, Name: c.ClaimantName, Role: tenants.RoleEnterprise}
			if err := acceptClaim(ctx, tx, t.ID, c.ID, c.ListingID, who, mod.AccountID, reason); err != nil {
				return err
			}
			c.Status = ClaimAccepted
		} else {
			if _, err := tx.ExecContext(ctx, `
				UPDATE listing_claims SET status = 'rejected', reason = $2, decided_at = now(), decided_by = $3 WHERE id = $1`,
				c.ID, reason, mod.AccountID); err != nil {
				return fmt.Errorf("reject claim %s: %w", c.ID, err)
			}
			c.Status = ClaimRejected
		}
		c.Reason = reason
		m := compose(c)
		m.To = c.ClaimantEmail
		return enqueueMail(ctx, tx, sql.NullString{String: t.ID, Valid: true}, m)
	})
	if err != nil {
		return nil, err
	}
	return db.findClaim(ctx, claimID)
}
