package handlers

import (
	"fmt"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/feeds"

	"katalogpes/store"
	"katalogpes/tenants"
)

// The library's feeds: events as iCalendar (RFC 5545) and new items as
// Atom, per region and, on the hub, national.

// warsawTZ is the Europe/Warsaw VTIMEZONE: CET, and CEST from the last
// Sunday of March to the last Sunday of October (the EU rule since 1996).
func warsawTZ(cal *ics.Calendar) {
	tz := cal.AddTimezone("Europe/Warsaw")
	std := tz.AddStandard()
	std.SetProperty(ics.ComponentProperty(ics.PropertyTzname), "CET")
	std.SetProperty(ics.ComponentPropertyDtStart, "19701025T030000")
	std.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), "+0200")
	std.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), "+0100")
	std.SetProperty(ics.ComponentPropertyRrule, "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU")
	day := &ics.Daylight{}
	day.SetProperty(ics.ComponentProperty(ics.PropertyTzname), "CEST")
	day.SetProperty(ics.ComponentPropertyDtStart, "19700329T020000")
	day.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), "+0100")
	day.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), "+0200")
	day.SetProperty(ics.ComponentPropertyRrule, "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU")
	tz.Components = append(tz.Components, day)
}

// LibraryEventUID is an event's iCalendar UID: its id never changes, so a
// calendar application replaces its copy on an edit (SEQUENCE rises).
func LibraryEventUID(id string) string { return id + "@biblioteka.katalog-pes" }

// absURL is path on the site's address.
func (s *Server) absURL(c *fiber.Ctx, path string) string {
	if s.cfg.BaseURL != "" {
		return strings.TrimSuffix(s.cfg.BaseURL, "/") + path
	}
	return c.BaseURL() + path
}

// itemPath is an item's page, under its region.
func itemPath(c *fiber.Ctx, it *store.LibraryItem) string {
	if _, ok := tenants.FromContext(c.UserContext()); ok {
		return basePath(c) + "/biblioteka/pozycja/" + it.ID
	}
	return "/r/" + it.Region + "/biblioteka/pozycja/" + it.ID
}

// libraryICS is the calendar of the region's (or every region's) published
// events, past ones kept: a feed applications subscribe to.
func (s *Server) libraryICS(c *fiber.Ctx) error {
	items, err := s.db.FindLibraryItems(c.UserContext(), store.LibraryFilter{Events: "all", Limit: 500})
	if err != nil {
		return err
	}
	return s.sendICS(c, items, "wydarzenia.ics")
}

// libraryEventICS is one published event as iCalendar ("add to my
// calendar"), with the same UID as in the feeds.
func (s *Server) libraryEventICS(c *fiber.Ctx) error {
	it, err := s.visibleLibraryItem(c)
	if err != nil {
		return err
	}
	if it.Event == nil || it.Status != store.LibraryPublished {
		return store.ErrNotFound
	}
	return s.sendICS(c, []*store.LibraryItem{it}, "wydarzenie.ics")
}

// sendICS writes events as an iCalendar file.
func (s *Server) sendICS(c *fiber.Ctx, items []*store.LibraryItem, filename string) error {
	lang := langOf(c)
	cal := ics.NewCalendarFor("Katalog PES")
	cal.SetMethod(ics.MethodPublish)
	name := s.tr.T(lang, "library.ics.name", nil)
	if t, ok := tenants.FromContext(c.UserContext()); ok {
		name += " — " + t.Voivodeship
	}
	cal.SetXWRCalName(name)
	cal.SetXWRTimezone("Europe/Warsaw")
	warsawTZ(cal)
	tzid := ics.WithTZID("Europe/Warsaw")
	for _, it := range items {
		e := cal.AddEvent(LibraryEventUID(it.ID))
		e.SetDtStampTime(it.UpdatedAt)
		e.SetCreatedTime(it.CreatedAt)
		e.SetModifiedAt(it.UpdatedAt)
		e.SetSequence(it.Sequence)
		e.SetSummary(it.Title)
		e.SetProperty(ics.ComponentPropertyDtStart, it.Event.StartsAt.In(store.Warsaw).Format("20060102T150405"), tzid)
		end := it.Event.StartsAt.Add(time.Hour)
		if it.Event.EndsAt != nil {
			end = *it.Event.EndsAt
		}
		e.SetProperty(ics.ComponentPropertyDtEnd, end.In(store.Warsaw).Format("20060102T150405"), tzid)
		desc := it.Summary
		if it.Event.RegistrationURL != "" {
			desc += "\n\n" + s.tr.T(lang, "library.f.event.registration_url", nil) + ": " + it.Event.RegistrationURL
		}
		e.SetDescription(strings.TrimSpace(desc))
		place := it.Event.PlaceName
		if it.Event.OnlineURL != "" {
			place = strings.TrimPrefix(place+" · "+it.Event.OnlineURL, " · ")
		}
		if place != "" {
			e.SetLocation(place)
		}
		e.SetURL(s.absURL(c, itemPath(c, it)))
		e.AddCategory(strings.ToUpper(it.Kind))
	}
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="`+filename+`"`)
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.SendString(cal.Serialize())
}

// libraryAtom is the Atom feed of the newest published items.
func (s *Server) libraryAtom(c *fiber.Ctx) error {
	items, err := s.db.FindLibraryItems(c.UserContext(), store.LibraryFilter{Limit: 50})
	if err != nil {
		return err
	}
	lang := langOf(c)
	title := s.tr.T(lang, "library.title", nil)
	if t, ok := tenants.FromContext(c.UserContext()); ok {
		title += " — " + t.Voivodeship
	}
	home := s.absURL(c, basePath(c)+"/biblioteka")
	f := &feeds.Feed{Title: title, Link: &feeds.Link{Href: home}, Id: home, Updated: time.Unix(0, 0).UTC()}
	for _, it := range items {
		at := it.UpdatedAt
		if it.PublishedAt != nil {
			at = *it.PublishedAt
		}
		if at.After(f.Updated) {
			f.Updated = at
		}
		link := s.absURL(c, itemPath(c, it))
		f.Add(&feeds.Item{Title: it.Title, Link: &feeds.Link{Href: link}, Id: link, Description: it.Summary,
			Created: at, Updated: it.UpdatedAt, Author: &feeds.Author{Name: strings.Join(it.Authors, ", ")}})
	}
	out, err := f.ToAtom()
	if err != nil {
		return fmt.Errorf("atom feed: %w", err)
	}
	c.Set(fiber.HeaderContentType, "application/atom+xml; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.SendString(out)
}
