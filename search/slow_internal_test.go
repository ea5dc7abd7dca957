package search

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"testing"

	"github.com/meilisearch/meilisearch-go"
	"github.com/valyala/fasthttp"
)

func TestSlowTellsALateAnswerFromNoConnection(t *testing.T) {
	dialTimeout := &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}
	readTimeout := &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	cases := []struct {
		err  error
		slow bool
	}{
		{context.DeadlineExceeded, true},
		{fmt.Errorf("search: %w", context.DeadlineExceeded), true},
		{&meilisearch.Error{OriginError: readTimeout}, true},
		{dialTimeout, false},
		{&meilisearch.Error{OriginError: dialTimeout}, false},
		{&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, false},
		{context.Canceled, false},
	}
	for _, c := range cases {
		if got := slow(c.err); got != c.slow {
			t.Errorf("slow(%v) = %v, want %v", c.err, got, c.slow)
		}
	}
}

// The searches' client is fasthttp's: its errors must read as net/http's
// did. Its timeout implements only Timeout(), not net.Error, so a late
// answer was neither slow nor unavailable and failed the search instead
// of falling back.
func TestTheWireClientsErrorsReadAsLateOrDown(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	cases := []struct {
		err        error
		slow, down bool
	}{
		{fasthttp.ErrTimeout, true, true},
		{fasthttp.ErrNoFreeConns, true, true},
		{fasthttp.ErrConnectionClosed, false, true},
		{refused, false, true},
	}
	for _, c := range cases {
		err := wireFailure(t.Context(), c.err)
		if slow(err) != c.slow || unavailable(err) != c.down {
			t.Errorf("%v: slow %v, unavailable %v; want %v, %v", c.err, slow(err), unavailable(err), c.slow, c.down)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := wireFailure(ctx, fasthttp.ErrTimeout); !canceled(err) {
		t.Errorf("a caller gone: %v, want context.Canceled", err)
	}
}
