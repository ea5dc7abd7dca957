package handlers

import (
	"net/url"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"katalogpes/store"
)

// An entity's pages of needs: the needs that reached its listings, the
// consortium answers waiting for its word, the categories it muted, and
// the answer form.

type needInbox struct {
	Page
	Matched  []store.InboxItem
	Partner  []store.InboxItem
	Listings []store.InboxItem
	Mutes    map[string]map[string]bool // listing → muted category
}

// NeedURL is a matched need's public page, under the need's own region
// (a need open to other regions reaches listings of this one).
func (p *needInbox) NeedURL(m store.InboxItem) string {
	if m.NeedTenant == "" || (p.Tenant != nil && p.Tenant.Slug == m.NeedTenant) {
		return p.URL("/zapytania/" + m.NeedID)
	}
	return "/r/" + m.NeedTenant + "/zapytania/" + m.NeedID
}

// Muted reports whether a listing muted a category (the form's boxes).
func (p *needInbox) Muted(listing, category string) bool { return p.Mutes[listing][category] }

func (s *Server) needInboxPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	matched, partner, err := s.db.FindNeedInbox(ctx)
	if err != nil {
		return err
	}
	listings, err := s.db.OwnListingsForAnswer(ctx)
	if err != nil {
		return err
	}
	p := &needInbox{Page: s.newPage(c, "ui.need.inbox_title"), Matched: matched, Partner: partner, Listings: listings,
		Mutes: map[string]map[string]bool{}}
	p.Section = "mine_needs"
	if _, err := s.needOptions(ctx, &p.Page); err != nil {
		return err
	}
	for _, l := range listings {
		list, err := s.db.FindNeedMutes(ctx, l.ListingID)
		if err != nil {
			return err
		}
		p.Mutes[l.ListingID] = map[string]bool{}
		for _, m := range list {
			p.Mutes[l.ListingID][m] = true
		}
	}
	return s.render(c, fiber.StatusOK, "need_inbox", p)
}

func (s *Server) needMutePost(c *fiber.Ctx) error {
	v := formValues(c)
	if err := s.db.SetNeedMutes(c.UserContext(), v.Get("listing_id"), v["categories"]); err != nil {
		return err
	}
	return c.Redirect(basePath(c)+"/moje-zapytania?msg=need_muted", fiber.StatusSeeOther)
}

func (s *Server) partnerConfirmPost(c *fiber.Ctx) error {
	v := formValues(c)
	if _, err := s.db.ConfirmPartner(c.UserContext(), utils.CopyString(c.Params("aid")), v.Get("listing_id")); err != nil {
		return err
	}
	return c.Redirect(basePath(c)+"/moje-zapytania?msg=need_partner_confirmed", fiber.StatusSeeOther)
}

func (s *Server) declinePost(c *fiber.Ctx) error {
	v := formValues(c)
	if err := s.db.DeclineNeed(c.UserContext(), utils.CopyString(c.Params("id")), v.Get("listing_id"), v.Get("reason")); err != nil {
		return err
	}
	return c.Redirect(basePath(c)+"/moje-zapytania?msg=need_declined", fiber.StatusSeeOther)
}

// answerForm is the answer to one need: for which listing, the message,
// a PDF, and the partners of a consortium.
type answerForm struct {
	Page
	N *store.Need
}

func (s *Server) answerPage(c *fiber.Ctx) error {
	return s.renderAnswer(c, fiber.StatusOK, nil, nil)
}

func (s *Server) renderAnswer(c *fiber.Ctx, status int, err error, v url.Values) error {
	ctx := c.UserContext()
	n, ferr := s.db.FindNeedToAnswer(ctx, utils.CopyString(c.Params("id")))
	if ferr != nil {
		return ferr
	}
	own, ferr := s.db.OwnListingsForAnswer(ctx)
	if ferr != nil {
		return ferr
	}
	others, ferr := s.db.FindPartnerCandidates(ctx, n.ID)
	if ferr != nil {
		return ferr
	}
	p := &answerForm{Page: s.newPage(c, "ui.need.answer_title"), N: n}
	p.Title = p.Tf("ui.need.answer_title_of", "Title", n.Title)
	p.Section = "mine_needs"
	p.LabelPrefix = "ui.need.f."
	if v == nil && len(own) > 0 {
		v = url.Values{"listing_id": {own[0].ListingID}}
	}
	p.Form = newForm(v)
	p.Options = map[string][]Option{}
	mine := map[string]bool{}
	for _, l := range own {
		mine[l.ListingID] = true
		p.Options["listing_id"] = append(p.Options["listing_id"], Option{Value: l.ListingID, Label: l.ListingName})
	}
	for _, o := range others {
		if !mine[o.ListingID] {
			p.Options["partners"] = append(p.Options["partners"], Option{Value: o.ListingID, Label: o.ListingName})
		}
	}
	if err != nil && !s.addError(&p.Page, err, nil) {
		return err
	}
	return s.render(c, status, "need_answer", p)
}

func (s *Server) answerSubmit(c *fiber.Ctx) error {
	v := formValues(c)
	id := utils.CopyString(c.Params("id"))
	in := store.AnswerInput{ListingID: v.Get("listing_id"), Message: v.Get("message"), Partners: v["partners"]}
	if fh, err := c.FormFile("file"); err == nil && fh.Size > 0 {
		name, raw, err := uploadedPDF(c)
		if err != nil {
			return s.needRefused(c, err, v, func() error { return s.renderAnswer(c, fiber.StatusUnprocessableEntity, err, v) })
		}
		in.FileName, in.File = name, raw
	}
	if _, err := s.db.AnswerNeed(c.UserContext(), id, in, s.mail.NeedNotice, s.mail.NeedForBuyer); err != nil {
		return s.needRefused(c, err, v, func() error { return s.renderAnswer(c, statusOf[store.ErrorCode(err)], err, v) })
	}
	return c.Redirect(basePath(c)+"/moje-zapytania?msg=need_answered", fiber.StatusSeeOther)
}
