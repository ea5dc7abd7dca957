package handlers

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"katalogpes/store"
)

// lookupAnswer is GET …/lookup (API.md "Search"): is the supplier a listed
// PES? There is no registry part yet: no register client answers it.
type lookupAnswer struct {
	Found   bool           `json:"found"`
	Listing *lookupListing `json:"listing,omitempty"`
}

type lookupListing struct {
	ID           string   `json:"id"`
	Tenant       string   `json:"tenant"`
	Name         string   `json:"name"`
	StatusBadges []string `json:"status_badges"`
}

// lookupGiven copies the identifiers of a query string (fasthttp reuses
// the buffers, and the values end up in errors).
func lookupGiven(get func(key string, def ...string) string) map[string]string {
	given := map[string]string{}
	for _, kind := range store.LookupKinds {
		given[kind] = utils.CopyString(get(kind))
	}
	return given
}

// lookup answers by one identifier in the region, or across every region
// on the hub: the first listing found (regions in TERYT order).
func (s *Server) lookup(c *fiber.Ctx) error {
	q, err := store.NewLookup(lookupGiven(c.Query))
	if err != nil {
		return err
	}
	found, err := s.db.FindListingsByIdentifier(c.UserContext(), q)
	if err != nil {
		return err
	}
	ans := lookupAnswer{Found: len(found) > 0}
	if ans.Found {
		l := found[0]
		ans.Listing = &lookupListing{ID: l.ID, Tenant: l.Tenant, Name: l.Name, StatusBadges: l.StatusBadges(time.Now())}
	}
	return c.JSON(ans)
}

// registerLink is an official register where a buyer checks a listing
// for themselves (Register names it: ui.lookup.register.*), with the
// identifier to look up there.
type registerLink struct {
	Register, URL, IDName, Number string
}

// The official registers' search pages. None takes a number in its
// address, so the page shows the number beside the link.
const (
	krsSearchURL   = "https://wyszukiwarka-krs.ms.gov.pl/"
	ceidgSearchURL = "https://aplikacja.ceidg.gov.pl/ceidg/ceidg.public.ui/search.aspx"
	birSearchURL   = "https://wyszukiwarkaregon.stat.gov.pl/appBIR/index.aspx"
	vatSearchURL   = "https://www.podatki.gov.pl/wykaz-podatnikow-vat-wyszukiwarka"
)

// registerLinks are the registers for the identifiers the listing has.
// CEIDG lists sole traders, never an entity in the KRS, so it is offered
// only to a listing without a KRS number.
func registerLinks(l *store.Listing) []registerLink {
	var out []registerLink
	if l.KRS != "" {
		out = append(out, registerLink{Register: "krs", URL: krsSearchURL, IDName: "KRS", Number: l.KRS})
	}
	if l.REGON != "" {
		out = append(out, registerLink{Register: "bir", URL: birSearchURL, IDName: "REGON", Number: l.REGON})
	}
	if l.NIP != "" {
		out = append(out, registerLink{Register: "vat", URL: vatSearchURL, IDName: "NIP", Number: l.NIP})
	}
	switch {
	case l.KRS != "":
	case l.NIP != "":
		out = append(out, registerLink{Register: "ceidg", URL: ceidgSearchURL, IDName: "NIP", Number: l.NIP})
	case l.REGON != "":
		out = append(out, registerLink{Register: "ceidg", URL: ceidgSearchURL, IDName: "REGON", Number: l.REGON})
	}
	return out
}
