package search

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	json "github.com/goccy/go-json"
	"github.com/meilisearch/meilisearch-go"
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

// wireBuffers hold a multi-search's request while it is sent, and its
// answer while it is decoded.
var wireBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

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

func (s *Service) postMultiSearch(ctx context.Context, req *meilisearch.MultiSearchRequest) (*wireAnswer, error) {
	buf := wireBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer wireBuffers.Put(buf)
	if err := json.NewEncoder(buf).Encode(req); err != nil {
		return nil, fmt.Errorf("encode multi-search: %w", err)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(s.cfg.URL, "/")+"/multi-search", bytes.NewReader(buf.Bytes()))
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("Content-Type", "application/json")
	if s.cfg.MasterKey != "" {
		hreq.Header.Set("Authorization", "Bearer "+s.cfg.MasterKey)
	}
	resp, err := s.http.Do(hreq)
	if err != nil {
		return nil, err // a net.Error or the context's: unavailable() reads both
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, answerError(resp)
	}
	ans, err := decodeAnswer(resp.Body)
	if err != nil {
		return nil, &answerRefused{Status: resp.StatusCode, Code: "undecodable", Message: err.Error()}
	}
	return ans, nil
}

// decodeAnswer reads a multi-search's answer into typed hits. The body is
// read whole first: decoding a buffer costs less than decoding a stream,
// and the decoded strings do not share the pooled buffer.
func decodeAnswer(r io.Reader) (*wireAnswer, error) {
	buf := wireBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer wireBuffers.Put(buf)
	if _, err := buf.ReadFrom(r); err != nil {
		return nil, fmt.Errorf("read multi-search answer: %w", err)
	}
	var ans wireAnswer
	if err := json.Unmarshal(buf.Bytes(), &ans); err != nil {
		return nil, err
	}
	return &ans, nil
}

// answerError reads Meilisearch's error body.
func answerError(resp *http.Response) error {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var body struct {
		Message string `json:"message"`
		Code    string `json:"code"`
	}
	_ = json.Unmarshal(raw, &body)
	return &answerRefused{Status: resp.StatusCode, Code: body.Code, Message: body.Message}
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
