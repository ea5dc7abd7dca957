package handlers

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"katalogpes/store"
)

// categoriesView is the region's taxonomy: every category under its
// parent, a form to add one, or (Editing) the form of one.
type categoriesView struct {
	Page
	Tree    []categoryNode
	Editing *store.Category
}

type categoryNode struct {
	store.Category
	Children []store.Category
}

// categoriesView reads the taxonomy; v is what the form holds.
func (s *Server) categoriesView(c *fiber.Ctx, v url.Values) (*categoriesView, error) {
	cats, err := s.db.FindCategories(c.UserContext())
	if err != nil {
		return nil, err
	}
	p := &categoriesView{Page: s.newPage(c, "ui.categories.title")}
	p.Section = "admin"
	p.LabelPrefix = "ui.categories.f."
	p.Form = newForm(v)
	index := map[string]int{}
	for _, cat := range cats {
		if cat.ParentCode == nil {
			index[cat.Code] = len(p.Tree)
			p.Tree = append(p.Tree, categoryNode{Category: cat})
			if !cat.Retired() {
				p.Options = appendOption(p.Options, "parent_code", Option{Value: cat.Code, Label: categoryName(p.Lang, cat)})
			}
		}
	}
	for _, cat := range cats {
		if cat.ParentCode != nil {
			if i, ok := index[*cat.ParentCode]; ok {
				p.Tree[i].Children = append(p.Tree[i].Children, cat)
			}
		}
	}
	return p, nil
}

func appendOption(m map[string][]Option, field string, o Option) map[string][]Option {
	if m == nil {
		m = map[string][]Option{}
	}
	m[field] = append(m[field], o)
	return m
}

func (s *Server) categoriesPage(c *fiber.Ctx) error {
	p, err := s.categoriesView(c, nil)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "admin_categories", p)
}

// categoryInput reads the form of a category.
func categoryInput(v url.Values) store.CategoryInput {
	return store.CategoryInput{ParentCode: v.Get("parent_code"), NamePL: v.Get("name_pl"), NameEN: v.Get("name_en"),
		CPV: []string{v.Get("cpv")}}
}

// categoryAdd adds a category; a bad name or CPV division comes back at
// its field.
func (s *Server) categoryAdd(c *fiber.Ctx) error {
	v := formValues(c)
	_, err := s.db.CreateCategory(c.UserContext(), categoryInput(v))
	return s.categorySaved(c, err, v, nil)
}

// categorySaved answers a category's form: back to the list, or the
// form again with its errors (422).
func (s *Server) categorySaved(c *fiber.Ctx, err error, v url.Values, editing *store.Category) error {
	if err == nil {
		return c.Redirect(basePath(c)+"/admin/kategorie?msg=category_saved", fiber.StatusSeeOther)
	}
	p, verr := s.categoriesView(c, v)
	if verr != nil {
		return verr
	}
	p.Editing = editing
	if !s.addError(&p.Page, err, nil) {
		return err
	}
	return s.render(c, fiber.StatusUnprocessableEntity, "admin_categories", p)
}

// findCategory is one category of the region, or not found.
func (s *Server) findCategory(c *fiber.Ctx) (*store.Category, error) {
	cats, err := s.db.FindCategories(c.UserContext())
	if err != nil {
		return nil, err
	}
	for i := range cats {
		if cats[i].Code == c.Params("code") {
			return &cats[i], nil
		}
	}
	return nil, store.Errorf(store.ENotFound, "not_found")
}

func (s *Server) categoryEditPage(c *fiber.Ctx) error {
	cat, err := s.findCategory(c)
	if err != nil {
		return err
	}
	parent := ""
	if cat.ParentCode != nil {
		parent = *cat.ParentCode
	}
	p, err := s.categoriesView(c, url.Values{"name_pl": {cat.NamePL}, "name_en": {cat.NameEN},
		"cpv": {strings.Join(cat.CPV, ", ")}, "parent_code": {parent}})
	if err != nil {
		return err
	}
	p.Editing = cat
	return s.render(c, fiber.StatusOK, "admin_categories", p)
}

// categoryUpdate renames a category and sets its CPV divisions; its code
// stays, as listings hold it.
func (s *Server) categoryUpdate(c *fiber.Ctx) error {
	cat, err := s.findCategory(c)
	if err != nil {
		return err
	}
	v := formValues(c)
	_, err = s.db.UpdateCategory(c.UserContext(), cat.Code, categoryInput(v))
	return s.categorySaved(c, err, v, cat)
}

// categoryRetire takes a category out of new use, or back into it.
func (s *Server) categoryRetire(c *fiber.Ctx) error {
	cat, err := s.findCategory(c)
	if err != nil {
		return err
	}
	retire := formValues(c).Get("retire") == "1"
	if err := s.db.RetireCategory(c.UserContext(), cat.Code, retire); err != nil {
		return s.categorySaved(c, err, nil, nil)
	}
	msg := "category_retired"
	if !retire {
		msg = "category_restored"
	}
	return c.Redirect(basePath(c)+"/admin/kategorie?msg="+msg, fiber.StatusSeeOther)
}

// categoryItem is one category as the tree draws it.
type categoryItem struct {
	P    *Page
	C    store.Category
	Name string
}

// Item is a category of the tree, for the templates.
func (p *categoriesView) Item(c store.Category) categoryItem {
	return categoryItem{P: &p.Page, C: c, Name: categoryName(p.Lang, c)}
}

// formUsesCategory reports whether a listing's form holds a category, in
// its categories or an offer's.
func formUsesCategory(v url.Values, code string) bool {
	for k, vals := range v {
		if k == "categories" || strings.HasSuffix(k, ".category") {
			for _, x := range vals {
				if x == code {
					return true
				}
			}
		}
	}
	return false
}
