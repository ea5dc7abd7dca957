package handlers

import (
	"context"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"katalogpes/store"
	"katalogpes/tenants"
)

type importCheckView struct {
	*importView
	Check *store.ImportCheck
}

// importCheckStart checks an import's rows in the registries in the
// background (as startImport runs an import), then shows its progress.
func (s *Server) importCheckStart(c *fiber.Ctx) error {
	ctx := c.UserContext()
	jobID := utils.CopyString(c.Params("job"))
	if err := s.db.StartImportCheck(ctx, jobID); err != nil {
		return err
	}
	t, _ := tenants.FromContext(ctx)
	tenant := *t
	principal := tenants.PrincipalFrom(ctx)
	reqID := utils.CopyString(requestID(c))
	go func() {
		bg, cancel := context.WithTimeout(tenants.WithPrincipal(tenants.NewContext(context.Background(), &tenant), principal), importTimeout)
		defer cancel()
		if err := s.registries.RunImportCheck(bg, jobID); err != nil {
			s.log.Error("import registry check", "job", jobID, "request_id", reqID, "err", err)
		}
	}()
	return c.Redirect(basePath(c)+"/admin/import/"+jobID+"/rejestry", fiber.StatusSeeOther)
}

// importCheckPage shows the check's progress (reloading while it runs)
// and what each row's check found.
func (s *Server) importCheckPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	job, err := s.db.FindImportJob(ctx, c.Params("job"))
	if err != nil {
		return err
	}
	check, err := s.db.FindImportCheck(ctx, job.ID)
	if err != nil {
		return err
	}
	p := &importCheckView{importView: s.importView(c), Check: check}
	p.Title = p.T("registry.import.title")
	p.Job = job
	if check.Status == "running" {
		p.Refresh = importRefreshSeconds
	}
	return s.render(c, fiber.StatusOK, "import_registry", p)
}
