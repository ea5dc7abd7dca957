package handlers

import (
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// pageCache keeps rendered public pages as an anonymous visitor sees them
// (a published profile, a region's home), so the next visitor gets the
// bytes without a database read or a template. It is bounded by the bytes
// it holds, least recently used first out. Pages are grouped by what makes
// them change: a listing's id, or homeGroup of a tenant. A group is dropped
// when the database announces a change to it (see FollowListingChanges),
// and every page also expires after ttl, since what a page says about
// certificates and eligibility lapses with the date alone.
type pageCache struct {
	mu    sync.Mutex
	lru   *simplelru.LRU[string, *pageGroup]
	bytes int
	max   int
	ttl   time.Duration
	// epoch grows with every drop. A page rendered from data read before
	// a drop may be stale, so put keeps it only if no drop came between.
	epoch uint64
	// live is whether the listener is connected: a change announced while
	// it is not would go unheard, so nothing is served or kept meanwhile.
	live bool
}

// pageGroup is the pages of one listing (or one home) in every variant:
// the path it was asked under and the language.
type pageGroup struct {
	tenantID string
	pages    map[string]*cachedPage
	size     int
}

// cachedPage is one rendered page, kept gzipped only: a page shrinks
// five- to eightfold, so the bound holds that many more pages, and a
// browser takes it as it is; a client that takes no gzip gets it
// unzipped, a few microseconds. It is never changed once stored, so
// readers need no lock.
type cachedPage struct {
	gzip        []byte
	contentType string
	etag        string
	modified    time.Time
	expires     time.Time
}

func (p *cachedPage) size() int { return len(p.gzip) + 256 }

// homeGroup groups a tenant's home page ("" is the national hub): any
// listing change of the tenant may change its counts.
func homeGroup(tenantID string) string { return "home:" + tenantID }

func newPageCache(maxBytes int, ttl time.Duration) *pageCache {
	c := &pageCache{max: maxBytes, ttl: ttl}
	// The count is no bound (the bytes are); the callback keeps the tally.
	c.lru, _ = simplelru.NewLRU[string, *pageGroup](1<<30, func(_ string, g *pageGroup) { c.bytes -= g.size })
	return c
}

// enabled says whether the cache may hold anything at all.
func (c *pageCache) enabled() bool { return c != nil && c.max > 0 }

// get is the page of a group's variant, if kept, fresh and the tenant's.
func (c *pageCache) get(group, tenantID, variant string, now time.Time) (*cachedPage, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live {
		return nil, false
	}
	g, ok := c.lru.Get(group)
	if !ok || g.tenantID != tenantID {
		return nil, false
	}
	p, ok := g.pages[variant]
	if !ok || now.After(p.expires) {
		return nil, false
	}
	return p, true
}

// begin is the epoch to hand to put for a page about to be rendered.
func (c *pageCache) begin() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch
}

// put keeps a page rendered since begin returned epoch, unless something
// was dropped meanwhile. A page larger than an eighth of the bound is not
// worth the room.
func (c *pageCache) put(group, tenantID, variant string, p *cachedPage, epoch uint64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live || epoch != c.epoch || p.size() > c.max/8 {
		return false
	}
	c.replace(group, tenantID, variant, p)
	return true
}

func (c *pageCache) replace(group, tenantID, variant string, p *cachedPage) {
	g, ok := c.lru.Get(group)
	if ok && g.tenantID != tenantID {
		c.lru.Remove(group)
		ok = false
	}
	if !ok {
		g = &pageGroup{tenantID: tenantID, pages: map[string]*cachedPage{}}
		c.lru.Add(group, g)
	}
	if old, ok := g.pages[variant]; ok {
		g.size -= old.size()
		c.bytes -= old.size()
	}
	g.pages[variant] = p
	g.size += p.size()
	c.bytes += p.size()
	for c.bytes > c.max {
		if _, _, ok := c.lru.RemoveOldest(); !ok {
			break
		}
	}
}

// dropListings forgets the pages of listings of a tenant and the homes
// that count them; no ids means every page of the tenant.
func (c *pageCache) dropListings(tenantID string, ids []string) {
	if len(ids) == 0 {
		c.dropTenant(tenantID)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for _, id := range ids {
		c.lru.Remove(id)
	}
	c.lru.Remove(homeGroup(tenantID))
	c.lru.Remove(homeGroup(""))
}

// dropTenant forgets every page of a tenant (its branding or taxonomy
// changed, or many of its listings did) and the national hub's.
func (c *pageCache) dropTenant(tenantID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for _, k := range c.lru.Keys() {
		if g, ok := c.lru.Peek(k); ok && (g.tenantID == tenantID || g.tenantID == "") {
			c.lru.Remove(k)
		}
	}
}

// reset forgets everything and says whether changes are heard from now on.
func (c *pageCache) reset(live bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	c.lru.Purge()
	c.live = live
}

// stats are the bytes held and the groups kept.
func (c *pageCache) stats() (bytes, groups int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes, c.lru.Len()
}

// forgetAll forgets every page, staying live.
func (c *pageCache) forgetAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	c.lru.Purge()
}
