package search

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	json "github.com/goccy/go-json"
	"github.com/meilisearch/meilisearch-go"
	"github.com/valyala/fasthttp"
)

// The searches go to Meilisearch's /multi-search over plain HTTP and their
// answers are decoded straight into typed hits and facet counts: the
// client library decodes every hit into a map of raw values that we then
// decoded a second time, which was most of the server's CPU per search.
// goccy/go-json, encoding/json's drop-in, decodes them at half its CPU.

// wireResult is one query's answer, or a federated answer's whole.
type wireResult struct {
	Hits               []hitDoc                  `json:"hits"`
	TotalHits          int64                     `json:"totalHits"`
	EstimatedTotalHits int64                     `json:"estimatedTotalHits"`
	FacetDistribution  map[string]map[string]int `json:"facetDistribution"`
}

// wireAnswer is a multi-search's answer: one result per query, or (when
// federated) the merged result at the top.
type wireAnswer struct {
	Results []wireResult `json:"results"`
	wireResult
}

// answerRefused is a multi-search Meilisearch answered with other than
// 200 (or with a body we could not read: Code undecodable).
type answerRefused struct {
	Status  int
	Code    string
	Message string
}

func (e *answerRefused) Error() string {
	return fmt.Sprintf("meilisearch multi-search answered %d %s: %s", e.Status, e.Code, e.Message)
}

// searchWire sends req through the circuit breaker and decodes the answer.
func (s *Service) searchWire(ctx context.Context, req *meilisearch.MultiSearchRequest) (*wireAnswer, error) {
	record(ctx, req)
	var ans *wireAnswer
	err := s.call(ctx, func(ctx context.Context) error {
		var err error
		ans, err = s.postMultiSearch(ctx, req)
		return err
	})
	return ans, err
}

// wireClient is fasthttp's client for the searches: the caller's
// goroutine writes the request and reads the answer, where net/http
// hands every call to two goroutines of its own, and waking those was a
// tenth of the server's CPU per search (bench/RESULTS.md). Its errors
// are not net/http's: wireFailure says them in the terms slow and
// unavailable read.
func wireClient(dialer *net.Dialer) *fasthttp.Client {
	return &fasthttp.Client{
		Dial:                     func(addr string) (net.Conn, error) { return dialer.Dial("tcp", addr) },
		MaxConnsPerHost:          512,
		MaxConnWaitTimeout:       searchTimeout,
		MaxIdleConnDuration:      90 * time.Second,
		NoDefaultUserAgentHeader: true,
	}
}

func (s *Service) postMultiSearch(ctx context.Context, body *meilisearch.MultiSearchRequest) (*wireAnswer, error) {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(strings.TrimRight(s.cfg.URL, "/") + "/multi-search")
	req.Header.SetMethod(fasthttp.MethodPost)
	req.Header.SetContentType("application/json")
	if s.cfg.MasterKey != "" {
		req.Header.Set(fasthttp.HeaderAuthorization, "Bearer "+s.cfg.MasterKey)
	}
	if err := json.NewEncoder(req.BodyWriter()).Encode(body); err != nil {
		return nil, fmt.Errorf("encode multi-search: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(callTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := s.wire.DoDeadline(req, resp, deadline); err != nil {
		return nil, wireFailure(ctx, err)
	}
	if resp.StatusCode() != fasthttp.StatusOK {
		return nil, answerError(resp.StatusCode(), resp.Body())
	}
	ans, err := decodeAnswer(resp.Body())
	if err != nil {
		return nil, &answerRefused{Status: resp.StatusCode(), Code: "undecodable", Message: err.Error()}
	}
	return ans, nil
}

// wireFailure says why a search got no answer in the terms slow and
// unavailable read: no answer by the deadline (or no free connection
// until then) is the deadline's, a failed dial stays a *net.OpError, and
// fasthttp's other errors (a connection closed before the answer) are a
// connection that failed while reading.
func wireFailure(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, fasthttp.ErrTimeout) || errors.Is(err, fasthttp.ErrNoFreeConns) {
		return fmt.Errorf("multi-search: %v: %w", err, context.DeadlineExceeded)
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return err
	}
	return &net.OpError{Op: "read", Net: "tcp", Err: err}
}

// decodeAnswer reads a multi-search's answer into typed hits. go-json
// decodes from its own copy of raw, so the hits outlive the pooled
// response that held it.
func decodeAnswer(raw []byte) (*wireAnswer, error) {
	var ans wireAnswer
	if err := json.Unmarshal(raw, &ans); err != nil {
		return nil, err
	}
	return &ans, nil
}

// answerError reads Meilisearch's error body.
func answerError(status int, raw []byte) error {
	var body struct {
		Message string `json:"message"`
		Code    string `json:"code"`
	}
	_ = json.Unmarshal(raw, &body)
	return &answerRefused{Status: status, Code: body.Code, Message: body.Message}
}

// hitsOf turns typed hits into the API's; q's words, which mark them, are
// read once for the page.
func hitsOf(docs []hitDoc, q Query) []Hit {
	out := make([]Hit, len(docs))
	marks := newMarker(queryWords(q.Q))
	for i := range docs {
		out[i] = docs[i].hit(q, marks)
	}
	return out
}

// addFacetCounts adds Meilisearch's counts under the API's facet names.
func addFacetCounts(into map[string]map[string]int, dist map[string]map[string]int) {
	for attr, counts := range dist {
		name := nameOf(attr)
		if into[name] == nil {
			continue
		}
		for v, n := range counts {
			into[name][v] = n
		}
	}
}
