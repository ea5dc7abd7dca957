package handlers

// Internals of the pages, for the external tests.
var (
	FormatInt  = formatInt
	FormatDate = formatDate
	PluralForm = pluralForm
)
