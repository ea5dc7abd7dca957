package handlers

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"katalogpes/store"
)

// integratorsView is the region's page for integrators: API keys (made,
// shown once, revoked) with their use.
type integratorsView struct {
	Page
	Keys       []store.APIKey
	NewKey     string // the key just made, shown this once
	Hooks      []store.Webhook
	NewSecret  string // the secret of the subscription just made
	Deliveries []store.WebhookDelivery
}

func (s *Server) integratorsView(c *fiber.Ctx) (*integratorsView, error) {
	keys, err := s.db.FindAPIKeys(c.UserContext())
	if err != nil {
		return nil, err
	}
	hooks, err := s.db.FindWebhooks(c.UserContext())
	if err != nil {
		return nil, err
	}
	deliveries, err := s.db.FindWebhookDeliveries(c.UserContext(), deliveriesShown)
	if err != nil {
		return nil, err
	}
	p := &integratorsView{Page: s.newPage(c, "ui.integrators.title"), Keys: keys, Hooks: hooks, Deliveries: deliveries}
	p.Options = map[string][]Option{}
	for _, e := range store.WebhookEvents() {
		p.Options["events"] = append(p.Options["events"], Option{Value: e, Label: e})
	}
	p.Section = "integrators"
	p.LabelPrefix = "ui.integrators.f."
	origins, err := s.db.FindFrameOrigins(c.UserContext())
	if err != nil {
		return nil, err
	}
	p.Form = newForm(url.Values{"frame_origins": {strings.Join(origins, "\n")}})
	return p, nil
}

func (s *Server) integratorsPage(c *fiber.Ctx) error {
	p, err := s.integratorsView(c)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "admin_integrators", p)
}

// apiKeyCreatePost makes a key and shows it once, on the page itself.
func (s *Server) apiKeyCreatePost(c *fiber.Ctx) error {
	v := formValues(c)
	rate, _ := strconv.Atoi(v.Get("rate_per_minute"))
	if v.Get("rate_per_minute") != "" && rate == 0 {
		rate = -1 // not a number: refused as out of range
	}
	_, key, err := s.db.CreateAPIKey(c.UserContext(), store.NewAPIKey{Name: v.Get("name"), Scopes: []string{"read"}, RatePerMinute: rate})
	p, verr := s.integratorsView(c)
	if verr != nil {
		return verr
	}
	if err != nil {
		p.Form = newForm(v)
		if !s.addError(&p.Page, err, nil) {
			return err
		}
		return s.render(c, fiber.StatusUnprocessableEntity, "admin_integrators", p)
	}
	p.NewKey = key
	return s.render(c, fiber.StatusCreated, "admin_integrators", p)
}

func (s *Server) apiKeyRevokePost(c *fiber.Ctx) error {
	if err := s.db.RevokeAPIKey(c.UserContext(), utils.CopyString(c.Params("id"))); err != nil {
		return err
	}
	return c.Redirect(basePath(c)+"/admin/integracje?msg=api_key_revoked", fiber.StatusSeeOther)
}

// webhookCreatePost subscribes a URL and shows its secret once.
func (s *Server) webhookCreatePost(c *fiber.Ctx) error {
	v := formValues(c)
	w, err := s.db.CreateWebhook(c.UserContext(), store.NewWebhook{URL: v.Get("url"), Events: v["events"]})
	p, verr := s.integratorsView(c)
	if verr != nil {
		return verr
	}
	if err != nil {
		p.Form = newForm(v)
		if !s.addError(&p.Page, err, nil) {
			return err
		}
		return s.render(c, fiber.StatusUnprocessableEntity, "admin_integrators", p)
	}
	p.NewSecret = w.Secret
	return s.render(c, fiber.StatusCreated, "admin_integrators", p)
}

func (s *Server) webhookRemovePost(c *fiber.Ctx) error {
	if err := s.db.RemoveWebhook(c.UserContext(), utils.CopyString(c.Params("id"))); err != nil {
		return err
	}
	return c.Redirect(basePath(c)+"/admin/integracje?msg=webhook_removed", fiber.StatusSeeOther)
}
