package handlers_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

// decoded is an answer's body as the client reads it.
func decoded(t *testing.T, r response) []byte {
	t.Helper()
	switch enc := r.Header.Get("Content-Encoding"); enc {
	case "":
		return r.Body
	case "br":
		b, err := io.ReadAll(brotli.NewReader(bytes.NewReader(r.Body)))
		if err != nil {
			t.Fatalf("brotli: %v", err)
		}
		return b
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatalf("gzip: %v", err)
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("gzip: %v", err)
		}
		return b
	default:
		t.Fatalf("unexpected encoding %q", enc)
		return nil
	}
}

func TestAnswersOverAKilobyteAreCompressed(t *testing.T) {
	s := cachingServer(t)
	owner, mod := s.signUp("slaskie", "bytes@example.org"), s.staff("slaskie", "moderator")
	id := s.publishVia(owner, mod, "Spółdzielnia Socjalna Skompresowana", "5260250274")
	s.kept("/r/slaskie/podmiot/" + id)
	for _, path := range []string{
		"/r/slaskie/deklaracja-dostepnosci", // a page rendered each time
		"/r/slaskie/podmiot/" + id,          // a kept page
		"/r/slaskie/api/v1/categories",      // JSON
	} {
		plain := s.anonymous(path, "Accept", "*/*").expect(t, 200)
		if plain.Header.Get("Content-Encoding") != "" || len(plain.Body) < 1024 {
			t.Fatalf("%s: without Accept-Encoding, %q encoding and %d bytes", path, plain.Header.Get("Content-Encoding"), len(plain.Body))
		}
		if !strings.Contains(strings.Join(plain.Header.Values("Vary"), ","), "Accept-Encoding") {
			t.Fatalf("%s: Vary %q lacks Accept-Encoding", path, plain.Header.Values("Vary"))
		}
		for _, enc := range []string{"br", "gzip"} {
			r := s.anonymous(path, "Accept", "*/*", "Accept-Encoding", enc).expect(t, 200)
			if r.Header.Get("Content-Encoding") != enc || len(r.Body) >= len(plain.Body) {
				t.Fatalf("%s with %s: encoding %q, %d of %d bytes", path, enc, r.Header.Get("Content-Encoding"), len(r.Body), len(plain.Body))
			}
			if !bytes.Equal(decoded(t, r), plain.Body) {
				t.Fatalf("%s with %s decodes to other bytes", path, enc)
			}
		}
	}
	// A kept page is kept gzipped, and so given to a browser that takes
	// gzip among others; a rendered one is brotli first. A small answer
	// stays as it is.
	if r := s.anonymous("/r/slaskie/podmiot/"+id, "Accept-Encoding", "gzip, deflate, br"); r.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("a kept page, both taken: %q", r.Header.Get("Content-Encoding"))
	}
	if r := s.anonymous("/r/slaskie/deklaracja-dostepnosci", "Accept-Encoding", "gzip, deflate, br"); r.Header.Get("Content-Encoding") != "br" {
		t.Fatalf("a rendered page, both taken: %q", r.Header.Get("Content-Encoding"))
	}
	small := s.do("GET", "/healthz", nil, header("Accept-Encoding", "br, gzip")).expect(t, 200)
	if small.Header.Get("Content-Encoding") != "" || len(small.Body) >= 1024 {
		t.Fatalf("a %d-byte answer was encoded %q", len(small.Body), small.Header.Get("Content-Encoding"))
	}
}

var assetRe = regexp.MustCompile(`(?:href|src)="(/static/(app|favicon)\.[0-9a-f]{8}\.(css|js|svg))"`)

func TestStaticFilesHaveFingerprintedNamesCachedForAYear(t *testing.T) {
	s := newTestServer(t)
	page := s.anonymous("/r/slaskie/deklaracja-dostepnosci").expect(t, 200)
	found := assetRe.FindAllStringSubmatch(string(page.Body), -1)
	if len(found) != 3 {
		t.Fatalf("the layout links %d fingerprinted files, want the CSS, the script and the icon: %v", len(found), found)
	}
	for _, m := range found {
		finger := s.do("GET", m[1], nil).expect(t, 200)
		if cc := finger.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") || !strings.Contains(cc, "immutable") {
			t.Fatalf("%s: Cache-Control %q", m[1], cc)
		}
		plain := s.do("GET", "/static/"+m[2]+"."+m[3], nil).expect(t, 200)
		if !bytes.Equal(plain.Body, finger.Body) || strings.Contains(plain.Header.Get("Cache-Control"), "immutable") {
			t.Fatalf("%s: the plain name serves other bytes or is cached for ever", m[1])
		}
		if m[3] == "css" {
			br := s.do("GET", m[1], nil, header("Accept-Encoding", "br")).expect(t, 200)
			if br.Header.Get("Content-Encoding") != "br" || !bytes.Equal(decoded(t, br), plain.Body) {
				t.Fatal("the stylesheet is not served compressed")
			}
			s.do("GET", m[1], nil, header("If-None-Match", finger.Header.Get("ETag"))).expect(t, 304)
		}
	}
	// A fingerprint that does not exist is not a file.
	s.do("GET", "/static/app.00000000.css", nil).expect(t, 404)
	icon := s.do("GET", "/favicon.ico", nil).expect(t, 200)
	if icon.Header.Get("Content-Type") != "image/x-icon" || !bytes.HasPrefix(icon.Body, []byte{0, 0, 1, 0}) {
		t.Fatalf("favicon: %q, % x", icon.Header.Get("Content-Type"), icon.Body[:4])
	}
}
