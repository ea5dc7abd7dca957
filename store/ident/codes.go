package ident

import "strings"

// NormalizePKD returns a PKD (activity classification) code as NN.NN.X with
// a capital letter, accepting lower case and the compact NNNNX. Which PKD
// version (2007 or 2025) a code belongs to is stored beside it, not checked.
func NormalizePKD(s string) (string, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	switch {
	case len(s) == 7 && s[2] == '.' && s[5] == '.' &&
		allDigits(s[:2]) && allDigits(s[3:5]) && isUpper(s[6]):
		return s, nil
	case len(s) == 5 && allDigits(s[:4]) && isUpper(s[4]):
		return s[:2] + "." + s[2:4] + "." + s[4:], nil
	}
	return "", ErrFormat
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// NormalizeTERYTGmina checks a 7-digit TERYT gmina code (WOJ+POW+GMI+RODZ)
// and returns it unchanged. WOJ must be one of the 16 voivodeships, POW and
// GMI non-zero, and RODZ one of 1, 2, 3, 4, 5, 8, 9. Mapping RODZ 4 and 5 to
// the gmina (3) and checking the code exists are the caller's job.
func NormalizeTERYTGmina(s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) != 7 || !allDigits(s) {
		return "", ErrFormat
	}
	woj := int(s[0]-'0')*10 + int(s[1]-'0')
	if woj < 2 || woj > 32 || woj%2 != 0 || s[2:4] == "00" || s[4:6] == "00" {
		return "", ErrFormat
	}
	switch s[6] {
	case '1', '2', '3', '4', '5', '8', '9':
		return s, nil
	}
	return "", ErrFormat
}
