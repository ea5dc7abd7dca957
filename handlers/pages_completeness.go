package handlers

import "katalogpes/store"

// completenessAnchors are the form fields a completeness hint leads to,
// by the store's hint field; a part the form has no field for (the logo,
// set through the API) is named without a link.
var completenessAnchors = map[string]string{
	"description":  "description",
	"offers":       "offers[0].title",
	"categories":   "categories",
	"contact":      "contact.email",
	"website":      "contact.website",
	"employment":   "employment.total",
	"service_area": "service_area.scope",
	"certificates": "certificates[0].kind",
}

// completenessHint is one missing part as the owner reads it: what to
// add, how many points it brings and where on the form to add it.
type completenessHint struct {
	Label  string
	Points int
	URL    string
}

// completenessHints is the list under its lead-in.
type completenessHints struct {
	Intro string
	Items []completenessHint
}

// CompletenessHints labels what would raise l's completeness, each
// linking to its field: on the form itself (onForm), else on l's form;
// nil when nothing is missing.
func (p *Page) CompletenessHints(l *store.Listing, onForm bool) *completenessHints {
	if l == nil || len(l.CompletenessHints) == 0 {
		return nil
	}
	out := make([]completenessHint, 0, len(l.CompletenessHints))
	for _, h := range l.CompletenessHints {
		v := completenessHint{Label: p.T("ui.completeness.add_" + h.Field), Points: h.Points}
		if field, ok := completenessAnchors[h.Field]; ok {
			v.URL = "#" + fieldID(field)
			if !onForm {
				v.URL = p.URL("/moje/"+l.ID) + v.URL
			}
		}
		out = append(out, v)
	}
	return &completenessHints{Intro: p.T("ui.completeness.intro"), Items: out}
}
