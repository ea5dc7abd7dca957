package handlers

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"katalogpes/search"
	"katalogpes/store"
	"katalogpes/tenants"
)

// The library's API (issue 18, API.md "Library").

// librarySlugs are the regions a library request reads: its region, or
// every region on the national hub.
func (s *Server) librarySlugs(c *fiber.Ctx) []string {
	if t, ok := tenants.FromContext(c.UserContext()); ok {
		return []string{t.Slug}
	}
	var out []string
	for _, t := range s.registry.All() {
		out = append(out, t.Slug)
	}
	return out
}

// libraryQuery reads a search of the library from the query string;
// a date that does not parse is a 422 at its parameter.
func libraryQuery(c *fiber.Ctx) (search.LibraryQuery, error) {
	args, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
	q := search.LibraryQuery{Q: strings.TrimSpace(args.Get("q")), Kind: nonEmpty(args["kind"]), Tag: nonEmpty(args["tag"]),
		Category: nonEmpty(args["category"])}
	var errs []store.FieldError
	for _, y := range nonEmpty(args["year"]) {
		n, err := strconv.Atoi(y)
		if err != nil || n < 1900 || n > 2200 {
			errs = append(errs, store.FieldError{Field: "year", Key: "library.year.invalid"})
			break
		}
		q.Year = append(q.Year, n)
	}
	for _, p := range []struct {
		name string
		into **time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		if v := args.Get(p.name); v != "" {
			t, err := time.ParseInLocation("2006-01-02", v, store.Warsaw)
			if err != nil {
				errs = append(errs, store.FieldError{Field: p.name, Key: "library.date.invalid"})
				continue
			}
			if p.name == "to" {
				t = t.Add(24*time.Hour - time.Second)
			}
			*p.into = &t
		}
	}
	page, _ := strconv.Atoi(args.Get("page"))
	q.Limit = 20
	q.Offset = max(page-1, 0) * q.Limit
	if len(errs) > 0 {
		return q, store.Invalid(errs)
	}
	return q, nil
}

func (s *Server) libraryList(c *fiber.Ctx) error {
	q, err := libraryQuery(c)
	if err != nil {
		return err
	}
	res, err := s.search.SearchLibrary(c.UserContext(), s.librarySlugs(c), q)
	if err != nil {
		return libraryUnavailable(err)
	}
	return c.JSON(res)
}

// libraryUnavailable is a failed library search as a 503 (try again):
// Meilisearch is down or slow; the items themselves are in PostgreSQL.
func libraryUnavailable(err error) error {
	return &store.Error{Code: store.EUnavailable, Key: "library.search.unavailable", Err: err}
}

// visibleLibraryItem is an item the caller may see: published, or any
// for the region's staff.
func (s *Server) visibleLibraryItem(c *fiber.Ctx) (*store.LibraryItem, error) {
	ctx := c.UserContext()
	it, err := s.db.FindLibraryItem(ctx, utils.CopyString(c.Params("id")))
	if err != nil {
		return nil, err
	}
	if it.Status != store.LibraryPublished && !tenants.PrincipalFrom(ctx).Can(tenants.PermLibrary) {
		return nil, store.ErrNotFound
	}
	return it, nil
}

func (s *Server) libraryGet(c *fiber.Ctx) error {
	it, err := s.visibleLibraryItem(c)
	if err != nil {
		return err
	}
	return c.JSON(it)
}

func (s *Server) libraryCreate(c *fiber.Ctx) error {
	var in store.LibraryInput
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	it, err := s.db.CreateLibraryItem(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(it)
}

// libraryPatch merges the body onto the item as written (JSON merge
// patch: a field left out stays, the event's fields merge too).
func (s *Server) libraryPatch(c *fiber.Ctx) error {
	ctx := c.UserContext()
	id := utils.CopyString(c.Params("id"))
	cur, err := s.db.FindLibraryItem(ctx, id)
	if err != nil {
		return err
	}
	body, err := jsonBody(c)
	if err != nil {
		return err
	}
	in := cur.Input()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return store.Errorf(store.EMalformed, "body.malformed")
	}
	it, err := s.db.UpdateLibraryItem(ctx, id, in)
	if err != nil {
		return err
	}
	return c.JSON(it)
}

func (s *Server) libraryPublish(c *fiber.Ctx) error {
	it, err := s.db.PublishLibraryItem(c.UserContext(), utils.CopyString(c.Params("id")))
	if err != nil {
		return err
	}
	return c.JSON(it)
}

func (s *Server) libraryDelete(c *fiber.Ctx) error {
	it, err := s.db.ArchiveLibraryItem(c.UserContext(), utils.CopyString(c.Params("id")))
	if err != nil {
		return err
	}
	return c.JSON(it)
}

func (s *Server) libraryHistory(c *fiber.Ctx) error {
	h, err := s.db.FindLibraryHistory(c.UserContext(), utils.CopyString(c.Params("id")))
	if err != nil {
		return err
	}
	return c.JSON(h)
}

// libraryUploadFile checks an upload by its content and reads a PDF's
// text; a PDF without text is kept and flagged (text_status no_text).
func (s *Server) libraryUploadFile(c *fiber.Ctx, id string, fh *multipart.FileHeader) (*store.LibraryItem, error) {
	if fh.Size > store.MaxLibraryFile {
		return nil, store.Invalid([]store.FieldError{{Field: "file", Key: "library.file.too_large", Params: map[string]any{"Max": "25 MB"}}})
	}
	f, err := fh.Open()
	if err != nil {
		return nil, store.Errorf(store.EMalformed, "body.malformed")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, store.MaxLibraryFile+1))
	if err != nil {
		return nil, store.Errorf(store.EMalformed, "body.malformed")
	}
	ct, err := store.CheckLibraryFile(data)
	if err != nil {
		return nil, err
	}
	nf := store.NewLibraryFile{Name: store.LibraryFileName(fh.Filename, ct), ContentType: ct, Data: data, TextStatus: search.TextNotPDF}
	if ct == store.TypePDF {
		if nf.Text, nf.TextStatus, err = search.ExtractPDFText(c.UserContext(), data); err != nil {
			s.log.Warn("pdf text not read", "err", err)
			return nil, store.Invalid([]store.FieldError{{Field: "file", Key: "library.file.unreadable"}})
		}
	}
	it, err := s.db.AddLibraryFile(c.UserContext(), id, nf)
	if err != nil {
		return nil, err
	}
	return it, nil
}

func (s *Server) libraryFileUpload(c *fiber.Ctx) error {
	fh, err := c.FormFile("file")
	if err != nil {
		return store.Invalid([]store.FieldError{{Field: "file", Key: "library.file.missing"}})
	}
	it, err := s.libraryUploadFile(c, utils.CopyString(c.Params("id")), fh)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(it)
}

// libraryFile serves a document with its own type, nosniff, and its
// download name; drafts' files only to the region's staff.
func (s *Server) libraryFile(c *fiber.Ctx) error {
	it, err := s.visibleLibraryItem(c)
	if err != nil {
		return err
	}
	rec, data, err := s.db.FindLibraryFile(c.UserContext(), it.ID, utils.CopyString(c.Params("name")))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, rec.ContentType)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+rec.Name+`"; filename*=UTF-8''`+url.PathEscape(rec.Name))
	c.Set(fiber.HeaderCacheControl, "private, max-age=300")
	return c.Send(data.Data)
}

// libraryCoverOf stores the cover image of the multipart field "file".
func (s *Server) libraryCoverOf(c *fiber.Ctx, id string) (*store.LibraryItem, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		return nil, store.Invalid([]store.FieldError{{Field: "file", Key: "library.file.missing"}})
	}
	if fh.Size > store.MaxCover {
		return nil, store.Invalid([]store.FieldError{{Field: "file", Key: "library.file.too_large", Params: map[string]any{"Max": "2 MB"}}})
	}
	f, err := fh.Open()
	if err != nil {
		return nil, store.Errorf(store.EMalformed, "body.malformed")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, store.MaxCover+1))
	if err != nil {
		return nil, store.Errorf(store.EMalformed, "body.malformed")
	}
	ct, err := store.CheckCover(data)
	if err != nil {
		return nil, err
	}
	return s.db.SetLibraryCover(c.UserContext(), id, store.StoredFile{ContentType: ct, Data: data})
}

func (s *Server) libraryCoverUpload(c *fiber.Ctx) error {
	it, err := s.libraryCoverOf(c, utils.CopyString(c.Params("id")))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(it)
}

// libraryCover serves an item's cover image with its own type.
func (s *Server) libraryCover(c *fiber.Ctx) error {
	it, err := s.visibleLibraryItem(c)
	if err != nil {
		return err
	}
	f, err := s.db.FindLibraryCover(c.UserContext(), it.ID)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, f.ContentType)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set(fiber.HeaderCacheControl, "private, max-age=300")
	return c.Send(f.Data)
}
