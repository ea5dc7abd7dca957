package view

import (
	"net/url"

	"katalogpes/store"
)

// The mails of buyers' needs (issue 14): to entities a need reached (with
// the one-click links), to buyers about their needs, to askers.

// NeedNotice writes what an entity hears of a need, in its language:
// a match (with "interested" and "not for us" links that need no sign-in),
// a buyer's reminder, the outcome question, a consortium partner's request.
func (m *Composer) NeedNotice(n store.NeedNotice) store.NoticeMail {
	need := n.Need
	page := m.link(need.Tenant, "zapytania/"+need.ID, nil)
	params := map[string]any{"Title": need.Title, "Institution": need.Institution, "Listing": n.ListingName,
		"Deadline": FormatDateTime(n.Lang, need.Deadline), "Link": page,
		"Kind": m.tr.T(n.Lang, "ui.need.kind."+need.Kind, nil), "Places": joinNames(need.PlaceNames)}
	key, link := "mail.need.match", page
	switch n.Kind {
	case store.NoticeNeedMatch:
		params["Interested"] = m.link(need.Tenant, "zapytania/klik", url.Values{"token": {n.InterestedToken}})
		params["Decline"] = m.link(need.Tenant, "zapytania/klik", url.Values{"token": {n.DeclineToken}})
		params["Mute"] = m.link(n.ListingTenantSlug, "moje-zapytania", nil)
		// The answer form is on the desk of the listing's own region,
		// which is not the need's when the need is open to others.
		params["Answer"] = m.link(n.ListingTenantSlug, "moje-zapytania/"+need.ID+"/odpowiedz", nil)
	case store.NoticeNeedRemind:
		key = "mail.need.remind"
	case store.NoticeNeedOutcome:
		key = "mail.need.outcome_entity"
	case store.NoticeNeedPartner:
		key, link = "mail.need.partner", m.link(n.ListingTenantSlug, "moje-zapytania", nil)
		params["Link"] = link
	}
	return store.NoticeMail{Mail: m.compose(n.Lang, key, n.To, params), Link: link}
}

// NeedForBuyer tells a buyer about its need: a moderator's decision, a
// new answer, a question, or asks for the outcome a week after the deadline.
func (m *Composer) NeedForBuyer(d store.NeedDecision) store.Mail {
	lang := d.Buyer.Lang
	return m.compose(lang, "mail.need.buyer_"+d.Kind, d.Buyer.Email, map[string]any{"Title": d.Need.Title, "Reason": d.Reason,
		"Link": m.link(d.Need.Tenant, "zamawiajacy/zapytania/"+d.Need.ID, nil)})
}

// BuyerDecision tells a buyer whether a moderator confirmed its account.
func (m *Composer) BuyerDecision(slug string, b store.Buyer) store.Mail {
	key := "mail.need.buyer_confirmed"
	if !b.Confirmed() {
		key = "mail.need.buyer_refused"
	}
	return m.compose(b.Lang, key, b.Email, map[string]any{"Institution": b.Name, "Reason": b.RejectedReason,
		"Link": m.link(slug, "zamawiajacy", nil)})
}

// BuyerWaiting tells a region's moderator or admin that a buyer
// registered and waits for confirmation, with the page where they decide.
func (m *Composer) BuyerWaiting(a store.BuyerAlert) store.Mail {
	return m.compose(a.Lang, "mail.need.buyer_waiting", a.Email, map[string]any{"Region": a.TenantName,
		"Institution": a.Institution.Name, "NIP": a.Institution.NIP, "Person": a.BuyerName, "BuyerEmail": a.BuyerEmail,
		"Link": m.link(a.TenantSlug, "moderacja/zapytania", nil) + "#buyers-h"})
}

// QuestionAnswered tells the asker the buyer answered, on the need's page.
func (m *Composer) QuestionAnswered(q store.Question, n *store.Need, lang string) store.Mail {
	return m.compose(lang, "mail.need.question_answered", "", map[string]any{"Title": n.Title, "Question": q.Question,
		"Answer": q.Answer, "Link": m.link(n.Tenant, "zapytania/"+n.ID, nil)})
}

func joinNames(list []string) string {
	out := ""
	for i, s := range list {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out
}
