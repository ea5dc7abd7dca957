package handlers

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"io"
	"mime"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"katalogpes/search"
	"katalogpes/store"
	"katalogpes/tenants"
)

// Data in and out: imports, exports, freshness and personal data.

const (
	// importTimeout bounds an import over HTTP: a register of 100,000 rows
	// takes minutes, far beyond the request deadline.
	importTimeout = 15 * time.Minute
	// exportTimeout bounds a streamed export, which outlives its handler.
	exportTimeout = 10 * time.Minute
	// exportPageSize is how many listings each database round trip reads.
	exportPageSize = 500
)

// importListings reads a register (multipart "file", CSV or XLSX) into the
// region's catalog and reports each bad row with its number and field.
func (s *Server) importListings(c *fiber.Ctx) error {
	fh, err := c.FormFile("file")
	if err != nil {
		return store.Invalid([]store.FieldError{{Field: "file", Key: "file.required"}})
	}
	f, err := fh.Open()
	if err != nil {
		return store.Invalid([]store.FieldError{{Field: "file", Key: "import.unreadable"}})
	}
	defer f.Close()
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	format := importFormat(fh.Filename, fh.Header.Get(fiber.HeaderContentType), head[:n])
	if format == "" {
		return store.Invalid([]store.FieldError{{Field: "file", Key: "import.format"}})
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.UserContext()), importTimeout)
	defer cancel()
	res, err := s.db.Import(ctx, f, format, nil)
	if res != nil && res.Imported+res.Updated > 0 {
		s.search.Notify()
	}
	if err != nil {
		return err
	}
	lang := langOf(c)
	for i := range res.Errors {
		res.Errors[i].Message = s.tr.T(lang, res.Errors[i].Key, res.Errors[i].Params)
	}
	return c.JSON(res)
}

// importFormat tells CSV from XLSX by the file's extension, else its
// declared type, else its first bytes (an XLSX is a zip); "" if neither.
func importFormat(name, contentType string, head []byte) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".txt":
		return store.ImportCSV
	case ".xlsx":
		return store.ImportXLSX
	case "":
	default:
		return ""
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "text/csv", "text/plain", "application/csv":
		return store.ImportCSV
	case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
		return store.ImportXLSX
	}
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		return store.ImportXLSX
	}
	return ""
}

var exportTypes = map[string]string{
	store.ExportCSV:  "text/csv; charset=utf-8",
	store.ExportJSON: fiber.MIMEApplicationJSONCharsetUTF8,
	store.ExportXLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

// export streams the published listings a search with the same parameters
// finds (all of them, not a page), in a region or, on the hub, the country.
// The first page is read before answering, so that a bad query or a
// database failure is still a problem document; later failures can only
// cut the stream short, and are logged.
func (s *Server) export(format string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		_, q, err := requestQuery(c)
		if err != nil {
			return err
		}
		// The stream is written after the handler returns, past the
		// request's deadline: it gets a context of its own, same scope.
		ctx, cancel := context.WithTimeout(context.Background(), exportTimeout)
		if t, ok := tenants.FromContext(c.UserContext()); ok {
			ctx = tenants.NewContext(ctx, t)
		} else {
			ctx = tenants.WithAllTenants(ctx)
		}
		next := s.exportPages(q)
		first, err := next(ctx)
		if err != nil {
			cancel()
			return err
		}
		names, err := s.exportNames(ctx, langOf(c))
		if err != nil {
			cancel()
			return err
		}
		meta := store.ExportMeta{Tenant: q.Tenant, GeneratedAt: time.Now().UTC(), Names: names}
		name := "katalog-pes-" + cmp.Or(q.Tenant, "polska") + "-" + meta.GeneratedAt.Format("2006-01-02") + "." + format
		c.Set(fiber.HeaderContentType, exportTypes[format])
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
		c.Set("X-Data-License", store.DataLicense)
		c.Set(fiber.HeaderLink, "<"+store.DataLicenseURL+`>; rel="license"`)
		c.Set("X-Data-Generated-At", meta.GeneratedAt.Format(time.RFC3339))
		log, rid := s.log, utils.CopyString(requestID(c))
		c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
			defer cancel()
			if err := writeExport(ctx, w, format, meta, first, next); err != nil {
				log.Error("export cut short", "request_id", rid, "format", format, "err", err)
			}
		})
		return nil
	}
}

func writeExport(ctx context.Context, w io.Writer, format string, meta store.ExportMeta, page []*store.Listing, next func(context.Context) ([]*store.Listing, error)) error {
	ew, err := store.NewExportWriter(w, format, meta)
	if err != nil {
		return err
	}
	for len(page) > 0 {
		if err := ew.Write(page); err != nil {
			return err
		}
		if page, err = next(ctx); err != nil {
			return err
		}
	}
	return ew.Close()
}

// exportPages returns an iterator over the listings q finds, a page at a
// time, empty at the end. Without words the filters run in PostgreSQL
// (keyset pages); with words the search index decides what matches, in
// its order, and the listings are read by id.
func (s *Server) exportPages(q search.Query) func(context.Context) ([]*store.Listing, error) {
	if !strings.ContainsFunc(q.Q, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
		f := q.ListingFilter
		after, done := "", false
		return func(ctx context.Context) ([]*store.Listing, error) {
			if done {
				return nil, nil
			}
			page, err := s.db.ExportPage(ctx, f, after, exportPageSize)
			if err != nil {
				return nil, err
			}
			done = len(page) < exportPageSize
			if len(page) > 0 {
				after = page[len(page)-1].ID
			}
			return page, nil
		}
	}
	q.PerPage, q.Page = search.MaxPerPage, 0
	seen, done := map[string]bool{}, false
	return func(ctx context.Context) ([]*store.Listing, error) {
		for !done {
			q.Page++
			res, err := s.search.Search(ctx, q)
			if err != nil {
				return nil, err
			}
			done = len(res.Hits) == 0 || q.Page*q.PerPage >= res.Total
			ids := make([]string, 0, len(res.Hits))
			for _, h := range res.Hits {
				if !seen[h.ID] {
					seen[h.ID] = true
					ids = append(ids, h.ID)
				}
			}
			if len(ids) == 0 {
				continue
			}
			list, err := s.db.FindListingsByIDs(ctx, ids)
			if err != nil {
				return nil, err
			}
			byID := make(map[string]*store.Listing, len(list))
			for _, l := range list {
				if l.Status == store.StatusPublished {
					byID[l.ID] = l
				}
			}
			page := make([]*store.Listing, 0, len(ids))
			for _, id := range ids {
				if l, ok := byID[id]; ok {
					page = append(page, l)
				}
			}
			if len(page) > 0 {
				return page, nil
			}
		}
		return nil, nil
	}
}

// staleResponse is a page of stale listings.
type staleResponse struct {
	Listings []store.StaleListing `json:"listings"`
	Total    int                  `json:"total"`
	Page     int                  `json:"page"`
	PerPage  int                  `json:"per_page"`
}

// staleListings lists the region's listings unconfirmed for a year,
// the longest unconfirmed first.
func (s *Server) staleListings(c *fiber.Ctx) error {
	values, err := queryValues(c)
	if err != nil {
		return fiber.ErrBadRequest
	}
	var f store.StaleFilter
	var errs []store.FieldError
	f.Page, f.PerPage, errs = search.ParsePaging(values, 50)
	if len(errs) > 0 {
		return store.Invalid(errs)
	}
	list, total, err := s.db.FindStaleListings(c.UserContext(), f)
	if err != nil {
		return err
	}
	return c.JSON(staleResponse{Listings: list, Total: total, Page: f.Page, PerPage: f.PerPage})
}

// confirmListing is the owner's one click: the listing is still true.
func (s *Server) confirmListing(c *fiber.Ctx) error {
	l, err := s.db.ConfirmListing(c.UserContext(), utils.CopyString(c.Params("id")))
	if err != nil {
		return err
	}
	return c.JSON(l)
}

// myData hands the signed-in person everything held about them, as a
// JSON file to keep.
func (s *Server) myData(c *fiber.Ctx) error {
	d, err := s.db.FindPersonalData(sessionCtx(c.UserContext(), nil))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="katalog-pes-moje-dane-`+d.GeneratedAt.Format("2006-01-02")+`.json"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(d)
}

// deleteMe erases the signed-in account (see store.EraseAccount). Its
// refresh tokens are gone; an access token lives out its minutes.
func (s *Server) deleteMe(c *fiber.Ctx) error {
	if err := s.db.EraseAccount(sessionCtx(c.UserContext(), nil)); err != nil {
		return err
	}
	s.search.Notify()
	return c.SendStatus(fiber.StatusNoContent)
}
