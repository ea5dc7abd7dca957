package handlers

import (
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// fiberTrustedProxies hands the trusted proxies to Fiber, which then reads
// X-Forwarded-Host and X-Forwarded-Proto (Hostname, Protocol) only from
// them. Fiber's own client IP takes the left-most X-Forwarded-For, which
// the client writes, so clientAddress is used instead.
func fiberTrustedProxies(list []netip.Prefix) []string {
	out := make([]string, 0, len(list))
	for _, p := range list {
		out = append(out, p.Masked().String())
	}
	return out
}

// trustedProxy reports whether a is one of the configured proxies.
func (s *Server) trustedProxy(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// peerAddress is the address of the connection's other end.
func peerAddress(c *fiber.Ctx) netip.Addr {
	a, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	return a.Unmap()
}

// clientAddress is who sent the request. From a trusted proxy it is the
// right-most X-Forwarded-For hop that is not itself a trusted proxy: each
// proxy appends the address it saw, so the hops to the left of that are
// the client's to write. A hop that does not read as an address ends the
// walk at the last trusted one, so a garbled header cannot pick a name.
func (s *Server) clientAddress(c *fiber.Ctx) netip.Addr {
	addr := peerAddress(c)
	if !s.trustedProxy(addr) {
		return addr
	}
	hops := forwardedFor(c)
	for i := len(hops) - 1; i >= 0; i-- {
		hop, ok := parseHop(hops[i])
		if !ok {
			return addr
		}
		if !s.trustedProxy(hop) {
			return hop
		}
		addr = hop
	}
	return addr
}

// forwardedFor is every X-Forwarded-For hop in order, across repeated
// headers.
func forwardedFor(c *fiber.Ctx) []string {
	var hops []string
	for _, v := range c.Request().Header.PeekAll(fiber.HeaderXForwardedFor) {
		hops = append(hops, strings.Split(string(v), ",")...)
	}
	return hops
}

// parseHop reads one hop: an address, perhaps with a port.
func parseHop(hop string) (netip.Addr, bool) {
	hop = strings.TrimSpace(hop)
	if a, err := netip.ParseAddr(hop); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(hop); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

// addressKey names a client address for a rate limit. An IPv6 client
// usually holds a whole /64, so the limit is on that.
func addressKey(a netip.Addr) string {
	if a.Is6() {
		return netip.PrefixFrom(a, 64).Masked().String()
	}
	return a.String()
}
