package handlers

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"katalogpes/store"
)

// Integrators (issue 16): API keys over the API and on the admin page.

// apiKeyCreated is a new key, the key itself shown this once.
type apiKeyCreated struct {
	store.APIKey
	Key string `json:"key" required:"true" description:"The key (kp_…): shown once, stored hashed."`
}

func (s *Server) listAPIKeys(c *fiber.Ctx) error {
	list, err := s.db.FindAPIKeys(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(list)
}

func (s *Server) createAPIKey(c *fiber.Ctx) error {
	var req store.NewAPIKey
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	k, key, err := s.db.CreateAPIKey(c.UserContext(), req)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(apiKeyCreated{APIKey: *k, Key: key})
}

func (s *Server) revokeAPIKey(c *fiber.Ctx) error {
	if err := s.db.RevokeAPIKey(c.UserContext(), utils.CopyString(c.Params("id"))); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// withAPIKey lets a request with an integrator's key read what the public
// reads: the key is looked up (and its use counted) in PostgreSQL on every
// request, so a revoked key is refused at once on every node, and each key
// has its own limit a minute, shared by every node.
func (s *Server) withAPIKey(c *fiber.Ctx, key string) error {
	use, err := s.db.UseAPIKey(c.UserContext(), key)
	if err != nil {
		return err
	}
	ok, retry, err := s.db.HitRateLimit(c.UserContext(), "api_key:"+use.ID, use.RatePerMinute, time.Minute)
	if err != nil {
		return err
	}
	if !ok {
		return &rateLimited{retryAfter: retry}
	}
	c.Set("X-RateLimit-Limit", strconv.Itoa(use.RatePerMinute))
	return c.Next()
}

// deliveriesShown is how many recent deliveries the API and page list.
const deliveriesShown = 50

func (s *Server) listWebhooks(c *fiber.Ctx) error {
	list, err := s.db.FindWebhooks(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(list)
}

func (s *Server) createWebhook(c *fiber.Ctx) error {
	var req store.NewWebhook
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	w, err := s.db.CreateWebhook(c.UserContext(), req)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(w)
}

func (s *Server) removeWebhook(c *fiber.Ctx) error {
	if err := s.db.RemoveWebhook(c.UserContext(), utils.CopyString(c.Params("id"))); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) webhookDeliveries(c *fiber.Ctx) error {
	list, err := s.db.FindWebhookDeliveries(c.UserContext(), deliveriesShown)
	if err != nil {
		return err
	}
	return c.JSON(list)
}
