package view

import (
	"katalogpes/store"
	"katalogpes/tenants"
)

// ClaimCode carries the one-time code that proves control of a listing's
// contact mailbox; the store sends it to that address.
func (m *Composer) ClaimCode(lang string, t *tenants.Tenant, c store.ClaimCode) store.Mail {
	return m.compose(lang, "mail.claim_code", "", map[string]any{"Name": c.ListingName, "Region": t.Name, "Code": c.Code,
		"Expires": FormatDateTime(lang, c.ExpiresAt), "Link": m.link(t.Slug, "przejmij/"+c.ListingID, nil)})
}

// ClaimDecision tells a claimant what a moderator decided. Accounts keep
// no language yet, so the caller passes Polish.
func (m *Composer) ClaimDecision(lang string, t *tenants.Tenant, c store.Claim) store.Mail {
	key, link := "mail.claim_rejected", m.link(t.Slug, "przejmij/"+c.ListingID, nil)
	if c.Status == store.ClaimAccepted {
		key, link = "mail.claim_approved", m.link(t.Slug, "moje", nil)
	}
	reason := c.Reason
	if reason == "" && c.Status != store.ClaimAccepted {
		reason = "—"
	}
	return m.compose(lang, key, c.ClaimantEmail, map[string]any{"Name": c.ListingName, "Region": t.Name,
		"Reason": reason, "Link": link})
}
