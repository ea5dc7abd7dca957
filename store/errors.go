package store

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/lib/pq"
)

// Code classifies an error for the edge, which maps it to an HTTP status.
type Code string

const (
	EMalformed    Code = "malformed"    // 400: the body is not what it claims to be
	EInvalid      Code = "invalid"      // 422: a field is wrong
	ENotFound     Code = "not_found"    // 404
	EConflict     Code = "conflict"     // 409: duplicate, or an illegal transition
	EForbidden    Code = "forbidden"    // 403
	EUnauthorized Code = "unauthorized" // 401
	EInternal     Code = "internal"     // 500
	EUnavailable  Code = "unavailable"  // 503: the database cannot be reached; try again
)

// FieldError is one invalid field: Key names a message in the catalogue
// (handlers translate it), Params fill it in.
type FieldError struct {
	Field  string
	Key    string
	Params map[string]any
}

// Error is the one error type users see. Key names the message shown to
// them; Err is the cause, for operators only.
type Error struct {
	Code   Code
	Key    string
	Params map[string]any
	Fields []FieldError
	// Claimable names the listing a duplicate NIP or KRS belongs to when
	// nobody owns it (a region's import): the caller may claim it.
	Claimable string
	Err       error
}

func (e *Error) Error() string {
	msg := string(e.Code) + ": " + e.Key
	for _, f := range e.Fields {
		msg += fmt.Sprintf(" [%s: %s]", f.Field, f.Key)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// ErrNotFound is the plain not-found, for errors.Is.
var ErrNotFound = &Error{Code: ENotFound, Key: "not_found"}

// Is lets errors.Is(err, ErrNotFound) match any not-found error.
func (e *Error) Is(target error) bool {
	return target == ErrNotFound && e.Code == ENotFound
}

// Errorf builds a user-facing error with code and message key.
func Errorf(code Code, key string) *Error { return &Error{Code: code, Key: key} }

// Invalid builds a 422 from field errors.
func Invalid(fields []FieldError) *Error {
	return &Error{Code: EInvalid, Key: "validation_failed", Fields: fields}
}

// ErrorCode returns the code of err, EInternal for anything unexpected.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// uniqueKeys maps unique constraints to the message a user sees.
var uniqueKeys = map[string]FieldError{
	"listings_tenant_nip":    {Field: "nip", Key: "nip.duplicate"},
	"listings_tenant_krs":    {Field: "krs", Key: "krs.duplicate"},
	"accounts_tenant_email":  {Field: "email", Key: "email.duplicate"},
	"categories_pkey":        {Field: "code", Key: "category.duplicate"},
	"teryt_gminas_pkey":      {Field: "code", Key: "teryt.duplicate"},
	"teryt_gmina_parts_pkey": {Field: "code", Key: "teryt.duplicate"},
}

// translate turns driver errors into our errors, once, at the store's edge.
func translate(err error) error {
	if unreachable(err) {
		return &Error{Code: EUnavailable, Key: "database.unavailable", Err: err}
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "23505" {
		if f, ok := uniqueKeys[pqErr.Constraint]; ok {
			return &Error{Code: EConflict, Key: f.Key, Fields: []FieldError{f}, Err: err}
		}
		return &Error{Code: EConflict, Key: "conflict", Err: err}
	}
	return err
}

// unreachable reports whether err says the database cannot be reached or
// is going away (refused or broken connections, shutdown, too many
// clients), as opposed to a query that is wrong.
func unreachable(err error) bool {
	var opErr *net.OpError
	if errors.As(err, &opErr) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		switch c := string(pqErr.Code); {
		case strings.HasPrefix(c, "08"), c == "57P01", c == "57P02", c == "57P03", c == "53300":
			return true
		}
	}
	return false
}
