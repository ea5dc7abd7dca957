package handlers

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"katalogpes/store"
)

// Staff pages of needs: the needs and buyers waiting for a moderator, and
// the region's needs settings with its public-sector domains.

type needsQueue struct {
	Page
	Needs  []store.Need
	Buyers []store.Buyer
}

func (s *Server) needsQueuePage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	needs, err := s.db.FindPendingNeeds(ctx)
	if err != nil {
		return err
	}
	buyers, err := s.db.FindWaitingBuyers(ctx)
	if err != nil {
		return err
	}
	p := &needsQueue{Page: s.newPage(c, "ui.need.queue_title"), Needs: needs, Buyers: buyers}
	p.Section = "needs_queue"
	p.Form = newForm(nil)
	return s.render(c, fiber.StatusOK, "needs_queue", p)
}

func (s *Server) needDecisionPost(c *fiber.Ctx) error {
	v := formValues(c)
	approve := v.Get("decision") == "approve"
	if _, err := s.db.ModerateNeed(c.UserContext(), utils.CopyString(c.Params("id")), approve, v.Get("reason"), s.mail.NeedForBuyer); err != nil {
		if store.ErrorCode(err) == store.EInvalid {
			return c.Redirect(basePath(c)+"/moderacja/zapytania?msg=need_reason_required", fiber.StatusSeeOther)
		}
		return err
	}
	return c.Redirect(basePath(c)+"/moderacja/zapytania?msg=need_decided", fiber.StatusSeeOther)
}

func (s *Server) buyerDecisionPost(c *fiber.Ctx) error {
	v := formValues(c)
	if _, err := s.decideBuyerFor(c, utils.CopyString(c.Params("id")), v.Get("decision") == "approve", v.Get("reason")); err != nil {
		if store.ErrorCode(err) == store.EInvalid {
			return c.Redirect(basePath(c)+"/moderacja/zapytania?msg=need_reason_required", fiber.StatusSeeOther)
		}
		return err
	}
	return c.Redirect(basePath(c)+"/moderacja/zapytania?msg=buyer_decided", fiber.StatusSeeOther)
}

func (s *Server) needSettingsPage(c *fiber.Ctx) error {
	st, err := s.db.FindNeedSettings(c.UserContext())
	if err != nil {
		return err
	}
	v := map[string][]string{"match_limit": {strconv.Itoa(st.MatchLimit)}, "weekly_cap": {strconv.Itoa(st.WeeklyCap)},
		"public_sector_domains": {strings.Join(st.Domains, "\n")}}
	if st.PublishUnreviewed {
		v["skip_review"] = []string{"1"}
	}
	return s.renderNeedSettings(c, fiber.StatusOK, v, nil)
}

func (s *Server) renderNeedSettings(c *fiber.Ctx, status int, v map[string][]string, err error) error {
	p := &Page{}
	*p = s.newPage(c, "ui.need.settings_title")
	p.Section = "admin"
	p.LabelPrefix = "ui.need.f."
	p.Form = newForm(v)
	if err != nil && !s.addError(p, err, nil) {
		return err
	}
	return s.render(c, status, "needs_settings", p)
}

func (s *Server) needSettingsPost(c *fiber.Ctx) error {
	v := formValues(c)
	limit, err1 := strconv.Atoi(strings.TrimSpace(v.Get("match_limit")))
	cap, err2 := strconv.Atoi(strings.TrimSpace(v.Get("weekly_cap")))
	st := store.NeedSettings{PublishUnreviewed: v.Get("skip_review") != "", MatchLimit: limit, WeeklyCap: cap,
		Domains: strings.Fields(v.Get("public_sector_domains"))}
	if err1 != nil {
		st.MatchLimit = 0
	}
	if err2 != nil {
		st.WeeklyCap = 0
	}
	if err := s.db.UpdateNeedSettings(c.UserContext(), st); err != nil {
		if store.ErrorCode(err) == store.EInvalid {
			markFormInvalid(c)
			return s.renderNeedSettings(c, fiber.StatusUnprocessableEntity, v, err)
		}
		return err
	}
	return c.Redirect(basePath(c)+"/admin/zapytania?msg=need_settings_saved", fiber.StatusSeeOther)
}
