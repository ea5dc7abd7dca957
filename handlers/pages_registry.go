package handlers

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"katalogpes/store"
)

// withVerification is a listing as the API shows it, with its last
// registry check (API.md "Registries").
type withVerification struct {
	*store.Listing
	Verification *listingVerification `json:"verification"`
}

// listingVerification is what anyone may read of a check: when, which
// registries confirmed the listing, and the flags. Where the registries
// contradict the listing is for moderators (the queue), not here.
type listingVerification struct {
	CheckedAt time.Time `json:"checked_at"`
	Sources   []string  `json:"sources"`
	Flags     []string  `json:"flags"`
}

func (s *Server) publicVerification(ctx context.Context, id string) *listingVerification {
	vs, err := s.db.FindVerifications(ctx, []string{id})
	v, ok := vs[id]
	if err != nil || !ok || v.CheckedAt == nil {
		return nil
	}
	return &listingVerification{CheckedAt: *v.CheckedAt, Sources: v.Sources, Flags: v.Flags}
}

// verifiedLine is the profile's "Dane zweryfikowane w KRS i REGON: DATE",
// or "" when no registry ever confirmed the listing.
func (s *Server) verifiedLine(ctx context.Context, p *Page, id string) string {
	vs, err := s.db.FindVerifications(ctx, []string{id})
	v, ok := vs[id]
	if err != nil || !ok || v.CheckedAt == nil || len(v.Sources) == 0 {
		return ""
	}
	// The profile names the registers of identity (KRS, REGON); the VAT
	// list's answer proves a tax status, not who the entity is.
	var names []string
	for _, src := range v.Sources {
		if src == "krs" || src == "regon" {
			names = append(names, p.T("registry.in."+src))
		}
	}
	if len(names) == 0 {
		return ""
	}
	return p.Tf("registry.verified", "Sources", joinAnd(p, names), "Date", p.Date(*v.CheckedAt))
}

// joinAnd lists names as a sentence does: "KRS, REGON i …".
func joinAnd(p *Page, names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + p.T("registry.and") + names[len(names)-1]
}

// mismatchLines are, for moderators, where each listing and the
// registries disagree, by listing id.
func (s *Server) mismatchLines(ctx context.Context, p *Page, ids []string) (map[string]string, error) {
	vs, err := s.db.FindVerifications(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for id, v := range vs {
		var fields []string
		for _, f := range v.Mismatches {
			fields = append(fields, p.T("registry.mismatch."+f))
		}
		for _, f := range v.Flags {
			fields = append(fields, p.T("registry.flag."+f))
		}
		if len(fields) > 0 && v.CheckedAt != nil {
			out[id] = p.Tf("registry.mismatch.in", "Fields", strings.Join(fields, ", "), "Date", p.Date(*v.CheckedAt))
		}
	}
	return out, nil
}

// verificationAPI is GET …/admin/verification?flag= (API.md "Registries").
func (s *Server) verificationAPI(c *fiber.Ctx) error {
	flags, err := s.db.FindVerificationFlags(c.UserContext(), utils.CopyString(c.Query("flag")))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"flags": flags})
}

type verificationView struct {
	Page
	Flags []store.VerificationFlag
	Flag  string
	All   []string
	Done  string
}

// verificationPage lists the flags with their decisions.
func (s *Server) verificationPage(c *fiber.Ctx) error {
	flag := utils.CopyString(c.Query("flag"))
	flags, err := s.db.FindVerificationFlags(c.UserContext(), flag)
	if err != nil {
		return err
	}
	p := &verificationView{Page: s.newPage(c, "registry.admin.title"), Flags: flags, Flag: flag, All: store.VerificationFlags}
	p.Section = "moderation"
	if done := c.Query("done"); done != "" && p.Has("registry.admin.done."+done) {
		p.Done = p.T("registry.admin.done." + done)
	}
	return s.render(c, fiber.StatusOK, "verification", p)
}

// verificationDecide suspends a flagged listing, asks its owner, or
// dismisses the flag; a person decides, never the nightly check.
func (s *Server) verificationDecide(c *fiber.Ctx) error {
	ctx := c.UserContext()
	id := utils.CopyString(c.Params("id"))
	decision := utils.CopyString(c.FormValue("action"))
	if decision == store.FlagSuspend {
		reason := utils.CopyString(c.FormValue("reason"))
		if _, err := s.db.ModerateAndTell(ctx, id, store.ActionSuspend, reason, s.mail.Decision); err != nil {
			return err
		}
		s.search.Notify()
	}
	if err := s.db.DecideVerificationFlag(ctx, id, decision, s.mail.RegistryAsk); err != nil {
		return err
	}
	return c.Redirect(basePath(c)+"/admin/weryfikacja?"+url.Values{"done": {decision}}.Encode(), fiber.StatusSeeOther)
}

// verifyNowPost checks one listing in the registries at a moderator's
// request (from the queue), then shows the queue with what was found.
func (s *Server) verifyNowPost(c *fiber.Ctx) error {
	id := utils.CopyString(c.Params("id"))
	if _, err := s.registries.VerifyListing(c.UserContext(), id, s.mail.RegistryFlag); err != nil {
		return err
	}
	return c.Redirect(basePath(c)+"/moderacja?msg=checked#qi-"+id, fiber.StatusSeeOther)
}
