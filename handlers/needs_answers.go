package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"katalogpes/store"
	"katalogpes/tenants"
)

// Answers, declines, consortium confirmations, public Q&A and the
// confirmation of buyers: the API side.

func (s *Server) answerNeed(c *fiber.Ctx) error {
	var in store.AnswerInput
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	a, err := s.db.AnswerNeed(c.UserContext(), utils.CopyString(c.Params("id")), in, s.mail.NeedNotice, s.mail.NeedForBuyer)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(a)
}

func (s *Server) needAnswers(c *fiber.Ctx) error {
	list, err := s.db.FindNeedAnswers(c.UserContext(), utils.CopyString(c.Params("id")))
	if err != nil {
		return err
	}
	return c.JSON(list)
}

func (s *Server) confirmPartner(c *fiber.Ctx) error {
	var req listingIDBody
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	a, err := s.db.ConfirmPartner(c.UserContext(), utils.CopyString(c.Params("aid")), req.ListingID)
	if err != nil {
		return err
	}
	return c.JSON(a)
}

func (s *Server) declineNeed(c *fiber.Ctx) error {
	var req declineBody
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	if err := s.db.DeclineNeed(c.UserContext(), utils.CopyString(c.Params("id")), req.ListingID, req.Reason); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// needClick is the API twin of the mail's one-click link: POST the token
// (no sign-in), with an optional reason for a decline.
func (s *Server) needClick(c *fiber.Ctx) error {
	var req needClickBody
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	r, err := s.db.UseNeedClick(c.UserContext(), req.Token, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(needClickAnswer{Action: r.Action, NeedID: r.NeedID, ListingID: r.ListingID})
}

func (s *Server) needQuestions(c *fiber.Ctx) error {
	list, err := s.db.FindQuestions(c.UserContext(), utils.CopyString(c.Params("id")))
	if err != nil {
		return err
	}
	return c.JSON(list)
}

func (s *Server) askQuestion(c *fiber.Ctx) error {
	var req questionBody
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	q, err := s.db.AskQuestion(c.UserContext(), utils.CopyString(c.Params("id")), req.Question, s.mail.NeedForBuyer)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(q)
}

func (s *Server) answerQuestion(c *fiber.Ctx) error {
	var req questionAnswerBody
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	q, err := s.db.AnswerQuestion(c.UserContext(), utils.CopyString(c.Params("id")), utils.CopyString(c.Params("qid")), req.Answer, s.mail.QuestionAnswered)
	if err != nil {
		return err
	}
	return c.JSON(q)
}

func (s *Server) myBuyer(c *fiber.Ctx) error {
	b, err := s.db.FindOwnBuyer(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(b)
}

func (s *Server) waitingBuyers(c *fiber.Ctx) error {
	list, err := s.db.FindWaitingBuyers(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(list)
}

func (s *Server) decideBuyer(confirm bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req reasonBody
		if err := decodeOptional(c, &req); err != nil {
			return err
		}
		b, err := s.decideBuyerFor(c, utils.CopyString(c.Params("id")), confirm, req.Reason)
		if err != nil {
			return err
		}
		return c.JSON(b)
	}
}

func (s *Server) decideBuyerFor(c *fiber.Ctx, id string, confirm bool, reason string) (*store.Buyer, error) {
	t, _ := tenants.FromContext(c.UserContext())
	return s.db.DecideBuyer(c.UserContext(), id, confirm, reason, func(b store.Buyer) store.Mail { return s.mail.BuyerDecision(t.Slug, b) })
}

func (s *Server) needSettings(c *fiber.Ctx) error {
	st, err := s.db.FindNeedSettings(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(st)
}

func (s *Server) updateNeedSettings(c *fiber.Ctx) error {
	var st store.NeedSettings
	if err := decodeStrict(c, &st); err != nil {
		return err
	}
	if err := s.db.UpdateNeedSettings(c.UserContext(), st); err != nil {
		return err
	}
	return s.needSettings(c)
}

// The needs' rate limits: one-click links are guessed at no faster than
// this, and questions are not a way to flood a buyer's mailbox.
var (
	needClickByAddress    = rateLimit{protects: "need-click", by: byAddress, max: 30, window: time.Minute}
	needQuestionByAddress = rateLimit{protects: "need-question", by: byAddress, max: 20, window: time.Hour}
)

func (s *Server) pendingNeeds(c *fiber.Ctx) error {
	list, err := s.db.FindPendingNeeds(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(list)
}
