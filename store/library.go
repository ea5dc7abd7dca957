package store

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Warsaw without the system's zone files
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"katalogpes/store/ident"
)

// The regional library (issue 18): reports, research and guides of a
// region's observatory, and its events, written by its staff.

// Library item kinds (DOMAIN.md "The regional library").
const (
	KindReport      = "raport"
	KindResearch    = "badanie"
	KindPublication = "publikacja"
	KindGuide       = "poradnik"
	KindArticle     = "artykul"
	KindEvent       = "wydarzenie"
	KindTraining    = "szkolenie"
	KindCompetition = "konkurs"
)

// LibraryKinds lists the kinds in the order pages offer them.
var LibraryKinds = []string{KindReport, KindResearch, KindPublication, KindGuide, KindArticle, KindEvent, KindTraining, KindCompetition}

// IsEventKind reports whether items of kind happen at a time (and so are
// on the calendar): events, trainings, competitions.
func IsEventKind(kind string) bool {
	return kind == KindEvent || kind == KindTraining || kind == KindCompetition
}

// Library item statuses: a draft is the staff's only; archived is deleted
// for the public, kept for the history.
const (
	LibraryDraft     = "draft"
	LibraryPublished = "published"
	LibraryArchived  = "archived"
)

// Warsaw is the zone of every event time a person types without one.
var Warsaw = mustZone("Europe/Warsaw")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // time/tzdata is embedded: it is there
	}
	return loc
}

// LibraryEvent is when and where an event happens.
type LibraryEvent struct {
	StartsAt             time.Time  `json:"starts_at"`
	EndsAt               *time.Time `json:"ends_at,omitempty"`
	PlaceTERYT           string     `json:"place_teryt,omitempty"`
	PlaceName            string     `json:"place_name,omitempty"` // the gmina's name, from TERYT
	OnlineURL            string     `json:"online_url,omitempty"`
	RegistrationURL      string     `json:"registration_url,omitempty"`
	RegistrationDeadline *time.Time `json:"registration_deadline,omitempty"`
}

// LibraryFile is one document of an item, named by its download name.
type LibraryFile struct {
	Name        string    `json:"name" db:"name"`
	ContentType string    `json:"content_type" db:"content_type"`
	Size        int64     `json:"size" db:"size"`
	TextStatus  string    `json:"text_status" db:"text_status"` // ok, no_text (a scan), not_pdf
	CreatedAt   time.Time `json:"created_at" db:"created_at"`
}

// LinkedListing is a listing an item names.
type LinkedListing struct {
	ID   string `json:"id" db:"id"`
	Name string `json:"name" db:"name"`
}

// LibraryItem is one item as the API and the pages show it.
type LibraryItem struct {
	ID          string          `json:"id"`
	Region      string          `json:"region"` // the tenant's slug
	Kind        string          `json:"kind"`
	Status      string          `json:"status"`
	Title       string          `json:"title"`
	Summary     string          `json:"summary"`
	PublishedOn string          `json:"published_on,omitempty"` // YYYY-MM-DD
	Authors     []string        `json:"authors"`
	Tags        []string        `json:"tags"`
	Categories  []string        `json:"categories"`
	Language    string          `json:"language"`
	Licence     string          `json:"licence,omitempty"`
	Event       *LibraryEvent   `json:"event,omitempty"`
	Listings    []LinkedListing `json:"listings"`
	Files       []LibraryFile   `json:"files"`
	HasCover    bool            `json:"has_cover"`
	Sequence    int             `json:"sequence"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
	PublishedAt *time.Time      `json:"published_at,omitempty"`

	tenantID string
}

// TenantID is the id of the item's region.
func (it *LibraryItem) TenantID() string { return it.tenantID }

// Year is the item's year: its event's, its publication date's, or its
// first publication's; 0 when none is known yet.
func (it *LibraryItem) Year() int {
	switch {
	case it.Event != nil:
		return it.Event.StartsAt.In(Warsaw).Year()
	case len(it.PublishedOn) >= 4:
		t, err := time.Parse("2006-01-02", it.PublishedOn)
		if err == nil {
			return t.Year()
		}
	case it.PublishedAt != nil:
		return it.PublishedAt.In(Warsaw).Year()
	}
	return 0
}

// LibraryInput is an item as written: the API's body (a PATCH is merged
// onto the item's current input) and the page's form.
type LibraryInput struct {
	Kind        string             `json:"kind"`
	Title       string             `json:"title"`
	Summary     string             `json:"summary"`
	PublishedOn string             `json:"published_on"`
	Authors     []string           `json:"authors"`
	Tags        []string           `json:"tags"`
	Categories  []string           `json:"categories"`
	Listings    []string           `json:"listings"`
	Language    string             `json:"language"`
	Licence     string             `json:"licence"`
	Event       *LibraryEventInput `json:"event"`
}

// LibraryEventInput is an event's times as typed: RFC 3339, or a local
// "2006-01-02T15:04" (a datetime-local field) in Europe/Warsaw.
type LibraryEventInput struct {
	StartsAt             string `json:"starts_at"`
	EndsAt               string `json:"ends_at"`
	PlaceTERYT           string `json:"place_teryt"`
	OnlineURL            string `json:"online_url"`
	RegistrationURL      string `json:"registration_url"`
	RegistrationDeadline string `json:"registration_deadline"`
}

// Input is the item as written, for a merge patch and the edit form.
func (it *LibraryItem) Input() LibraryInput {
	in := LibraryInput{Kind: it.Kind, Title: it.Title, Summary: it.Summary, PublishedOn: it.PublishedOn,
		Authors: it.Authors, Tags: it.Tags, Categories: it.Categories, Language: it.Language, Licence: it.Licence}
	for _, l := range it.Listings {
		in.Listings = append(in.Listings, l.ID)
	}
	if e := it.Event; e != nil {
		in.Event = &LibraryEventInput{StartsAt: LocalTime(&e.StartsAt), EndsAt: LocalTime(e.EndsAt), PlaceTERYT: e.PlaceTERYT,
			OnlineURL: e.OnlineURL, RegistrationURL: e.RegistrationURL, RegistrationDeadline: LocalTime(e.RegistrationDeadline)}
	}
	return in
}

// LocalTime is t as a datetime-local value in Warsaw, "" for nil.
func LocalTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(Warsaw).Format("2006-01-02T15:04")
}

// libraryRow is an item's values, checked and ready for SQL.
type libraryRow struct {
	Kind, Title, Summary, Language, Licence string
	PublishedOn                             *string
	Authors, Tags, Categories, Listings     []string
	StartsAt, EndsAt, Deadline              *time.Time
	PlaceTERYT                              *string
	OnlineURL, RegistrationURL              string
}

var (
	isoDate  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	langCode = regexp.MustCompile(`^[a-z]{2}$`)
)

// checkLibrary validates in against the region's categories, listings and
// TERYT (read in tx); every wrong field is reported at once.
func checkLibrary(ctx context.Context, tx *sqlx.Tx, in LibraryInput) (libraryRow, error) {
	var errs []FieldError
	bad := func(field, key string) { errs = append(errs, FieldError{Field: field, Key: key}) }
	r := libraryRow{Kind: in.Kind, Title: strings.TrimSpace(in.Title), Summary: strings.TrimSpace(in.Summary),
		Language: strings.ToLower(strings.TrimSpace(in.Language)), Licence: strings.TrimSpace(in.Licence)}
	if !slices.Contains(LibraryKinds, r.Kind) {
		bad("kind", "library.kind.invalid")
	}
	switch n := utf8.RuneCountInString(r.Title); {
	case n == 0:
		bad("title", "library.title.required")
	case n > 300:
		bad("title", "library.title.too_long")
	}
	if utf8.RuneCountInString(r.Summary) > 10000 {
		bad("summary", "library.summary.too_long")
	}
	if d := strings.TrimSpace(in.PublishedOn); d != "" {
		if _, err := time.Parse("2006-01-02", d); err != nil || !isoDate.MatchString(d) {
			bad("published_on", "library.date.invalid")
		} else {
			r.PublishedOn = &d
		}
	}
	if r.Language == "" {
		r.Language = "pl"
	} else if !langCode.MatchString(r.Language) {
		bad("language", "library.language.invalid")
	}
	if utf8.RuneCountInString(r.Licence) > 200 {
		bad("licence", "library.licence.too_long")
	}
	r.Authors = cleanList(in.Authors, false)
	r.Tags = cleanList(in.Tags, true)
	if len(r.Authors) > 50 || slices.ContainsFunc(r.Authors, func(a string) bool { return utf8.RuneCountInString(a) > 200 }) {
		bad("authors", "library.authors.invalid")
	}
	if len(r.Tags) > 20 || slices.ContainsFunc(r.Tags, func(t string) bool { return utf8.RuneCountInString(t) > 60 || strings.ContainsAny(t, "/?#%") }) {
		bad("tags", "library.tags.invalid")
	}
	var err error
	if r.Categories, err = knownCodes(ctx, tx, cleanList(in.Categories, false),
		`SELECT code FROM categories WHERE code = ANY($1) AND retired_at IS NULL`, "categories", "library.category.unknown", &errs); err != nil {
		return r, err
	}
	for _, id := range cleanList(in.Listings, false) {
		if !uuidRe.MatchString(id) {
			bad("listings", "library.listing.unknown")
			break
		}
		r.Listings = append(r.Listings, strings.ToLower(id))
	}
	if r.Listings, err = knownCodes(ctx, tx, r.Listings,
		`SELECT id::text FROM listings WHERE id = ANY($1::uuid[]) AND status <> 'archived'`, "listings", "library.listing.unknown", &errs); err != nil {
		return r, err
	}
	if err := checkLibraryEvent(ctx, tx, in, &r, &errs); err != nil {
		return r, err
	}
	if len(errs) > 0 {
		return r, Invalid(errs)
	}
	return r, nil
}

// checkLibraryEvent checks the event part: required for the event kinds,
// refused for the others.
func checkLibraryEvent(ctx context.Context, tx *sqlx.Tx, in LibraryInput, r *libraryRow, errs *[]FieldError) error {
	bad := func(field, key string) { *errs = append(*errs, FieldError{Field: field, Key: key}) }
	e := in.Event
	if e != nil && *e == (LibraryEventInput{}) {
		e = nil
	}
	if !IsEventKind(r.Kind) {
		if e != nil && slices.Contains(LibraryKinds, r.Kind) {
			bad("event", "library.event.not_event")
		}
		return nil
	}
	if e == nil || strings.TrimSpace(e.StartsAt) == "" {
		bad("event.starts_at", "library.event.starts_required")
		return nil
	}
	var ok bool
	if r.StartsAt, ok = parseEventTime(e.StartsAt); !ok {
		bad("event.starts_at", "library.event.time_invalid")
	}
	if r.EndsAt, ok = parseEventTime(e.EndsAt); !ok {
		bad("event.ends_at", "library.event.time_invalid")
	} else if r.EndsAt != nil && r.StartsAt != nil && r.EndsAt.Before(*r.StartsAt) {
		bad("event.ends_at", "library.event.ends_before")
	}
	if r.Deadline, ok = parseEventTime(e.RegistrationDeadline); !ok {
		bad("event.registration_deadline", "library.event.time_invalid")
	}
	for _, u := range []struct {
		field string
		in    string
		out   *string
	}{{"event.online_url", e.OnlineURL, &r.OnlineURL}, {"event.registration_url", e.RegistrationURL, &r.RegistrationURL}} {
		if strings.TrimSpace(u.in) == "" {
			continue
		}
		v, err := ident.ValidateWebsite(u.in)
		if err != nil {
			bad(u.field, "library.event.url_invalid")
		}
		*u.out = v
	}
	if code := strings.TrimSpace(e.PlaceTERYT); code != "" {
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM teryt_gminas WHERE code = $1`, code); err != nil {
			return err
		}
		if n == 0 {
			bad("event.place_teryt", "library.event.place_unknown")
		} else {
			r.PlaceTERYT = &code
		}
	}
	return nil
}

// parseEventTime reads RFC 3339 or a Warsaw datetime-local; "" is nil.
func parseEventTime(s string) (*time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return &t, true
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, Warsaw); err == nil {
			return &t, true
		}
	}
	return nil, false
}

// cleanList trims, drops empties and duplicates; lower-cases tags.
func cleanList(in []string, lower bool) []string {
	out := []string{}
	for _, s := range in {
		s = strings.Join(strings.Fields(s), " ")
		if lower {
			s = strings.ToLower(s)
		}
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// knownCodes keeps the values query finds; any it does not is an error at field.
func knownCodes(ctx context.Context, tx *sqlx.Tx, values []string, query, field, key string, errs *[]FieldError) ([]string, error) {
	if len(values) == 0 {
		return []string{}, nil
	}
	var found []string
	if err := tx.SelectContext(ctx, &found, query, pq.Array(values)); err != nil {
		return nil, err
	}
	for _, v := range values {
		if !slices.Contains(found, v) {
			*errs = append(*errs, FieldError{Field: field, Key: key, Params: map[string]any{"Value": v}})
			return values, nil
		}
	}
	return values, nil
}
