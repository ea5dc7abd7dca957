package ident

import (
	"net/mail"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// NormalizePostalCode returns a Polish postal code as NN-NNN, accepting
// NNNNN and surrounding spaces.
func NormalizePostalCode(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case len(s) == 5 && allDigits(s):
		return s[:2] + "-" + s[2:], nil
	case len(s) == 6 && s[2] == '-' && allDigits(s[:2]) && allDigits(s[3:]):
		return s, nil
	}
	return "", ErrFormat
}

// NormalizePhone returns a phone number in E.164 form. Spaces, dashes,
// parentheses and dots are ignored and a "00" prefix means "+". A number
// without a country code must be a 9-digit Polish number; "+48" must be
// followed by exactly 9 digits; other countries need 8–15 digits in all.
// Polish numbers never start with 0, so a leftover trunk "0" is rejected.
func NormalizePhone(s string) (string, error) {
	s = strip(s, func(r rune) bool {
		return unicode.IsSpace(r) || isDash(r) || r == '(' || r == ')' || r == '.'
	})
	switch {
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	case strings.HasPrefix(s, "00"):
		s = s[2:]
	default:
		if len(s) != 9 || !allDigits(s) || s[0] == '0' {
			return "", ErrFormat
		}
		return "+48" + s, nil
	}
	if !allDigits(s) || s[0] == '0' {
		return "", ErrFormat
	}
	if strings.HasPrefix(s, "48") {
		if len(s) != 11 || s[2] == '0' {
			return "", ErrFormat
		}
		return "+" + s, nil
	}
	if len(s) < 8 || len(s) > 15 {
		return "", ErrFormat
	}
	return "+" + s, nil
}

// maxEmail is the longest address SMTP carries (RFC 5321 path limit less
// the angle brackets); maxLocal is the limit of its local part.
const (
	maxEmail = 254
	maxLocal = 64
)

// ValidateEmail returns a bare e-mail address, trimmed, with its domain in
// lower case (the local part is case-sensitive in principle, so it is kept).
// It checks syntax only: no display name, comments, angle brackets, quoted
// local parts or domain literals, and a dot in the domain.
func ValidateEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) > maxEmail {
		return "", ErrTooLong
	}
	at := strings.IndexByte(s, '@')
	if at < 0 || strings.Count(s, "@") != 1 {
		return "", ErrFormat
	}
	addr, err := mail.ParseAddress(s)
	// Anything ParseAddress rewrote (brackets, comments, quotes) was not a
	// bare address.
	if err != nil || addr.Name != "" || addr.Address != s {
		return "", ErrFormat
	}
	local, domain := s[:at], s[at+1:]
	if len(local) > maxLocal {
		return "", ErrTooLong
	}
	if !strings.Contains(domain, ".") || strings.ContainsAny(domain, "[]") {
		return "", ErrFormat
	}
	return local + "@" + strings.ToLower(domain), nil
}

// maxWebsite bounds a stored website address.
const maxWebsite = 300

// ValidateWebsite returns a website as an absolute http or https URL with a
// lower-case scheme and host, adding "https://" when the scheme is missing;
// the rest is kept as typed. It checks syntax only; whitespace anywhere is a
// typo and is rejected. Credentials in the URL (user@host) are rejected:
// "https://bank.pl@evil.example" is a known disguise.
func ValidateWebsite(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ErrFormat
	}
	if len(s) > maxWebsite {
		return "", ErrTooLong
	}
	switch scheme := urlScheme(s); {
	case strings.HasPrefix(s, "//"):
		s = "https:" + s
	case scheme == "":
		s = "https://" + s
	case !strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https"):
		return "", ErrScheme
	}
	// Invalid UTF-8 would not survive the lower-casing below unchanged, so
	// the address returned would not validate again.
	if strings.IndexFunc(s, unicode.IsSpace) >= 0 || !utf8.ValidString(s) {
		return "", ErrFormat
	}
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" || u.User != nil || !validHost(u.Hostname()) {
		return "", ErrFormat
	}
	// Lower-case scheme and host by hand: u.String() would percent-encode a
	// Polish host name and re-escape the path the owner typed.
	rest := s[strings.Index(s, "://")+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	out := strings.ToLower(u.Scheme) + "://" + strings.ToLower(rest[:end]) + rest[end:]
	if len(out) > maxWebsite {
		return "", ErrTooLong
	}
	return out, nil
}

// urlScheme returns the scheme s starts with, or "" when it has none.
// "example.pl:8080/x" has none: a colon followed by a digit is a port.
func urlScheme(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			if i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
				return ""
			}
			return s[:i]
		default:
			return ""
		}
	}
	return ""
}

// validHost requires at least two non-empty dot-separated labels of
// letters, digits and hyphens.
func validHost(h string) bool {
	if !strings.Contains(h, ".") {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' {
				return false
			}
		}
	}
	return true
}
