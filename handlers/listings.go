package handlers

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"katalogpes/store"
)

func (s *Server) createListing(c *fiber.Ctx) error {
	body, err := jsonBody(c)
	if err != nil {
		return err
	}
	d, err := decodeListingData(body)
	if err != nil {
		return err
	}
	l, err := s.db.CreateListing(c.UserContext(), d)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(l)
}

// updateListing applies a JSON merge patch to the listing as its editor
// sees it (the pending revision, if any); the store sets the fields that
// changed on the listing as it is when the edit lands.
func (s *Server) updateListing(c *fiber.Ctx) error {
	patch, err := jsonBody(c)
	if err != nil {
		return err
	}
	ctx, id := c.UserContext(), utils.CopyString(c.Params("id"))
	cur, err := s.db.FindListingByID(ctx, id)
	if err != nil {
		return err
	}
	if !s.mayEdit(c, cur) {
		return store.Errorf(store.EForbidden, "listing.not_owner")
	}
	base := editable(cur)
	next, err := applyMergePatch(base, patch)
	if err != nil {
		return err
	}
	l, err := s.db.UpdateListing(ctx, id, store.ListingChanges(base, next))
	if err != nil {
		return err
	}
	return c.JSON(l)
}

func (s *Server) getListing(c *fiber.Ctx) error {
	l, err := s.db.FindListingByID(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(withVerification{Listing: l, Verification: s.publicVerification(c.UserContext(), l.ID)})
}

func (s *Server) submitListing(c *fiber.Ctx) error {
	l, err := s.db.SubmitListing(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(l)
}

func (s *Server) myListings(c *fiber.Ctx) error {
	list, err := s.db.FindOwnListings(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(list)
}

func (s *Server) listingHistory(c *fiber.Ctx) error {
	events, err := s.db.FindListingEvents(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(events)
}

func (s *Server) archiveListing(c *fiber.Ctx) error {
	if err := s.db.ArchiveListing(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	s.search.Notify()
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) moderationQueue(c *fiber.Ctx) error {
	items, err := s.db.FindModerationQueue(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(items)
}

// moderate serves approve, reject, request-changes, suspend and reinstate.
func (s *Server) moderate(action string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req struct {
			Reason string `json:"reason"`
		}
		if len(c.Body()) > 0 {
			if err := decodeStrict(c, &req); err != nil {
				return err
			}
		}
		l, err := s.db.ModerateAndTell(c.UserContext(), c.Params("id"), action, req.Reason, s.mail.Decision)
		if err != nil {
			return err
		}
		s.search.Notify()
		return c.JSON(l)
	}
}

func (s *Server) categories(c *fiber.Ctx) error {
	list, err := s.db.FindCategories(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(list)
}
