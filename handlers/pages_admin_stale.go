package handlers

import (
	"errors"
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"katalogpes/store"
	"katalogpes/tenants"
)

// staleView is the list of listings nobody has confirmed for a year,
// with their reminders.
type staleView struct {
	Page
	Rows  []staleRow
	Total int
	Query string // the filters, to keep across a reminder's post
	Prev  string
	Next  string
}

type staleRow struct {
	store.StaleListing
	Gmina   string
	History []store.ListingReminder
}

const stalePerPage = 50

func (s *Server) staleView(c *fiber.Ctx, v url.Values) (*staleView, store.StaleFilter, error) {
	ctx := c.UserContext()
	t, _ := tenants.FromContext(ctx)
	p := &staleView{Page: s.newPage(c, "ui.stale.title")}
	p.Section = "stale"
	p.LabelPrefix = "ui.stale.f."
	p.Form = newForm(v)
	page, _ := strconv.Atoi(v.Get("page"))
	f := store.StaleFilter{Page: max(page, 1), PerPage: stalePerPage, Powiat: v.Get("powiat"), LegalForm: v.Get("legal_form"), Owner: v.Get("owner")}
	p.Options = map[string][]Option{"owner": {{"yes", p.T("ui.stale.owner_yes")}, {"no", p.T("ui.stale.owner_no")}}}
	for _, code := range store.LegalForms {
		p.Options["legal_form"] = append(p.Options["legal_form"], Option{Value: code, Label: p.Label("legal_form", code)})
	}
	powiats, err := s.db.FindPowiatsOf(ctx, t.TERYT)
	if err != nil {
		return nil, f, err
	}
	for _, pw := range powiats {
		p.Options["powiat"] = append(p.Options["powiat"], Option{Value: pw.Code, Label: pw.Name})
	}
	sortedOptions(p.Options["powiat"])
	keep := url.Values{}
	for _, k := range []string{"powiat", "legal_form", "owner"} {
		if v.Get(k) != "" {
			keep.Set(k, v.Get(k))
		}
	}
	p.Query = keep.Encode()
	return p, f, nil
}

// fill reads the filtered page of stale listings and their reminders.
func (s *Server) fillStale(c *fiber.Ctx, p *staleView, f store.StaleFilter) error {
	ctx := c.UserContext()
	list, total, err := s.db.FindStaleListings(ctx, f)
	if err != nil {
		return err
	}
	ids := make([]string, len(list))
	for i, l := range list {
		ids[i] = l.ID
	}
	history, err := s.db.FindReminderHistory(ctx, ids)
	if err != nil {
		return err
	}
	p.Total = total
	for _, l := range list {
		row := staleRow{StaleListing: l, History: history[l.ID]}
		if g, err := s.db.FindGmina(ctx, l.Address.GminaTERYT); err == nil {
			row.Gmina = g.Name
		}
		p.Rows = append(p.Rows, row)
	}
	page := func(n int) string {
		q, _ := url.ParseQuery(p.Query)
		q.Set("page", strconv.Itoa(n))
		return p.URL("/admin/nieaktualne?" + q.Encode())
	}
	if f.Page > 1 {
		p.Prev = page(f.Page - 1)
	}
	if f.Page*f.PerPage < total {
		p.Next = page(f.Page + 1)
	}
	return nil
}

func (s *Server) stalePage(c *fiber.Ctx) error {
	v, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
	p, f, err := s.staleView(c, v)
	if err != nil {
		return err
	}
	if err := s.fillStale(c, p, f); err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "admin_stale", p)
}

// staleRemind sends a reminder about one listing now, at most once a
// week; a refusal comes back on the list, with when the next may go.
func (s *Server) staleRemind(c *fiber.Ctx) error {
	ctx := c.UserContext()
	v := formValues(c)
	back, _ := url.ParseQuery(v.Get("back"))
	id := c.Params("id")
	_, err := s.db.SendReminder(ctx, id, func(r store.Reminder) store.Mail { return s.mail.Reminder("pl", r) })
	if err == nil {
		back.Set("msg", "reminder_sent")
		return c.Redirect(basePath(c)+"/admin/nieaktualne?"+back.Encode(), fiber.StatusSeeOther)
	}
	var se *store.Error
	if !errors.As(err, &se) || se.Code != store.EConflict {
		return err
	}
	p, f, ferr := s.staleView(c, back)
	if ferr != nil {
		return ferr
	}
	params := se.Params
	if next, ok := params["Next"].(time.Time); ok {
		params = map[string]any{"Next": p.DateTime(next)}
	}
	p.Form.Notes = append(p.Form.Notes, p.Tp("ui."+se.Key, params))
	if err := s.fillStale(c, p, f); err != nil {
		return err
	}
	return s.render(c, fiber.StatusUnprocessableEntity, "admin_stale", p)
}
