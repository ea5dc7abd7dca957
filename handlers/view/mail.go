package view

import (
	"fmt"
	"net/url"

	"katalogpes/store"
	"katalogpes/tenants"
)

// Composer writes every mail the product sends, in the recipient's
// language, with links back to the region's site: the API, the pages and
// the reminder job all ask it, so a mail reads the same whichever sent it.
type Composer struct {
	tr      *Translator
	baseURL string
}

// NewComposer composes with tr, linking to pages under baseURL.
func NewComposer(tr *Translator, baseURL string) *Composer {
	return &Composer{tr: tr, baseURL: baseURL}
}

// link is an absolute address of a page of the region's site.
func (m *Composer) link(slug, page string, q url.Values) string {
	l := fmt.Sprintf("%s/r/%s/%s", m.baseURL, slug, page)
	if len(q) > 0 {
		l += "?" + q.Encode()
	}
	return l
}

// compose renders key.subject and key.body with params.
func (m *Composer) compose(lang, key, to string, params map[string]any) store.Mail {
	return store.Mail{To: to,
		Subject: m.tr.T(lang, key+".subject", params),
		Body:    m.tr.T(lang, key+".body", params)}
}

// Verification asks to confirm the address an account was created with.
func (m *Composer) Verification(lang string, t *tenants.Tenant, to, token string) store.Mail {
	return m.compose(lang, "mail.verify", to, map[string]any{"Region": t.Name, "Token": token,
		"Link": m.link(t.Slug, "weryfikacja", url.Values{"token": {token}})})
}

// PasswordReset carries the link that sets a new password; the store
// fills in the recipient, who may not exist.
func (m *Composer) PasswordReset(lang string, t *tenants.Tenant, token string) store.Mail {
	return m.compose(lang, "mail.reset", "", map[string]any{"Region": t.Name, "Token": token,
		"Link": m.link(t.Slug, "nowe-haslo", url.Values{"token": {token}})})
}

// Reminder asks the owner of a stale listing to confirm it, linking to
// the listing's page, where its signed-in owner confirms it with one click.
func (m *Composer) Reminder(lang string, r store.Reminder) store.Mail {
	return m.compose(lang, "mail.reminder", r.OwnerEmail, map[string]any{"Name": r.ListingName, "Region": r.TenantName,
		"Confirmed": r.ConfirmedAt.In(Warsaw).Format("2006-01-02"),
		"Link":      m.link(r.TenantSlug, "podmiot/"+r.ListingID, nil)})
}

// ListingReport tells a region's team, at its contact address (none: no
// mail), that someone finds a listing's data out of date; it is in Polish,
// the team's language, and links to the listing and the inbox.
func (m *Composer) ListingReport(t *tenants.Tenant, r store.ListingReport) store.Mail {
	reporter := r.ReporterEmail
	if reporter == "" {
		reporter = m.tr.T("pl", "mail.listing_report.anonymous", nil)
	}
	return m.compose("pl", "mail.listing_report", t.ContactEmail, map[string]any{"Name": r.ListingName, "Region": t.Name,
		"Text": r.Body, "Reporter": reporter,
		"Link": m.link(t.Slug, "podmiot/"+r.ListingID, nil), "Inbox": m.link(t.Slug, "moderacja/zgloszenia", nil)})
}
