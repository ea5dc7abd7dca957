package handlers

import (
	"net/http"

	"katalogpes/search"
	"katalogpes/store"
)

// The contract of the library (issue 18, API.md "Library").

// libraryParams are the library search's filters (libraryQuery); a
// filter may repeat, and then any of its values matches.
type libraryParams struct {
	Q        string   `query:"q" description:"Words to find, in the items and their PDFs' text."`
	Kind     []string `query:"kind" description:"Kinds: raport, badanie, publikacja, poradnik, artykul, wydarzenie, szkolenie, konkurs."`
	Tag      []string `query:"tag"`
	Category []string `query:"category" description:"Category codes."`
	Year     []int    `query:"year" minimum:"1900" maximum:"2200"`
	From     string   `query:"from" format:"date" description:"Published (or, for an event, starting) on or after this day."`
	To       string   `query:"to" format:"date" description:"… on or before this day."`
	Page     int      `query:"page" minimum:"1" description:"From 1; 20 hits a page."`
}

func libraryDocs() []apiDoc {
	conflict := []int{http.StatusConflict}
	return []apiDoc{
		{method: get, path: "/library", id: "searchLibrary", tag: "library", summary: "Search the published library",
			description: "Reports, research, guides and events; a 503 (try again) when search is down.",
			query:       libraryParams{}, answer: search.LibraryResult{}},
		{method: post, path: "/library", id: "createLibraryItem", tag: "library", summary: "Add a library item (a draft)",
			body: store.LibraryInput{}, ok: http.StatusCreated, answer: store.LibraryItem{}},
		{method: get, path: "/library/:id", id: "getLibraryItem", tag: "library", summary: "A library item",
			description: "A published item; a draft only to the region's staff.", answer: store.LibraryItem{}},
		{method: patch, path: "/library/:id", id: "updateLibraryItem", tag: "library", summary: "Change a library item (JSON merge patch)",
			body: store.LibraryInput{}, answer: store.LibraryItem{}, problems: conflict},
		{method: del, path: "/library/:id", id: "archiveLibraryItem", tag: "library", summary: "Archive a library item",
			answer: store.LibraryItem{}, problems: conflict},
		{method: get, path: "/library/:id/history", id: "libraryItemHistory", tag: "library", summary: "A library item's events, oldest first",
			answer: []store.LibraryHistoryLine{}},
		{method: post, path: "/library/:id/files", id: "uploadLibraryFile", tag: "library", summary: "Add a document (PDF, DOCX or XLSX, up to 25 MB)",
			description: "The type is told by the content, whatever the name says; a PDF's text is read for search.",
			upload:      true, ok: http.StatusCreated, answer: store.LibraryItem{}, problems: conflict},
		{method: get, path: "/library/:id/files/:name", id: "getLibraryFile", tag: "library", summary: "A library item's document",
			description: "Served with its own type as an attachment; a draft's only to the region's staff.",
			answer:      textBody(""), media: store.TypePDF, alsoMedia: []string{store.TypeDOCX, store.TypeXLSX}},
		{method: post, path: "/library/:id/publish", id: "publishLibraryItem", tag: "library", summary: "Publish a library item",
			answer: store.LibraryItem{}, problems: conflict},
		{method: post, path: "/library/:id/cover", id: "uploadLibraryCover", tag: "library", summary: "Set a library item's cover (PNG or JPEG, up to 2 MB)",
			upload: true, ok: http.StatusCreated, answer: store.LibraryItem{}, problems: conflict},
	}
}
