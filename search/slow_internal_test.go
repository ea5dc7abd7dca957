package search

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"testing"

	"github.com/meilisearch/meilisearch-go"
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
