package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"katalogpes/store"
	"katalogpes/tenants"
)

// accessCookie carries the access token for the web UI.
const (
	accessCookie  = "kp_access"
	refreshCookie = "kp_refresh"
)

// decodeStrict reads a small JSON body into v, refusing unknown fields.
func decodeStrict(c *fiber.Ctx, v any) error {
	body, err := jsonBody(c)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syntax *json.SyntaxError
		if len(bytes.TrimSpace(body)) == 0 || asSyntax(err, &syntax) {
			return fiber.ErrBadRequest
		}
		return decodeError(err)
	}
	return nil
}

func asSyntax(err error, target **json.SyntaxError) bool {
	se, ok := err.(*json.SyntaxError)
	if ok {
		*target = se
	}
	return ok || err.Error() == "unexpected EOF"
}

type registerRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Name     string `json:"name"`
	// Role "buyer" with its institution registers a buyer (issue 14).
	Role        string             `json:"role,omitempty"`
	Institution *store.Institution `json:"institution,omitempty"`
}

type accountResponse struct {
	ID     string `json:"id"`
	Email  string `json:"email"`
	Name   string `json:"name,omitempty"`
	Role   string `json:"role,omitempty"`
	Tenant string `json:"tenant,omitempty"`
	Status string `json:"status,omitempty"`
}

func (s *Server) register(c *fiber.Ctx) error {
	t, err := needTenant(c)
	if err != nil {
		return err
	}
	var req registerRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	switch req.Role {
	case "", string(tenants.RoleEnterprise):
	case string(tenants.RoleBuyer):
		return s.registerBuyer(c, t, req)
	default:
		return store.Invalid([]store.FieldError{{Field: "role", Key: "role.invalid"}})
	}
	lang := langOf(c)
	a, err := s.db.RegisterAccount(c.UserContext(), store.NewAccount{Email: req.Email, Password: req.Password, Name: req.Name, Lang: lang},
		func(token string) store.Mail { return s.mail.Verification(lang, t, req.Email, token) })
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(accountResponse{ID: a.ID, Email: a.Email, Status: a.Status})
}

func (s *Server) verifyEmail(c *fiber.Ctx) error {
	var req struct {
		Token string `json:"token"`
	}
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	if err := s.db.VerifyEmail(c.UserContext(), req.Token); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"status": store.AccountActive})
}

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

// issueTokens signs an access token for a session.
func (s *Server) issueTokens(c *fiber.Ctx, sess *store.Session) (tokenResponse, error) {
	slug := ""
	if t, ok := tenants.FromContext(c.UserContext()); ok && sess.Account.Role != tenants.RolePlatform {
		slug = t.Slug
	}
	p := tenants.Principal{AccountID: sess.Account.ID, Name: sess.Account.Name, Role: sess.Account.Role, SessionID: sess.FamilyID}
	access, _, err := s.keys.Issue(p, slug)
	if err != nil {
		return tokenResponse{}, err
	}
	return tokenResponse{AccessToken: access, RefreshToken: sess.RefreshToken, TokenType: "Bearer", ExpiresIn: int(s.keys.TTL().Seconds())}, nil
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (s *Server) login(c *fiber.Ctx) error {
	var req loginRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	sess, err := s.signIn(c, req.Email, req.Password)
	if err != nil {
		return err
	}
	resp, err := s.issueTokens(c, sess)
	if err != nil {
		return err
	}
	return c.JSON(resp)
}

// signIn checks credentials and opens a session. A platform account signs
// in on any tenant's routes.
func (s *Server) signIn(c *fiber.Ctx, email, password string) (*store.Session, error) {
	ctx := c.UserContext()
	a, err := s.db.Authenticate(ctx, email, password)
	if store.ErrorCode(err) == store.EUnauthorized {
		if _, ok := tenants.FromContext(ctx); ok {
			if pa, perr := s.db.Authenticate(tenants.WithAllTenants(withoutTenant(ctx)), email, password); perr == nil && pa.Role == tenants.RolePlatform {
				a, err = pa, nil
			}
		}
	}
	if err != nil {
		return nil, err
	}
	return s.db.StartSession(sessionCtx(ctx, a), a)
}

func (s *Server) refresh(c *fiber.Ctx) error {
	var req struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	sess, err := s.db.RotateSession(c.UserContext(), req.RefreshToken)
	if err != nil {
		return err
	}
	resp, err := s.issueTokens(c, sess)
	if err != nil {
		return err
	}
	return c.JSON(resp)
}

func (s *Server) logout(c *fiber.Ctx) error {
	p := tenants.PrincipalFrom(c.UserContext())
	if err := s.db.EndSession(sessionCtx(c.UserContext(), nil), p.AccountID, p.SessionID); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) passwordReset(c *fiber.Ctx) error {
	t, err := needTenant(c)
	if err != nil {
		return err
	}
	var req struct {
		Email string `json:"email"`
	}
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	lang := langOf(c)
	err = s.db.RequestPasswordReset(c.UserContext(), req.Email, func(token string) store.Mail {
		return s.mail.PasswordReset(lang, t, token)
	})
	if err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusAccepted)
}

func (s *Server) passwordResetConfirm(c *fiber.Ctx) error {
	var req struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	if err := s.db.ResetPassword(c.UserContext(), req.Token, req.Password); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"status": "ok"})
}

func (s *Server) me(c *fiber.Ctx) error {
	p := tenants.PrincipalFrom(c.UserContext())
	a, err := s.db.FindAccountByID(sessionCtx(c.UserContext(), nil), p.AccountID)
	if err != nil {
		return err
	}
	resp := accountResponse{ID: a.ID, Email: a.Email, Name: a.Name, Role: string(a.Role), Status: a.Status}
	if t, ok := s.registry.ByID(a.TenantID.String); ok {
		resp.Tenant = t.Slug
	}
	return c.JSON(resp)
}

// withoutTenant drops the tenant from ctx.
func withoutTenant(ctx context.Context) context.Context { return tenants.NewContext(ctx, nil) }

// sessionCtx scopes account and session rows: a platform account's rows
// belong to no tenant, so they are read in the all-tenants scope.
func sessionCtx(ctx context.Context, a *store.Account) context.Context {
	role := tenants.PrincipalFrom(ctx).Role
	if a != nil {
		role = a.Role
	}
	if role == tenants.RolePlatform {
		return tenants.WithAllTenants(withoutTenant(ctx))
	}
	return ctx
}

// changePassword sets a new password; every session of the account ends.
func (s *Server) changePassword(c *fiber.Ctx) error {
	var req struct {
		CurrentPassword string `json:"current_password"`
		NewPassword     string `json:"new_password"`
	}
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	p := tenants.PrincipalFrom(c.UserContext())
	if err := s.db.ChangePassword(sessionCtx(c.UserContext(), nil), p.AccountID, req.CurrentPassword, req.NewPassword); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// guard checks the permission its route declares. An anonymous visitor of
// a page is sent to sign in (and back afterwards); an API client gets 401;
// a signed-in principal without the right gets 403.
func (s *Server) guard(k kind, perm tenants.Permission) fiber.Handler {
	return func(c *fiber.Ctx) error {
		err := s.permit(c, perm)
		if err == nil {
			return c.Next()
		}
		if k == page && store.ErrorCode(err) == store.EUnauthorized && c.Method() == fiber.MethodGet {
			next := c.OriginalURL()
			return c.Redirect(basePath(c)+"/logowanie?next="+url.QueryEscape(next), fiber.StatusSeeOther)
		}
		return err
	}
}

// permit decides perm for the request's principal. A permission that an
// owner holds on what it owns (listings:own) is decided on the listing the
// route names by :id; the store checks it again when it locks the row.
func (s *Server) permit(c *fiber.Ctx, perm tenants.Permission) error {
	p := tenants.PrincipalFrom(c.UserContext())
	switch {
	case p.Can(perm):
		return nil
	case !p.Authenticated():
		return store.Errorf(store.EUnauthorized, "auth.required")
	case p.MayOwn(perm):
		return s.ownsListing(c, p, perm)
	}
	return store.Errorf(store.EForbidden, "forbidden")
}

// ownsListing lets the owner of listing :id through. To anyone else a
// listing the public cannot see does not exist; a published one is not
// theirs.
func (s *Server) ownsListing(c *fiber.Ctx, p tenants.Principal, perm tenants.Permission) error {
	o, err := s.db.FindListingOwnership(c.UserContext(), c.Params("id"))
	switch {
	case err != nil:
		return err
	case p.CanOn(perm, o.OwnerID):
		return nil
	case !o.Published:
		return store.ErrNotFound
	}
	return store.Errorf(store.EForbidden, "listing.not_owner")
}
