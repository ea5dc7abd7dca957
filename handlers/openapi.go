package handlers

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/swaggest/openapi-go"
	"github.com/swaggest/openapi-go/openapi3"

	"katalogpes/tenants"
)

// The contract (GET /api/v1/openapi.json) is generated from the route
// table and the documentation of each route (apiDoc, one table per
// resource in openapi_*.go). A route of kind api or ops without its
// apiDoc, or an apiDoc without its route, is a mismatch that
// TestTheContractDocumentsEveryRoute reports.

// apiDoc documents one api or ops route of routeTable, keyed by its method
// and path as written there ("GET", "/listings/:id").
type apiDoc struct {
	method, path string
	id           string // operationId; the national variant gets "National"
	tag          string
	summary      string
	description  string
	query        any      // a struct whose `query:"…"` fields are the parameters
	body         any      // the JSON request body
	upload       bool     // a multipart form with a `file`
	ok           int      // the success status; 0 is 200
	answer       any      // the success body (JSON unless media says); nil is none
	media        string   // the success body's content type when not JSON
	alsoMedia    []string // further content types of the success body
	problems     []int    // problem statuses beyond those derived from the route
	same         []int    // other statuses answered with the success body
}

// docKey is how routes and their documentation meet.
func docKey(method, path string) string { return method + " " + path }

// apiDocs is the documentation of every api and ops route, resource by
// resource. A new resource adds its table here.
func apiDocs() []apiDoc {
	return slices.Concat(opsDocs(), accountDocs(), listingDocs(), moderationDocs(), claimDocs(),
		searchDocs(), dataDocs(), integratorDocs(), libraryDocs(), registryDocs(), needsDocs())
}

// contract is the generated document and what did not match.
type contract struct {
	json       []byte
	mismatches []string
}

var pathParam = regexp.MustCompile(`:([a-z]+)`)

// openAPIPath turns a Fiber path into an OpenAPI one (":id" → "{id}").
func openAPIPath(p string) string { return pathParam.ReplaceAllString(p, "{$1}") }

// buildContract generates the document from the route table.
func (s *Server) buildContract() (contract, error) {
	var out contract
	docs := map[string]apiDoc{}
	for _, d := range apiDocs() {
		if _, dup := docs[docKey(d.method, d.path)]; dup {
			out.mismatches = append(out.mismatches, "documented twice: "+docKey(d.method, d.path))
		}
		docs[docKey(d.method, d.path)] = d
	}
	r := newContractReflector(s.cfg.BaseURL)
	seen := map[string]bool{}
	for _, rt := range s.routeTable() {
		if rt.kind != api && rt.kind != ops {
			continue
		}
		key := docKey(rt.method, rt.path)
		d, ok := docs[key]
		if !ok {
			out.mismatches = append(out.mismatches, "route without documentation: "+key)
			continue
		}
		seen[key] = true
		for _, v := range variants(rt) {
			if err := addOperation(r, rt, d, v); err != nil {
				return out, err
			}
		}
	}
	for key := range docs {
		if !seen[key] {
			out.mismatches = append(out.mismatches, "documentation without a route: "+key)
		}
	}
	sort.Strings(out.mismatches)
	raw, err := r.Spec.MarshalJSON()
	if err != nil {
		return out, fmt.Errorf("marshal the contract: %w", err)
	}
	out.json = raw
	return out, nil
}

// variant is one path a route is served at in the document.
type variant struct {
	path     string
	national bool
}

// variants: a region's route under /r/{slug}; a hub route also without
// it, as the national one; ops as they are. A region's own host serves the
// /r/{slug} routes without the prefix (the servers' description says so).
func variants(rt route) []variant {
	p := openAPIPath(rt.path)
	if rt.kind == ops {
		return []variant{{path: p}}
	}
	vs := []variant{{path: "/r/{slug}/api/v1" + p}}
	if rt.scope == hub {
		vs = append(vs, variant{path: "/api/v1" + p, national: true})
	}
	return vs
}

func addOperation(r *openapi3.Reflector, rt route, d apiDoc, v variant) error {
	oc, err := r.NewOperationContext(rt.method, v.path)
	if err != nil {
		return fmt.Errorf("contract %s %s: %w", rt.method, v.path, err)
	}
	id, summary := d.id, d.summary
	if v.national {
		id, summary = id+"National", summary+" (all regions)"
	}
	oc.SetID(id)
	oc.SetTags(d.tag)
	oc.SetSummary(summary)
	oc.SetDescription(cmpOr(d.description, summary+"."))
	op := oc.(openapi3.OperationExposer).Operation()
	for _, name := range pathParam.FindAllStringSubmatch(rt.path, -1) {
		op.Parameters = append(op.Parameters, pathParameter(name[1]))
	}
	if strings.HasPrefix(v.path, "/r/{slug}") {
		op.Parameters = append(op.Parameters, pathParameter("slug"))
	}
	if d.query != nil {
		oc.AddReqStructure(d.query)
	}
	switch {
	case d.upload:
		oc.AddReqStructure(uploadForm{}, openapi.WithContentType("multipart/form-data"))
	case d.body != nil:
		oc.AddReqStructure(d.body, openapi.WithContentType(fiber.MIMEApplicationJSON))
	}
	okStatus := cmpOr(d.ok, http.StatusOK)
	switch {
	case d.answer == nil:
		oc.AddRespStructure(nil, openapi.WithHTTPStatus(okStatus))
	case d.media != "":
		oc.AddRespStructure(d.answer, openapi.WithHTTPStatus(okStatus), openapi.WithContentType(d.media))
		for _, m := range d.alsoMedia {
			oc.AddRespStructure(d.answer, openapi.WithHTTPStatus(okStatus), openapi.WithContentType(m))
		}
	default:
		oc.AddRespStructure(d.answer, openapi.WithHTTPStatus(okStatus))
	}
	for _, status := range d.same {
		oc.AddRespStructure(d.answer, openapi.WithHTTPStatus(status))
	}
	for _, status := range problemsOf(rt, d, v) {
		oc.AddRespStructure(problemAnswer(status), openapi.WithHTTPStatus(status), openapi.WithContentType(problemMedia))
	}
	op.Security = securityOf(rt)
	if err := r.AddOperation(oc); err != nil {
		return fmt.Errorf("contract %s %s: %w", rt.method, v.path, err)
	}
	return nil
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

const problemMedia = "application/problem+json"

// uploadForm is a multipart upload of one file.
type uploadForm struct {
	File []byte `formData:"file" format:"binary" required:"true" description:"The file."`
}

// problemsOf is every problem status the route really gives: what its
// kind, permission, path and body bring, and what its doc adds.
func problemsOf(rt route, d apiDoc, v variant) []int {
	set := map[int]bool{http.StatusInternalServerError: true}
	if rt.kind == api {
		// A bad bearer token is refused on every route; so is an API key
		// past its rate limit; and a database outage is a 503.
		set[http.StatusUnauthorized], set[http.StatusTooManyRequests] = true, true
		set[http.StatusServiceUnavailable] = true
	}
	if strings.HasPrefix(v.path, "/r/{slug}") || strings.Contains(rt.path, ":") {
		set[http.StatusNotFound] = true
	}
	if rt.perm != tenants.PermPublic {
		set[http.StatusForbidden] = true
	}
	if d.body != nil || d.upload {
		for _, st := range []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity} {
			set[st] = true
		}
	}
	if d.query != nil {
		set[http.StatusBadRequest], set[http.StatusUnprocessableEntity] = true, true
	}
	for _, st := range d.problems {
		set[st] = true
	}
	for _, st := range d.same {
		delete(set, st)
	}
	out := make([]int, 0, len(set))
	for st := range set {
		out = append(out, st)
	}
	sort.Ints(out)
	return out
}

func pathParameter(name string) openapi3.ParameterOrRef {
	p := openapi3.Parameter{Name: name, In: openapi3.ParameterInPath, Required: ptr(true)}
	s := openapi3.Schema{}
	s.WithType(openapi3.SchemaTypeString)
	switch name {
	case "slug":
		p.WithDescription("The region, e.g. slaskie.")
		s.WithPattern("^[a-z-]+$")
	case "code":
		p.WithDescription("A category's code.")
	case "name":
		p.WithDescription("A file's download name, e.g. Raport-koncowy.pdf.")
	default:
		p.WithDescription("The " + name + " (a UUID).")
	}
	p.Schema = &openapi3.SchemaOrRef{Schema: &s}
	return p.ToParameterOrRef()
}

func ptr[T any](v T) *T { return &v }

// securityOf: a public route reads anonymously, with a token or an API
// key; any other wants a signed-in person's token.
func securityOf(rt route) []map[string][]string {
	switch {
	case rt.kind != api:
		return []map[string][]string{{}}
	case rt.perm == tenants.PermPublic:
		return []map[string][]string{{}, {securityBearer: {}}, {securityAPIKey: {}}}
	}
	return []map[string][]string{{securityBearer: {}}}
}

const (
	securityBearer = "bearerJWT"
	securityAPIKey = "apiKey"
)

// openAPI serves the contract.
func (s *Server) openAPI(c *fiber.Ctx) error {
	if s.contractErr != nil {
		return s.contractErr
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(s.contract.json)
}
