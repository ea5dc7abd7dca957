package handlers

import (
	"net/http"

	"katalogpes/store"
)

// The contract of listings, moderation and claims.

// reasonBody is a decision's reason.
type reasonBody struct {
	Reason string `json:"reason"`
}

type claimCodeBody struct {
	Code string `json:"code" required:"true"`
}

func listingDocs() []apiDoc {
	return []apiDoc{
		{method: get, path: "/categories", id: "categories", tag: "listings", summary: "The region's categories", answer: []store.Category{}},
		{method: get, path: "/me/listings", id: "myListings", tag: "listings", summary: "My listings, any status", answer: []store.Listing{}},
		{method: post, path: "/listings", id: "createListing", tag: "listings", summary: "Create a listing (a draft)",
			body: store.ListingData{}, ok: http.StatusCreated, answer: store.Listing{}, problems: []int{http.StatusConflict}},
		{method: get, path: "/listings/:id", id: "getListing", tag: "listings", summary: "A listing", answer: store.Listing{}},
		{method: patch, path: "/listings/:id", id: "updateListing", tag: "listings", summary: "Change a listing (JSON merge patch)",
			description: "On a published listing the change is a pending revision and the public version stays.",
			body:        store.ListingData{}, answer: store.Listing{}, problems: []int{http.StatusConflict}},
		{method: del, path: "/listings/:id", id: "archiveListing", tag: "listings", summary: "Archive a listing", ok: http.StatusNoContent, problems: []int{http.StatusConflict}},
		{method: post, path: "/listings/:id/submit", id: "submitListing", tag: "listings", summary: "Submit a listing for moderation",
			answer: store.Listing{}, problems: []int{http.StatusConflict, http.StatusUnprocessableEntity}},
		{method: get, path: "/listings/:id/history", id: "listingHistory", tag: "listings", summary: "A listing's events", answer: []store.Event{}},
		{method: post, path: "/listings/:id/confirm", id: "confirmListing", tag: "listings", summary: "Confirm the data is current",
			answer: store.Listing{}, problems: []int{http.StatusConflict}},
	}
}

func moderationDocs() []apiDoc {
	decision := func(path, id, summary string) apiDoc {
		return apiDoc{method: post, path: path, id: id, tag: "moderation", summary: summary, body: reasonBody{}, answer: store.Listing{},
			problems: []int{http.StatusConflict}}
	}
	return []apiDoc{
		{method: get, path: "/moderation/queue", id: "moderationQueue", tag: "moderation", summary: "Pending listings and revisions, oldest first", answer: []store.QueueItem{}},
		decision("/moderation/:id/approve", "approveListing", "Approve a listing or revision"),
		decision("/moderation/:id/reject", "rejectListing", "Reject a listing or revision"),
		decision("/moderation/:id/request-changes", "requestChanges", "Ask the owner for changes"),
		decision("/moderation/:id/suspend", "suspendListing", "Suspend a published listing"),
		decision("/moderation/:id/reinstate", "reinstateListing", "Reinstate a suspended listing"),
		{method: get, path: "/admin/stale", id: "staleListings", tag: "moderation", summary: "Listings unconfirmed for a year", query: pagingParams{}, answer: staleResponse{}},
	}
}

func claimDocs() []apiDoc {
	return []apiDoc{
		{method: post, path: "/listings/:id/claim", id: "claimListing", tag: "claims", summary: "Claim a listing nobody owns",
			ok: http.StatusAccepted, answer: claimStarted{}, problems: []int{http.StatusConflict, http.StatusBadRequest, http.StatusUnsupportedMediaType, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity}},
		{method: post, path: "/listings/:id/claim/confirm", id: "confirmClaim", tag: "claims", summary: "Confirm a claim with the mailed code",
			body: claimCodeBody{}, answer: store.Listing{}, problems: []int{http.StatusConflict}},
		{method: get, path: "/moderation/claims", id: "waitingClaims", tag: "claims", summary: "Claims waiting for a moderator", answer: []store.Claim{}},
		{method: post, path: "/moderation/claims/:id/approve", id: "approveClaim", tag: "claims", summary: "Approve a claim",
			body: reasonBody{}, answer: store.Claim{}, problems: []int{http.StatusConflict}},
		{method: post, path: "/moderation/claims/:id/reject", id: "rejectClaim", tag: "claims", summary: "Reject a claim",
			body: reasonBody{}, answer: store.Claim{}, problems: []int{http.StatusConflict}},
	}
}
