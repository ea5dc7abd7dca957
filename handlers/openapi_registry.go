package handlers

import (
	"katalogpes/store"
)

// The contract of the registries (issue 15, API.md "Registries").

// registryParams is the one identifier asked about: KRS, else NIP, else
// REGON (registryQuery).
type registryParams struct {
	KRS   string `query:"krs" description:"A KRS number; asked before nip and regon."`
	NIP   string `query:"nip" description:"A NIP; asked when krs is not given."`
	REGON string `query:"regon" description:"A REGON; asked when neither krs nor nip is given."`
}

type verificationParams struct {
	Flag string `query:"flag" enum:"struck_off,bankrupt,deleted,ended,suspended" description:"Only this flag; every flag when left out."`
}

// verificationAnswer is the flagged listings waiting for a decision.
type verificationAnswer struct {
	Flags []store.VerificationFlag `json:"flags" required:"true"`
}

func registryDocs() []apiDoc {
	return []apiDoc{
		{method: get, path: "/registry", id: "askRegistries", tag: "registry", summary: "What KRS, REGON and the VAT list say of an entity",
			description: "Each registry's answer (one that cannot answer is ok: false, the others still answer) and the listing form's prefill. Nothing is saved.",
			query:       registryParams{}, answer: store.RegistryAnswer{}},
		{method: get, path: "/admin/verification", id: "verificationFlags", tag: "registry", summary: "Listings the nightly registry check flagged, oldest first",
			query: verificationParams{}, answer: verificationAnswer{}},
	}
}
