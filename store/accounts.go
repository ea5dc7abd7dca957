package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ccojocar/zxcvbn-go"
	"github.com/ccojocar/zxcvbn-go/frequency"
	"github.com/jmoiron/sqlx"
	"golang.org/x/crypto/bcrypt"

	"katalogpes/store/ident"
	"katalogpes/tenants"
)

// Account is a person who signs in: an enterprise's representative or a
// region's staff.
type Account struct {
	ID           string         `db:"id" json:"id"`
	TenantID     sql.NullString `db:"tenant_id" json:"-"`
	Email        string         `db:"email" json:"email"`
	Name         string         `db:"name" json:"name"`
	Role         tenants.Role   `db:"role" json:"role"`
	Status       string         `db:"status" json:"status"`
	PasswordHash string         `db:"password_hash" json:"-"`
	CreatedAt    time.Time      `db:"created_at" json:"created_at"`
	VerifiedAt   *time.Time     `db:"verified_at" json:"verified_at,omitempty"`
}

// Account statuses.
const (
	AccountUnverified = "unverified"
	AccountActive     = "active"
	AccountDisabled   = "disabled"
	AccountDeleted    = "deleted"
)

// NewAccount is what registration or `katalogpes user add` gives.
type NewAccount struct {
	Email    string
	Name     string
	Password string
	Role     tenants.Role
	// Active skips e-mail verification (staff made by the CLI).
	Active bool
	// Lang is the language the account's mail is written in: "pl"
	// (the default) or "en".
	Lang string
}

// Mail is one message for the outbox.
type Mail struct {
	To      string
	Subject string
	Body    string
}

// MailFunc composes a mail around a single-use token; the caller knows the
// language and the links.
type MailFunc func(token string) Mail

// bcryptCost is the work factor for password hashes.
const bcryptCost = 11

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 10

// commonPasswords is the 1,000 most common passwords of zxcvbn's list.
var commonPasswords = func() map[string]bool {
	m := make(map[string]bool, 1000)
	for i, p := range frequency.Lists["Passwords"].List {
		if i == 1000 {
			break
		}
		m[p] = true
	}
	return m
}()

// minPasswordScore is the least zxcvbn score (0–4) accepted: 3 is "safely
// unguessable" against an online attack with throttling and more.
const minPasswordScore = 3

// CheckPassword applies the password policy. personal holds the account's
// own words (its e-mail, its name): a password made of them is refused. The
// rules before the estimator exist to say why a password is weak.
func CheckPassword(field, pw string, personal ...string) []FieldError {
	lower := strings.ToLower(pw)
	refuse := func(key string) []FieldError { return []FieldError{{Field: field, Key: key}} }
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordLen:
		return []FieldError{{Field: field, Key: "password.too_short", Params: map[string]any{"Min": MinPasswordLen}}}
	case len(pw) > 72: // bcrypt reads 72 bytes at most
		return []FieldError{{Field: field, Key: "password.too_long", Params: map[string]any{"Max": 72}}}
	case distinctRunes(strings.TrimSpace(pw)) < 4:
		return refuse("password.repetitive")
	case containsPersonal(lower, personal):
		return refuse("password.personal")
	case commonPasswords[lower]:
		return refuse("password.common")
	case zxcvbn.PasswordStrength(pw, personalWords(personal)).Score < minPasswordScore:
		return refuse("password.weak")
	}
	return nil
}

func distinctRunes(s string) int {
	seen := map[rune]bool{}
	for _, r := range s {
		seen[r] = true
	}
	return len(seen)
}

// personalWords splits e-mails and names into the words a person would
// reuse: "jan.kowalski@gmina.pl" gives jan, kowalski, gmina.
func personalWords(personal []string) []string {
	var words []string
	for _, p := range personal {
		p = strings.ToLower(strings.TrimSpace(p))
		if p == "" {
			continue
		}
		words = append(words, p)
		for _, w := range strings.FieldsFunc(p, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			if utf8.RuneCountInString(w) >= 3 {
				words = append(words, w)
			}
		}
	}
	return words
}

// containsPersonal: the password is the e-mail or its local part, or the
// name, with little else around it.
func containsPersonal(lowerPw string, personal []string) bool {
	for _, p := range personal {
		p = strings.ToLower(strings.TrimSpace(p))
		if p == "" {
			continue
		}
		local, _, _ := strings.Cut(p, "@")
		for _, w := range []string{p, local} {
			if utf8.RuneCountInString(w) >= 4 && strings.Contains(lowerPw, w) &&
				utf8.RuneCountInString(lowerPw)-utf8.RuneCountInString(w) < 6 {
				return true
			}
		}
	}
	return false
}

func (n *NewAccount) validate() []FieldError {
	var errs []FieldError
	email, err := ident.ValidateEmail(n.Email)
	if err != nil {
		errs = append(errs, FieldError{Field: "email", Key: "email.invalid"})
	}
	n.Email = email
	n.Name = strings.TrimSpace(n.Name)
	if n.Name == "" {
		errs = append(errs, FieldError{Field: "name", Key: "required"})
	} else if utf8.RuneCountInString(n.Name) > 200 {
		errs = append(errs, FieldError{Field: "name", Key: "too_long", Params: map[string]any{"Max": 200}})
	}
	errs = append(errs, CheckPassword("password", n.Password, n.Email, n.Name)...)
	if !n.Role.Valid() {
		errs = append(errs, FieldError{Field: "role", Key: "role.invalid"})
	}
	return errs
}

// CreateAccount makes an account in the context's tenant (or a platform
// account in the all-tenants scope). With mail, it also writes a
// verification token and its mail in the same transaction.
func (db *DB) CreateAccount(ctx context.Context, n NewAccount) (*Account, error) {
	return db.createAccount(ctx, n, nil)
}

// RegisterAccount creates an unverified enterprise account and queues its
// verification mail, all or nothing.
func (db *DB) RegisterAccount(ctx context.Context, n NewAccount, mail MailFunc) (*Account, error) {
	n.Role, n.Active = tenants.RoleEnterprise, false
	return db.createAccount(ctx, n, mail)
}

func (db *DB) createAccount(ctx context.Context, n NewAccount, mail MailFunc) (*Account, error) {
	return db.createAccountWith(ctx, n, nil, mail)
}

// createAccountWith is createAccount with more to write in the same
// transaction (a buyer's institution): then is called after the insert,
// and extra holds field errors found beside the account's own.
func (db *DB) createAccountWith(ctx context.Context, n NewAccount, then func(*sqlx.Tx, *Account) error, mail MailFunc, extra ...FieldError) (*Account, error) {
	if errs := append(n.validate(), extra...); len(errs) > 0 {
		return nil, Invalid(errs)
	}
	var tenant sql.NullString
	if t, ok := tenants.FromContext(ctx); ok {
		tenant = sql.NullString{String: t.ID, Valid: true}
	}
	if (n.Role == tenants.RolePlatform) == tenant.Valid {
		return nil, &Error{Code: EInvalid, Key: "role.tenant_mismatch", Fields: []FieldError{{Field: "role", Key: "role.tenant_mismatch"}}}
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(n.Password), bcryptCost)
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	status := AccountUnverified
	if n.Active {
		status = AccountActive
	}
	if n.Lang != "en" {
		n.Lang = "pl"
	}
	var a Account
	err = db.tx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &a, `
			INSERT INTO accounts (tenant_id, email, name, role, status, password_hash, verified_at, lang)
			VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $5 = 'active' THEN now() END, $7)
			RETURNING id, tenant_id, email, name, role, status, password_hash, created_at, verified_at`,
			tenant, n.Email, n.Name, n.Role, status, string(hash), n.Lang)
		if err != nil {
			return fmt.Errorf("insert account: %w", err)
		}
		if then != nil {
			if err := then(tx, &a); err != nil {
				return err
			}
		}
		if mail != nil {
			return issueToken(ctx, tx, &a, "verify", 48*time.Hour, mail)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// issueToken stores a hashed single-use token and queues the mail that
// carries it.
func issueToken(ctx context.Context, tx *sqlx.Tx, a *Account, purpose string, ttl time.Duration, mail MailFunc) error {
	token, hash := newToken()
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO account_tokens (token_hash, tenant_id, account_id, purpose, expires_at)
		VALUES ($1, $2, $3, $4, now() + $5 * interval '1 second')`,
		hash, a.TenantID, a.ID, purpose, int(ttl.Seconds())); err != nil {
		return fmt.Errorf("store %s token: %w", purpose, err)
	}
	return enqueueMail(ctx, tx, a.TenantID, mail(token))
}

func enqueueMail(ctx context.Context, tx *sqlx.Tx, tenant sql.NullString, m Mail) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO mail_outbox (tenant_id, to_email, subject, body) VALUES ($1, $2, $3, $4)`,
		tenant, m.To, m.Subject, m.Body); err != nil {
		return fmt.Errorf("queue mail: %w", err)
	}
	return nil
}

// newToken returns a random URL-safe token and the hash stored for it.
func newToken() (string, []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// consumeToken marks a single-use token used and returns its account.
func consumeToken(ctx context.Context, tx *sqlx.Tx, token, purpose string) (string, error) {
	var accountID string
	err := tx.GetContext(ctx, &accountID, `
		UPDATE account_tokens SET used_at = now()
		WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
		RETURNING account_id`, hashToken(token), purpose)
	if errors.Is(err, sql.ErrNoRows) {
		return "", &Error{Code: EInvalid, Key: "token.invalid", Fields: []FieldError{{Field: "token", Key: "token.invalid"}}}
	}
	if err != nil {
		return "", fmt.Errorf("use %s token: %w", purpose, err)
	}
	return accountID, nil
}

// VerifyEmail uses a verification token and activates its account.
func (db *DB) VerifyEmail(ctx context.Context, token string) error {
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		id, err := consumeToken(ctx, tx, token, "verify")
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE accounts SET status = 'active', verified_at = now() WHERE id = $1 AND status = 'unverified'`, id)
		if err != nil {
			return fmt.Errorf("activate account: %w", err)
		}
		return nil
	})
}

// errBadLogin is the one answer to a wrong e-mail or password, so that a
// failed login does not tell whether the e-mail exists.
var errBadLogin = &Error{Code: EUnauthorized, Key: "login.failed"}

// dummyHash is compared against when the e-mail is unknown, so both paths
// take the same time.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("katalog-pes-dummy-password"), bcryptCost)

// Authenticate checks an e-mail and password in the context's tenant (or
// platform accounts on the hub).
func (db *DB) Authenticate(ctx context.Context, email, password string) (*Account, error) {
	var a Account
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &a, `
			SELECT id, tenant_id, email, name, role, status, password_hash, created_at, verified_at
			FROM accounts WHERE tenant_id IS NOT DISTINCT FROM $1 AND lower(email) = lower($2)`,
			nullTenant(ctx), strings.TrimSpace(email))
	})
	if errors.Is(err, sql.ErrNoRows) {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return nil, errBadLogin
	}
	if err != nil {
		return nil, fmt.Errorf("find account: %w", err)
	}
	if bcrypt.CompareHashAndPassword([]byte(a.PasswordHash), []byte(password)) != nil {
		return nil, errBadLogin
	}
	switch a.Status {
	case AccountActive:
		return &a, nil
	case AccountUnverified:
		return nil, &Error{Code: EForbidden, Key: "login.unverified"}
	default:
		return nil, errBadLogin
	}
}

func nullTenant(ctx context.Context) sql.NullString {
	if t, ok := tenants.FromContext(ctx); ok {
		return sql.NullString{String: t.ID, Valid: true}
	}
	return sql.NullString{}
}

// FindAccountByID reads one account of the context's tenant.
func (db *DB) FindAccountByID(ctx context.Context, id string) (*Account, error) {
	var a Account
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &a, `
			SELECT id, tenant_id, email, name, role, status, password_hash, created_at, verified_at
			FROM accounts WHERE id = $1`, id)
	})
	if err != nil {
		return nil, notFound(err, "find account")
	}
	return &a, nil
}

// RequestPasswordReset queues a reset mail when the e-mail belongs to an
// active account; it answers the same either way.
func (db *DB) RequestPasswordReset(ctx context.Context, email string, mail MailFunc) error {
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		var a Account
		err := tx.GetContext(ctx, &a, `
			SELECT id, tenant_id, email, name, role, status, password_hash, created_at, verified_at
			FROM accounts WHERE tenant_id IS NOT DISTINCT FROM $1 AND lower(email) = lower($2) AND status IN ('active', 'unverified')`,
			nullTenant(ctx), strings.TrimSpace(email))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("find account for reset: %w", err)
		}
		return issueToken(ctx, tx, &a, "reset", time.Hour, func(token string) Mail {
			m := mail(token)
			m.To = a.Email
			return m
		})
	})
}

// ResetPassword uses a reset token: sets the password, verifies the e-mail
// (the mail reached its owner) and revokes every session.
func (db *DB) ResetPassword(ctx context.Context, token, password string) error {
	if errs := CheckPassword("password", password); len(errs) > 0 {
		return Invalid(errs)
	}
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		id, err := consumeToken(ctx, tx, token, "reset")
		if err != nil {
			return err
		}
		// The account's own words are known only now; a refusal rolls the
		// token's use back, so the person can try another password.
		var who struct{ Email, Name string }
		if err := tx.GetContext(ctx, &who, `SELECT email, name FROM accounts WHERE id = $1`, id); err != nil {
			return fmt.Errorf("read account for reset: %w", err)
		}
		if errs := CheckPassword("password", password, who.Email, who.Name); len(errs) > 0 {
			return Invalid(errs)
		}
		hash, err := bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
		if err != nil {
			return fmt.Errorf("hash password: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE accounts SET password_hash = $2, status = CASE WHEN status = 'unverified' THEN 'active' ELSE status END,
			       verified_at = coalesce(verified_at, now())
			WHERE id = $1`, id, string(hash)); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		return revokeAccountSessions(ctx, tx, id)
	})
}

// ChangePassword sets a new password for the signed-in account after
// checking the current one, and revokes every session of the account.
func (db *DB) ChangePassword(ctx context.Context, accountID, current, next string) error {
	a, err := db.FindAccountByID(ctx, accountID)
	if err != nil {
		return err
	}
	if errs := CheckPassword("new_password", next, a.Email, a.Name); len(errs) > 0 {
		return Invalid(errs)
	}
	if bcrypt.CompareHashAndPassword([]byte(a.PasswordHash), []byte(current)) != nil {
		return Invalid([]FieldError{{Field: "current_password", Key: "password.wrong"}})
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(next), bcryptCost)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	return db.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET password_hash = $2 WHERE id = $1`, accountID, string(hash)); err != nil {
			return fmt.Errorf("change password: %w", err)
		}
		return revokeAccountSessions(ctx, tx, accountID)
	})
}

// CheckOwnPassword says whether password is the signed-in account's: a
// second look before something that cannot be undone. A wrong one is a
// 422 at the field password.
func (db *DB) CheckOwnPassword(ctx context.Context, password string) error {
	p := tenants.PrincipalFrom(ctx)
	if !p.Authenticated() {
		return Errorf(EUnauthorized, "auth.required")
	}
	a, err := db.FindAccountByID(ctx, p.AccountID)
	if err != nil {
		return err
	}
	if bcrypt.CompareHashAndPassword([]byte(a.PasswordHash), []byte(password)) != nil {
		return Invalid([]FieldError{{Field: "password", Key: "password.wrong"}})
	}
	return nil
}

// DisableAccount removes a staff member (or blocks any account): it can no
// longer sign in and every session of it is revoked.
func (db *DB) DisableAccount(ctx context.Context, email string) (*Account, error) {
	var a Account
	err := db.tx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &a, `
			UPDATE accounts SET status = 'disabled'
			WHERE tenant_id IS NOT DISTINCT FROM $1 AND lower(email) = lower($2)
			RETURNING id, tenant_id, email, name, role, status, password_hash, created_at, verified_at`,
			nullTenant(ctx), strings.TrimSpace(email))
		if err != nil {
			return notFound(err, "disable account")
		}
		return revokeAccountSessions(ctx, tx, a.ID)
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}
