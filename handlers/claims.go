package handlers

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"katalogpes/store"
	"katalogpes/tenants"
)

// claimStarted is the answer to a claim: how it will be decided.
type claimStarted struct {
	ID     string `json:"id"`
	Method string `json:"method"`
	Status string `json:"status"`
}

// startClaim mails a code to the listing's contact e-mail (in the
// caller's language) or leaves the claim, with its note, to a moderator.
func (s *Server) startClaim(c *fiber.Ctx, listingID, note string) (*store.Claim, error) {
	ctx := c.UserContext()
	t, _ := tenants.FromContext(ctx)
	lang := langOf(c)
	return s.db.StartClaim(ctx, listingID, note, func(code store.ClaimCode) store.Mail {
		return s.mail.ClaimCode(lang, t, code)
	})
}

// decodeOptional decodes a JSON body when there is one: a claim and a
// decision may come without.
func decodeOptional(c *fiber.Ctx, v any) error {
	if len(c.Body()) == 0 {
		return nil
	}
	return decodeStrict(c, v)
}

func (s *Server) claimListing(c *fiber.Ctx) error {
	var req struct {
		Note string `json:"note"`
	}
	if err := decodeOptional(c, &req); err != nil {
		return err
	}
	claim, err := s.startClaim(c, utils.CopyString(c.Params("id")), req.Note)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(claimStarted{ID: claim.ID, Method: claim.Method, Status: claim.Status})
}

func (s *Server) confirmClaim(c *fiber.Ctx) error {
	var req struct {
		Code string `json:"code"`
	}
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	l, err := s.db.ConfirmClaim(c.UserContext(), utils.CopyString(c.Params("id")), req.Code)
	if err != nil {
		return err
	}
	return c.JSON(l)
}

func (s *Server) waitingClaims(c *fiber.Ctx) error {
	list, err := s.db.FindWaitingClaims(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(list)
}

// decideClaim approves or rejects a claim; the claimant is told by mail
// (in Polish: accounts keep no language).
func (s *Server) decideClaim(approve bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req struct {
			Reason string `json:"reason"`
		}
		if err := decodeOptional(c, &req); err != nil {
			return err
		}
		claim, err := s.decide(c, utils.CopyString(c.Params("id")), approve, req.Reason)
		if err != nil {
			return err
		}
		return c.JSON(claim)
	}
}

func (s *Server) decide(c *fiber.Ctx, claimID string, approve bool, reason string) (*store.Claim, error) {
	ctx := c.UserContext()
	t, _ := tenants.FromContext(ctx)
	return s.db.DecideClaim(ctx, claimID, approve, reason, func(cl store.Claim) store.Mail {
		return s.mail.ClaimDecision("pl", t, cl)
	})
}
