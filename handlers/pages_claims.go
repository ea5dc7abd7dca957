package handlers

import (
	"errors"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"katalogpes/store"
)

// claimOffer is the listing a refused duplicate may be claimed instead
// of, "" when there is none.
func claimOffer(err error) string {
	var se *store.Error
	if errors.As(err, &se) {
		return se.Claimable
	}
	return ""
}

// claimView is the claim of one listing as its claimant sees it: how to
// start, the code form, or where the claim stands.
type claimView struct {
	Page
	Target *store.ClaimTarget
	Claim  *store.Claim // the caller's newest claim; nil before the first
	Mine   bool
	SentTo string // the contact address, half hidden
}

// State names what the page shows.
func (p *claimView) State() string {
	switch {
	case p.Target.Owned() && p.Mine:
		return "yours"
	case p.Target.Owned():
		return "owned"
	case p.Claim == nil:
		return "start"
	case p.Claim.Status == store.ClaimLocked:
		return "locked"
	case p.Claim.Status == store.ClaimPending && p.Claim.Method == store.ClaimByEmailCode:
		return "code"
	case p.Claim.Status == store.ClaimPending:
		return "waiting"
	}
	return "start"
}

// Reason is a decided claim's reason, translated when it is a message key.
func (p *claimView) Reason() string {
	if p.Claim == nil || p.Claim.Status != store.ClaimRejected {
		return ""
	}
	if strings.HasPrefix(p.Claim.Reason, "claim.") && p.Has(p.Claim.Reason) {
		return p.T(p.Claim.Reason)
	}
	return p.Claim.Reason
}

// maskEmail shows enough of an address to recognise it: b***@example.org.
func maskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" {
		return ""
	}
	return local[:1] + "***@" + domain
}

func (s *Server) claimPage(c *fiber.Ctx) error {
	return s.renderClaim(c, fiber.StatusOK, nil, url.Values{})
}

// renderClaim draws the claim page, with err's messages at their fields.
func (s *Server) renderClaim(c *fiber.Ctx, status int, err error, v url.Values) error {
	ctx := c.UserContext()
	id := utils.CopyString(c.Params("id"))
	target, ferr := s.db.FindClaimTarget(ctx, id)
	if ferr != nil {
		return ferr
	}
	claim, ferr := s.db.FindOwnClaim(ctx, id)
	if ferr != nil && store.ErrorCode(ferr) != store.ENotFound {
		return ferr
	}
	p := &claimView{Page: s.newPage(c, "ui.claim.title"), Target: target, Claim: claim, SentTo: maskEmail(target.ContactEmail)}
	p.Title = p.Tf("ui.claim.title_of", "Name", target.Name)
	p.Section = "mine"
	p.LabelPrefix = "ui.fk."
	p.Form = newForm(v)
	p.Mine = target.Owned() && *target.OwnerID == p.User.AccountID
	if err != nil && !s.addError(&p.Page, err, nil) {
		return err
	}
	return s.render(c, status, "claim", p)
}

// claimSubmit starts (or renews) the claim: a code by mail, or a note
// for a moderator.
func (s *Server) claimSubmit(c *fiber.Ctx) error {
	v := formValues(c)
	id := utils.CopyString(c.Params("id"))
	claim, err := s.startClaim(c, id, v.Get("note"))
	if err != nil {
		return s.claimRefused(c, err, v)
	}
	msg := "claim_waiting"
	if claim.Method == store.ClaimByEmailCode {
		msg = "claim_sent"
	}
	return c.Redirect(basePath(c)+"/przejmij/"+id+"?msg="+msg, fiber.StatusSeeOther)
}

// claimCodeSubmit checks the code; right, the listing is the caller's.
func (s *Server) claimCodeSubmit(c *fiber.Ctx) error {
	v := formValues(c)
	id := utils.CopyString(c.Params("id"))
	if _, err := s.db.ConfirmClaim(c.UserContext(), id, v.Get("code")); err != nil {
		v.Del("code")
		return s.claimRefused(c, err, v)
	}
	return c.Redirect(basePath(c)+"/moje?msg=claimed", fiber.StatusSeeOther)
}

// claimRefused redraws the claim page with what was wrong; other errors
// go to the error page.
func (s *Server) claimRefused(c *fiber.Ctx, err error, v url.Values) error {
	switch code := store.ErrorCode(err); code {
	case store.EInvalid, store.EConflict:
		return s.renderClaim(c, statusOf[code], err, v)
	}
	return err
}

// claimsQueue is the moderators' list of claims waiting for a person.
type claimsQueue struct {
	Page
	Claims []store.Claim
}

func (s *Server) claimsQueuePage(c *fiber.Ctx) error {
	return s.renderClaimsQueue(c, fiber.StatusOK, nil)
}

func (s *Server) renderClaimsQueue(c *fiber.Ctx, status int, err error) error {
	list, ferr := s.db.FindWaitingClaims(c.UserContext())
	if ferr != nil {
		return ferr
	}
	p := &claimsQueue{Page: s.newPage(c, "ui.claims.title"), Claims: list}
	p.Section = "claims"
	if err != nil && !s.addError(&p.Page, err, nil) {
		return err
	}
	return s.render(c, status, "claims_queue", p)
}

// claimDecisionPost approves or rejects a claim from the list.
func (s *Server) claimDecisionPost(c *fiber.Ctx) error {
	v := formValues(c)
	action := v.Get("action")
	if action != "approve" && action != "reject" {
		return fiber.ErrBadRequest
	}
	if _, err := s.decide(c, utils.CopyString(c.Params("id")), action == "approve", v.Get("reason")); err != nil {
		switch code := store.ErrorCode(err); code {
		case store.EInvalid, store.EConflict:
			return s.renderClaimsQueue(c, statusOf[code], err)
		}
		return err
	}
	return c.Redirect(basePath(c)+"/moderacja/przejecia?msg=claim_"+action, fiber.StatusSeeOther)
}
