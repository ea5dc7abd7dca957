package handlers

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"katalogpes/store"
	"katalogpes/tenants"
)

// accountView is the signed-in person's account: the password, their
// data, and deleting it all.
type accountView struct {
	Page
	Account  *store.Account
	Listings []*store.Listing
	// Pseudonym is the name the history keeps after deletion.
	Pseudonym string
}

func (s *Server) accountPage(c *fiber.Ctx) error {
	return s.renderAccount(c, fiber.StatusOK, "account", nil, nil)
}

func (s *Server) accountDeletePage(c *fiber.Ctx) error {
	return s.renderAccount(c, fiber.StatusOK, "account_delete", nil, nil)
}

// renderAccount draws the account page or its deletion step, with err's
// messages at their fields.
func (s *Server) renderAccount(c *fiber.Ctx, status int, tmpl string, err error, v url.Values) error {
	ctx := sessionCtx(c.UserContext(), nil)
	a, ferr := s.db.FindAccountByID(ctx, tenants.PrincipalFrom(ctx).AccountID)
	if ferr != nil {
		return ferr
	}
	title := "ui.account.title"
	if tmpl == "account_delete" {
		title = "ui.delete.title"
	}
	p := &accountView{Page: s.newPage(c, title), Account: a, Pseudonym: store.ErasedName}
	p.Section = "konto"
	p.LabelPrefix = "ui.fk."
	p.Form = newForm(v)
	if tmpl == "account_delete" && a.Role == tenants.RoleEnterprise {
		if p.Listings, ferr = s.db.FindOwnListings(c.UserContext()); ferr != nil {
			return ferr
		}
	}
	if err != nil && !s.addError(&p.Page, err, nil) {
		return err
	}
	return s.render(c, status, tmpl, p)
}

// accountPasswordPost changes the password. Every session ends with it,
// this one too, so the person signs in again with the new one.
func (s *Server) accountPasswordPost(c *fiber.Ctx) error {
	ctx := sessionCtx(c.UserContext(), nil)
	v := formValues(c)
	current, next := v.Get("current_password"), v.Get("new_password")
	v.Del("current_password")
	v.Del("new_password")
	if err := s.db.ChangePassword(ctx, tenants.PrincipalFrom(ctx).AccountID, current, next); err != nil {
		if store.ErrorCode(err) == store.EInvalid {
			return s.renderAccount(c, fiber.StatusUnprocessableEntity, "account", err, v)
		}
		return err
	}
	s.endCookieSession(c)
	return c.Redirect(basePath(c)+"/logowanie?msg=password_changed", fiber.StatusSeeOther)
}

// accountDeletePost erases the account (store.EraseAccount) once the
// password is entered again.
func (s *Server) accountDeletePost(c *fiber.Ctx) error {
	ctx := sessionCtx(c.UserContext(), nil)
	if err := s.db.CheckOwnPassword(ctx, c.FormValue("password")); err != nil {
		if store.ErrorCode(err) == store.EInvalid {
			return s.renderAccount(c, fiber.StatusUnprocessableEntity, "account_delete", err, nil)
		}
		return err
	}
	if err := s.db.EraseAccount(ctx); err != nil {
		return err
	}
	s.search.Notify()
	s.endCookieSession(c)
	return c.Redirect(basePath(c)+"/?msg=account_deleted", fiber.StatusSeeOther)
}

// privacyPage is the region's information clause (GDPR art. 13).
func (s *Server) privacyPage(c *fiber.Ctx) error {
	p := s.newPage(c, "ui.privacy.title")
	return s.render(c, fiber.StatusOK, "privacy", &p)
}
