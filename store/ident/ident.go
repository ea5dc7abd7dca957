// Package ident normalises and validates the Polish identifiers and contact
// fields a listing carries (NIP, REGON, KRS, postal code, phone, e-mail,
// website, PKD, TERYT gmina code), following DOMAIN.md "Identifiers".
//
// Every Normalize/Validate function returns the canonical form to store, or
// an Error whose Code callers translate into a user-facing message. The
// checks are syntax and checksums only: nothing here asks a register or the
// network. Whether an empty field is allowed is the caller's decision; these
// functions reject an empty string with CodeFormat.
//
// The package is a leaf: it imports only the standard library and nothing of
// ours, so any layer may use it.
package ident

import (
	"strings"
	"unicode"
)

// Codes of Error. They are stable values callers may map to messages.
const (
	CodeFormat   = "format"   // wrong length, characters or layout
	CodeChecksum = "checksum" // well-formed, but the check digit does not match
	CodeAllZero  = "all_zero" // a number made only of zeros
	CodeScheme   = "scheme"   // a website whose scheme is not http or https
	CodeTooLong  = "too_long" // an e-mail or website over its length limit
)

// Error reports why a value was rejected. It is comparable, so
// errors.Is(err, ErrChecksum) works, as does errors.As with an Error.
type Error struct {
	Code string
}

func (e Error) Error() string {
	switch e.Code {
	case CodeFormat:
		return "ident: invalid format"
	case CodeChecksum:
		return "ident: invalid check digit"
	case CodeAllZero:
		return "ident: all zeros"
	case CodeScheme:
		return "ident: scheme must be http or https"
	case CodeTooLong:
		return "ident: too long"
	}
	return "ident: invalid (" + e.Code + ")"
}

// Sentinels for errors.Is, one per code.
var (
	ErrFormat   = Error{Code: CodeFormat}
	ErrChecksum = Error{Code: CodeChecksum}
	ErrAllZero  = Error{Code: CodeAllZero}
	ErrScheme   = Error{Code: CodeScheme}
	ErrTooLong  = Error{Code: CodeTooLong}
)

// isDash accepts the hyphen and the dash look-alikes that text pasted from
// office documents carries in place of it.
func isDash(r rune) bool {
	switch r {
	case '-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212':
		return true
	}
	return false
}

// strip removes every rune for which drop is true.
func strip(s string, drop func(rune) bool) string {
	return strings.Map(func(r rune) rune {
		if drop(r) {
			return -1
		}
		return r
	}, s)
}

func isSpaceOrDash(r rune) bool { return unicode.IsSpace(r) || isDash(r) }

// allDigits reports whether s is non-empty and only ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func allZero(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '0' {
			return false
		}
	}
	return true
}
