package handlers

import (
	"io"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// app.Test's peer is 0.0.0.0; here it plays the load balancer.
func TestClientAddressWalksForwardedForFromTheRight(t *testing.T) {
	s := &Server{cfg: Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/32"), netip.MustParsePrefix("10.0.0.0/8")}}}
	app := fiber.New()
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString(addressKey(s.clientAddress(c))) })
	for _, tc := range []struct {
		xff  []string
		want string
	}{
		{nil, "0.0.0.0"},
		{[]string{"203.0.113.9"}, "203.0.113.9"},
		{[]string{"198.51.100.1, 203.0.113.9, 10.0.0.3"}, "203.0.113.9"},
		{[]string{"198.51.100.1", "203.0.113.9, 10.0.0.3"}, "203.0.113.9"}, // repeated headers
		{[]string{"203.0.113.9:4711"}, "203.0.113.9"},
		{[]string{"[2001:db8:1:2:3:4:5:6]:443"}, "2001:db8:1:2::/64"},
		{[]string{"::ffff:203.0.113.9"}, "203.0.113.9"},
		{[]string{"203.0.113.9, unknown, 10.0.0.3"}, "10.0.0.3"}, // garbled: stop at the last proxy
		{[]string{"10.0.0.1, 10.0.0.2"}, "10.0.0.1"},
	} {
		req := httptest.NewRequest("GET", "/", nil)
		for _, v := range tc.xff {
			req.Header.Add("X-Forwarded-For", v)
		}
		resp, err := app.Test(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		if string(got) != tc.want {
			t.Errorf("X-Forwarded-For %q: client %s, want %s", tc.xff, got, tc.want)
		}
	}
}
