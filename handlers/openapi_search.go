package handlers

import (
	"net/http"
	"time"

	"katalogpes/search"
	"katalogpes/store"
)

// The contract of search, look-up, data and operations.

// pagingParams pages a list.
type pagingParams struct {
	Page    int `query:"page" minimum:"1" maximum:"1000" description:"From 1."`
	PerPage int `query:"per_page" minimum:"1" maximum:"100"`
}

// searchParams are the search's filters (API.md "Search"); a filter may
// repeat, and then any of its values matches.
type searchParams struct {
	Q                 string   `query:"q" description:"Words to find."`
	LegalForm         []string `query:"legal_form" description:"Legal form codes (DOMAIN.md)."`
	Kind              []string `query:"kind"`
	Powiat            []string `query:"powiat" description:"4-digit TERYT codes."`
	Gmina             []string `query:"gmina" description:"7-digit TERYT codes."`
	Serves            []string `query:"serves" description:"A gmina's 7-digit code: listings whose service area covers it."`
	Category          []string `query:"category"`
	Certificate       []string `query:"certificate"`
	SocialEnterprise  bool     `query:"social_enterprise"`
	ReservedContracts bool     `query:"reserved_contracts"`
	PSPreference      bool     `query:"ps_preference"`
	AtRiskMin         int      `query:"at_risk_min" minimum:"30" maximum:"100"`
	Near              string   `query:"near" description:"lat,lng" example:"50.26,19.02"`
	RadiusKm          float64  `query:"radius_km"`
	Sort              string   `query:"sort" enum:"relevance,name,updated,distance"`
	Lang              string   `query:"lang" enum:"pl,en" description:"The language of exported names."`
	pagingParams
}

type qParam struct {
	Q string `query:"q"`
}

type lookupParams struct {
	NIP   string `query:"nip"`
	REGON string `query:"regon"`
	KRS   string `query:"krs"`
}

type statsParams struct {
	Level  string `query:"level" enum:"powiat,gmina"`
	Powiat string `query:"powiat" description:"4-digit TERYT code (with level=gmina)."`
}

type reportParams struct {
	Dims        []string `query:"dims" description:"One or two of legal_form, kind, powiat, category, voivodeship."`
	LegalForm   []string `query:"legal_form"`
	Kind        []string `query:"kind"`
	Powiat      []string `query:"powiat"`
	Category    []string `query:"category"`
	Voivodeship []string `query:"voivodeship"`
}

type importParams struct {
	DryRun bool `query:"dry_run" description:"Try every row, write nothing."`
}

// searchKeyAnswer is a Meilisearch tenant token for the browser.
type searchKeyAnswer struct {
	Host      string    `json:"host" required:"true"`
	Index     string    `json:"index" required:"true"`
	Token     string    `json:"token" required:"true"`
	ExpiresAt time.Time `json:"expires_at" required:"true"`
}

// readyAnswer says what is reachable.
type readyAnswer struct {
	Ready  bool              `json:"ready" required:"true"`
	Checks map[string]string `json:"checks" required:"true"`
}

// exportDocument is the JSON export: the licence, then the listings.
type exportDocument struct {
	License     string          `json:"license" required:"true"`
	LicenseURL  string          `json:"license_url" required:"true"`
	Attribution string          `json:"attribution" required:"true"`
	GeneratedAt time.Time       `json:"generated_at" required:"true"`
	Tenant      *string         `json:"tenant" description:"The region; null for all of Poland."`
	Listings    []store.Listing `json:"listings" required:"true"`
	Count       int             `json:"count"`
}

// textBody is a body that is not JSON.
type textBody string

func searchDocs() []apiDoc {
	return []apiDoc{
		{method: get, path: "/search", id: "searchListings", tag: "search", summary: "Search published listings",
			query: searchParams{}, answer: search.Result{}},
		{method: get, path: "/search/suggest", id: "suggestNames", tag: "search", summary: "Up to 8 name suggestions", query: qParam{}, answer: []string{}},
		{method: get, path: "/search/key", id: "searchKey", tag: "search", summary: "A Meilisearch tenant token for the browser", answer: searchKeyAnswer{}},
		{method: get, path: "/teryt/gminas", id: "gminasByName", tag: "search", summary: "Gminas by name, for the picker", query: qParam{}, answer: []gminaSuggestion{}},
		{method: get, path: "/lookup", id: "lookupSupplier", tag: "search", summary: "Is my supplier a listed PES?", query: lookupParams{}, answer: lookupAnswer{}},
	}
}

func dataDocs() []apiDoc {
	export := func(path, id, media, what string) apiDoc {
		return apiDoc{method: get, path: path, id: id, tag: "data", summary: "The published listings matching a search, as " + what,
			description: "Open data under CC BY 4.0.", query: searchParams{}, answer: textBody(""), media: media}
	}
	return []apiDoc{
		{method: get, path: "/stats", id: "stats", tag: "data", summary: "The catalog's figures", query: statsParams{}, answer: powiatStatsJSON{}},
		{method: get, path: "/report", id: "reportCounts", tag: "data", summary: "Published listings counted by one or two dimensions", query: reportParams{}, answer: reportResponse{}},
		export("/export.csv", "exportCSV", "text/csv", "CSV"),
		{method: get, path: "/export.json", id: "exportJSON", tag: "data", summary: "The published listings matching a search, as JSON",
			description: "Open data under CC BY 4.0.", query: searchParams{}, answer: exportDocument{}},
		export("/export.xlsx", "exportXLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
		{method: post, path: "/admin/import", id: "importListings", tag: "data", summary: "Import a register (CSV or XLSX)",
			query: importParams{}, upload: true, answer: store.ImportResult{}},
	}
}

func opsDocs() []apiDoc {
	return []apiDoc{
		{method: get, path: "/healthz", id: "healthz", tag: "ops", summary: "The process is up", answer: statusAnswer{}},
		{method: get, path: "/readyz", id: "readyz", tag: "ops", summary: "Database and search are reachable",
			answer: readyAnswer{}, same: []int{http.StatusServiceUnavailable}},
		{method: get, path: "/metrics", id: "metrics", tag: "ops", summary: "Prometheus metrics", answer: textBody(""), media: "text/plain"},
		{method: get, path: "/api/v1/openapi.json", id: "openapi", tag: "ops", summary: "This contract", answer: map[string]any{}},
		{method: get, path: "/favicon.ico", id: "favicon", tag: "ops", summary: "The site's icon", answer: textBody(""), media: "image/x-icon"},
	}
}
