package handlers

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"katalogpes/store"
	"katalogpes/store/sheet"
)

// The buyer's page of one need: its state and actions (submit, withdraw,
// attach, remind, close), who was notified and what they did, the answers,
// the questions to answer; and the tracking table as XLSX.

type needDesk struct {
	Page
	N         *store.Need
	Matches   []store.Match
	Answers   []*store.Answer
	Questions []store.Question
	Cats      map[string]string
	Answered  []Option // the entities that answered: whom the need may go to
}

// CatName names a category code.
func (p *needDesk) CatName(code string) string {
	if n, ok := p.Cats[code]; ok {
		return n
	}
	return code
}

// Editable reports whether the need may still change.
func (p *needDesk) Editable() bool {
	return p.N.Status == store.NeedDraft || p.N.Status == store.NeedPending || p.N.Status == store.NeedRejected
}

// Closable reports whether the buyer may record an outcome.
func (p *needDesk) Closable() bool {
	return p.N.Status == store.NeedPublished || (p.N.Status == store.NeedClosed && p.N.Outcome == nil)
}

func (s *Server) needDeskPage(c *fiber.Ctx) error {
	return s.renderNeedDesk(c, fiber.StatusOK, nil, nil)
}

func (s *Server) renderNeedDesk(c *fiber.Ctx, status int, err error, v url.Values) error {
	ctx := c.UserContext()
	id := utils.CopyString(c.Params("id"))
	n, ferr := s.db.FindNeed(ctx, id)
	if ferr != nil {
		return ferr
	}
	p := &needDesk{Page: s.newPage(c, "ui.need.title"), N: n}
	if p.User.AccountID != n.BuyerID {
		return fiber.ErrNotFound
	}
	p.Title = n.Title
	p.Section = "buyer"
	p.LabelPrefix = "ui.need.f."
	p.Form = newForm(v)
	if p.Matches, ferr = s.db.FindNeedMatches(ctx, id); ferr != nil {
		return ferr
	}
	if p.Answers, ferr = s.db.FindNeedAnswers(ctx, id); ferr != nil {
		return ferr
	}
	if p.Questions, ferr = s.db.FindQuestions(ctx, id); ferr != nil {
		return ferr
	}
	if p.Cats, ferr = s.needOptions(ctx, &p.Page); ferr != nil {
		return ferr
	}
	for _, a := range p.Answers {
		p.Answered = append(p.Answered, Option{Value: a.ListingID, Label: a.ListingName})
		for _, pt := range a.Partners {
			if pt.ConfirmedAt != nil {
				p.Answered = append(p.Answered, Option{Value: pt.ListingID, Label: pt.Name})
			}
		}
	}
	p.Options["awarded_to"] = p.Answered
	if err != nil && !s.addError(&p.Page, err, nil) {
		return err
	}
	return s.render(c, status, "need_desk", p)
}

// needAction runs one of the buyer's buttons and comes back to the page
// with a message, or redraws it with what was wrong.
func (s *Server) needAction(act func(c *fiber.Ctx, id string, v url.Values) (string, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v := formValues(c)
		id := utils.CopyString(c.Params("id"))
		msg, err := act(c, id, v)
		if err != nil {
			switch store.ErrorCode(err) {
			case store.EInvalid, store.EConflict, store.EForbidden:
				markFormInvalid(c)
				return s.renderNeedDesk(c, statusOf[store.ErrorCode(err)], err, v)
			}
			return err
		}
		return c.Redirect(basePath(c)+"/zamawiajacy/zapytania/"+id+"?msg="+msg, fiber.StatusSeeOther)
	}
}

func (s *Server) needSubmitPost(c *fiber.Ctx, id string, _ url.Values) (string, error) {
	n, err := s.db.SubmitNeed(c.UserContext(), id)
	if err != nil {
		return "", err
	}
	return "need_" + n.Status, nil
}

func (s *Server) needWithdrawPost(c *fiber.Ctx, id string, _ url.Values) (string, error) {
	_, err := s.db.WithdrawNeed(c.UserContext(), id)
	return "need_withdrawn", err
}

func (s *Server) needFilePost(c *fiber.Ctx, id string, _ url.Values) (string, error) {
	name, raw, err := uploadedPDF(c)
	if err == nil {
		_, err = s.db.AddNeedFile(c.UserContext(), id, name, raw)
	}
	return "need_file_added", err
}

func (s *Server) needRemindPost(c *fiber.Ctx, id string, _ url.Values) (string, error) {
	_, err := s.db.RemindNeed(c.UserContext(), id, s.mail.NeedNotice)
	return "need_reminded", err
}

func (s *Server) needClosePost(c *fiber.Ctx, id string, v url.Values) (string, error) {
	in := store.CloseInput{Outcome: v.Get("outcome"), AwardedTo: v["awarded_to"]}
	if raw := strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(v.Get("value_pln"), " ", ""), ",", ".")); raw != "" {
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return "", store.Invalid([]store.FieldError{{Field: "value_pln", Key: "need.value_pln"}})
		}
		in.ValuePLN = &f
	}
	_, err := s.db.CloseNeed(c.UserContext(), id, in)
	return "need_closed", err
}

func (s *Server) needQuestionPost(c *fiber.Ctx, id string, v url.Values) (string, error) {
	_, err := s.db.AnswerQuestion(c.UserContext(), id, utils.CopyString(c.Params("qid")), v.Get("answer"), s.mail.QuestionAnswered)
	return "need_question_answered", err
}

// needTrackingXLSX is the tracking table as a workbook, in the page's
// language.
func (s *Server) needTrackingXLSX(c *fiber.Ctx) error {
	ctx := c.UserContext()
	id := utils.CopyString(c.Params("id"))
	n, err := s.db.FindNeed(ctx, id)
	if err != nil {
		return err
	}
	list, err := s.db.FindNeedMatches(ctx, id)
	if err != nil {
		return err
	}
	loc := s.tr.Locale(langOf(c))
	head := []string{"ui.need.col_entity", "ui.need.col_region", "ui.need.col_notified", "ui.need.col_opened", "ui.need.col_answered",
		"ui.need.col_declined", "ui.need.col_reason"}
	for i, k := range head {
		head[i] = loc.T(k)
	}
	c.Set(fiber.HeaderContentType, exportTypes[store.ExportXLSX])
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="zapytanie-sledzenie.xlsx"`)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	w, err := sheet.NewXLSXWriter(c.Response().BodyWriter(), sheet.XLSXBook{Sheet: loc.T("ui.need.tracking"), Header: head,
		Widths: []float64{40, 18, 20, 20, 20, 20, 40}, Title: n.Title, InfoSheet: loc.T("ui.need.title"),
		Info: [][2]string{{loc.T("ui.need.f.title"), n.Title}, {loc.T("ui.need.f.deadline"), loc.DateTime(n.Deadline)}}})
	if err != nil {
		return err
	}
	for _, m := range list {
		row := []any{m.Name, m.Tenant, m.NotifiedAt}
		for _, t := range []*time.Time{m.OpenedAt, m.AnsweredAt, m.DeclinedAt} {
			if t != nil {
				row = append(row, *t)
			} else {
				row = append(row, "")
			}
		}
		row = append(row, m.DeclineReason)
		if err := w.Write(row); err != nil {
			return err
		}
	}
	return w.Close()
}

// PLN writes an amount in whole złoty with the language's grouping.
func (p *needDesk) PLN(v float64) string { return p.Num(int(v+0.5)) + " zł" }
