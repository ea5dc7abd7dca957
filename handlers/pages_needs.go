package handlers

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/gorilla/feeds"

	"katalogpes/store"
	"katalogpes/tenants"
)

// The public pages of buyers' needs: the open needs of a region (and of
// all regions on the hub), each need with its questions and answers,
// closed needs kept as examples, the Atom feed, and the mail's one-click
// links.

// needsView is a list of needs with its search form.
type needsView struct {
	Page
	Answer   *needsAnswer
	Closed   bool
	National bool
	Query    url.Values
	Cats     map[string]string
	Powiats  []optGroup
	Prev     string
	Next     string
	FeedURL  string
}

// CatName names a category code in the page's language.
func (p *needsView) CatName(code string) string {
	if n, ok := p.Cats[code]; ok {
		return n
	}
	return code
}

// NeedURL is a need's page: under its own region on the hub.
func (p *needsView) NeedURL(n store.Need) string {
	if p.National {
		return "/r/" + n.Tenant + "/zapytania/" + n.ID
	}
	return p.URL("/zapytania/" + n.ID)
}

// needOptions fills the form's choices: kinds, categories, value bands.
func (s *Server) needOptions(ctx context.Context, p *Page) (map[string]string, error) {
	cats, err := s.taxonomy(ctx)
	if err != nil {
		return nil, err
	}
	if p.Options == nil {
		p.Options = map[string][]Option{}
	}
	for _, k := range store.NeedKinds {
		p.Options["kind"] = append(p.Options["kind"], Option{Value: k, Label: p.T("ui.need.kind." + k)})
	}
	for _, b := range store.NeedValueBands {
		p.Options["value_band"] = append(p.Options["value_band"], Option{Value: b, Label: p.T("ui.need.band." + b)})
	}
	for _, o := range store.NeedOutcomes {
		p.Options["outcome"] = append(p.Options["outcome"], Option{Value: o, Label: p.T("ui.need.outcome." + o)})
	}
	for _, c := range cats {
		if !c.Retired() {
			p.Options["categories"] = append(p.Options["categories"], Option{Value: c.Code, Label: categoryName(p.Lang, c)})
		}
	}
	p.Options["category"] = p.Options["categories"]
	return categoryMap(p.Lang, cats), nil
}

func (s *Server) needsPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	f, err := needFilterOf(c)
	if err != nil {
		return err
	}
	ans, err := s.findNeeds(c, f)
	if err != nil {
		return err
	}
	p := &needsView{Page: s.newPage(c, "ui.need.list_title"), Answer: ans, Closed: f.Closed}
	p.Section = "needs"
	_, regional := tenants.FromContext(ctx)
	p.National = !regional
	if f.Closed {
		p.Title = p.T("ui.need.closed_title")
	} else if p.National {
		p.Title = p.T("ui.need.national_title")
	}
	p.Query, _ = queryValues(c)
	p.Form = newForm(p.Query)
	if p.Cats, err = s.needOptions(ctx, &p.Page); err != nil {
		return err
	}
	if p.Powiats, _, err = s.powiatGroups(ctx); err != nil {
		return err
	}
	page := ans.Page
	if page > 1 {
		p.Prev = needPageLink(p.Query, page-1)
	}
	if page*ans.PerPage < ans.Total {
		p.Next = needPageLink(p.Query, page+1)
	}
	p.FeedURL = p.URL("/zapytania.atom")
	if cat := p.Query.Get("category"); cat != "" {
		p.FeedURL += "?category=" + url.QueryEscape(cat)
	}
	return s.render(c, fiber.StatusOK, "needs_list", p)
}

func needPageLink(q url.Values, page int) string {
	v := url.Values{}
	for k, vs := range q {
		v[k] = vs
	}
	v.Set("page", strconv.Itoa(page))
	return "?" + v.Encode()
}

// needView is one need's public page.
type needView struct {
	Page
	N         *store.Need
	Questions []store.Question
	Cats      map[string]string
	Answerer  bool // an enterprise may answer
	Buyer     bool // the need's own buyer is looking
}

// CatName names a category code.
func (p *needView) CatName(code string) string {
	if n, ok := p.Cats[code]; ok {
		return n
	}
	return code
}

func (s *Server) needPage(c *fiber.Ctx) error {
	return s.renderNeed(c, fiber.StatusOK, nil, nil)
}

func (s *Server) renderNeed(c *fiber.Ctx, status int, err error, v url.Values) error {
	ctx := c.UserContext()
	n, ferr := s.db.FindNeed(ctx, utils.CopyString(c.Params("id")))
	if ferr != nil {
		return ferr
	}
	qs, ferr := s.db.FindQuestions(ctx, n.ID)
	if ferr != nil {
		return ferr
	}
	p := &needView{Page: s.newPage(c, "ui.need.title"), N: n, Questions: qs}
	p.Title = n.Title
	p.Section = "needs"
	p.Form = newForm(v)
	p.LabelPrefix = "ui.need.f."
	p.Answerer = p.User.Can(tenants.PermNeedsAnswer) && n.Open()
	if p.User.Can(tenants.PermNeedsAnswer) && status == fiber.StatusOK {
		if ferr := s.db.MarkNeedOpened(ctx, n.ID); ferr != nil {
			return ferr
		}
	}
	p.Buyer = p.User.AccountID == n.BuyerID
	if p.Cats, ferr = s.needOptions(ctx, &p.Page); ferr != nil {
		return ferr
	}
	if err != nil && !s.addError(&p.Page, err, nil) {
		return err
	}
	return s.render(c, status, "need", p)
}

// askPost adds a signed-in person's public question.
func (s *Server) askPost(c *fiber.Ctx) error {
	v := formValues(c)
	id := utils.CopyString(c.Params("id"))
	if _, err := s.db.AskQuestion(c.UserContext(), id, v.Get("question"), s.mail.NeedForBuyer); err != nil {
		return s.needRefused(c, err, v, func() error { return s.renderNeed(c, statusOf[store.ErrorCode(err)], err, v) })
	}
	return c.Redirect(basePath(c)+"/zapytania/"+id+"?msg=need_asked#pytania", fiber.StatusSeeOther)
}

// needRefused redraws a form for the person's mistakes; other errors go
// to the error page.
func (s *Server) needRefused(c *fiber.Ctx, err error, _ url.Values, redraw func() error) error {
	switch store.ErrorCode(err) {
	case store.EInvalid, store.EConflict:
		markFormInvalid(c)
		return redraw()
	}
	return err
}

// needsFeed is the Atom feed of a region's open needs, or of one category.
func (s *Server) needsFeed(c *fiber.Ctx) error {
	ctx := c.UserContext()
	t, _ := tenants.FromContext(ctx)
	f := store.NeedFilter{PerPage: 50}
	if cat := c.Query("category"); cat != "" {
		f.Categories = []string{utils.CopyString(cat)}
	}
	list, _, err := s.db.FindPublicNeeds(ctx, f)
	if err != nil {
		return err
	}
	lang := langOf(c)
	base := s.cfg.BaseURL + "/r/" + t.Slug
	feed := &feeds.Feed{Title: s.tr.T(lang, "ui.need.feed_title", map[string]any{"Region": t.Voivodeship}),
		Link: &feeds.Link{Href: base + "/zapytania"}, Id: base + "/zapytania.atom", Updated: time.Now(),
		Description: s.tr.T(lang, "ui.need.feed_desc", nil)}
	for _, n := range list {
		updated := n.CreatedAt
		if n.PublishedAt != nil {
			updated = *n.PublishedAt
		}
		feed.Items = append(feed.Items, &feeds.Item{Id: base + "/zapytania/" + n.ID, Title: n.Title,
			Link: &feeds.Link{Href: base + "/zapytania/" + n.ID}, Author: &feeds.Author{Name: n.Institution},
			Description: n.Description, Created: updated, Updated: updated})
	}
	atom, err := feed.ToAtom()
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/atom+xml; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.SendString(atom)
}

// clickView is the landing page of a one-click link: it says what the
// link will do and asks to confirm with one button, so a mail scanner
// that opens links decides nothing.
type clickView struct {
	Page
	Token  string
	Click  *store.ClickResult
	Done   bool
	Failed bool
}

func (s *Server) clickPage(c *fiber.Ctx) error {
	p := &clickView{Page: s.newPage(c, "ui.need.click_title"), Token: utils.CopyString(c.Query("token"))}
	p.LabelPrefix = "ui.need.f."
	p.Form = newForm(nil)
	r, err := s.db.CheckNeedClick(c.UserContext(), p.Token)
	status := fiber.StatusOK
	if err != nil {
		if store.ErrorCode(err) != store.EInvalid {
			return err
		}
		p.Failed, status = true, fiber.StatusUnprocessableEntity
	}
	p.Click = r
	return s.render(c, status, "need_click", p)
}

func (s *Server) clickPost(c *fiber.Ctx) error {
	v := formValues(c)
	p := &clickView{Page: s.newPage(c, "ui.need.click_title"), Token: v.Get("token")}
	p.LabelPrefix = "ui.need.f."
	p.Form = newForm(v)
	r, err := s.db.UseNeedClick(c.UserContext(), v.Get("token"), v.Get("reason"))
	if err != nil {
		if store.ErrorCode(err) != store.EInvalid {
			return err
		}
		p.Failed = true
		return s.render(c, fiber.StatusUnprocessableEntity, "need_click", p)
	}
	p.Click, p.Done = r, true
	return s.render(c, fiber.StatusOK, "need_click", p)
}
