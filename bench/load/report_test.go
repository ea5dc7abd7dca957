package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// targetLines is the targets table of a report with one words kind and
// its Meilisearch twin.
func targetLines(inprocess bool) string {
	lat := []time.Duration{10 * time.Millisecond, 20 * time.Millisecond}
	words := &result{name: "search: words", n: 2, dur: time.Second, lat: lat}
	twin := &result{name: "↳ Meilisearch direct", n: 2, dur: time.Second, lat: lat}
	r := &report{cfg: config{n: 100000, c: 32}, inprocess: inprocess, rss: 300 << 20}
	r.rows = []row{{res: words}, {res: twin, limits: "search: words"}}
	return targetsOf(r)
}

// targetsOf is r's targets table, without approvals.
func targetsOf(r *report) string {
	var b strings.Builder
	r.writeTargets(func(format string, args ...any) {
		b.WriteString(fmt.Sprintf(format, args...) + "\n")
	}, nil)
	return b.String()
}

// In-process, the server's CPU is the load generator's too and its RSS
// the whole process's: those targets cannot be judged (they read "met"
// at 0.00 ms of server CPU before).
func TestAnInProcessRunJudgesNeitherServerCPUNorRSS(t *testing.T) {
	for _, line := range strings.Split(targetLines(true), "\n") {
		if strings.Contains(line, "server CPU") || strings.Contains(line, "RSS") {
			if !strings.HasSuffix(line, "| n/a |") {
				t.Errorf("in-process target judged: %s", line)
			}
		}
	}
	out := targetLines(false)
	if !strings.Contains(out, "| server CPU ≤ 0.5 ms per regional search | worst 0.00 ms | yes |") ||
		!strings.Contains(out, "| server peak RSS ≤ 100 MB | 300.0 MB | **no** |") {
		t.Errorf("a child process's figures are judged:\n%s", out)
	}
}

// A national kind whose searches were mostly refused as busy answered
// fast, so its p95 came out below its twin's (0.92× in the full run of
// 2026-12-04, with 352 errors) and read "met". Its RSS is printed to the
// tenth, so 100.4 MB no longer reads as 100 MB and "no".
func TestANationalRunWithErrorsIsNotMet(t *testing.T) {
	fast := []time.Duration{10 * time.Millisecond, 10 * time.Millisecond}
	slow := []time.Duration{20 * time.Millisecond, 20 * time.Millisecond}
	national := &result{name: "search: national", n: 2, dur: time.Second, lat: fast, errs: 5}
	twin := &result{name: "↳ Meilisearch direct", n: 4, dur: time.Second, lat: slow}
	r := &report{cfg: config{n: 100000, c: 32}, rss: 100<<20 + 400<<10}
	r.rows = []row{{res: national}, {res: twin, limits: "search: national"}}
	out := targetsOf(r)
	if !strings.Contains(out, "| national search p95 ≤ 1.2 × Meilisearch direct | 0.50× · 50% of its throughput · 5 errors | **no** |") {
		t.Errorf("a national kind with errors:\n%s", out)
	}
	if !strings.Contains(out, "| server peak RSS ≤ 100 MB | 100.4 MB | **no** |") {
		t.Errorf("RSS just past the target:\n%s", out)
	}
}
