package handlers

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"katalogpes/handlers/view"
	"katalogpes/store"
	"katalogpes/tenants"
)

// A buyer's pages: registering with the institution, the desk with its
// needs, the need form.

func (s *Server) buyerRegisterPage(c *fiber.Ctx) error {
	p := s.authForm(c, "ui.buyer.register_title", nil)
	p.LabelPrefix = "ui.buyer.f."
	return s.render(c, fiber.StatusOK, "buyer_register", p)
}

func (s *Server) buyerRegisterSubmit(c *fiber.Ctx) error {
	t, _ := tenants.FromContext(c.UserContext())
	v := formValues(c)
	v.Del("password")
	p := s.authForm(c, "ui.buyer.register_title", v)
	p.LabelPrefix = "ui.buyer.f."
	lang := p.Lang
	email := strings.TrimSpace(v.Get("email"))
	in := store.Institution{Name: v.Get("institution.name"), NIP: v.Get("institution.nip"), TERYT: v.Get("institution.teryt")}
	var err error
	if in.TERYT != "" {
		var codes []string
		if codes, err = s.db.ResolvePlaces(c.UserContext(), "institution.teryt", in.TERYT, true); err == nil {
			in.TERYT = first(codes)
		}
	}
	if err == nil {
		_, err = s.db.RegisterBuyer(c.UserContext(), store.NewAccount{Email: email, Password: c.FormValue("password"), Name: v.Get("name"), Lang: lang}, in,
			func(token string) store.Mail { return s.mail.Verification(lang, t, email, token) })
	}
	if err != nil {
		if !s.addError(&p.Page, err, nil) {
			return err
		}
		markFormInvalid(c)
		return s.render(c, fiber.StatusUnprocessableEntity, "buyer_register", p)
	}
	p.Done = true
	p.Title = p.T("ui.register.done_title")
	return s.render(c, fiber.StatusOK, "buyer_register", p)
}

func first(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[0]
}

// buyerDesk is a buyer's desk: its institution and its needs.
type buyerDesk struct {
	Page
	Buyer *store.Buyer
	Needs []store.NeedCounts
}

func (s *Server) buyerDeskPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	b, err := s.db.FindOwnBuyer(ctx)
	if err != nil {
		return err
	}
	list, err := s.db.FindOwnNeeds(ctx)
	if err != nil {
		return err
	}
	p := &buyerDesk{Page: s.newPage(c, "ui.buyer.desk_title"), Buyer: b, Needs: list}
	p.Section = "buyer"
	return s.render(c, fiber.StatusOK, "buyer_desk", p)
}

// needForm is the form of a need, new or edited.
type needForm struct {
	Page
	ID string // "" for a new need
}

func (s *Server) newNeedPage(c *fiber.Ctx) error {
	return s.renderNeedForm(c, fiber.StatusOK, "", url.Values{"kind": {"zapytanie"}}, nil)
}

func (s *Server) editNeedPage(c *fiber.Ctx) error {
	n, err := s.db.FindNeed(c.UserContext(), utils.CopyString(c.Params("id")))
	if err != nil {
		return err
	}
	v := url.Values{"title": {n.Title}, "description": {n.Description}, "kind": {n.Kind}, "categories": n.Categories,
		"cpv": {strings.Join(n.CPV, ", ")}, "place": {strings.Join(n.PlaceNames, ", ")},
		"deadline": {n.Deadline.In(view.Warsaw).Format("2006-01-02")}, "value_band": {n.ValueBand}}
	if n.StartsOn != nil {
		v.Set("starts_on", *n.StartsOn)
	}
	if n.MinAtRisk != nil {
		v.Set("min_at_risk", strconv.Itoa(*n.MinAtRisk))
	}
	if n.IncludeOtherRegions {
		v.Set("include_other_regions", "1")
	}
	return s.renderNeedForm(c, fiber.StatusOK, n.ID, v, nil)
}

func (s *Server) renderNeedForm(c *fiber.Ctx, status int, id string, v url.Values, err error) error {
	p := &needForm{Page: s.newPage(c, "ui.need.new_title"), ID: id}
	if id != "" {
		p.Title = p.T("ui.need.edit_title")
	}
	p.Section = "buyer"
	p.LabelPrefix = "ui.need.f."
	p.Form = newForm(v)
	if _, ferr := s.needOptions(c.UserContext(), &p.Page); ferr != nil {
		return ferr
	}
	if err != nil && !s.addError(&p.Page, err, nil) {
		return err
	}
	return s.render(c, status, "need_form", p)
}

// needInputOf reads the form: places by name, the deadline as the end of
// the chosen day in Poland.
func (s *Server) needInputOf(c *fiber.Ctx, v url.Values) (store.NeedInput, error) {
	in := store.NeedInput{Title: v.Get("title"), Description: v.Get("description"), Kind: v.Get("kind"), Categories: v["categories"],
		CPV:      strings.FieldsFunc(v.Get("cpv"), func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '\n' }),
		StartsOn: strings.TrimSpace(v.Get("starts_on")), ValueBand: v.Get("value_band"), IncludeOtherRegions: v.Get("include_other_regions") != ""}
	var fields []store.FieldError
	if d := strings.TrimSpace(v.Get("deadline")); d != "" {
		day, err := time.ParseInLocation("2006-01-02", d, view.Warsaw)
		if err != nil {
			fields = append(fields, store.FieldError{Field: "deadline", Key: "date.invalid"})
		} else {
			in.Deadline = day.Add(24*time.Hour - time.Second)
		}
	}
	if m := strings.TrimSpace(v.Get("min_at_risk")); m != "" && in.Kind == "zastrzezone_94" {
		n, err := strconv.Atoi(m)
		if err != nil {
			fields = append(fields, store.FieldError{Field: "min_at_risk", Key: "need.min_at_risk"})
		}
		in.MinAtRisk = &n
	}
	places, err := s.db.ResolvePlaces(c.UserContext(), "place", v.Get("place"), false)
	if err != nil {
		return in, err
	}
	in.PlaceOfDelivery = places
	if len(fields) > 0 {
		return in, store.Invalid(fields)
	}
	return in, nil
}

// needFormSubmit saves a new or edited need (and, with a new one, its
// first attachment), then shows the buyer's page of it.
func (s *Server) needFormSubmit(c *fiber.Ctx) error {
	ctx := c.UserContext()
	v := formValues(c)
	id := utils.CopyString(c.Params("id"))
	in, err := s.needInputOf(c, v)
	var n *store.Need
	if err == nil {
		if id == "" {
			n, err = s.db.CreateNeed(ctx, in)
		} else {
			n, err = s.db.UpdateNeed(ctx, id, in)
		}
	}
	if err != nil {
		return s.needRefused(c, err, v, func() error { return s.renderNeedForm(c, statusOf[store.ErrorCode(err)], id, v, remapPlace(err)) })
	}
	msg := "need_saved"
	if fh, ferr := c.FormFile("file"); ferr == nil && fh.Size > 0 {
		name, raw, uerr := uploadedPDF(c)
		if uerr == nil {
			_, uerr = s.db.AddNeedFile(ctx, n.ID, name, raw)
		}
		if uerr != nil {
			msg = "need_saved_file_refused"
		}
	}
	return c.Redirect(basePath(c)+"/zamawiajacy/zapytania/"+n.ID+"?msg="+msg, fiber.StatusSeeOther)
}

// remapPlace shows the store's place_of_delivery errors at the form's
// place field.
func remapPlace(err error) error {
	se, ok := err.(*store.Error)
	if !ok {
		return err
	}
	for i := range se.Fields {
		if strings.HasPrefix(se.Fields[i].Field, "place_of_delivery") {
			se.Fields[i].Field = "place"
		}
		if strings.HasPrefix(se.Fields[i].Field, "cpv[") {
			se.Fields[i].Field = "cpv"
		}
		if strings.HasPrefix(se.Fields[i].Field, "categories[") {
			se.Fields[i].Field = "categories"
		}
	}
	return se
}

// IsBuyer steers the navigation to the buyer's desk.
func (p *Page) IsBuyer() bool { return p.User.Role == tenants.RoleBuyer }
