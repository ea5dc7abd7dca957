package handlers_test

import (
	"bytes"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestMetricsStayParsableUnderMixedTraffic serves over a real socket with
// keep-alive, as production does, so Fiber reuses its request buffers
// between requests: a label kept by reference would change under
// Prometheus and break the scrape.
func TestMetricsStayParsableUnderMixedTraffic(t *testing.T) {
	s := newTestServer(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.app.Listener(ln) }()
	t.Cleanup(func() { _ = s.app.Shutdown() })
	base := "http://" + ln.Addr().String()
	client := &http.Client{}
	reqs := []struct{ method, path, body string }{
		{"GET", "/healthz", ""},
		{"POST", "/r/slaskie/api/v1/auth/login", `{"email":"nikt@example.org","password":"zle-haslo-123456"}`},
		{"GET", "/r/slaskie/api/v1/categories", ""},
		{"PATCH", "/r/slaskie/api/v1/listings/00000000-0000-0000-0000-000000000000", `{}`},
		{"GET", "/r/slaskie/szukaj?q=katering", ""},
		{"HEAD", "/r/malopolskie/", ""},
		{"DELETE", "/r/slaskie/api/v1/me", ""},
		{"GET", "/nie-ma-takiej-strony/" + strings.Repeat("x", 40), ""},
		{"OPTIONS", "/api/v1/search", ""},
		{"PROPFIND", "/", ""},
	}
	for i := 0; i < 1000; i++ {
		r := reqs[i%len(reqs)]
		req, _ := http.NewRequest(r.method, base+r.path, strings.NewReader(r.body))
		if r.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		resp.Body.Close()
		if (i+1)%100 == 0 {
			scrape(t, client, base, i+1)
		}
	}
}

func scrape(t *testing.T, client *http.Client, base string, after int) {
	t.Helper()
	resp, err := client.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	_, _ = body.ReadFrom(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("after %d requests /metrics answered %d: %.300s", after, resp.StatusCode, body.String())
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(&body)
	if err != nil {
		t.Fatalf("after %d requests /metrics does not parse: %v", after, err)
	}
	fam := families["katalogpes_http_requests_total"]
	if fam == nil {
		t.Fatalf("after %d requests: no katalogpes_http_requests_total", after)
	}
	for _, m := range fam.GetMetric() {
		for _, l := range m.GetLabel() {
			switch l.GetName() {
			case "method":
				if !strings.Contains(" GET HEAD POST PUT PATCH DELETE OPTIONS OTHER ", " "+l.GetValue()+" ") {
					t.Fatalf("after %d requests: method label %q", after, l.GetValue())
				}
			case "route":
				if strings.Contains(l.GetValue(), "nie-ma-takiej") || strings.Contains(l.GetValue(), "slaskie") {
					t.Fatalf("after %d requests: a raw path as route label %q", after, l.GetValue())
				}
			}
		}
	}
}
