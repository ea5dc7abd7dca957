package handlers

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"katalogpes/store"
	"katalogpes/store/polish"
	"katalogpes/tenants"
)

// The staff's library pages: the item form (new and edit), a document's
// upload, publishing and archiving. Every action of the API is here too.

type libraryFormView struct {
	Page
	It *store.LibraryItem // nil for a new item
}

var uuidInText = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

// libraryFormValues is an item as the form shows it.
func libraryFormValues(it *store.LibraryItem) url.Values {
	in := it.Input()
	v := url.Values{"kind": {in.Kind}, "title": {in.Title}, "summary": {in.Summary}, "published_on": {in.PublishedOn},
		"authors": {strings.Join(in.Authors, "\n")}, "tags": {strings.Join(in.Tags, ", ")}, "categories": in.Categories,
		"language": {in.Language}, "licence": {in.Licence}}
	var links []string
	for _, l := range it.Listings {
		links = append(links, l.ID+" "+l.Name)
	}
	v.Set("listings", strings.Join(links, "\n"))
	if e := in.Event; e != nil {
		v.Set("event.starts_at", e.StartsAt)
		v.Set("event.ends_at", e.EndsAt)
		v.Set("event.place", it.Event.PlaceName)
		v.Set("event.online_url", e.OnlineURL)
		v.Set("event.registration_url", e.RegistrationURL)
		v.Set("event.registration_deadline", e.RegistrationDeadline)
	}
	return v
}

// libraryInputOf reads the form; the place is a gmina's name (or code),
// resolved among the region's gminas first.
func (s *Server) libraryInputOf(ctx context.Context, v url.Values) (store.LibraryInput, error) {
	in := store.LibraryInput{Kind: v.Get("kind"), Title: v.Get("title"), Summary: v.Get("summary"), PublishedOn: v.Get("published_on"),
		Authors: strings.Split(v.Get("authors"), "\n"), Tags: strings.Split(v.Get("tags"), ","), Categories: v["categories"],
		Listings: uuidInText.FindAllString(v.Get("listings"), -1), Language: v.Get("language"), Licence: v.Get("licence")}
	e := store.LibraryEventInput{StartsAt: v.Get("event.starts_at"), EndsAt: v.Get("event.ends_at"), OnlineURL: v.Get("event.online_url"),
		RegistrationURL: v.Get("event.registration_url"), RegistrationDeadline: v.Get("event.registration_deadline")}
	place := strings.TrimSpace(v.Get("event.place"))
	if place != "" {
		code, err := s.gminaCodeOf(ctx, place)
		if err != nil {
			return in, err
		}
		e.PlaceTERYT = code
	}
	if store.IsEventKind(in.Kind) || e != (store.LibraryEventInput{}) {
		in.Event = &e
	}
	return in, nil
}

// gminaCodeOf finds the one gmina a name means: its exact name, the
// region's first; a code passes as it is (the store checks it).
func (s *Server) gminaCodeOf(ctx context.Context, name string) (string, error) {
	if len(name) == 7 && strings.Trim(name, "0123456789") == "" {
		return name, nil
	}
	prefer := ""
	if t, ok := tenants.FromContext(ctx); ok {
		prefer = t.TERYT
	}
	list, err := s.db.FindGminasByName(ctx, name, prefer)
	if err != nil {
		return "", err
	}
	var exact []store.Gmina
	for _, g := range list {
		if polish.Fold(g.Name) == polish.Fold(name) || polish.Fold(g.Label()) == polish.Fold(name) {
			exact = append(exact, g)
		}
	}
	switch {
	case len(exact) >= 1 && (len(exact) == 1 || exact[0].VoivodeshipCode == prefer && exact[1].VoivodeshipCode != prefer):
		return exact[0].Code, nil
	case len(exact) == 0 && len(list) == 1:
		return list[0].Code, nil
	case len(list) == 0:
		return "", store.Invalid([]store.FieldError{{Field: "event.place", Key: "library.event.place_unknown"}})
	}
	return "", store.Invalid([]store.FieldError{{Field: "event.place", Key: "library.event.place_ambiguous"}})
}

func (s *Server) renderLibraryForm(c *fiber.Ctx, status int, it *store.LibraryItem, v url.Values, err error) error {
	ctx := c.UserContext()
	p := &libraryFormView{Page: s.newPage(c, "library.new.title"), It: it}
	if it != nil {
		p.Title = p.Tf("library.edit.title", "Title", it.Title)
	}
	p.Section = "library"
	p.LabelPrefix = "library.f."
	p.Form = newForm(v)
	p.Options = map[string][]Option{}
	for _, k := range store.LibraryKinds {
		p.Options["kind"] = append(p.Options["kind"], Option{Value: k, Label: p.Label("libkind", k)})
	}
	cats, cerr := s.db.FindCategories(ctx)
	if cerr != nil {
		return cerr
	}
	for _, cat := range cats {
		if cat.Retired() && !formUsesCategory(v, cat.Code) {
			continue
		}
		p.Options["categories"] = append(p.Options["categories"], Option{Value: cat.Code, Label: categoryName(p.Lang, cat)})
	}
	if err != nil && !s.addError(&p.Page, err, nil) {
		return err
	}
	return s.render(c, status, "library_form", p)
}

func (s *Server) libraryNewPage(c *fiber.Ctx) error {
	return s.renderLibraryForm(c, fiber.StatusOK, nil, url.Values{"language": {"pl"}}, nil)
}

func (s *Server) libraryEditPage(c *fiber.Ctx) error {
	it, err := s.db.FindLibraryItem(c.UserContext(), utils.CopyString(c.Params("id")))
	if err != nil {
		return err
	}
	return s.renderLibraryForm(c, fiber.StatusOK, it, libraryFormValues(it), nil)
}

// libraryFormSubmit creates a draft or saves an edit, then shows the item.
func (s *Server) libraryFormSubmit(c *fiber.Ctx) error {
	ctx := c.UserContext()
	v := formValues(c)
	var cur *store.LibraryItem
	if id := c.Params("id"); id != "" {
		var err error
		if cur, err = s.db.FindLibraryItem(ctx, utils.CopyString(id)); err != nil {
			return err
		}
	}
	in, err := s.libraryInputOf(ctx, v)
	var it *store.LibraryItem
	if err == nil {
		if cur == nil {
			it, err = s.db.CreateLibraryItem(ctx, in)
		} else {
			it, err = s.db.UpdateLibraryItem(ctx, cur.ID, in)
		}
	}
	if err != nil {
		switch code := store.ErrorCode(err); code {
		case store.EInvalid, store.EConflict:
			return s.renderLibraryForm(c, statusOf[code], cur, v, err)
		}
		return err
	}
	return c.Redirect(basePath(c)+"/biblioteka/pozycja/"+it.ID+"?msg=library_saved", fiber.StatusSeeOther)
}

// libraryUploadPost adds a document from the item page's form; a refused
// file comes back to the page with its reason at the field.
func (s *Server) libraryUploadPost(c *fiber.Ctx) error {
	id := utils.CopyString(c.Params("id"))
	fh, err := c.FormFile("file")
	if err != nil {
		err = store.Invalid([]store.FieldError{{Field: "file", Key: "library.file.missing"}})
	} else {
		var it *store.LibraryItem
		if it, err = s.libraryUploadFile(c, id, fh); err == nil {
			msg := "library_file_added"
			for _, f := range it.Files {
				if f.Name == store.LibraryFileName(fh.Filename, f.ContentType) && f.TextStatus == "no_text" {
					msg = "library_file_no_text"
				}
			}
			return c.Redirect(basePath(c)+"/biblioteka/pozycja/"+id+"?msg="+msg, fiber.StatusSeeOther)
		}
	}
	switch code := store.ErrorCode(err); code {
	case store.EInvalid, store.EConflict:
		return s.renderLibraryItem(c, statusOf[code], err)
	}
	return err
}

func (s *Server) libraryPublishPost(c *fiber.Ctx) error {
	id := utils.CopyString(c.Params("id"))
	if _, err := s.db.PublishLibraryItem(c.UserContext(), id); err != nil {
		return err
	}
	return c.Redirect(basePath(c)+"/biblioteka/pozycja/"+id+"?msg=library_published", fiber.StatusSeeOther)
}

func (s *Server) libraryArchivePost(c *fiber.Ctx) error {
	if _, err := s.db.ArchiveLibraryItem(c.UserContext(), utils.CopyString(c.Params("id"))); err != nil {
		return err
	}
	return c.Redirect(basePath(c)+"/biblioteka?msg=library_archived", fiber.StatusSeeOther)
}

// libraryCoverPost sets the cover from the item page's form.
func (s *Server) libraryCoverPost(c *fiber.Ctx) error {
	id := utils.CopyString(c.Params("id"))
	if _, err := s.libraryCoverOf(c, id); err != nil {
		var se *store.Error
		if errors.As(err, &se) {
			for i := range se.Fields { // shown at the cover's control, not the document's
				se.Fields[i].Field = "cover"
			}
		}
		switch code := store.ErrorCode(err); code {
		case store.EInvalid, store.EConflict:
			return s.renderLibraryItem(c, statusOf[code], err)
		}
		return err
	}
	return c.Redirect(basePath(c)+"/biblioteka/pozycja/"+id+"?msg=library_saved", fiber.StatusSeeOther)
}
