package handlers

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"
)

// limitKey picks what a rate limit counts by.
type limitKey func(c *fiber.Ctx) string

func byIP(c *fiber.Ctx) string { return "ip:" + c.IP() }

// byEmail counts attempts on one account, whichever IP they come from.
func byEmail(c *fiber.Ctx) string {
	var req struct {
		Email string `json:"email"`
	}
	_ = json.Unmarshal(c.Body(), &req)
	return "email:" + strings.ToLower(strings.TrimSpace(req.Email))
}

// limit allows max requests per window per key, then answers 429 with
// Retry-After. Counters live in this process: behind a load balancer the
// limit is per node (see README).
func (s *Server) limit(max int, window time.Duration, key limitKey) fiber.Handler {
	return limiter.New(limiter.Config{
		Max:          max,
		Expiration:   window,
		KeyGenerator: func(c *fiber.Ctx) string { return key(c) },
		LimitReached: func(c *fiber.Ctx) error { return fiber.ErrTooManyRequests },
	})
}
