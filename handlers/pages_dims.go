package handlers

import (
	"cmp"
	"context"

	"katalogpes/handlers/view"
	"katalogpes/store"
	"katalogpes/tenants"
)

// The names of what the statistics and the report count by: legal forms,
// kinds, categories and powiats, in the page's language.

// dimNames names the values of the report's dimensions in the page's
// language; an unknown value shows as its code.
type dimNames struct {
	p          *Page
	categories map[string]string
	powiats    map[string]string
	// voivodeships name the regions by TERYT code (voivodeshipNames).
	voivodeships map[string]string
}

func (n dimNames) name(dim, code string) string {
	switch dim {
	case "category":
		return cmp.Or(n.categories[code], code)
	case "powiat":
		return cmp.Or(n.powiats[code], code)
	case "voivodeship":
		return cmp.Or(n.voivodeships[code], code)
	case "social_enterprise":
		return n.p.Label("stats.se", code)
	}
	return n.p.Label(dim, code) // legal_form, kind, certificate
}

// dimTitle names a dimension.
func (n dimNames) dimTitle(dim string) string { return n.p.Label("stats.dim", dim) }

func (n dimNames) rows(dim string, counts map[string]int) []view.StatRow {
	rows := make([]view.StatRow, 0, len(counts))
	for code, k := range counts {
		rows = append(rows, view.StatRow{Code: code, Label: n.name(dim, code), Count: k})
	}
	return rows
}

// taxonomy is the categories of the context's region; the hub, having
// none of its own, uses the first region's (see categoryNames).
func (s *Server) taxonomy(ctx context.Context) ([]store.Category, error) {
	if _, ok := tenants.FromContext(ctx); !ok {
		all := s.registry.All()
		if len(all) == 0 {
			return nil, nil
		}
		ctx = tenants.NewContext(ctx, all[0])
	}
	return s.db.FindCategories(ctx)
}

func categoryMap(lang string, cats []store.Category) map[string]string {
	out := make(map[string]string, len(cats))
	for _, c := range cats {
		out[c.Code] = categoryName(lang, c)
	}
	return out
}

// powiatGroups are the powiats to filter by: the region's, or on the hub
// every region's under its voivodeship's name.
func (s *Server) powiatGroups(ctx context.Context) ([]optGroup, map[string]string, error) {
	regions := s.registry.All()
	t, regional := tenants.FromContext(ctx)
	if regional {
		regions = []*tenants.Tenant{t}
	}
	codes := make([]string, len(regions))
	for i, r := range regions {
		codes[i] = r.TERYT
	}
	list, err := s.db.FindPowiatsOf(ctx, codes...)
	if err != nil {
		return nil, nil, err
	}
	groups := make([]optGroup, len(regions))
	names := map[string]string{}
	for i, r := range regions {
		if !regional {
			groups[i].Label = r.Voivodeship
		}
		for _, pw := range list {
			if pw.VoivodeshipCode == r.TERYT {
				groups[i].Options = append(groups[i].Options, Option{Value: pw.Code, Label: pw.Name})
				names[pw.Code] = pw.Name
			}
		}
	}
	return groups, names, nil
}

// optGroup is a group of a select's options; without a label, the
// options stand on their own.
type optGroup struct {
	Label   string
	Options []Option
}

// voivodeshipNames maps each region's voivodeship TERYT code to its name.
func (s *Server) voivodeshipNames() map[string]string {
	names := map[string]string{}
	for _, t := range s.registry.All() {
		names[t.TERYT] = t.Voivodeship
	}
	return names
}
