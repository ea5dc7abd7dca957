package handlers

import (
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"katalogpes/handlers/view"
	"katalogpes/store"
	"katalogpes/tenants"
)

type myListingsView struct {
	Page
	Listings []*store.Listing
	// Notifications are the newest things the person was told.
	Notifications []store.Notification
}

func (s *Server) myListingsPage(c *fiber.Ctx) error {
	list, err := s.db.FindOwnListings(c.UserContext())
	if err != nil {
		return err
	}
	notes, err := s.db.FindNotifications(c.UserContext(), deskNotifications)
	if err != nil {
		return err
	}
	p := &myListingsView{Page: s.newPage(c, "ui.mine.title"), Listings: list, Notifications: notes}
	p.Section = "mine"
	return s.render(c, fiber.StatusOK, "mine", p)
}

// CanSubmit says whether a listing (or its revision) can go to review.
func (p *myListingsView) CanSubmit(l *store.Listing) bool { return canSubmit(l) }

func canSubmit(l *store.Listing) bool {
	switch l.Status {
	case store.StatusDraft, store.StatusChangesRequested, store.StatusRejected:
		return true
	case store.StatusPublished:
		return l.Revision != nil && l.Revision.Status != store.StatusPending
	}
	return false
}

// listingFormPage is the listing form, new or edited.
type listingFormPage struct {
	Page
	L         *store.Listing
	Action    string
	OfferRows []int
	CertRows  []int
	// Revision says the listing is public: saved changes wait for review.
	Revision bool
	// GminaHint explains an empty gmina list.
	NoPowiat bool
	// ClaimID is the listing nobody owns that a duplicate NIP or KRS
	// belongs to: the form offers to claim it.
	ClaimID string
	// Region names the voivodeship a "whole voivodeship" area means.
	Region, RegionCode string
	// RegistryOn offers "Pobierz z rejestru"; Registry is its answer.
	RegistryOn bool
	Registry   *registryNotice
}

// PastDate warns, without stopping the save, that an expiry date in the
// form has already passed.
func (p *listingFormPage) PastDate(name string) string {
	v := p.Form.V(name)
	if len(v) == len("2006-01-02") && v < p.now.In(view.Warsaw).Format("2006-01-02") {
		if _, err := time.Parse("2006-01-02", v); err == nil {
			return p.T("date.past")
		}
	}
	return ""
}

func rowsOf(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// listingForm prepares the form's choices: codes with their names, the
// region's categories, and the gmina picker (powiat, then its gminas).
func (s *Server) listingForm(c *fiber.Ctx, l *store.Listing, v url.Values, offerRows, certRows int) (*listingFormPage, error) {
	ctx := c.UserContext()
	t, _ := tenants.FromContext(ctx)
	title := "ui.form.new_title"
	if l != nil {
		title = "ui.form.edit_title"
	}
	p := &listingFormPage{Page: s.newPage(c, title), L: l, Action: basePath(c) + "/moje/nowy"}
	p.Section = "mine"
	if l != nil {
		p.Action = basePath(c) + "/moje/" + l.ID
		p.Revision = l.Status == store.StatusPublished
	}
	p.Form = newForm(v)
	if v.Get("powiat") == "" && len(v.Get("address.gmina_teryt")) >= 4 {
		v.Set("powiat", v.Get("address.gmina_teryt")[:4])
	}
	codes := func(group string, list []string) []Option {
		var out []Option
		for _, code := range list {
			out = append(out, Option{Value: code, Label: p.Label(group, code)})
		}
		return out
	}
	p.Options = map[string][]Option{
		"legal_form":               codes("legal_form", store.LegalForms),
		"kinds":                    codes("kind", store.Kinds),
		"employment.target_groups": codes("target_group", store.TargetGroups),
		"certificates.kind":        codes("certificate", store.CertificateKinds),
		"service_area.scope":       codes("scope", store.ServiceAreaScopes),
		"offers.kind":              codes("offer_kind", store.OfferKinds),
	}
	cats, err := s.db.FindCategories(ctx)
	if err != nil {
		return nil, err
	}
	for _, cat := range cats {
		// A retired category is offered only to a listing that has it.
		if cat.Retired() && !formUsesCategory(v, cat.Code) {
			continue
		}
		p.Options["categories"] = append(p.Options["categories"], Option{Value: cat.Code, Label: categoryName(p.Lang, cat)})
	}
	p.Options["offers.category"] = p.Options["categories"]
	powiats, err := s.db.FindPowiatsOf(ctx, t.TERYT)
	if err != nil {
		return nil, err
	}
	for _, pw := range powiats {
		p.Options["powiat"] = append(p.Options["powiat"], Option{Value: pw.Code, Label: pw.Name})
	}
	sortedOptions(p.Options["powiat"])
	if err := s.areaOptions(ctx, p, v); err != nil {
		return nil, err
	}
	p.Region, p.RegionCode = t.Voivodeship, t.TERYT
	if pw := v.Get("powiat"); pw != "" {
		gminas, err := s.db.FindGminasOfPowiat(ctx, pw)
		if err != nil {
			return nil, err
		}
		for _, g := range gminas {
			p.Options["address.gmina_teryt"] = append(p.Options["address.gmina_teryt"], Option{Value: g.Code, Label: g.Name + " (" + g.KindName + ")"})
		}
	}
	p.NoPowiat = len(p.Options["address.gmina_teryt"]) == 0
	p.RegistryOn = s.registries.On()
	p.OfferRows = rowsOf(max(offerRows, 1))
	p.CertRows = rowsOf(max(certRows, 1))
	return p, nil
}

// formRows is how many rows to draw: what is filled in, plus an empty one.
func formRows(v url.Values, prefix string, limit int) int {
	filled := 0
	for k, vs := range v {
		if len(vs) > 0 && vs[0] != "" && len(k) > len(prefix) && k[:len(prefix)+1] == prefix+"[" {
			if i := rowOf(k); i+1 > filled {
				filled = i + 1
			}
		}
	}
	return min(filled+1, limit)
}

func (s *Server) newListingPage(c *fiber.Ctx) error {
	p, err := s.listingForm(c, nil, url.Values{}, 1, 1)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "listing_form", p)
}

// editable is the version an edit starts from: a pending revision if
// there is one, else the listing itself.
func editable(l *store.Listing) store.ListingData {
	if l.Revision != nil {
		return l.Revision.Data
	}
	return l.ListingData
}

func (s *Server) editListingPage(c *fiber.Ctx) error {
	l, err := s.db.FindListingByID(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if !s.mayEdit(c, l) {
		return store.Errorf(store.EForbidden, "listing.not_owner")
	}
	v := listingValues(editable(l))
	p, err := s.listingForm(c, l, v, formRows(v, "offers", maxOfferRows), formRows(v, "certificates", maxCertRows))
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "listing_form", p)
}

// mayEdit: the owner, or the region's staff.
func (s *Server) mayEdit(c *fiber.Ctx, l *store.Listing) bool {
	p := tenants.PrincipalFrom(c.UserContext())
	return p.Role.IsStaff() || p.AccountID == l.OwnerID
}

// listingFormSubmit saves the form, or redraws it: to show a powiat's
// gminas, to add a row, or with the errors next to their fields.
func (s *Server) listingFormSubmit(c *fiber.Ctx) error {
	ctx := c.UserContext()
	v := formValues(c)
	action := v.Get("action")
	v.Del("action")
	id := utils.CopyString(c.Params("id"))
	l, base, err := s.listingToEdit(c, id)
	if err != nil {
		return err
	}
	offerRows := max(rowsIn(v, "offers", maxOfferRows), 1)
	certRows := max(rowsIn(v, "certificates", maxCertRows), 1)
	switch action {
	case "registry": // issue 15: fill from KRS, REGON and the VAT list
		return s.registryFill(c, v, func(n *registryNotice, err error) error { return s.registryRedraw(c, l, v, n, err) })
	case "pick", "add_offer", "add_cert":
		if action == "add_offer" {
			offerRows = min(offerRows+1, maxOfferRows)
		}
		if action == "add_cert" {
			certRows = min(certRows+1, maxCertRows)
		}
		p, err := s.listingForm(c, l, v, offerRows, certRows)
		if err != nil {
			return err
		}
		return s.render(c, fiber.StatusOK, "listing_form", p)
	}

	pl := parseListing(v, base)
	if err := s.checkServiceArea(ctx, pl); err != nil {
		return err
	}
	redraw := func(err error, status int) error {
		p, ferr := s.listingForm(c, l, v, offerRows, certRows)
		if ferr != nil {
			return ferr
		}
		if err != nil && !s.addError(&p.Page, err, pl.screenField) {
			return err
		}
		p.ClaimID = claimOffer(err)
		return s.render(c, status, "listing_form", p)
	}
	if len(pl.Errs) > 0 {
		return redraw(store.Invalid(pl.Errs), fiber.StatusUnprocessableEntity)
	}
	var saved *store.Listing
	if l == nil {
		saved, err = s.db.CreateListing(ctx, pl.Data)
	} else {
		saved, err = s.db.UpdateListing(ctx, id, store.ListingChanges(base, pl.Data))
	}
	if err != nil {
		return redraw(err, statusOf[store.ErrorCode(err)])
	}
	l = saved
	msg := "saved"
	if action == "submit" && canSubmit(l) {
		if _, err := s.db.SubmitListing(ctx, l.ID); err != nil {
			return s.savedNotSubmitted(c, l, v, offerRows, certRows, pl, err)
		}
		msg = "submitted"
	}
	if l.Status == store.StatusPublished {
		msg = "revision"
	}
	if len(l.Warnings) > 0 {
		// Saved, but a date has passed: back to the form, which says where.
		return c.Redirect(basePath(c)+"/moje/"+l.ID+"?msg=saved_check_dates", fiber.StatusSeeOther)
	}
	return c.Redirect(basePath(c)+"/moje?msg="+msg, fiber.StatusSeeOther)
}

// registryRedraw draws the form again, filled from the registries (or
// saying why not), for the owner to confirm before saving.
func (s *Server) registryRedraw(c *fiber.Ctx, l *store.Listing, v url.Values, n *registryNotice, err error) error {
	p, ferr := s.listingForm(c, l, v, formRows(v, "offers", maxOfferRows), formRows(v, "certificates", maxCertRows))
	if ferr != nil {
		return ferr
	}
	status := fiber.StatusOK
	if err != nil {
		if !s.addError(&p.Page, err, nil) {
			return err
		}
		status = fiber.StatusUnprocessableEntity
	}
	p.Registry = n
	return s.render(c, status, "listing_form", p)
}

// listingToEdit is the listing a form edits, after checking the person
// may, and its editable data; none for a new listing (id "").
func (s *Server) listingToEdit(c *fiber.Ctx, id string) (*store.Listing, store.ListingData, error) {
	if id == "" {
		return nil, store.ListingData{}, nil
	}
	l, err := s.db.FindListingByID(c.UserContext(), id)
	if err != nil {
		return nil, store.ListingData{}, err
	}
	if !s.mayEdit(c, l) {
		return nil, store.ListingData{}, store.Errorf(store.EForbidden, "listing.not_owner")
	}
	return l, editable(l), nil
}

// savedNotSubmitted redraws a form saved but not complete enough for
// review, saying what is missing.
func (s *Server) savedNotSubmitted(c *fiber.Ctx, l *store.Listing, v url.Values, offerRows, certRows int, pl *parsedListing, err error) error {
	p, ferr := s.listingForm(c, l, v, offerRows, certRows)
	if ferr != nil {
		return ferr
	}
	if !s.addError(&p.Page, err, pl.screenField) {
		return err
	}
	p.Form.Notes = append([]string{p.T("ui.form.saved_not_sent")}, p.Form.Notes...)
	return s.render(c, fiber.StatusUnprocessableEntity, "listing_form", p)
}

// submitListingPost sends a listing to review from "my listings"; what
// it still lacks is shown on its form.
func (s *Server) submitListingPost(c *fiber.Ctx) error {
	ctx := c.UserContext()
	id := utils.CopyString(c.Params("id"))
	if _, err := s.db.SubmitListing(ctx, id); err != nil {
		if store.ErrorCode(err) != store.EInvalid {
			return err
		}
		l, ferr := s.db.FindListingByID(ctx, id)
		if ferr != nil {
			return ferr
		}
		v := listingValues(editable(l))
		p, ferr := s.listingForm(c, l, v, formRows(v, "offers", maxOfferRows), formRows(v, "certificates", maxCertRows))
		if ferr != nil {
			return ferr
		}
		s.addError(&p.Page, err, nil)
		return s.render(c, fiber.StatusUnprocessableEntity, "listing_form", p)
	}
	return c.Redirect(basePath(c)+"/moje?msg=submitted", fiber.StatusSeeOther)
}

type historyView struct {
	Page
	L      *store.Listing
	Events []store.Event
}

func (s *Server) historyPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	l, err := s.db.FindListingByID(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	events, err := s.db.FindListingEvents(ctx, l.ID)
	if err != nil {
		return err
	}
	p := &historyView{Page: s.newPage(c, "ui.history.title"), L: l, Events: events}
	p.Title = p.Tf("ui.history.title_of", "Name", l.Name)
	p.Section = "mine"
	if p.Staff() {
		p.Section = "moderation"
	}
	return s.render(c, fiber.StatusOK, "history", p)
}

// FieldsOf names the fields an event changed.
func (p *historyView) FieldsOf(e store.Event) string {
	out := ""
	for i, f := range e.Fields {
		if i > 0 {
			out += ", "
		}
		out += p.fieldLabel(f)
	}
	return out
}
