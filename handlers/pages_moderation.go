package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"katalogpes/store"
)

// diffRow is one changed field, published against pending.
type diffRow struct {
	Label, Before, After string
}

type queueItem struct {
	store.QueueItem
	Rows   []diffRow
	Reason string
	Error  string
	// Registry says where the registries contradict the listing (issue 15).
	Registry string
}

type queueView struct {
	Page
	Items   []queueItem
	Figures queueFigures
	// RegistryOn offers "check in the registers" on each item.
	RegistryOn bool
}

// queueView is the moderators' work: what waits, for how long, and what
// it changes against the published version.
func (s *Server) queuePage(c *fiber.Ctx) error {
	return s.renderQueue(c, fiber.StatusOK, "", "", "")
}

func (s *Server) renderQueue(c *fiber.Ctx, status int, errID, errMsg, reason string) error {
	ctx := c.UserContext()
	items, err := s.db.FindModerationQueue(ctx)
	if err != nil {
		return err
	}
	figures, err := s.findQueueFigures(ctx)
	if err != nil {
		return err
	}
	p := &queueView{Page: s.newPage(c, "ui.queue.title"), Figures: figures}
	p.Section = "moderation"
	names := s.categoryNames(ctx, p.Lang)
	if err := s.nameUnits(ctx, items, names); err != nil {
		return err
	}
	ids := make([]string, 0, len(items))
	for _, it := range items {
		ids = append(ids, it.Listing.ID)
	}
	mismatches, err := s.mismatchLines(ctx, &p.Page, ids)
	if err != nil {
		return err
	}
	p.RegistryOn = s.registries.On()
	for _, it := range items {
		qi := queueItem{QueueItem: it, Registry: mismatches[it.Listing.ID]}
		for _, ch := range it.Changes {
			qi.Rows = append(qi.Rows, diffRow{Label: p.fieldLabel(ch.Field),
				Before: p.showValue(ch.Field, ch.Before, names), After: p.showValue(ch.Field, ch.After, names)})
		}
		if it.Listing.ID == errID {
			qi.Error, qi.Reason = errMsg, reason
		}
		p.Items = append(p.Items, qi)
	}
	return s.render(c, status, "queue", p)
}

// moderatePost applies a decision from the queue. A decision that needs
// a reason and has none comes back with the error at the reason.
func (s *Server) moderatePost(c *fiber.Ctx) error {
	id := utils.CopyString(c.Params("id"))
	action := c.FormValue("action")
	switch action {
	case store.ActionApprove, store.ActionReject, store.ActionRequestChanges, store.ActionSuspend:
	default:
		return fiber.ErrBadRequest
	}
	reason := utils.CopyString(c.FormValue("reason"))
	if _, err := s.db.ModerateAndTell(c.UserContext(), id, action, reason, s.mail.Decision); err != nil {
		var se *store.Error
		if errors.As(err, &se) && se.Code == store.EInvalid && len(se.Fields) > 0 {
			f := se.Fields[0]
			return s.renderQueue(c, fiber.StatusUnprocessableEntity, id, s.tr.T(langOf(c), f.Key, f.Params), reason)
		}
		return err
	}
	s.search.Notify()
	return c.Redirect(basePath(c)+"/moderacja?msg="+action, fiber.StatusSeeOther)
}

// showValue writes a field's JSON value for people: codes as names,
// lists one item a line, objects as "label: value" lines.
func (p *Page) showValue(field string, raw json.RawMessage, cats map[string]string) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return string(raw)
	}
	return p.valueText(field, v, cats)
}

func (p *Page) valueText(field string, v any, cats map[string]string) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		switch field {
		case "legal_form":
			return p.Label("legal_form", x)
		case "kinds":
			return p.Label("kind", x)
		case "categories", "offers.category":
			if n, ok := cats[x]; ok {
				return n
			}
		case "employment.target_groups":
			return p.Label("target_group", x)
		case "certificates.kind":
			return p.Label("certificate", x)
		case "service_area.scope":
			return p.Label("scope", x)
		case "offers.kind":
			return p.Label("offer_kind", x)
		case "address.gmina_teryt", "service_area.teryt":
			if n, ok := cats["teryt:"+x]; ok {
				return n
			}
		}
		if dateRe.MatchString(x) {
			return p.Date(x)
		}
		return x
	case bool:
		if x {
			return p.T("ui.yes")
		}
		return p.T("ui.no")
	case float64:
		if x == float64(int(x)) {
			return p.Num(int(x))
		}
		s := fmt.Sprintf("%g", x)
		if p.Lang != "en" {
			s = strings.ReplaceAll(s, ".", ",")
		}
		return s
	case []any:
		var lines []string
		for _, item := range x {
			if t := p.valueText(field, item, cats); t != "" {
				lines = append(lines, strings.ReplaceAll(t, "\n", "; "))
			}
		}
		if len(lines) > 0 {
			if _, simple := x[0].(string); simple {
				return strings.Join(lines, ", ")
			}
		}
		return strings.Join(lines, "\n")
	case map[string]any:
		return p.objectText(field, x, cats)
	}
	return fmt.Sprint(v)
}

// objectText writes an object's fields a line each, labelled, in the
// form's order.
func (p *Page) objectText(field string, x map[string]any, cats map[string]string) string {
	keys := make([]string, 0, len(x))
	for k := range x {
		keys = append(keys, k)
	}
	order := subfieldOrder[groupOf(field)]
	rank := func(k string) int {
		for i, o := range order {
			if o == k {
				return i
			}
		}
		return len(order)
	}
	sort.Slice(keys, func(i, j int) bool {
		if rank(keys[i]) != rank(keys[j]) {
			return rank(keys[i]) < rank(keys[j])
		}
		return keys[i] < keys[j]
	})
	var lines []string
	for _, k := range keys {
		sub := field + "." + k
		if t := p.valueText(sub, x[k], cats); t != "" {
			label := p.fieldLabel(sub)
			if sub == "service_area.teryt" { // shown as names, not codes
				label = p.T("ui.f.service_area.units")
			}
			lines = append(lines, label+": "+t)
		}
	}
	return strings.Join(lines, "\n")
}

// subfieldOrder is the order the form shows an object's fields in.
var subfieldOrder = map[string][]string{
	"address":           {"street", "postal_code", "city", "gmina_teryt"},
	"contact":           {"email", "phone", "website"},
	"geo":               {"lat", "lng"},
	"service_area":      {"scope", "teryt", "radius_km"},
	"social_enterprise": {"decision_no", "decision_date", "valid_until", "withdrawn_at"},
	"employment":        {"total", "at_risk", "as_of", "target_groups"},
	"offers":            {"title", "description", "kind", "category"},
	"certificates":      {"kind", "issuer", "valid_until"},
	"pkd":               {"code", "version", "main"},
}

var dateRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
