package handlers

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"katalogpes/store"
)

// confirmButton is the one-click "my data is current" form of a listing;
// From says which page to come back to (mine or profile).
type confirmButton struct {
	Page *Page
	L    *store.Listing
	From string
}

// ConfirmFor draws the confirm button of l on a page.
func (p *Page) ConfirmFor(l *store.Listing, from string) confirmButton {
	return confirmButton{Page: p, L: l, From: from}
}

// confirmView is where the reminder mail leads: the button alone, after
// signing in when need be.
type confirmView struct {
	Page
	L *store.Listing
}

func (s *Server) confirmPage(c *fiber.Ctx) error {
	l, err := s.db.FindListingByID(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	p := &confirmView{Page: s.newPage(c, "ui.confirm.title"), L: l}
	p.Section = "mine"
	return s.render(c, fiber.StatusOK, "confirm", p)
}

// confirmPost records that the listing is still true and goes back.
func (s *Server) confirmPost(c *fiber.Ctx) error {
	id := utils.CopyString(c.Params("id"))
	if _, err := s.db.ConfirmListing(c.UserContext(), id); err != nil {
		return err
	}
	back := basePath(c) + "/moje?msg=confirmed"
	if c.FormValue("from") == "profile" {
		back = basePath(c) + "/podmiot/" + id + "?msg=confirmed"
	}
	return c.Redirect(back, fiber.StatusSeeOther)
}
