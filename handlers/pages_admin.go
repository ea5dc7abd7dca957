package handlers

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	_ "image/jpeg" // logo uploads
	_ "image/png"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"katalogpes/store"
	"katalogpes/tenants"
)

// maxLogo is the largest logo a region may upload.
const maxLogo = 1 << 20

// maxLogoPixels bounds a logo's width and height.
const maxLogoPixels = 2000

type brandingView struct {
	Page
	Saved bool
}

func (s *Server) brandingForm(c *fiber.Ctx, v url.Values) *brandingView {
	p := &brandingView{Page: s.newPage(c, "ui.branding.title")}
	p.Section = "admin"
	if v == nil {
		b := p.Tenant.Branding
		v = url.Values{"tagline": {b.Tagline}, "primary_color": {b.PrimaryColor}, "accent_color": {b.AccentColor},
			"contact_email": {p.Tenant.ContactEmail}, "contact_phone": {p.Tenant.ContactPhone}}
	}
	for _, k := range []string{"primary_color", "accent_color"} {
		if v.Get(k) == "" {
			v.Set(k, map[string]string{"primary_color": "#0b4f8a", "accent_color": "#f2b705"}[k])
		}
	}
	p.Form = newForm(v)
	return p
}

func (s *Server) brandingPage(c *fiber.Ctx) error {
	return s.render(c, fiber.StatusOK, "branding", s.brandingForm(c, nil))
}

// brandingSubmit saves a region's tagline, colours and logo. The primary
// colour carries white text, so it must keep a contrast of 4.5:1.
func (s *Server) brandingSubmit(c *fiber.Ctx) error {
	ctx := c.UserContext()
	t, _ := tenants.FromContext(ctx)
	v := formValues(c)
	p := s.brandingForm(c, v)
	b := t.Branding
	b.Tagline = strings.TrimSpace(v.Get("tagline"))
	if utf8.RuneCountInString(b.Tagline) > 200 {
		p.Form.add(&p.Page, "tagline", s.tr.T(p.Lang, "too_long", map[string]any{"Max": 200}))
	}
	for _, k := range []string{"primary_color", "accent_color"} {
		col := strings.ToLower(strings.TrimSpace(v.Get(k)))
		switch {
		case !hexColor.MatchString(col):
			p.Form.add(&p.Page, k, p.T("ui.err.colour"))
		case k == "primary_color" && contrast(col, "#ffffff") < 4.5:
			p.Form.add(&p.Page, k, p.Tf("ui.err.contrast", "Ratio", strings.Replace(fmt.Sprintf("%.1f", contrast(col, "#ffffff")), ".", decimalSep(p.Lang), 1)))
		case k == "primary_color":
			b.PrimaryColor = col
		default:
			b.AccentColor = col
		}
	}
	if v.Get("remove_logo") == "1" {
		b.LogoURL = ""
	}
	if fh, err := c.FormFile("logo"); err == nil && fh.Size > 0 {
		logo, key := readLogo(fh.Open, fh.Size)
		if key != "" {
			p.Form.add(&p.Page, "logo", p.T(key))
		} else {
			b.LogoURL = logo
		}
	}
	contact, err := store.TenantContact{Email: v.Get("contact_email"), Phone: v.Get("contact_phone")}.Normalize()
	if err != nil && !s.addError(&p.Page, err, nil) {
		return err
	}
	if len(p.Form.Errors) > 0 {
		return s.render(c, fiber.StatusUnprocessableEntity, "branding", p)
	}
	if err := s.db.UpdateTenant(ctx, store.TenantUpdate{Branding: &b, Contact: &contact}); err != nil {
		return err
	}
	if err := s.ReloadTenants(ctx); err != nil {
		return err
	}
	return c.Redirect(basePath(c)+"/admin/wyglad?msg=branding_saved", fiber.StatusSeeOther)
}

// readLogo checks an upload is a PNG or JPEG image under 1 MB and returns
// it as a data: URL, or the key of what is wrong.
func readLogo[F io.ReadCloser](open func() (F, error), size int64) (string, string) {
	if size > maxLogo {
		return "", "ui.err.logo_size"
	}
	f, err := open()
	if err != nil {
		return "", "ui.err.logo_type"
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, maxLogo+1))
	if err != nil || len(raw) > maxLogo {
		return "", "ui.err.logo_size"
	}
	ct := http.DetectContentType(raw)
	if ct != "image/png" && ct != "image/jpeg" {
		return "", "ui.err.logo_type"
	}
	// The header's size, read before anything decodes the pixels: a small
	// file can claim 20000×20000 pixels and take gigabytes to decode.
	cfg, format, err := image.DecodeConfig(bytes.NewReader(raw))
	if err != nil || (format != "png" && format != "jpeg") {
		return "", "ui.err.logo_type"
	}
	if cfg.Width > maxLogoPixels || cfg.Height > maxLogoPixels || cfg.Width < 1 || cfg.Height < 1 {
		return "", "ui.err.logo_pixels"
	}
	return "data:" + ct + ";base64," + base64.StdEncoding.EncodeToString(raw), ""
}

func decimalSep(lang string) string {
	if lang == "en" {
		return "."
	}
	return ","
}

// luminance is a colour's relative luminance (WCAG 2.1).
func luminance(hex string) float64 {
	ch := func(i int) float64 {
		n, _ := strconv.ParseUint(hex[i:i+2], 16, 8)
		c := float64(n) / 255
		if c <= 0.03928 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(1) + 0.7152*ch(3) + 0.0722*ch(5)
}

// contrast is the WCAG contrast ratio of two #rrggbb colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// darken makes a colour a fifth darker, for hover states.
func darken(hex string) string {
	out := "#"
	for i := 1; i < 7; i += 2 {
		n, _ := strconv.ParseUint(hex[i:i+2], 16, 8)
		out += fmt.Sprintf("%02x", int(float64(n)*0.8))
	}
	return out
}
