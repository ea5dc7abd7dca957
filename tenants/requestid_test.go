package tenants

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

func TestLogsWithARequestsContextCarryItsID(t *testing.T) {
	var buf bytes.Buffer
	log := LogRequestIDs(LogRequestIDs(slog.New(slog.NewTextHandler(&buf, nil))))
	ctx := WithRequestID(context.Background(), "rid-7")
	log.With("part", "store").InfoContext(ctx, "query slow")
	log.Info("no request")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || strings.Count(lines[0], "request_id=rid-7") != 1 || !strings.Contains(lines[0], "part=store") {
		t.Fatalf("first line %q", lines[0])
	}
	if strings.Contains(lines[1], "request_id") {
		t.Fatalf("a line without a request has an id: %q", lines[1])
	}
}
