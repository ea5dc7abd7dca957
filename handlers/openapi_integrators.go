package handlers

// The contract of the integrators' routes (issue 16).

func integratorDocs() []apiDoc {
	return []apiDoc{}
}
