package handlers

import (
	"context"
	"io"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"katalogpes/store"
	"katalogpes/tenants"
)

// importRefreshSeconds is how often a running import's page reloads.
const importRefreshSeconds = 2

// importView is the import page: the upload form, or a job's progress,
// preview and report.
type importView struct {
	Page
	Job     *store.ImportJob
	Preview []importPreviewRow
	Errors  []importErrorRow
	MaxMB   int
	// RegistryOn offers checking the rows in the registries (issue 15).
	RegistryOn bool
}

type importPreviewRow struct {
	store.ImportPreview
	LegalFormLabel string
	Categories     string
}

// importErrorRow is one error of the report, its field named by the
// file's own header.
type importErrorRow struct {
	Row             int
	Column, Message string
}

func (s *Server) importView(c *fiber.Ctx) *importView {
	p := &importView{Page: s.newPage(c, "ui.import.title"), MaxMB: store.MaxImportUpload >> 20}
	p.Section = "admin"
	p.LabelPrefix = "ui.import.f."
	p.Form = newForm(nil)
	return p
}

func (s *Server) importPage(c *fiber.Ctx) error {
	return s.render(c, fiber.StatusOK, "admin_import", s.importView(c))
}

// importUpload keeps the uploaded file and starts its dry run.
func (s *Server) importUpload(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := s.importView(c)
	fh, err := c.FormFile("file")
	if err != nil || fh.Size == 0 {
		p.Form.add(&p.Page, "file", p.T("file.required"))
		return s.render(c, fiber.StatusUnprocessableEntity, "admin_import", p)
	}
	if fh.Size > store.MaxImportUpload {
		p.Form.add(&p.Page, "file", p.Tf("ui.import.too_big", "Max", p.MaxMB))
		return s.render(c, fiber.StatusUnprocessableEntity, "admin_import", p)
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	content, err := io.ReadAll(io.LimitReader(f, store.MaxImportUpload+1))
	if err != nil {
		return err
	}
	head := content[:min(len(content), 4)]
	format := importFormat(fh.Filename, fh.Header.Get(fiber.HeaderContentType), head)
	up, err := s.db.CreateImportUpload(ctx, utils.CopyString(fh.Filename), format, content)
	if err != nil {
		if s.addError(&p.Page, err, nil) {
			return s.render(c, fiber.StatusUnprocessableEntity, "admin_import", p)
		}
		return err
	}
	return s.startImport(c, up.ID, true)
}

// importRun imports the file its dry run read.
func (s *Server) importRun(c *fiber.Ctx) error {
	job, err := s.db.FindImportJob(c.UserContext(), c.Params("job"))
	if err != nil {
		return err
	}
	return s.startImport(c, job.UploadID, false)
}

// startImport records a job and runs it in the background, then sends the
// admin to its page. The goroutine outlives the request: it gets copies
// of the tenant and the principal, and a context of its own.
func (s *Server) startImport(c *fiber.Ctx, uploadID string, dryRun bool) error {
	ctx := c.UserContext()
	job, err := s.db.StartImportJob(ctx, uploadID, dryRun)
	if err != nil {
		return err
	}
	t, _ := tenants.FromContext(ctx)
	tenant := *t
	principal := tenants.PrincipalFrom(ctx)
	jobID, reqID := job.ID, utils.CopyString(requestID(c))
	go func() {
		bg, cancel := context.WithTimeout(tenants.WithPrincipal(tenants.NewContext(context.Background(), &tenant), principal), importTimeout)
		defer cancel()
		res, err := s.db.RunImportJob(bg, jobID)
		if err != nil {
			s.log.Error("import job", "job", jobID, "request_id", reqID, "err", err)
		}
		if res != nil && !dryRun && res.Imported+res.Updated > 0 {
			s.search.Notify()
		}
	}()
	return c.Redirect(basePath(c)+"/admin/import/"+jobID, fiber.StatusSeeOther)
}

// importJobPage shows a job: its progress while it runs (the page
// reloads itself), then the preview and the report.
func (s *Server) importJobPage(c *fiber.Ctx) error {
	job, err := s.db.FindImportJob(c.UserContext(), c.Params("job"))
	if err != nil {
		return err
	}
	p := s.importView(c)
	p.Job = job
	p.RegistryOn = s.registries.On()
	if job.Status == store.JobRunning {
		p.Refresh = importRefreshSeconds
	}
	if job.Result != nil {
		names := s.categoryNames(c.UserContext(), p.Lang)
		for _, r := range job.Result.Preview {
			cats := make([]string, len(r.Categories))
			for i, code := range r.Categories {
				cats[i] = code
				if n, ok := names[code]; ok {
					cats[i] = n
				}
			}
			p.Preview = append(p.Preview, importPreviewRow{ImportPreview: r, LegalFormLabel: p.Label("legal_form", r.LegalForm),
				Categories: strings.Join(cats, ", ")})
		}
		for _, e := range job.Result.Errors {
			p.Errors = append(p.Errors, importErrorRow{Row: e.Row, Column: importColumn(&p.Page, job.Result.Columns, e.Field),
				Message: p.Tp(e.Key, e.Params)})
		}
	}
	return s.render(c, fiber.StatusOK, "admin_import", p)
}

// importColumn names a field as the file's header did; a field the file
// has no column for (a derived one) by its label.
func importColumn(p *Page, columns map[string]string, field string) string {
	if field == "" {
		return ""
	}
	if h, ok := columns[groupOf(field)]; ok && h != "" {
		return h
	}
	return p.fieldLabel(field)
}

// importReport sends a job's report as an XLSX: the file's bad rows with
// a column saying what is wrong with each.
func (s *Server) importReport(c *fiber.Ctx) error {
	ctx := c.UserContext()
	job, err := s.db.FindImportJob(ctx, c.Params("job"))
	if err != nil {
		return err
	}
	if job.Result == nil {
		return fiber.ErrNotFound
	}
	loc := s.tr.Locale(langOf(c))
	p := Page{Locale: loc}
	message := func(e store.ImportError) string {
		msg := loc.Tp(e.Key, e.Params)
		if col := importColumn(&p, job.Result.Columns, e.Field); col != "" {
			return col + ": " + msg
		}
		return msg
	}
	c.Set(fiber.HeaderContentType, exportTypes[store.ExportXLSX])
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="raport-importu.xlsx"`)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return s.db.WriteImportReport(ctx, job.ID, c.Response().BodyWriter(), message)
}

// importJobURL is a job's page, for the templates.
func (p *importView) JobURL(suffix string) string {
	return p.URL("/admin/import/" + url.PathEscape(p.Job.ID) + suffix)
}
