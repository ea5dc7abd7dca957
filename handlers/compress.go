package handlers

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// minCompress is the smallest answer worth compressing: below a kilobyte
// the saving is a packet at most, and costs CPU on every request.
const minCompress = 1024

// compressibleTypes are the answers compressed: text, scripts and JSON.
// Workbooks, PDFs and images are compressed already.
var compressibleTypes = []string{"text/html", "text/css", "text/javascript", "text/csv", "text/plain",
	"application/json", "application/problem+json", "application/ld+json", "image/svg+xml", "image/x-icon"}

// compressAnswers compresses answers of minCompress bytes and more with
// brotli or gzip, whichever the client takes (brotli first). It is the
// compressor of Fiber's compress middleware (fasthttp's, at its default
// levels), wrapped because that middleware compresses from 200 bytes
// and anything under application/. An answer already encoded (a cached
// page, a static file) is left alone; streamed exports are too.
func compressAnswers() fiber.Handler {
	compressor := fasthttp.CompressHandlerBrotliLevel(func(*fasthttp.RequestCtx) {},
		fasthttp.CompressBrotliDefaultCompression, fasthttp.CompressDefaultCompression)
	return func(c *fiber.Ctx) error {
		if err := c.Next(); err != nil {
			return err
		}
		resp := c.Response()
		if resp.IsBodyStream() || len(resp.Body()) < minCompress || !compressible(resp.Header.ContentType()) {
			return nil
		}
		if len(resp.Header.ContentEncoding()) == 0 {
			compressor(c.Context())
		}
		// Said also when this client took no encoding: a shared cache
		// must not hand this copy to one that does, nor the reverse.
		c.Vary(fiber.HeaderAcceptEncoding)
		return nil
	}
}

func compressible(contentType []byte) bool {
	for _, t := range compressibleTypes {
		if bytes.HasPrefix(contentType, []byte(t)) {
			return true
		}
	}
	return false
}

// staticAssets are the embedded static files, read once at start, each
// under its plain name and a fingerprinted one (app.3f2a1b9c.css) that
// changes with its content, so the fingerprinted one may be cached for a
// year. Compressed copies are made once, at the best levels.
type staticAssets struct {
	files map[string]*staticAsset // by plain and fingerprinted name
	urls  map[string]string       // plain name → /static/fingerprinted name
}

type staticAsset struct {
	body, gzip, br []byte
	contentType    string
	etag           string
	fingerprinted  bool
}

var staticTypes = map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
	".svg": "image/svg+xml", ".ico": "image/x-icon"}

func loadStaticAssets(dir fs.FS) (*staticAssets, error) {
	a := &staticAssets{files: map[string]*staticAsset{}, urls: map[string]string{}}
	entries, err := fs.ReadDir(dir, ".")
	if err != nil {
		return nil, fmt.Errorf("read the static files: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		ct, ok := staticTypes[path.Ext(name)]
		if !ok || e.IsDir() {
			continue
		}
		body, err := fs.ReadFile(dir, name)
		if err != nil {
			return nil, fmt.Errorf("read the static file %s: %w", name, err)
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:4])
		plain := &staticAsset{body: body, contentType: ct, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
		if len(body) >= minCompress {
			plain.gzip = fasthttp.AppendGzipBytesLevel(nil, body, fasthttp.CompressBestCompression)
			plain.br = fasthttp.AppendBrotliBytesLevel(nil, body, fasthttp.CompressBrotliBestCompression)
		}
		finger := *plain
		finger.fingerprinted = true
		fname := strings.TrimSuffix(name, path.Ext(name)) + "." + hash + path.Ext(name)
		a.files[name], a.files[fname] = plain, &finger
		a.urls[name] = "/static/" + fname
	}
	return a, nil
}

// url is the fingerprinted address of a static file, for the templates.
func (a *staticAssets) url(name string) string {
	if u, ok := a.urls[name]; ok {
		return u
	}
	return "/static/" + name
}

// staticFile serves an embedded static file: a year's cache under its
// fingerprinted name, an hour's under the plain one (old pages, bookmarks).
func (s *Server) staticFile(c *fiber.Ctx) error {
	f, ok := s.ui.assets.files[c.Params("file")]
	if !ok {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderContentType, f.contentType)
	c.Set(fiber.HeaderETag, f.etag)
	if f.fingerprinted {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	}
	c.Vary(fiber.HeaderAcceptEncoding)
	if c.Get(fiber.HeaderIfNoneMatch) == f.etag {
		return c.SendStatus(fiber.StatusNotModified)
	}
	h := &c.Request().Header
	switch {
	case f.br != nil && h.HasAcceptEncoding("br"):
		c.Set(fiber.HeaderContentEncoding, "br")
		return c.Send(f.br)
	case f.gzip != nil && h.HasAcceptEncoding("gzip"):
		c.Set(fiber.HeaderContentEncoding, "gzip")
		return c.Send(f.gzip)
	}
	return c.Send(f.body)
}

// favicon answers browsers that ask the site's root for /favicon.ico.
func (s *Server) favicon(c *fiber.Ctx) error {
	f := s.ui.assets.files["favicon.ico"]
	c.Set(fiber.HeaderContentType, f.contentType)
	c.Set(fiber.HeaderCacheControl, "public, max-age=604800")
	return c.Send(f.body)
}
