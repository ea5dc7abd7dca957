package ident

import (
	"strings"
	"unicode"
)

var (
	nipWeights     = [...]int{6, 5, 7, 2, 3, 4, 5, 6, 7}
	regon9Weights  = [...]int{8, 9, 2, 3, 4, 5, 6, 7}
	regon14Weights = [...]int{2, 4, 8, 5, 0, 9, 7, 3, 6, 1, 2, 4, 8}
)

// weightedMod11 returns Σ dᵢ·wᵢ mod 11 over the first len(w) digits of d.
func weightedMod11(d string, w []int) int {
	s := 0
	for i, wi := range w {
		s += int(d[i]-'0') * wi
	}
	return s % 11
}

// NormalizeNIP returns the 10-digit NIP (tax number). It strips spaces,
// dashes and a leading "PL" (any case). An all-zero NIP passes the checksum
// but is a placeholder, never a real number, so it is rejected.
func NormalizeNIP(s string) (string, error) {
	s = strip(s, isSpaceOrDash)
	if len(s) >= 2 && strings.EqualFold(s[:2], "PL") {
		s = s[2:]
	}
	if len(s) != 10 || !allDigits(s) {
		return "", ErrFormat
	}
	if allZero(s) {
		return "", ErrAllZero
	}
	c := weightedMod11(s, nipWeights[:])
	if c == 10 || c != int(s[9]-'0') {
		return "", ErrChecksum
	}
	return s, nil
}

// NormalizeREGON returns the 9- or 14-digit REGON (statistical number),
// spaces and dashes stripped. A 14-digit REGON (a local unit) must also
// begin with a valid 9-digit REGON (its parent entity).
func NormalizeREGON(s string) (string, error) {
	s = strip(s, isSpaceOrDash)
	if (len(s) != 9 && len(s) != 14) || !allDigits(s) {
		return "", ErrFormat
	}
	if allZero(s) {
		return "", ErrAllZero
	}
	if len(s) == 14 && !regonCheck(s, regon14Weights[:]) {
		return "", ErrChecksum
	}
	if allZero(s[:9]) {
		return "", ErrAllZero
	}
	if !regonCheck(s, regon9Weights[:]) {
		return "", ErrChecksum
	}
	return s, nil
}

// regonCheck compares the digit after the weighted ones with their sum mod
// 11, where 10 counts as 0.
func regonCheck(d string, w []int) bool {
	c := weightedMod11(d, w)
	if c == 10 {
		c = 0
	}
	return c == int(d[len(w)]-'0')
}

// NormalizeKRS returns the KRS (court register) number as 10 digits,
// zero-padding shorter input. KRS has no check digit.
func NormalizeKRS(s string) (string, error) {
	s = strip(s, unicode.IsSpace)
	if len(s) > 10 || !allDigits(s) {
		return "", ErrFormat
	}
	if allZero(s) {
		return "", ErrAllZero
	}
	return strings.Repeat("0", 10-len(s)) + s, nil
}
