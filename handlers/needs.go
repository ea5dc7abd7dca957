package handlers

import (
	"errors"
	"io"
	"mime"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"katalogpes/search"
	"katalogpes/store"
	"katalogpes/tenants"
)

// The JSON API of buyers' needs (API.md, "Buyers' needs"; issue 14).

// registerBuyer is auth/register with role "buyer": the account and its
// institution together, confirmed at once on a public-sector domain.
func (s *Server) registerBuyer(c *fiber.Ctx, t *tenants.Tenant, req registerRequest) error {
	lang := langOf(c)
	in := store.Institution{}
	if req.Institution != nil {
		in = *req.Institution
	}
	a, err := s.db.RegisterBuyer(c.UserContext(), store.NewAccount{Email: req.Email, Password: req.Password, Name: req.Name, Lang: lang}, in,
		func(token string) store.Mail { return s.mail.Verification(lang, t, req.Email, token) })
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(accountResponse{ID: a.ID, Email: a.Email, Role: string(a.Role), Status: a.Status})
}

func (s *Server) createNeed(c *fiber.Ctx) error {
	var in store.NeedInput
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	n, err := s.db.CreateNeed(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(n)
}

func (s *Server) getNeed(c *fiber.Ctx) error {
	n, err := s.db.FindNeed(c.UserContext(), utils.CopyString(c.Params("id")))
	if err != nil {
		return err
	}
	return c.JSON(n)
}

// updateNeed takes the whole need (a PATCH of every field the form has):
// a need changes only before it is public.
func (s *Server) updateNeed(c *fiber.Ctx) error {
	var in store.NeedInput
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	n, err := s.db.UpdateNeed(c.UserContext(), utils.CopyString(c.Params("id")), in)
	if err != nil {
		return err
	}
	return c.JSON(n)
}

func (s *Server) submitNeed(c *fiber.Ctx) error {
	n, err := s.db.SubmitNeed(c.UserContext(), utils.CopyString(c.Params("id")))
	if err != nil {
		return err
	}
	return c.JSON(n)
}

func (s *Server) withdrawNeed(c *fiber.Ctx) error {
	n, err := s.db.WithdrawNeed(c.UserContext(), utils.CopyString(c.Params("id")))
	if err != nil {
		return err
	}
	return c.JSON(n)
}

func (s *Server) myNeeds(c *fiber.Ctx) error {
	list, err := s.db.FindOwnNeeds(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(list)
}

// uploadedPDF reads a multipart "file" whole (checked by the store).
func uploadedPDF(c *fiber.Ctx) (string, []byte, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		return "", nil, store.Invalid([]store.FieldError{{Field: "file", Key: "file.required"}})
	}
	if fh.Size > store.MaxNeedFileSize {
		return "", nil, store.Invalid([]store.FieldError{{Field: "file", Key: "need.file_size", Params: map[string]any{"Max": "10 MB"}}})
	}
	f, err := fh.Open()
	if err != nil {
		return "", nil, store.Invalid([]store.FieldError{{Field: "file", Key: "file.required"}})
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, store.MaxNeedFileSize+1))
	if err != nil {
		return "", nil, err
	}
	return utils.CopyString(fh.Filename), raw, nil
}

func (s *Server) addNeedFile(c *fiber.Ctx) error {
	name, raw, err := uploadedPDF(c)
	if err != nil {
		return err
	}
	f, err := s.db.AddNeedFile(c.UserContext(), utils.CopyString(c.Params("id")), name, raw)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(f)
}

// needFile serves an attachment as a download, never rendered inline.
func (s *Server) needFile(c *fiber.Ctx) error {
	f, err := s.db.FindNeedFile(c.UserContext(), utils.CopyString(c.Params("id")), utils.CopyString(c.Params("fid")))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	return c.Send(f.Content)
}

func (s *Server) moderateNeed(approve bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req reasonBody
		if err := decodeOptional(c, &req); err != nil {
			return err
		}
		n, err := s.db.ModerateNeed(c.UserContext(), utils.CopyString(c.Params("id")), approve, req.Reason, s.mail.NeedForBuyer)
		if err != nil {
			return err
		}
		return c.JSON(n)
	}
}

// needsAnswer is a page of public needs.
type needsAnswer struct {
	Hits     []store.Need `json:"hits"`
	Total    int          `json:"total"`
	Page     int          `json:"page"`
	PerPage  int          `json:"per_page"`
	Degraded bool         `json:"degraded"`
}

// findNeeds lists public needs for the API, the pages and the feed: open
// ones of a region from its needs index (PostgreSQL when Meilisearch
// cannot answer), national and closed lists from PostgreSQL.
func (s *Server) findNeeds(c *fiber.Ctx, f store.NeedFilter) (*needsAnswer, error) {
	ctx := c.UserContext()
	ans := &needsAnswer{Page: max(f.Page, 1), PerPage: f.PerPage}
	if ans.PerPage <= 0 || ans.PerPage > 100 {
		ans.PerPage = 20
	}
	t, regional := tenants.FromContext(ctx)
	if regional && !f.Closed {
		ids, total, err := s.search.SearchNeeds(ctx, t.Slug, search.NeedQuery{Q: f.Q, Categories: f.Categories, Kinds: f.Kinds,
			Serves: f.Serves, Page: ans.Page, PerPage: ans.PerPage})
		switch {
		case err == nil:
			hits, _, err := s.db.FindPublicNeeds(ctx, store.NeedFilter{IDs: ids, PerPage: len(ids) + 1})
			if err != nil {
				return nil, err
			}
			ans.Hits, ans.Total = orderByIDs(hits, ids), total
			return ans, nil
		case errors.Is(err, search.ErrNeedsDegraded):
			ans.Degraded = true
		default:
			return nil, err
		}
	}
	hits, total, err := s.db.FindPublicNeeds(ctx, f)
	if err != nil {
		return nil, err
	}
	ans.Hits, ans.Total = hits, total
	return ans, nil
}

func orderByIDs(list []store.Need, ids []string) []store.Need {
	byID := make(map[string]store.Need, len(list))
	for _, n := range list {
		byID[n.ID] = n
	}
	out := make([]store.Need, 0, len(ids))
	for _, id := range ids {
		if n, ok := byID[id]; ok {
			out = append(out, n)
		}
	}
	return out
}

// needFilterOf reads the list's parameters (API and page alike).
func needFilterOf(c *fiber.Ctx) (store.NeedFilter, error) {
	v, err := queryValues(c)
	if err != nil {
		return store.NeedFilter{}, fiber.ErrBadRequest
	}
	f := store.NeedFilter{Q: v.Get("q"), Categories: v["category"], Kinds: v["kind"], Serves: v["serves"], Closed: v.Get("status") == "closed"}
	if p := v.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 1000 {
			return f, store.Invalid([]store.FieldError{{Field: "page", Key: "need.page"}})
		}
		f.Page = n
	}
	if p := v.Get("per_page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 100 {
			return f, store.Invalid([]store.FieldError{{Field: "per_page", Key: "need.page"}})
		}
		f.PerPage = n
	}
	return f, nil
}

func (s *Server) listNeeds(c *fiber.Ctx) error {
	f, err := needFilterOf(c)
	if err != nil {
		return err
	}
	ans, err := s.findNeeds(c, f)
	if err != nil {
		return err
	}
	return c.JSON(ans)
}

func (s *Server) needMatches(c *fiber.Ctx) error {
	list, err := s.db.FindNeedMatches(c.UserContext(), utils.CopyString(c.Params("id")))
	if err != nil {
		return err
	}
	return c.JSON(list)
}

func (s *Server) remindNeed(c *fiber.Ctx) error {
	n, err := s.db.RemindNeed(c.UserContext(), utils.CopyString(c.Params("id")), s.mail.NeedNotice)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(remindAnswer{Reminded: n})
}

func (s *Server) closeNeed(c *fiber.Ctx) error {
	var in store.CloseInput
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	n, err := s.db.CloseNeed(c.UserContext(), utils.CopyString(c.Params("id")), in)
	if err != nil {
		return err
	}
	return c.JSON(n)
}

func (s *Server) needStats(c *fiber.Ctx) error {
	st, err := s.db.FindNeedStats(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(st)
}
