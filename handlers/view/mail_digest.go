package view

import (
	"strings"
	"time"

	"katalogpes/store"
)

// waitingKinds are the digest's sections, in its order, each with the
// queue page where its items are decided.
var waitingKinds = []struct{ kind, page string }{
	{store.WaitingSubmission, "moderacja"},
	{store.WaitingRevision, "moderacja"},
	{store.WaitingClaim, "moderacja/przejecia"},
	{store.WaitingReport, "moderacja/zgloszenia"},
}

// queuePage is where an item of kind is decided.
func queuePage(kind string) string {
	for _, k := range waitingKinds {
		if k.kind == kind {
			return k.page
		}
	}
	return "moderacja"
}

// Digest is the day's mail to one of a region's staff: per kind, how many
// wait, the oldest of them with how long, and the queue page's link.
func (m *Composer) Digest(d store.Digest) store.Mail {
	lang, loc := d.Lang, m.tr.Locale(d.Lang)
	now := time.Now()
	var b strings.Builder
	for _, k := range waitingKinds {
		n := d.Counts[k.kind]
		if n == 0 {
			continue
		}
		b.WriteString(m.tr.T(lang, "mail.digest.section", map[string]any{"What": loc.T("mail.waiting." + k.kind),
			"Count": loc.Num(n), "Link": m.link(d.TenantSlug, k.page, nil)}))
		b.WriteString("\n")
		for _, it := range d.Items {
			if it.Kind == k.kind {
				b.WriteString(m.tr.T(lang, "mail.digest.item", map[string]any{"Name": it.ListingName,
					"For": loc.Waiting(int64(now.Sub(it.Since).Seconds()))}))
				b.WriteString("\n")
			}
		}
		if shown := countKind(d.Items, k.kind); shown < n {
			b.WriteString(loc.N("mail.digest.more", n-shown) + "\n")
		}
		b.WriteString("\n")
	}
	return m.compose(lang, "mail.digest", d.Email, map[string]any{"Region": d.TenantName, "Name": d.Name,
		"Total": loc.Num(d.Total()), "Sections": b.String(),
		"Settings": m.link(d.TenantSlug, "moderacja", nil) + "#powiadomienia"})
}

func countKind(items []store.WaitingItem, kind string) int {
	n := 0
	for _, it := range items {
		if it.Kind == kind {
			n++
		}
	}
	return n
}

// StaffAlert is the immediate mail to a staff member who asked for one:
// what just arrived, and the queue page where it waits.
func (m *Composer) StaffAlert(a store.StaffAlert) store.Mail {
	loc := m.tr.Locale(a.Lang)
	return m.compose(a.Lang, "mail.staff_alert", a.Email, map[string]any{"Region": a.TenantName,
		"What": loc.T("mail.waiting." + a.Kind), "Name": a.ListingName,
		"Link":     m.link(a.TenantSlug, queuePage(a.Kind), nil),
		"Settings": m.link(a.TenantSlug, "moderacja", nil) + "#powiadomienia"})
}
