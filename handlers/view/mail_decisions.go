package view

import (
	"katalogpes/store"
)

// The mails of moderation decisions, one per kind, each to the listing's
// owner in the owner's language. A decision to act on (changes asked, a
// rejection) links to the listing's form; the others to the desk.

// Decision writes the notice of any decision: what the store calls back
// with inside the decision's transaction.
func (m *Composer) Decision(d store.Decision) store.NoticeMail {
	switch d.Kind {
	case store.NoticeApproved:
		return m.Approved(d)
	case store.NoticeChangesRequested:
		return m.ChangesRequested(d)
	case store.NoticeRejected:
		return m.Rejected(d)
	case store.NoticeSuspended:
		return m.Suspended(d)
	case store.NoticeReinstated:
		return m.Reinstated(d)
	case store.NoticeRevisionAccepted:
		return m.RevisionAccepted(d)
	case store.NoticeRevisionRejected:
		return m.RevisionRejected(d)
	}
	return m.decision(d, "mail.decision.other", "moje")
}

// Approved: the listing is public.
func (m *Composer) Approved(d store.Decision) store.NoticeMail {
	return m.decision(d, "mail.decision.approved", "moje")
}

// ChangesRequested: the moderator asks for changes, saying which.
func (m *Composer) ChangesRequested(d store.Decision) store.NoticeMail {
	return m.decision(d, "mail.decision.changes_requested", "moje/"+d.ListingID)
}

// Rejected: the listing will not be published, and why.
func (m *Composer) Rejected(d store.Decision) store.NoticeMail {
	return m.decision(d, "mail.decision.rejected", "moje/"+d.ListingID)
}

// Suspended: the listing is out of view, and why.
func (m *Composer) Suspended(d store.Decision) store.NoticeMail {
	return m.decision(d, "mail.decision.suspended", "moje")
}

// Reinstated: the suspended listing is public again.
func (m *Composer) Reinstated(d store.Decision) store.NoticeMail {
	return m.decision(d, "mail.decision.reinstated", "moje")
}

// RevisionAccepted: the changes to a public listing are public.
func (m *Composer) RevisionAccepted(d store.Decision) store.NoticeMail {
	return m.decision(d, "mail.decision.revision_accepted", "moje")
}

// RevisionRejected: the changes were turned down; the public version stays.
func (m *Composer) RevisionRejected(d store.Decision) store.NoticeMail {
	return m.decision(d, "mail.decision.revision_rejected", "moje/"+d.ListingID)
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
