package handlers

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"katalogpes/tenants"
)

// deskNotifications is how many notifications the desk shows.
const deskNotifications = 10

// myNotifications lists the signed-in person's notifications, newest first.
func (s *Server) myNotifications(c *fiber.Ctx) error {
	list, err := s.db.FindNotifications(c.UserContext(), 0)
	if err != nil {
		return err
	}
	return c.JSON(list)
}

// readNotification marks one notification read.
func (s *Server) readNotification(c *fiber.Ctx) error {
	if err := s.db.MarkNotificationRead(c.UserContext(), c.Params("nid")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// readNotificationPost marks a notification read from the desk.
func (s *Server) readNotificationPost(c *fiber.Ctx) error {
	if err := s.db.MarkNotificationRead(c.UserContext(), utils.CopyString(c.Params("nid"))); err != nil {
		return err
	}
	return c.Redirect(basePath(c)+"/moje?msg=notification_read#powiadomienia", fiber.StatusSeeOther)
}

// rememberLanguage keeps a signed-in person's ?lang= choice on their
// account, so the mail they get from now on is in that language.
func (s *Server) rememberLanguage(c *fiber.Ctx) error {
	if q := c.Query("lang"); (q == "pl" || q == "en") && tenants.PrincipalFrom(c.UserContext()).Authenticated() {
		if err := s.db.SetAccountLanguage(c.UserContext(), q); err != nil {
			return err
		}
	}
	return c.Next()
}
