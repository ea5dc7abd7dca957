package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"katalogpes/handlers/view"
	"katalogpes/store"
	"katalogpes/tenants"
)

// Page is what every page's template gets: the language, the region,
// who is signed in, the CSRF token, and helpers to translate and format.
// Each view embeds it in its own typed struct.
type Page struct {
	view.Locale // Lang, and the words, numbers and dates in it
	Title       string
	Tenant      *tenants.Tenant
	Base        string // /r/{slug}, or "" on a region's host and on the hub
	User        tenants.Principal
	CSRF        string
	AltLang     string
	AltURL      string
	Path        string
	Flash       string
	Section     string // the nav item to mark as current
	Theme       string // a query string that changes with the branding
	Logo        string
	Form        *Form
	Options     map[string][]Option
	// Status lets templates say "this page answers with an error".
	Status int
	// Refresh, in seconds, makes the page reload itself (a running job's).
	Refresh int
	// LabelPrefix names a form's own labels (an account's "name" is a
	// person's, a listing's an entity's); ui.f. is the fallback.
	LabelPrefix string

	now time.Time
}

// newPage fills the parts every page shares; title is a message key.
func (s *Server) newPage(c *fiber.Ctx, title string) Page {
	lang := langOf(c)
	p := Page{Locale: s.tr.Locale(lang), Base: basePath(c), User: tenants.PrincipalFrom(c.UserContext()), now: time.Now(),
		Path: c.Path(), Status: fiber.StatusOK}
	p.Title = p.T(title)
	if t, ok := tenants.FromContext(c.UserContext()); ok {
		p.Tenant = t
		if b := t.Branding; b.PrimaryColor != "" || b.AccentColor != "" || b.LogoURL != "" {
			raw, _ := json.Marshal(b)
			sum := sha256.Sum256(raw)
			p.Theme = hex.EncodeToString(sum[:6])
		}
		switch {
		case strings.HasPrefix(t.Branding.LogoURL, "data:"):
			p.Logo = p.Base + "/logo?v=" + p.Theme
		case strings.HasPrefix(t.Branding.LogoURL, "https://"):
			p.Logo = t.Branding.LogoURL
		}
	}
	if tok, ok := c.Locals(localCSRF).(string); ok {
		p.CSRF = tok
	}
	p.AltLang = "en"
	if lang == "en" {
		p.AltLang = "pl"
	}
	q, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
	q.Set("lang", p.AltLang)
	p.AltURL = c.Path() + "?" + q.Encode()
	if m := c.Query("msg"); m != "" && s.tr.Has("ui.flash."+m) {
		p.Flash = p.T("ui.flash." + m)
	}
	return p
}

// URL is a path of the page's region.
func (p *Page) URL(path string) string { return p.Base + path }

// SignedIn, Staff and Admin steer the navigation.
func (p *Page) SignedIn() bool { return p.User.Authenticated() }
func (p *Page) Staff() bool    { return p.User.Role.IsStaff() }
func (p *Page) Admin() bool    { return p.User.Can(tenants.PermAdmin) }

// Option is one choice of a select, a radio group or a set of checkboxes.
type Option struct {
	Value string
	Label string
}

// Form holds what a person typed and what was wrong with it, so a form
// comes back exactly as it was sent, each error next to its field.
type Form struct {
	Values url.Values
	Errors []FieldMsg
	// Extra messages for the whole form (not tied to a field).
	Notes   []string
	byField map[string][]string
}

// FieldMsg is one error: the field, the id of its control, its label and
// the message.
type FieldMsg struct {
	Field, ID, Label, Message string
}

func newForm(v url.Values) *Form {
	if v == nil {
		v = url.Values{}
	}
	return &Form{Values: v, byField: map[string][]string{}}
}

// V is the typed value of a field.
func (f *Form) V(name string) string { return f.Values.Get(name) }

// Has reports whether value is among the field's values (checkboxes).
func (f *Form) Has(name, value string) bool {
	for _, v := range f.Values[name] {
		if v == value {
			return true
		}
	}
	return false
}

// Err is the message of a field, "" when it is fine.
func (f *Form) Err(name string) string { return strings.Join(f.byField[name], " ") }

// Invalid reports whether a field has an error.
func (f *Form) Invalid(name string) bool { return len(f.byField[name]) > 0 }

// add records an error of field (shown with its control, whose label
// the summary links to).
func (f *Form) add(p *Page, field, msg string) {
	f.byField[field] = append(f.byField[field], msg)
	f.Errors = append(f.Errors, FieldMsg{Field: field, ID: fieldID(field), Label: p.fieldLabel(field), Message: msg})
}

// fieldID is the id of the control of a field name: offers[0].title → f-offers-0-title.
func fieldID(name string) string {
	r := strings.NewReplacer(".", "-", "[", "-", "]", "", "_", "_")
	return "f-" + r.Replace(name)
}

// fieldLabel is a field's label for the error summary.
func (p *Page) fieldLabel(field string) string {
	key := "ui.f." + groupOf(field)
	if p.LabelPrefix != "" && p.T(p.LabelPrefix+groupOf(field)) != p.LabelPrefix+groupOf(field) {
		key = p.LabelPrefix + groupOf(field)
	}
	if v := p.T(key); v != key {
		if i := rowOf(field); i >= 0 {
			return v + " " + p.Num(i+1)
		}
		return v
	}
	return field
}

// groupOf drops row numbers: offers[2].title → offers.title.
func groupOf(field string) string {
	var b strings.Builder
	skip := false
	for _, r := range field {
		switch {
		case r == '[':
			skip = true
		case r == ']':
			skip = false
		case !skip:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// rowOf is the first row number in a field name, -1 without one.
func rowOf(field string) int {
	i := strings.IndexByte(field, '[')
	j := strings.IndexByte(field, ']')
	if i < 0 || j < i {
		return -1
	}
	n := 0
	for _, r := range field[i+1 : j] {
		if r < '0' || r > '9' {
			return -1
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// addError puts a store error's field messages into the form; it reports
// false for errors that are not about the fields (those go to the error
// page). Remap renames fields (a list item to its list, a compacted row
// to the row on screen).
func (s *Server) addError(p *Page, err error, remap func(string) string) bool {
	var se *store.Error
	if !errors.As(err, &se) || (se.Code != store.EInvalid && se.Code != store.EConflict && se.Code != store.EUnauthorized && se.Code != store.EForbidden) {
		return false
	}
	if p.Form == nil {
		p.Form = newForm(nil)
	}
	if len(se.Fields) == 0 {
		if se.Code == store.EInvalid || se.Key == "" {
			return false
		}
		p.Form.Notes = append(p.Form.Notes, p.Tp(se.Key, se.Params))
		return true
	}
	for _, fe := range se.Fields {
		field := fe.Field
		if remap != nil {
			field = remap(field)
		}
		p.Form.add(p, field, p.Tp(fe.Key, fe.Params))
	}
	return true
}

// FieldView is one control as a template draws it.
type FieldView struct {
	Name, ID, Label, Hint, Type, Value, Error, Autocomplete string
	Required                                                bool
	Options                                                 []Option
	Selected                                                map[string]bool
}

// Field describes a control of the page's form: name is the form field,
// typ the input type (text, email, select, checks, radios, textarea…),
// extra an autocomplete token.
func (p *Page) Field(name, typ string, extra ...string) FieldView {
	f := p.Form
	if f == nil {
		f = newForm(nil)
	}
	v := FieldView{Name: name, ID: fieldID(name), Type: typ, Value: f.V(name), Error: f.Err(name),
		Label: p.fieldLabel(name), Options: p.Options[groupOf(name)], Selected: map[string]bool{}}
	hint := "ui.h." + groupOf(name)
	if p.LabelPrefix != "" {
		hint = strings.Replace(p.LabelPrefix, ".f", ".h", 1) + groupOf(name)
	}
	if p.T(hint) != hint {
		v.Hint = p.T(hint)
	}
	for _, x := range f.Values[name] {
		v.Selected[x] = true
	}
	for _, e := range extra {
		switch e {
		case "required":
			v.Required = true
		case "nohint":
			v.Hint = ""
		default:
			v.Autocomplete = e
		}
	}
	return v
}

// Describedby lists the ids that describe a control: its hint and error.
func (v FieldView) Describedby() string {
	var ids []string
	if v.Hint != "" {
		ids = append(ids, v.ID+"-hint")
	}
	if v.Error != "" {
		ids = append(ids, v.ID+"-err")
	}
	return strings.Join(ids, " ")
}

// sortedOptions orders options by label, Polish letters in their place.
func sortedOptions(opts []Option) []Option {
	view.SortByLabel(opts, func(o Option) string { return o.Label })
	return opts
}
