package handlers

import (
	"net/http"
	"slices"

	"katalogpes/store"
)

// The contract of buyers' needs (issue 14): the bodies the needs
// handlers decode and encode, and one apiDoc per route.

type listingIDBody struct {
	ListingID string `json:"listing_id" required:"true" description:"The answering (lead) listing."`
}

type declineBody struct {
	ListingID string `json:"listing_id" required:"true" description:"The listing that declines."`
	Reason    string `json:"reason"`
}

// needClickBody is a one-click link's token, posted without signing in.
type needClickBody struct {
	Token  string `json:"token" required:"true" description:"The token of the mailed link."`
	Reason string `json:"reason" description:"Why, for a decline."`
}

// needClickAnswer is what a one-click link did.
type needClickAnswer struct {
	Action    string `json:"action" required:"true" enum:"interested,decline"`
	NeedID    string `json:"need_id" required:"true"`
	ListingID string `json:"listing_id" required:"true"`
}

type questionBody struct {
	Question string `json:"question" required:"true"`
}

type questionAnswerBody struct {
	Answer string `json:"answer" required:"true"`
}

// remindAnswer counts the entities reminded of a need.
type remindAnswer struct {
	Reminded int `json:"reminded" required:"true"`
}

// needsParams are the public list's filters (needFilterOf); a filter may
// repeat, and then any of its values matches.
type needsParams struct {
	Q        string   `query:"q" description:"Words to find."`
	Category []string `query:"category"`
	Kind     []string `query:"kind"`
	Serves   []string `query:"serves" description:"A gmina's 7-digit TERYT code: needs delivered there."`
	Status   string   `query:"status" enum:"open,closed" description:"closed lists the closed needs; anything else the open ones."`
	pagingParams
}

func needsDocs() []apiDoc {
	conflict := []int{http.StatusConflict}
	return slices.Concat(needDocs(conflict), needAnswerDocs(conflict), needStaffDocs(conflict))
}

func needDocs(conflict []int) []apiDoc {
	return []apiDoc{
		{method: get, path: "/me/buyer", id: "myBuyer", tag: "needs", summary: "My institution (a buyer's)", answer: store.Buyer{}},
		{method: get, path: "/me/needs", id: "myNeeds", tag: "needs", summary: "My needs, newest first, with their counts", answer: []store.NeedCounts{}},
		{method: post, path: "/needs", id: "createNeed", tag: "needs", summary: "Post a need (a draft)",
			body: store.NeedInput{}, ok: http.StatusCreated, answer: store.Need{}},
		{method: get, path: "/needs", id: "listNeeds", tag: "needs", summary: "Public needs",
			description: "Open needs of a region from its search index (from the database, degraded, when the index cannot answer); " +
				"national and closed lists from the database.",
			query: needsParams{}, answer: needsAnswer{}},
		{method: get, path: "/needs/:id", id: "getNeed", tag: "needs", summary: "A need", answer: store.Need{}},
		{method: patch, path: "/needs/:id", id: "updateNeed", tag: "needs", summary: "Change a need before it is public (every field)",
			body: store.NeedInput{}, answer: store.Need{}, problems: conflict},
		{method: post, path: "/needs/:id/submit", id: "submitNeed", tag: "needs", summary: "Submit a need for review",
			description: "Published at once where the region skips review for confirmed buyers.",
			answer:      store.Need{}, problems: []int{http.StatusConflict, http.StatusUnprocessableEntity}},
		{method: post, path: "/needs/:id/withdraw", id: "withdrawNeed", tag: "needs", summary: "Withdraw a need", answer: store.Need{}, problems: conflict},
		{method: post, path: "/needs/:id/attachments", id: "addNeedFile", tag: "needs", summary: "Attach a PDF (at most 10 MB)",
			upload: true, ok: http.StatusCreated, answer: store.NeedFile{}, problems: conflict},
		{method: get, path: "/needs/:id/files/:fid", id: "needFile", tag: "needs", summary: "Download an attachment",
			answer: textBody(""), media: "application/pdf"},
		{method: get, path: "/needs/:id/matches", id: "needMatches", tag: "needs", summary: "The entities a need reached (its buyer)", answer: []store.Match{}},
		{method: post, path: "/needs/:id/remind", id: "remindNeed", tag: "needs", summary: "Remind the entities that have not answered",
			ok: http.StatusAccepted, answer: remindAnswer{}, problems: conflict},
		{method: post, path: "/needs/:id/close", id: "closeNeed", tag: "needs", summary: "Close a need with its outcome",
			body: store.CloseInput{}, answer: store.Need{}, problems: conflict},
		{method: get, path: "/stats/needs", id: "needStats", tag: "needs", summary: "Figures of socially responsible purchasing", answer: store.NeedStats{}},
	}
}

func needAnswerDocs(conflict []int) []apiDoc {
	return []apiDoc{
		{method: get, path: "/needs/:id/answers", id: "needAnswers", tag: "needs", summary: "A need's answers", answer: []store.Answer{}},
		{method: post, path: "/needs/:id/answers", id: "answerNeed", tag: "needs", summary: "Answer a need (an entity, alone or with partners)",
			description: "Under the listing's own region: a need of that region, or one of another region that reached the listing " +
				"(include_other_regions); the answer is written on the need, in its region. A need of another region that did not reach " +
				"the listing is not found. Partners are listings of the need's region.",
			body: store.AnswerInput{}, ok: http.StatusCreated, answer: store.Answer{}, problems: conflict},
		{method: post, path: "/needs/:id/decline", id: "declineNeed", tag: "needs", summary: "Decline a need",
			description: "Under the listing's own region, as for answers: a need of another region only when it reached the listing.",
			body:        declineBody{}, ok: http.StatusNoContent, problems: conflict},
		{method: post, path: "/needs/:id/answers/:aid/confirm", id: "confirmPartner", tag: "needs", summary: "Confirm taking part in a consortium's answer",
			body: listingIDBody{}, answer: store.Answer{}, problems: conflict},
		{method: post, path: "/needs/click", id: "needClick", tag: "needs", summary: "Use a mailed one-click link (interested or decline)",
			body: needClickBody{}, answer: needClickAnswer{}},
		{method: get, path: "/needs/:id/questions", id: "needQuestions", tag: "needs", summary: "A need's public questions and answers", answer: []store.Question{}},
		{method: post, path: "/needs/:id/questions", id: "askQuestion", tag: "needs", summary: "Ask the buyer a public question",
			body: questionBody{}, ok: http.StatusCreated, answer: store.Question{}, problems: conflict},
		{method: post, path: "/needs/:id/questions/:qid/answer", id: "answerQuestion", tag: "needs", summary: "Answer a question (the buyer)",
			body: questionAnswerBody{}, answer: store.Question{}, problems: conflict},
	}
}

func needStaffDocs(conflict []int) []apiDoc {
	return []apiDoc{
		{method: get, path: "/moderation/needs", id: "pendingNeeds", tag: "needs", summary: "Needs waiting for review", answer: []store.Need{}},
		{method: post, path: "/moderation/needs/:id/approve", id: "approveNeed", tag: "needs", summary: "Approve (publish) a need",
			body: reasonBody{}, answer: store.Need{}, problems: conflict},
		{method: post, path: "/moderation/needs/:id/reject", id: "rejectNeed", tag: "needs", summary: "Reject a need (a reason is required)",
			body: reasonBody{}, answer: store.Need{}, problems: conflict},
		{method: get, path: "/moderation/buyers", id: "waitingBuyers", tag: "needs", summary: "Buyers waiting for confirmation", answer: []store.Buyer{}},
		{method: post, path: "/moderation/buyers/:id/approve", id: "confirmBuyer", tag: "needs", summary: "Confirm a buyer's institution",
			body: reasonBody{}, answer: store.Buyer{}, problems: conflict},
		{method: post, path: "/moderation/buyers/:id/reject", id: "rejectBuyer", tag: "needs", summary: "Reject a buyer's institution",
			body: reasonBody{}, answer: store.Buyer{}, problems: conflict},
		{method: get, path: "/admin/needs-settings", id: "needSettings", tag: "needs", summary: "The region's needs settings", answer: store.NeedSettings{}},
		{method: patch, path: "/admin/needs-settings", id: "updateNeedSettings", tag: "needs", summary: "Replace the region's needs settings",
			body: store.NeedSettings{}, answer: store.NeedSettings{}},
	}
}
