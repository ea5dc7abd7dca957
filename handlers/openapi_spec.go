package handlers

import (
	"encoding/json"
	"net/http"
	"reflect"

	"github.com/swaggest/jsonschema-go"
	"github.com/swaggest/openapi-go/openapi3"
)

// The document's frame: info, servers, security schemes and tags.

// contractTags are the document's tags, each operation's one of them.
func contractTags() [][2]string {
	return [][2]string{
		{"ops", "Health, readiness, metrics and this contract."},
		{"accounts", "Registration, sign-in, tokens and the signed-in person's account."},
		{"listings", "Listings: what an enterprise registers and keeps current."},
		{"moderation", "The moderators' queue and decisions."},
		{"claims", "Claiming a listing the region imported."},
		{"search", "Search, suggestions, place names and supplier look-up."},
		{"data", "Exports, imports, statistics and reports."},
		{"integrators", "API keys and webhooks for integrators."},
		{"library", "The regional library: reports, research, guides and events."},
		{"registry", "KRS, REGON and the VAT list: prefill and the nightly check's flags."},
		{"needs", "Buyers' needs: public institutions post them, social-economy entities answer."},
	}
}

func newContractReflector(baseURL string) *openapi3.Reflector {
	r := openapi3.NewReflector()
	r.Spec = &openapi3.Spec{Openapi: "3.0.3"}
	r.Spec.Info.
		WithTitle("Katalog PES API").
		WithVersion("1").
		WithDescription("The HTTP contract of Katalog PES, the catalog of Poland's social-economy entities, " +
			"one region (tenant) per voivodeship. A region's routes live under /r/{slug}; a region's own host " +
			"serves the same routes without the prefix. Routes without the prefix on the base host are the " +
			"national hub. Errors are RFC 9457 problem documents, Polish by default, English with Accept-Language: en.").
		WithContact(openapi3.Contact{Name: ptr("Katalog PES"), URL: ptr("https://github.com/katalogpes")}).
		WithLicense(openapi3.License{Name: "CC BY 4.0 (the data)", URL: ptr("https://creativecommons.org/licenses/by/4.0/")})
	if baseURL == "" {
		baseURL = "http://localhost:8080"
	}
	r.Spec.WithServers(openapi3.Server{URL: baseURL, Description: ptr("This site (BASE_URL).")})
	for _, t := range contractTags() {
		r.Spec.Tags = append(r.Spec.Tags, openapi3.Tag{Name: t[0], Description: ptr(t[1])})
	}
	r.Spec.SetHTTPBearerTokenSecurity(securityBearer, "JWT", "An access token from auth/login (Authorization: Bearer …).")
	r.Spec.SetHTTPBearerTokenSecurity(securityAPIKey, "kp_…",
		"An integrator's API key (Authorization: Bearer kp_…): reads what the public reads, at the key's own rate limit.")
	// Schema names without the Go package: Listing, Problem, …
	r.JSONSchemaReflector().DefaultOptions = append(r.JSONSchemaReflector().DefaultOptions,
		jsonschema.StripDefinitionNamePrefix("Handlers", "Store"),
		jsonschema.InterceptNullability(nullableRefs))
	return r
}

// nullableRefs lets a pointer to a shared schema be null where Go writes
// nil: {nullable, allOf: [$ref]}, since OpenAPI 3.0 ignores siblings of
// a $ref.
func nullableRefs(p jsonschema.InterceptNullabilityParams) {
	if p.Type == reflect.TypeFor[json.RawMessage]() || p.Type.Kind() == reflect.Interface {
		p.Schema.AnyOf = anyJSON()
		return
	}
	if p.Type.Kind() != reflect.Ptr || p.Schema.Ref == nil || p.OmitEmpty {
		return
	}
	ref := jsonschema.Schema{Ref: p.Schema.Ref}
	p.Schema.Ref = nil
	p.Schema.AllOf = []jsonschema.SchemaOrBool{ref.ToSchemaOrBool()}
	p.Schema.AddType(jsonschema.Null)
}

// retryProblem is a problem that says when to try again.
type retryProblem struct {
	RetryAfter int `header:"Retry-After" required:"true" description:"Seconds to wait."`
	Problem
}

// problemAnswer is the body (and headers) of a problem with status.
func problemAnswer(status int) any {
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		return new(retryProblem)
	}
	return new(Problem)
}

// anyJSON is any JSON value, null too, each alternative with its type
// (OpenAPI 3.0 has no type-less nullable schema).
func anyJSON() []jsonschema.SchemaOrBool {
	var out []jsonschema.SchemaOrBool
	for _, t := range []jsonschema.SimpleType{jsonschema.String, jsonschema.Number, jsonschema.Boolean, jsonschema.Object, jsonschema.Array} {
		var s jsonschema.Schema
		s.AddType(t)
		if t == jsonschema.String {
			s.AddType(jsonschema.Null)
		}
		if t == jsonschema.Array {
			s.WithItems(*(&jsonschema.Items{}).WithSchemaOrBool(jsonschema.SchemaOrBool{TypeBoolean: ptr(true)}))
		}
		out = append(out, s.ToSchemaOrBool())
	}
	return out
}
