package handlers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/valyala/fasthttp"

	"katalogpes/store"
	"katalogpes/tenants"
)

// localCacheable is set by a handler whose page an anonymous visitor may
// be given from the page cache (a published listing, a home page).
const localCacheable = "pagecache"

// DefaultPageCacheBytes bounds a node's page cache when Config says
// nothing: some 10,000 profile pages (8–10 KB each, 1.5–2 KB gzipped).
const DefaultPageCacheBytes = 16 << 20

// cachedRoute serves a page from the page cache to anonymous visitors,
// before the CSRF and session middleware, which such a page does not
// need. group names the page's group from the request ("" when it has
// none). On a miss the page is rendered as usual and kept if its handler
// said so. Either way the page carries an ETag and a Last-Modified, so a
// browser's next visit may be a 304.
func (s *Server) cachedRoute(group func(c *fiber.Ctx) string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		g := group(c)
		if g == "" || !s.pages.enabled() || !plainAnonymous(c) {
			return c.Next()
		}
		tid := ""
		if t, ok := tenants.FromContext(c.UserContext()); ok {
			tid = t.ID
		}
		variant := c.Path() + "\x00" + langOf(c)
		now := time.Now()
		if p, ok := s.pages.get(g, tid, variant, now); ok {
			return s.sendCached(c, p)
		}
		epoch := s.pages.begin()
		if err := c.Next(); err != nil {
			return err
		}
		if ok, _ := c.Locals(localCacheable).(bool); !ok || c.Response().StatusCode() != fiber.StatusOK {
			return nil
		}
		body := c.Response().Body()
		sum := sha256.Sum256(body)
		// The fastest level: little CPU and memory on a miss, and within a
		// few per cent of the default's size on HTML.
		p := &cachedPage{gzip: fasthttp.AppendGzipBytesLevel(nil, body, fasthttp.CompressBestSpeed), contentType: string(c.Response().Header.ContentType()),
			etag: `W/"` + hex.EncodeToString(sum[:12]) + `"`, modified: now.UTC().Truncate(time.Second), expires: now.Add(s.pages.ttl)}
		// The key outlives the request: Fiber's strings are its buffers.
		s.pages.put(utils.CopyString(g), tid, utils.CopyString(variant), p, epoch)
		setValidators(c, p)
		if notModified(c, p) {
			c.Response().ResetBody()
			c.Status(fiber.StatusNotModified)
		}
		return nil
	}
}

// plainAnonymous is a request any anonymous visitor could make: no token,
// no session cookie (an expired access token would be renewed from the
// refresh cookie), and no query but the language.
func plainAnonymous(c *fiber.Ctx) bool {
	if c.Get(fiber.HeaderAuthorization) != "" || c.Cookies(accessCookie) != "" || c.Cookies(refreshCookie) != "" ||
		tenants.PrincipalFrom(c.UserContext()).Authenticated() {
		return false
	}
	switch string(c.Request().URI().QueryString()) {
	case "", "lang=pl", "lang=en":
		return true
	}
	return false
}

// sendCached answers with a kept page: a 304 when the browser has it, else
// the gzipped bytes, or unzipped for a client that takes no gzip (one that
// takes brotli only gets it from compressAnswers).
func (s *Server) sendCached(c *fiber.Ctx, p *cachedPage) error {
	c.Set(fiber.HeaderContentType, p.contentType)
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	setValidators(c, p)
	if notModified(c, p) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	if c.Request().Header.HasAcceptEncoding("gzip") {
		c.Set(fiber.HeaderContentEncoding, "gzip")
		return c.Send(p.gzip)
	}
	// Unzipped straight into the response's own (pooled) buffer.
	if _, err := fasthttp.WriteGunzip(c.Response().BodyWriter(), p.gzip); err != nil {
		return fmt.Errorf("unzip a cached page: %w", err)
	}
	return nil
}

// setValidators sends what a browser revalidates with, and what the page
// varies by: the encoding, and the language from the header or the cookie
// (the session cookies make it a signed-in person's page, never kept).
func setValidators(c *fiber.Ctx, p *cachedPage) {
	c.Set(fiber.HeaderETag, p.etag)
	c.Set(fiber.HeaderLastModified, p.modified.Format(http.TimeFormat))
	c.Vary(fiber.HeaderAcceptEncoding, fiber.HeaderAcceptLanguage, fiber.HeaderCookie)
}

// notModified applies RFC 9110's conditions: If-None-Match (weak
// comparison) when sent, else If-Modified-Since.
func notModified(c *fiber.Ctx, p *cachedPage) bool {
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" {
		want := strings.TrimPrefix(p.etag, "W/")
		for _, tag := range strings.Split(inm, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" || strings.TrimPrefix(tag, "W/") == want {
				return true
			}
		}
		return false
	}
	if ims := c.Get(fiber.HeaderIfModifiedSince); ims != "" {
		t, err := http.ParseTime(ims)
		return err == nil && !p.modified.After(t)
	}
	return false
}

// profileGroup is a profile page's group: the listing's id.
func profileGroup(c *fiber.Ctx) string {
	if id := c.Params("id"); store.ValidID(id) {
		return id
	}
	return ""
}

// homeGroupOf is the group of the home page asked for: the region's, or
// the national hub's.
func homeGroupOf(c *fiber.Ctx) string {
	if t, ok := tenants.FromContext(c.UserContext()); ok {
		return homeGroup(t.ID)
	}
	return homeGroup("")
}

// FollowListingChanges drops this node's cached pages of listings changed
// on any node, until ctx ends. Until it listens, and whenever its
// connection is lost, the cache serves nothing, since a change might go
// unheard.
func (s *Server) FollowListingChanges(ctx context.Context) error {
	defer s.pages.reset(false)
	return s.db.ListenListingChanges(ctx, func(n store.Notice) {
		switch {
		case n.Err != nil:
			s.pages.reset(false)
			s.log.Warn("listing changes: listener connection; the page cache is off until it is back", "err", n.Err)
		case n.Missed:
			s.pages.reset(true)
		default:
			ch := store.ParseListingChange(n.Payload)
			s.pages.dropListings(ch.TenantID, ch.IDs)
		}
	})
}
