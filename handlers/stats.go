package handlers

import (
	"github.com/gofiber/fiber/v2"
)

// stats serves a region's figures, or on the hub the national ones with
// a count per region.
func (s *Server) stats(c *fiber.Ctx) error {
	st, err := s.db.Stats(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(st)
}
