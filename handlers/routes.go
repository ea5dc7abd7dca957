package handlers

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"katalogpes/store"
	"katalogpes/tenants"
)

// kind says where a route is mounted and what runs before its handler.
type kind int

const (
	api  kind = iota // JSON under {region}/api/v1: body limit; 401/403 problems
	page             // a region's web page: CSRF check, cookie session, sign-in redirect
	file             // a region's file (CSS, logo, CSV): no form, no session
	ops              // outside any region: health, metrics, the contract
	dev              // like ops, and only in development
)

// scope says where a route is served. The zero value fails closed: a route
// that declares nothing is a region's only and a 404 on the national hub.
type scope int

const (
	region   scope = iota // needs a region: /r/{slug}/… or a region's host
	hub                   // also on the national hub, which reads across all regions
	anywhere              // reads no region's data (static files, ops)
)

// route is one line of the route table.
type route struct {
	kind   kind
	method string
	path   string
	scope  scope
	perm   tenants.Permission
	// chain is what runs after the guard: rate limits, then the handler.
	chain []fiber.Handler
	// cache, on a public page, names the page's group in the page cache:
	// anonymous visitors are served from it (see cachedRoute).
	cache func(*fiber.Ctx) string
}

// cached serves a public page from the page cache, grouped by group.
func cached(r route, group func(*fiber.Ctx) string) route {
	r.cache = group
	return r
}

func rt(k kind, method, path string, sc scope, perm tenants.Permission, chain ...fiber.Handler) route {
	return route{kind: k, method: method, path: path, scope: sc, perm: perm, chain: chain}
}

const get, post, patch, del = fiber.MethodGet, fiber.MethodPost, fiber.MethodPatch, fiber.MethodDelete

// routeTable is every route: who may call it (PermListingsOwn: staff, or
// the owner of listing :id) and whether the national hub serves it.
func (s *Server) routeTable() []route {
	return []route{
		rt(ops, get, "/healthz", anywhere, tenants.PermPublic, s.healthz),
		rt(ops, get, "/readyz", anywhere, tenants.PermPublic, s.readyz),
		rt(ops, get, "/metrics", anywhere, tenants.PermPublic, s.metricsHandler()),
		rt(ops, get, "/api/v1/openapi.json", anywhere, tenants.PermPublic, s.openAPI),
		rt(dev, get, "/dev/mail", hub, tenants.PermPublic, s.devMail),
		rt(api, post, "/auth/register", region, tenants.PermPublic, s.limit(registerByAddress), s.register),
		rt(api, post, "/auth/verify", region, tenants.PermPublic, s.verifyEmail),
		rt(api, post, "/auth/login", hub, tenants.PermPublic, s.limit(loginByAddress), s.limit(loginByEmail), s.login),
		rt(api, post, "/auth/refresh", hub, tenants.PermPublic, s.refresh),
		rt(api, post, "/auth/logout", hub, tenants.PermSignedIn, s.logout),
		rt(api, post, "/auth/password-reset", region, tenants.PermPublic, s.limit(passwordResetByAddress), s.passwordReset),
		rt(api, post, "/auth/password-reset/confirm", region, tenants.PermPublic, s.limit(newPasswordByAddress), s.passwordResetConfirm),
		rt(api, get, "/me", hub, tenants.PermSignedIn, s.me),
		rt(api, post, "/me/password", hub, tenants.PermSignedIn, s.changePassword),
		rt(api, get, "/me/data", hub, tenants.PermSignedIn, s.myData),
		rt(api, del, "/me", hub, tenants.PermSignedIn, s.deleteMe),
		rt(api, get, "/categories", region, tenants.PermPublic, s.categories),
		rt(api, get, "/me/listings", region, tenants.PermListingsCreate, s.myListings),
		rt(api, post, "/listings", region, tenants.PermListingsCreate, s.createListing),
		rt(api, get, "/listings/:id", region, tenants.PermPublic, s.getListing),
		rt(api, patch, "/listings/:id", region, tenants.PermListingsOwn, s.updateListing),
		rt(api, del, "/listings/:id", region, tenants.PermListingsOwn, s.archiveListing),
		rt(api, post, "/listings/:id/submit", region, tenants.PermListingsOwn, s.submitListing),
		rt(api, get, "/listings/:id/history", region, tenants.PermListingsOwn, s.listingHistory),
		rt(api, post, "/listings/:id/confirm", region, tenants.PermListingsOwn, s.confirmListing),
		rt(api, get, "/moderation/queue", region, tenants.PermModerate, s.moderationQueue),
		rt(api, post, "/moderation/:id/approve", region, tenants.PermModerate, s.moderate(store.ActionApprove)),
		rt(api, post, "/moderation/:id/reject", region, tenants.PermModerate, s.moderate(store.ActionReject)),
		rt(api, post, "/moderation/:id/request-changes", region, tenants.PermModerate, s.moderate(store.ActionRequestChanges)),
		rt(api, post, "/moderation/:id/suspend", region, tenants.PermModerate, s.moderate(store.ActionSuspend)),
		rt(api, post, "/moderation/:id/reinstate", region, tenants.PermModerate, s.moderate(store.ActionReinstate)),
		rt(api, get, "/admin/stale", region, tenants.PermModerate, s.staleListings),
		rt(api, post, "/admin/import", region, tenants.PermAdmin, s.importListings),
		rt(api, get, "/search", hub, tenants.PermPublic, corsAnyone, s.searchListings), // CORS: the embeddable widget (issue 16)
		rt(api, get, "/search/suggest", hub, tenants.PermPublic, s.suggest),
		rt(api, get, "/search/key", region, tenants.PermPublic, s.searchKey),
		// Who serves my gmina: gminas by name for the search page's picker.
		rt(api, get, "/teryt/gminas", hub, tenants.PermPublic, s.gminaSuggest),
		rt(api, get, "/stats", hub, tenants.PermPublic, s.stats),
		rt(api, get, "/report", hub, tenants.PermPublic, s.reportAPI),
		rt(api, get, "/export.csv", hub, tenants.PermPublic, s.export(store.ExportCSV)),
		rt(api, get, "/export.json", hub, tenants.PermPublic, s.export(store.ExportJSON)),
		rt(api, get, "/export.xlsx", hub, tenants.PermPublic, s.export(store.ExportXLSX)),
		rt(file, get, "/static/:file", anywhere, tenants.PermPublic, s.staticFile),
		rt(file, get, "/motyw.css", region, tenants.PermPublic, s.themeCSS),
		rt(file, get, "/logo", region, tenants.PermPublic, s.tenantLogo),
		rt(file, get, "/statystyki/raport.csv", hub, tenants.PermPublic, s.reportCSV),
		rt(file, get, "/statystyki/raport.xlsx", hub, tenants.PermPublic, s.reportXLSX), // statistics at every level: the report as a workbook
		// Issue 12: the market-check record of a search, beside its exports.
		rt(file, get, "/szukaj/rozeznanie.pdf", hub, tenants.PermPublic, s.marketCheckPDF),
		cached(rt(page, get, "/", hub, tenants.PermPublic, s.homePage), homeGroupOf), // the hub, or a region's home
		rt(page, get, "/szukaj", hub, tenants.PermPublic, s.searchPage),
		rt(page, get, "/deklaracja-dostepnosci", hub, tenants.PermPublic, s.accessibilityPage),
		rt(page, get, "/statystyki", hub, tenants.PermPublic, s.statsPage),
		rt(page, get, "/statystyki/raport", hub, tenants.PermPublic, s.reportPage),
		cached(rt(page, get, "/podmiot/:id", region, tenants.PermPublic, s.profilePage), profileGroup),
		rt(page, post, "/podmiot/:id/status", region, tenants.PermModerate, s.profileModerate),
		rt(page, get, "/rejestracja", region, tenants.PermPublic, s.registerPage),
		rt(page, post, "/rejestracja", region, tenants.PermPublic, s.limit(registerByAddress), s.registerSubmit),
		rt(page, get, "/weryfikacja", region, tenants.PermPublic, s.verifyPage),
		rt(page, get, "/logowanie", region, tenants.PermPublic, s.loginPage),
		rt(page, post, "/logowanie", region, tenants.PermPublic, s.limit(loginByAddress), s.limit(loginByEmail), s.loginSubmit),
		rt(page, post, "/wyloguj", region, tenants.PermPublic, s.logoutSubmit),
		rt(page, get, "/przypomnij-haslo", region, tenants.PermPublic, s.forgotPage),
		rt(page, post, "/przypomnij-haslo", region, tenants.PermPublic, s.limit(passwordResetByAddress), s.forgotSubmit),
		rt(page, get, "/nowe-haslo", region, tenants.PermPublic, s.resetPage),
		rt(page, post, "/nowe-haslo", region, tenants.PermPublic, s.limit(newPasswordByAddress), s.resetSubmit),
		rt(page, get, "/moje", region, tenants.PermListingsCreate, s.myListingsPage),
		rt(page, get, "/moje/nowy", region, tenants.PermListingsCreate, s.newListingPage),
		rt(page, post, "/moje/nowy", region, tenants.PermListingsCreate, s.listingFormSubmit),
		rt(page, get, "/moje/:id", region, tenants.PermListingsOwn, s.editListingPage),
		rt(page, post, "/moje/:id", region, tenants.PermListingsOwn, s.listingFormSubmit),
		rt(page, post, "/moje/:id/wyslij", region, tenants.PermListingsOwn, s.submitListingPost),
		rt(page, get, "/moje/:id/historia", region, tenants.PermListingsOwn, s.historyPage),
		rt(page, get, "/moderacja", region, tenants.PermModerate, s.queuePage),
		rt(page, post, "/moderacja/:id", region, tenants.PermModerate, s.moderatePost),
		rt(page, get, "/admin/wyglad", region, tenants.PermAdmin, s.brandingPage),
		rt(page, post, "/admin/wyglad", region, tenants.PermAdmin, s.brandingSubmit),
		rt(page, get, "/admin/synonimy", region, tenants.PermAdmin, s.synonymsPage),
		rt(page, post, "/admin/synonimy", region, tenants.PermAdmin, s.synonymsSubmit),
		// Buyers' checks (issue 12): a supplier by its identifier, and
		// reports of outdated data, a ticket for the region's moderators.
		rt(api, get, "/lookup", hub, tenants.PermPublic, s.lookup),
		rt(page, get, "/sprawdz", hub, tenants.PermPublic, s.lookupPage),
		rt(page, get, "/podmiot/:id/zglos", region, tenants.PermPublic, s.outdatedPage),
		rt(page, post, "/podmiot/:id/zglos", region, tenants.PermPublic, s.limit(outdatedReportByAddress), s.outdatedSubmit),
		rt(page, get, "/podmiot/:id/zglos/dziekujemy", region, tenants.PermPublic, s.outdatedThanksPage),
		rt(page, get, "/moderacja/zgloszenia", region, tenants.PermModerate, s.outdatedInboxPage),
		rt(page, post, "/moderacja/zgloszenia/:rid/zamknij", region, tenants.PermModerate, s.closeOutdatedPost),
		// Decisions by mail and on the desk: a person's notifications.
		rt(api, get, "/me/notifications", region, tenants.PermSignedIn, s.myNotifications),
		rt(api, post, "/me/notifications/:nid/read", region, tenants.PermSignedIn, s.readNotification),
		rt(page, post, "/moje/powiadomienia/:nid", region, tenants.PermSignedIn, s.readNotificationPost),
		// Claiming imported listings, one-click confirmation, the account and the privacy notice.
		rt(api, post, "/listings/:id/claim", region, tenants.PermListingsCreate, s.claimListing),
		rt(api, post, "/listings/:id/claim/confirm", region, tenants.PermListingsCreate, s.confirmClaim),
		rt(api, get, "/moderation/claims", region, tenants.PermModerate, s.waitingClaims),
		rt(api, post, "/moderation/claims/:id/approve", region, tenants.PermModerate, s.decideClaim(true)),
		rt(api, post, "/moderation/claims/:id/reject", region, tenants.PermModerate, s.decideClaim(false)),
		rt(page, get, "/przejmij/:id", region, tenants.PermListingsCreate, s.claimPage),
		rt(page, post, "/przejmij/:id", region, tenants.PermListingsCreate, s.claimSubmit),
		rt(page, post, "/przejmij/:id/kod", region, tenants.PermListingsCreate, s.claimCodeSubmit),
		rt(page, get, "/moderacja/przejecia", region, tenants.PermModerate, s.claimsQueuePage),
		rt(page, post, "/moderacja/przejecia/:id", region, tenants.PermModerate, s.claimDecisionPost),
		rt(page, get, "/moje/:id/potwierdz", region, tenants.PermListingsOwn, s.confirmPage),
		rt(page, post, "/moje/:id/potwierdz", region, tenants.PermListingsOwn, s.confirmPost),
		rt(page, get, "/konto", region, tenants.PermSignedIn, s.accountPage),
		rt(page, post, "/konto/haslo", region, tenants.PermSignedIn, s.accountPasswordPost),
		rt(page, get, "/konto/dane", region, tenants.PermSignedIn, s.myData),
		rt(page, get, "/konto/usun", region, tenants.PermSignedIn, s.accountDeletePage),
		rt(page, post, "/konto/usun", region, tenants.PermSignedIn, s.accountDeletePost),
		rt(page, get, "/prywatnosc", region, tenants.PermPublic, s.privacyPage),
		// Moderators are told: the queue's notification setting (issue 13).
		rt(page, post, "/moderacja/ustawienia/powiadomienia", region, tenants.PermModerate, s.notifyPost),
		// The regional office's pages: imports, stale listings, the taxonomy.
		rt(page, get, "/admin/import", region, tenants.PermAdmin, s.importPage),
		rt(page, post, "/admin/import", region, tenants.PermAdmin, s.importUpload),
		rt(page, get, "/admin/import/:job", region, tenants.PermAdmin, s.importJobPage),
		rt(page, post, "/admin/import/:job/importuj", region, tenants.PermAdmin, s.importRun),
		rt(page, get, "/admin/import/:job/raport.xlsx", region, tenants.PermAdmin, s.importReport),
		rt(page, get, "/admin/nieaktualne", region, tenants.PermModerate, s.stalePage),
		rt(page, post, "/admin/nieaktualne/:id/przypomnij", region, tenants.PermModerate, s.staleRemind),
		rt(page, get, "/admin/kategorie", region, tenants.PermAdmin, s.categoriesPage),
		rt(page, post, "/admin/kategorie", region, tenants.PermAdmin, s.categoryAdd),
		rt(page, get, "/admin/kategorie/:code", region, tenants.PermAdmin, s.categoryEditPage),
		rt(page, post, "/admin/kategorie/:code", region, tenants.PermAdmin, s.categoryUpdate),
		rt(page, post, "/admin/kategorie/:code/wycofaj", region, tenants.PermAdmin, s.categoryRetire),
		// library (issue 18): the observatories' reports, research, guides and events.
		rt(api, get, "/library", hub, tenants.PermPublic, s.libraryList),
		rt(api, post, "/library", region, tenants.PermLibrary, s.libraryCreate),
		rt(api, get, "/library/:id", region, tenants.PermPublic, s.libraryGet),
		rt(api, patch, "/library/:id", region, tenants.PermLibrary, s.libraryPatch),
		rt(api, del, "/library/:id", region, tenants.PermLibrary, s.libraryDelete),
		rt(api, get, "/library/:id/history", region, tenants.PermLibrary, s.libraryHistory),
		rt(api, post, "/library/:id/files", region, tenants.PermLibrary, s.libraryFileUpload),
		rt(api, get, "/library/:id/files/:name", region, tenants.PermPublic, s.libraryFile),
		rt(api, post, "/library/:id/publish", region, tenants.PermLibrary, s.libraryPublish),
		rt(file, get, "/wydarzenia.ics", hub, tenants.PermPublic, s.libraryICS),
		rt(file, get, "/biblioteka/atom.xml", hub, tenants.PermPublic, s.libraryAtom),
		rt(page, get, "/biblioteka", hub, tenants.PermPublic, s.libraryHomePage),
		rt(page, get, "/biblioteka/tag/:tag", hub, tenants.PermPublic, s.libraryTagPage),
		rt(page, get, "/wydarzenia", hub, tenants.PermPublic, s.calendarPage),
		rt(page, get, "/biblioteka/nowa", region, tenants.PermLibrary, s.libraryNewPage),
		rt(page, post, "/biblioteka/nowa", region, tenants.PermLibrary, s.libraryFormSubmit),
		rt(page, get, "/biblioteka/pozycja/:id", region, tenants.PermPublic, s.libraryItemPage),
		rt(page, get, "/biblioteka/pozycja/:id/pliki/:name", region, tenants.PermPublic, s.libraryFile),
		rt(page, get, "/biblioteka/pozycja/:id/edycja", region, tenants.PermLibrary, s.libraryEditPage),
		rt(page, post, "/biblioteka/pozycja/:id/edycja", region, tenants.PermLibrary, s.libraryFormSubmit),
		rt(page, post, "/biblioteka/pozycja/:id/plik", region, tenants.PermLibrary, s.libraryUploadPost),
		rt(page, post, "/biblioteka/pozycja/:id/publikuj", region, tenants.PermLibrary, s.libraryPublishPost),
		rt(page, post, "/biblioteka/pozycja/:id/usun", region, tenants.PermLibrary, s.libraryArchivePost),
		rt(api, post, "/library/:id/cover", region, tenants.PermLibrary, s.libraryCoverUpload),
		rt(page, get, "/biblioteka/pozycja/:id/okladka", region, tenants.PermPublic, s.libraryCover),
		rt(page, post, "/biblioteka/pozycja/:id/okladka", region, tenants.PermLibrary, s.libraryCoverPost),
		rt(file, get, "/biblioteka/pozycja/:id/wydarzenie.ics", region, tenants.PermPublic, s.libraryEventICS),
		// registries (issue 15): prefill from KRS, REGON and the VAT list
		// (the form's own "Pobierz z rejestru" posts to /moje/…), the
		// nightly check's flags and a moderator's "check now".
		rt(api, get, "/registry", region, tenants.PermSignedIn, s.registryAPI),
		rt(api, get, "/admin/verification", region, tenants.PermModerate, s.verificationAPI),
		rt(page, get, "/admin/weryfikacja", region, tenants.PermModerate, s.verificationPage),
		rt(page, post, "/admin/weryfikacja/:id", region, tenants.PermModerate, s.verificationDecide),
		rt(page, post, "/moderacja/:id/rejestry", region, tenants.PermModerate, s.verifyNowPost),
		rt(page, post, "/admin/import/:job/rejestry", region, tenants.PermAdmin, s.importCheckStart),
		rt(page, get, "/admin/import/:job/rejestry", region, tenants.PermAdmin, s.importCheckPage),
		// buyers' needs (issue 14)
		rt(api, get, "/me/buyer", region, tenants.PermNeedsPost, s.myBuyer),
		rt(api, get, "/me/needs", region, tenants.PermNeedsPost, s.myNeeds),
		rt(api, post, "/needs", region, tenants.PermNeedsPost, s.createNeed),
		rt(api, get, "/needs", hub, tenants.PermPublic, s.listNeeds),
		rt(api, get, "/needs/:id", region, tenants.PermPublic, s.getNeed),
		rt(api, patch, "/needs/:id", region, tenants.PermNeedsPost, s.updateNeed),
		rt(api, post, "/needs/:id/submit", region, tenants.PermNeedsPost, s.submitNeed),
		rt(api, post, "/needs/:id/withdraw", region, tenants.PermNeedsPost, s.withdrawNeed),
		rt(api, post, "/needs/:id/attachments", region, tenants.PermNeedsPost, s.addNeedFile),
		rt(api, get, "/needs/:id/files/:fid", region, tenants.PermPublic, s.needFile),
		rt(api, get, "/needs/:id/matches", region, tenants.PermSignedIn, s.needMatches),
		rt(api, get, "/needs/:id/answers", region, tenants.PermSignedIn, s.needAnswers),
		rt(api, post, "/needs/:id/answers", region, tenants.PermNeedsAnswer, s.answerNeed),
		rt(api, post, "/needs/:id/answers/:aid/confirm", region, tenants.PermNeedsAnswer, s.confirmPartner),
		rt(api, post, "/needs/:id/decline", region, tenants.PermNeedsAnswer, s.declineNeed),
		rt(api, post, "/needs/click", region, tenants.PermPublic, s.limit(needClickByAddress), s.needClick),
		rt(api, get, "/needs/:id/questions", region, tenants.PermPublic, s.needQuestions),
		rt(api, post, "/needs/:id/questions", region, tenants.PermSignedIn, s.limit(needQuestionByAddress), s.askQuestion),
		rt(api, post, "/needs/:id/questions/:qid/answer", region, tenants.PermNeedsPost, s.answerQuestion),
		rt(api, post, "/needs/:id/remind", region, tenants.PermNeedsPost, s.remindNeed),
		rt(api, post, "/needs/:id/close", region, tenants.PermNeedsPost, s.closeNeed),
		rt(api, get, "/stats/needs", hub, tenants.PermPublic, s.needStats),
		rt(api, get, "/moderation/needs", region, tenants.PermNeedsModerate, s.pendingNeeds),
		rt(api, post, "/moderation/needs/:id/approve", region, tenants.PermNeedsModerate, s.moderateNeed(true)),
		rt(api, post, "/moderation/needs/:id/reject", region, tenants.PermNeedsModerate, s.moderateNeed(false)),
		rt(api, get, "/moderation/buyers", region, tenants.PermNeedsModerate, s.waitingBuyers),
		rt(api, post, "/moderation/buyers/:id/approve", region, tenants.PermNeedsModerate, s.decideBuyer(true)),
		rt(api, post, "/moderation/buyers/:id/reject", region, tenants.PermNeedsModerate, s.decideBuyer(false)),
		rt(api, get, "/admin/needs-settings", region, tenants.PermAdmin, s.needSettings),
		rt(api, patch, "/admin/needs-settings", region, tenants.PermAdmin, s.updateNeedSettings),
		rt(page, get, "/zapytania", hub, tenants.PermPublic, s.needsPage),
		rt(file, get, "/zapytania.atom", region, tenants.PermPublic, s.needsFeed),
		rt(page, get, "/zapytania/klik", region, tenants.PermPublic, s.clickPage),
		rt(page, post, "/zapytania/klik", region, tenants.PermPublic, s.limit(needClickByAddress), s.clickPost),
		rt(page, get, "/zapytania/:id", region, tenants.PermPublic, s.needPage),
		rt(file, get, "/zapytania/:id/pliki/:fid", region, tenants.PermPublic, s.needFile),
		rt(page, post, "/zapytania/:id/pytanie", region, tenants.PermSignedIn, s.limit(needQuestionByAddress), s.askPost),
		rt(page, get, "/statystyki/zapytania", hub, tenants.PermPublic, s.needStatsPage),
		rt(page, get, "/zamawiajacy/rejestracja", region, tenants.PermPublic, s.buyerRegisterPage),
		rt(page, post, "/zamawiajacy/rejestracja", region, tenants.PermPublic, s.limit(registerByAddress), s.buyerRegisterSubmit),
		rt(page, get, "/zamawiajacy", region, tenants.PermNeedsPost, s.buyerDeskPage),
		rt(page, get, "/zamawiajacy/nowe", region, tenants.PermNeedsPost, s.newNeedPage),
		rt(page, post, "/zamawiajacy/nowe", region, tenants.PermNeedsPost, s.needFormSubmit),
		rt(page, get, "/zamawiajacy/zapytania/:id", region, tenants.PermNeedsPost, s.needDeskPage),
		rt(page, get, "/zamawiajacy/zapytania/:id/edycja", region, tenants.PermNeedsPost, s.editNeedPage),
		rt(page, post, "/zamawiajacy/zapytania/:id/edycja", region, tenants.PermNeedsPost, s.needFormSubmit),
		rt(page, post, "/zamawiajacy/zapytania/:id/wyslij", region, tenants.PermNeedsPost, s.needAction(s.needSubmitPost)),
		rt(page, post, "/zamawiajacy/zapytania/:id/wycofaj", region, tenants.PermNeedsPost, s.needAction(s.needWithdrawPost)),
		rt(page, post, "/zamawiajacy/zapytania/:id/zalacznik", region, tenants.PermNeedsPost, s.needAction(s.needFilePost)),
		rt(page, post, "/zamawiajacy/zapytania/:id/przypomnij", region, tenants.PermNeedsPost, s.needAction(s.needRemindPost)),
		rt(page, post, "/zamawiajacy/zapytania/:id/zamknij", region, tenants.PermNeedsPost, s.needAction(s.needClosePost)),
		rt(page, post, "/zamawiajacy/zapytania/:id/pytania/:qid", region, tenants.PermNeedsPost, s.needAction(s.needQuestionPost)),
		rt(file, get, "/zamawiajacy/zapytania/:id/sledzenie.xlsx", region, tenants.PermNeedsPost, s.needTrackingXLSX),
		rt(page, get, "/moje-zapytania", region, tenants.PermNeedsAnswer, s.needInboxPage),
		rt(page, post, "/moje-zapytania/wycisz", region, tenants.PermNeedsAnswer, s.needMutePost),
		rt(page, post, "/moje-zapytania/potwierdz/:aid", region, tenants.PermNeedsAnswer, s.partnerConfirmPost),
		rt(page, get, "/moje-zapytania/:id/odpowiedz", region, tenants.PermNeedsAnswer, s.answerPage),
		rt(page, post, "/moje-zapytania/:id/odpowiedz", region, tenants.PermNeedsAnswer, s.answerSubmit),
		rt(page, post, "/moje-zapytania/:id/odrzuc", region, tenants.PermNeedsAnswer, s.declinePost),
		rt(page, get, "/moderacja/zapytania", region, tenants.PermNeedsModerate, s.needsQueuePage),
		rt(page, post, "/moderacja/zapytania/:id", region, tenants.PermNeedsModerate, s.needDecisionPost),
		rt(page, post, "/moderacja/zamawiajacy/:id", region, tenants.PermNeedsModerate, s.buyerDecisionPost),
		rt(page, get, "/admin/zapytania", region, tenants.PermAdmin, s.needSettingsPage),
		rt(page, post, "/admin/zapytania", region, tenants.PermAdmin, s.needSettingsPost),
		// integrators (issue 16)
		rt(api, get, "/admin/api-keys", region, tenants.PermAdmin, s.listAPIKeys),
		rt(api, post, "/admin/api-keys", region, tenants.PermAdmin, s.createAPIKey),
		rt(api, del, "/admin/api-keys/:id", region, tenants.PermAdmin, s.revokeAPIKey),
		rt(page, get, "/admin/integracje", region, tenants.PermAdmin, s.integratorsPage),
		rt(page, post, "/admin/integracje/klucze", region, tenants.PermAdmin, s.apiKeyCreatePost),
		rt(page, post, "/admin/integracje/klucze/:id/odwolaj", region, tenants.PermAdmin, s.apiKeyRevokePost),
		rt(api, get, "/admin/webhooks", region, tenants.PermAdmin, s.listWebhooks),
		rt(api, post, "/admin/webhooks", region, tenants.PermAdmin, s.createWebhook),
		rt(api, del, "/admin/webhooks/:id", region, tenants.PermAdmin, s.removeWebhook),
		rt(api, get, "/admin/webhooks/deliveries", region, tenants.PermAdmin, s.webhookDeliveries),
		rt(page, post, "/admin/integracje/webhooki", region, tenants.PermAdmin, s.webhookCreatePost),
		rt(page, post, "/admin/integracje/webhooki/:id/usun", region, tenants.PermAdmin, s.webhookRemovePost),
		rt(page, post, "/admin/integracje/osadzanie", region, tenants.PermAdmin, s.frameOriginsPost),
		rt(file, get, "/widget.js", region, tenants.PermPublic, s.widgetJS),
		rt(file, get, "/widget.css", region, tenants.PermPublic, s.widgetCSS),
		rt(page, get, "/osadz", region, tenants.PermPublic, s.embedPage),
		rt(file, get, "/dane.jsonld", region, tenants.PermPublic, s.dcatDataset),
		// Performance (issue 17): the icon browsers ask the site's root for.
		rt(ops, get, "/favicon.ico", anywhere, tenants.PermPublic, s.favicon),
	}
}

// routes registers the table: ops routes once, a region's routes twice,
// under /r/{slug} and on the host (a region's own, or the national hub's).
func (s *Server) routes(app *fiber.App) {
	app.Use(requestIDMiddleware, compressAnswers(), s.base, recover.New(recover.Config{EnableStackTrace: false}), s.securityHeaders)
	table := s.routeTable()
	for _, r := range table {
		if r.kind == ops || r.kind == dev && s.cfg.Development {
			s.mount(app, "", r)
		}
	}
	for _, g := range []struct {
		prefix string
		find   fiber.Handler
	}{{"/r/:slug", s.tenantBySlug}, {"", s.tenantByHost}} {
		grp := app.Group(g.prefix, g.find, s.authenticate)
		for _, r := range table {
			if r.kind != ops && r.kind != dev {
				s.mount(grp, g.prefix, r)
			}
		}
	}
	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}

// mount is the one way a route is added: the scope, what its kind
// needs, the permission, then its chain. It keeps the declared permission
// for each method and path, so a test can find a route without one.
func (s *Server) mount(r fiber.Router, prefix string, rt route) {
	path := rt.path
	if rt.kind == api {
		path = "/api/v1" + path
	}
	var chain []fiber.Handler
	switch rt.scope {
	case region:
		chain = append(chain, tenantOnly)
	case hub:
		chain = append(chain, hubScope)
	}
	switch rt.kind {
	case api:
		chain = append(chain, limitJSON)
	case page:
		if rt.cache != nil && rt.perm == tenants.PermPublic {
			chain = append(chain, s.cachedRoute(rt.cache))
		}
		// A post without the CSRF token is a 403; the cookie session
		// renews an expired access token before the permission is read.
		chain = append(chain, s.ui.csrf, s.pageSession)
	}
	if rt.kind == api || rt.kind == page {
		chain = append(chain, s.rememberLanguage)
	}
	chain = append(chain, s.guard(rt.kind, rt.perm))
	chain = append(chain, rt.chain...)
	methods := []string{rt.method}
	if rt.method == fiber.MethodGet {
		methods = append(methods, fiber.MethodHead)
	}
	for _, m := range methods {
		r.Add(m, path, chain...)
		s.declared[m+" "+prefix+path] = rt.perm
	}
}

// tenantOnly refuses a region's route on the national hub.
func tenantOnly(c *fiber.Ctx) error {
	if _, err := needTenant(c); err != nil {
		return err
	}
	return c.Next()
}

// hubScope lets a route read across every region when it is served on the
// national hub; under a region it stays in that region.
func hubScope(c *fiber.Ctx) error {
	if _, ok := tenants.FromContext(c.UserContext()); !ok {
		c.SetUserContext(tenants.WithAllTenants(c.UserContext()))
	}
	return c.Next()
}

// securityHeaders are sent with every answer. Production is served over
// HTTPS only, so browsers are told to keep to it (HSTS, a year).
func (s *Server) securityHeaders(c *fiber.Ctx) error {
	if !s.cfg.Development {
		c.Set(fiber.HeaderStrictTransportSecurity, "max-age=31536000; includeSubDomains")
	}
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
	return c.Next()
}
