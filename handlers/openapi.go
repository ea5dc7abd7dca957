package handlers

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// openAPIDoc is the machine-readable contract (shared/API.md).
//
//go:embed openapi.json
var openAPIDoc []byte

func (s *Server) openAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(openAPIDoc)
}
