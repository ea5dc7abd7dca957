package handlers

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"katalogpes/store"
	"katalogpes/tenants"
)

// authPage is every account form: sign up, sign in, forgotten and new
// password; Done says the form has done its work (a message replaces it).
type authPage struct {
	Page
	Next  string
	Token string
	Done  bool
}

// formValues copies a posted form (fasthttp reuses its buffers).
func formValues(c *fiber.Ctx) url.Values {
	v := url.Values{}
	if args := c.Request().PostArgs(); args != nil {
		args.VisitAll(func(k, val []byte) { v.Add(string(k), string(val)) })
	}
	if form, err := c.MultipartForm(); err == nil && form != nil {
		for k, vs := range form.Value {
			for _, x := range vs {
				v.Add(k, x)
			}
		}
	}
	v.Del(csrfField)
	return v
}

func (s *Server) authForm(c *fiber.Ctx, title string, v url.Values) *authPage {
	p := &authPage{Page: s.newPage(c, title)}
	p.Form = newForm(v)
	p.Section = "account"
	p.LabelPrefix = "ui.fa."
	return p
}

func (s *Server) registerPage(c *fiber.Ctx) error {
	return s.render(c, fiber.StatusOK, "register", s.authForm(c, "ui.register.title", nil))
}

func (s *Server) registerSubmit(c *fiber.Ctx) error {
	t, _ := tenants.FromContext(c.UserContext())
	v := formValues(c)
	v.Del("password")
	p := s.authForm(c, "ui.register.title", v)
	lang := p.Lang
	email := strings.TrimSpace(v.Get("email"))
	_, err := s.db.RegisterAccount(c.UserContext(),
		store.NewAccount{Email: email, Password: c.FormValue("password"), Name: v.Get("name"), Lang: lang},
		func(token string) store.Mail { return s.mail.Verification(lang, t, email, token) })
	if err != nil {
		if !s.addError(&p.Page, err, nil) {
			return err
		}
		if store.ErrorCode(err) == store.EInvalid {
			markFormInvalid(c)
		}
		return s.render(c, fiber.StatusUnprocessableEntity, "register", p)
	}
	p.Done = true
	p.Title = p.T("ui.register.done_title")
	return s.render(c, fiber.StatusOK, "register", p)
}

// verifyPage is the link from the verification mail: it verifies the
// address and says so.
func (s *Server) verifyPage(c *fiber.Ctx) error {
	p := s.authForm(c, "ui.verify.title", nil)
	status := fiber.StatusOK
	if err := s.db.VerifyEmail(c.UserContext(), c.Query("token")); err != nil {
		if store.ErrorCode(err) != store.EInvalid {
			return err
		}
		status = fiber.StatusUnprocessableEntity
		p.Title = p.T("ui.verify.failed_title")
	} else {
		p.Done = true
	}
	return s.render(c, status, "verify", p)
}

func (s *Server) loginPage(c *fiber.Ctx) error {
	p := s.authForm(c, "ui.login.title", nil)
	p.Next = localNext(c, c.Query("next"))
	return s.render(c, fiber.StatusOK, "login", p)
}

func (s *Server) loginSubmit(c *fiber.Ctx) error {
	v := formValues(c)
	v.Del("password")
	p := s.authForm(c, "ui.login.title", v)
	p.Next = localNext(c, v.Get("next"))
	sess, err := s.signIn(c, v.Get("email"), c.FormValue("password"))
	if err != nil {
		if !s.addError(&p.Page, err, nil) {
			return err
		}
		status := fiber.StatusUnauthorized
		if store.ErrorCode(err) == store.EForbidden {
			status = fiber.StatusForbidden
		}
		return s.render(c, status, "login", p)
	}
	pr, err := s.startCookieSession(c, sess)
	if err != nil {
		return err
	}
	next := p.Next
	if next == "" {
		next = basePath(c) + "/moje"
		if pr.Role.IsStaff() {
			next = basePath(c) + "/moderacja"
		}
		if pr.Role == tenants.RoleBuyer {
			next = basePath(c) + "/zamawiajacy" // issue 14: a buyer's desk
		}
	}
	return c.Redirect(next, fiber.StatusSeeOther)
}

func (s *Server) logoutSubmit(c *fiber.Ctx) error {
	ctx := c.UserContext()
	if p := tenants.PrincipalFrom(ctx); p.Authenticated() {
		if err := s.db.EndSession(sessionCtx(ctx, nil), p.AccountID, p.SessionID); err != nil {
			return err
		}
	}
	s.endCookieSession(c)
	return c.Redirect(basePath(c)+"/?msg=signed_out", fiber.StatusSeeOther)
}

func (s *Server) forgotPage(c *fiber.Ctx) error {
	return s.render(c, fiber.StatusOK, "forgot", s.authForm(c, "ui.forgot.title", nil))
}

func (s *Server) forgotSubmit(c *fiber.Ctx) error {
	t, _ := tenants.FromContext(c.UserContext())
	v := formValues(c)
	p := s.authForm(c, "ui.forgot.title", v)
	if strings.TrimSpace(v.Get("email")) == "" {
		p.Form.add(&p.Page, "email", p.T("required"))
		return s.render(c, fiber.StatusUnprocessableEntity, "forgot", p)
	}
	lang := p.Lang
	err := s.db.RequestPasswordReset(c.UserContext(), v.Get("email"), func(token string) store.Mail {
		return s.mail.PasswordReset(lang, t, token)
	})
	if err != nil {
		return err
	}
	p.Done = true
	return s.render(c, fiber.StatusOK, "forgot", p)
}

// resetPage is the link from the reset mail: a form for the new password.
func (s *Server) resetPage(c *fiber.Ctx) error {
	p := s.authForm(c, "ui.reset.title", nil)
	p.Token = c.Query("token")
	if p.Token == "" {
		return c.Redirect(basePath(c)+"/przypomnij-haslo", fiber.StatusSeeOther)
	}
	return s.render(c, fiber.StatusOK, "reset", p)
}

func (s *Server) resetSubmit(c *fiber.Ctx) error {
	v := formValues(c)
	v.Del("password")
	p := s.authForm(c, "ui.reset.title", v)
	p.Token = v.Get("token")
	if err := s.db.ResetPassword(c.UserContext(), p.Token, c.FormValue("password")); err != nil {
		if !s.addError(&p.Page, err, func(f string) string {
			if f == "token" {
				return "password"
			}
			return f
		}) {
			return err
		}
		return s.render(c, fiber.StatusUnprocessableEntity, "reset", p)
	}
	p.Done = true
	return s.render(c, fiber.StatusOK, "reset", p)
}
