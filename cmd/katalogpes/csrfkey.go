package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"katalogpes/handlers"
)

// decodeCSRFKey reads CSRF_KEY: hex or base64 (standard or URL alphabet,
// padded or not) of at least handlers.MinCSRFKey bytes. The value is never
// echoed: it is a secret.
func decodeCSRFKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	key, err := hex.DecodeString(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if err == nil {
			break
		}
		key, err = enc.DecodeString(s)
	}
	if err != nil {
		return nil, errors.New("CSRF_KEY is neither hex nor base64 (make one with: openssl rand -base64 32)")
	}
	if len(key) < handlers.MinCSRFKey {
		return nil, fmt.Errorf("CSRF_KEY holds %d bytes, at least %d are needed (make one with: openssl rand -base64 32)", len(key), handlers.MinCSRFKey)
	}
	return key, nil
}

// csrfKey returns the key that signs the forms' CSRF tokens: from
// CSRF_KEY, or in development from (or newly into) DATA_DIR/csrf-key, so
// open forms survive a restart. Production refuses to start without.
func (c Config) csrfKey() ([]byte, error) {
	if c.CSRFKey != "" {
		return decodeCSRFKey(c.CSRFKey)
	}
	if !c.Development() {
		return nil, errors.New("CSRF_KEY is not set: production needs the key every node signs forms with (hex or base64 of 32 bytes or more)")
	}
	path := filepath.Join(c.DataDir, "csrf-key")
	key := make([]byte, handlers.MinCSRFKey)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	kept, err := keepOnce(path, base64.StdEncoding.EncodeToString(key)+"\n")
	if err != nil {
		return nil, fmt.Errorf("keep development CSRF key: %w", err)
	}
	if key, err = decodeCSRFKey(kept); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}

// keepOnce writes content to path (0600) unless the file exists, and
// returns what the file holds: two processes starting at once on one
// DATA_DIR end up with the same development key. The content is written
// aside and linked into place, so nobody reads a half-written file.
func keepOnce(path, content string) (string, error) {
	if b, err := os.ReadFile(path); err == nil {
		return string(b), nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return "", err
	}
	defer os.Remove(f.Name())
	_, err = f.WriteString(content)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	if err := os.Link(f.Name(), path); errors.Is(err, fs.ErrExist) {
		b, err := os.ReadFile(path)
		return string(b), err
	} else if err != nil {
		return "", err
	}
	return content, nil
}
