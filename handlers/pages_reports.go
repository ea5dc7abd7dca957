package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"katalogpes/store"
	"katalogpes/tenants"
)

// outdatedView is the short form that tells a region a listing's data are
// out of date, and the thank-you page after it.
type outdatedView struct {
	Page
	L *store.Listing
}

// outdatedListing reads the listing a report is about: published ones only,
// as the public sees them, whoever is signed in.
func (s *Server) outdatedListing(c *fiber.Ctx, title string) (*outdatedView, error) {
	l, err := s.db.FindListingByID(c.UserContext(), c.Params("id"))
	if err != nil {
		return nil, err
	}
	if l.Status != store.StatusPublished {
		return nil, store.ErrNotFound
	}
	p := &outdatedView{Page: s.newPage(c, title), L: l}
	p.Section = "search"
	p.LabelPrefix = "ui.outdated.f."
	return p, nil
}

func (s *Server) outdatedPage(c *fiber.Ctx) error {
	p, err := s.outdatedListing(c, "ui.outdated.title")
	if err != nil {
		return err
	}
	p.Form = newForm(nil)
	return s.render(c, fiber.StatusOK, "outdated", p)
}

// outdatedReportByAddress keeps one address from flooding a region's
// inbox and mailbox; a form sent back with errors does not count.
var outdatedReportByAddress = rateLimit{protects: "outdated-report", by: byAddress, max: 10, window: time.Hour, refundInvalid: true}

// outdatedSubmit files the report as a ticket for the region's moderators
// and mails the region's contact address in the same transaction.
func (s *Server) outdatedSubmit(c *fiber.Ctx) error {
	p, err := s.outdatedListing(c, "ui.outdated.title")
	if err != nil {
		return err
	}
	v := formValues(c)
	p.Form = newForm(v)
	t, _ := tenants.FromContext(c.UserContext())
	_, err = s.db.CreateListingReport(c.UserContext(),
		store.NewListingReport{ListingID: p.L.ID, Body: v.Get("body"), ReporterEmail: v.Get("reporter_email")},
		func(r store.ListingReport) store.Mail { return s.mail.ListingReport(t, r) })
	if err != nil {
		if !s.addError(&p.Page, err, nil) {
			return err
		}
		markFormInvalid(c)
		return s.render(c, fiber.StatusUnprocessableEntity, "outdated", p)
	}
	return c.Redirect(basePath(c)+"/podmiot/"+p.L.ID+"/zglos/dziekujemy", fiber.StatusSeeOther)
}

func (s *Server) outdatedThanksPage(c *fiber.Ctx) error {
	p, err := s.outdatedListing(c, "ui.outdated.thanks_title")
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "outdated_thanks", p)
}

// outdatedInboxView is the moderators' inbox of open reports.
type outdatedInboxView struct {
	Page
	Reports []store.ListingReport
}

func (s *Server) outdatedInboxPage(c *fiber.Ctx) error {
	list, err := s.db.FindOpenListingReports(c.UserContext())
	if err != nil {
		return err
	}
	p := &outdatedInboxView{Page: s.newPage(c, "ui.outdated.inbox_title"), Reports: list}
	p.Section = "moderation"
	return s.render(c, fiber.StatusOK, "outdated_inbox", p)
}

// closeOutdatedPost marks a report dealt with and returns to the inbox.
func (s *Server) closeOutdatedPost(c *fiber.Ctx) error {
	if err := s.db.CloseListingReport(c.UserContext(), c.Params("rid")); err != nil {
		return err
	}
	return c.Redirect(basePath(c)+"/moderacja/zgloszenia?msg=report_closed", fiber.StatusSeeOther)
}
