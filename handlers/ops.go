package handlers

import (
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"katalogpes/store"
)

func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz says whether the database and search answer, naming what is down.
func (s *Server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	checks := fiber.Map{"database": "ok", "search": "ok"}
	ready := true
	if err := s.db.Ping(ctx); err != nil {
		checks["database"], ready = "down", false
	}
	if err := s.search.Healthy(ctx); err != nil {
		checks["search"], ready = "down", false
	}
	status := fiber.StatusOK
	if !ready {
		status = fiber.StatusServiceUnavailable
	}
	return c.Status(status).JSON(fiber.Map{"ready": ready, "checks": checks})
}

func (s *Server) metricsHandler() fiber.Handler {
	return adaptor.HTTPHandler(promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{}))
}

// devMail shows the mail that would have been sent, newest first, to any
// region (its route has the hub's scope): only with APP_ENV=development
// (the route does not exist otherwise).
func (s *Server) devMail(c *fiber.Ctx) error {
	list, err := s.db.FindMailTo(c.UserContext(), c.Query("to"), 50)
	if err != nil {
		return err
	}
	if list == nil {
		list = []store.SentMail{}
	}
	// A person reads it in a browser, a test as JSON.
	if strings.Contains(c.Get(fiber.HeaderAccept), "text/html") {
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Render("devmail", devMailView{To: c.Query("to"), Mails: list})
	}
	return c.JSON(list)
}

// devMailView is the development mailbox page.
type devMailView struct {
	To    string
	Mails []store.SentMail
}
