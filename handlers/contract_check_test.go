package handlers_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Every answer of an API test is checked against the served contract
// (status, headers, body) with kin-openapi, so the document cannot drift
// from what the server does: testServer.do calls checkContract.

func init() {
	// Exports and the library's documents are files: their bodies are
	// checked for their type only.
	asText := func(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
		raw, err := io.ReadAll(body)
		return string(raw), err
	}
	openapi3filter.RegisterBodyDecoder("text/csv", asText)
	openapi3filter.RegisterBodyDecoder("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", asText)
	openapi3filter.RegisterBodyDecoder("application/pdf", asText)
	openapi3filter.RegisterBodyDecoder("application/vnd.openxmlformats-officedocument.wordprocessingml.document", asText)
}

// contractRouter loads the document the server serves, once per server.
func (s *testServer) contractRouter() routers.Router {
	s.t.Helper()
	if s.router != nil {
		return s.router
	}
	resp, err := s.app.Test(httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil), 30_000)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		s.t.Fatalf("load the contract: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		s.t.Fatalf("the contract is not valid OpenAPI: %v", err)
	}
	// The test requests go to any host.
	doc.Servers = openapi3.Servers{{URL: "/"}}
	s.router, err = gorillamux.NewRouter(doc)
	if err != nil {
		s.t.Fatalf("route the contract: %v", err)
	}
	return s.router
}

// isAPIPath says whether the contract speaks of path.
func isAPIPath(path string) bool {
	switch path {
	case "/healthz", "/readyz", "/metrics":
		return true
	}
	return strings.HasPrefix(path, "/api/v1/") || strings.HasPrefix(path, "/r/") && strings.Contains(path, "/api/v1/")
}

// checkContract fails the test when an API answer is not what the
// contract says. Paths the document does not have (an unknown route, a
// region's host) are looked up as the /r/{slug} route they stand for.
func (s *testServer) checkContract(req *http.Request, status int, header http.Header, body []byte) {
	s.t.Helper()
	if req.Method == http.MethodHead || !isAPIPath(req.URL.Path) {
		return
	}
	router := s.contractRouter()
	route, params, err := router.FindRoute(req)
	if err != nil && strings.HasPrefix(req.URL.Path, "/api/v1/") {
		alt := req.Clone(req.Context())
		alt.URL.Path = "/r/host" + req.URL.Path
		route, params, err = router.FindRoute(alt)
	}
	if err != nil {
		if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
			s.t.Errorf("contract: %s %s answered %d but the document has no such operation: %v", req.Method, req.URL.Path, status, err)
		}
		return
	}
	// The contract speaks of the body a client reads: compressed answers
	// (issue 17) are read as the client's HTTP library would.
	body, err = decodedBody(header.Get("Content-Encoding"), body)
	if err != nil {
		s.t.Errorf("contract: %s %s answered a body that does not decompress: %v", req.Method, req.URL.Path, err)
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		s.t.Errorf("contract: %s %s answered %d not as documented: %v\nbody: %.400s", req.Method, req.URL.Path, status, err, body)
	}
}

// decodedBody undoes a Content-Encoding of gzip or br.
func decodedBody(encoding string, body []byte) ([]byte, error) {
	switch encoding {
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		return io.ReadAll(zr)
	case "br":
		return io.ReadAll(brotli.NewReader(bytes.NewReader(body)))
	}
	return body, nil
}
