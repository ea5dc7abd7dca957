package view

import (
	"katalogpes/store"
)

// The mails of moderation decisions, one per kind, each to the listing's
// owner in the owner's language. A decision to act on (changes asked, a
// rejection) links to the listing's form; the others to the desk.

// decisionMails names each decision's message and whether it links to the
// listing's form (the owner has something to do) or to the desk.
var decisionMails = map[string]struct {
	key    string
	toForm bool
}{
	store.NoticeApproved:         {"mail.decision.approved", false},
	store.NoticeChangesRequested: {"mail.decision.changes_requested", true},
	store.NoticeRejected:         {"mail.decision.rejected", true},
	store.NoticeSuspended:        {"mail.decision.suspended", false},
	store.NoticeReinstated:       {"mail.decision.reinstated", false},
	store.NoticeRevisionAccepted: {"mail.decision.revision_accepted", false},
	store.NoticeRevisionRejected: {"mail.decision.revision_rejected", true},
}

// Decision writes the notice of any decision: what the store calls back
// with inside the decision's transaction.
func (m *Composer) Decision(d store.Decision) store.NoticeMail {
	dm, ok := decisionMails[d.Kind]
	if !ok {
		dm.key = "mail.decision.other"
	}
	page := "moje"
	if dm.toForm {
		page = "moje/" + d.ListingID
	}
	return m.decision(d, dm.key, page)
}

func (m *Composer) decision(d store.Decision, key, page string) store.NoticeMail {
	link := m.link(d.TenantSlug, page, nil)
	mail := m.compose(d.Lang, key, d.OwnerEmail, map[string]any{"Name": d.ListingName, "Region": d.TenantName,
		"Reason": d.Reason, "Link": link})
	return store.NoticeMail{Mail: mail, Link: link}
}

// CertificateExpiring tells a listing's owner, 30 days ahead, that a
// certificate lapses, linking to the listing's form to renew the date.
func (m *Composer) CertificateExpiring(e store.CertificateExpiry) store.Mail {
	lang := e.Lang
	return m.compose(lang, "mail.certificate_expiring", e.OwnerEmail, map[string]any{"Name": e.ListingName,
		"Region": e.TenantName, "Certificate": m.tr.T(lang, "ui.certificate."+e.Kind, nil),
		"Date": FormatDate(lang, e.ValidUntil), "Link": m.link(e.TenantSlug, "moje/"+e.ListingID, nil)})
}
