package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// scaleRun is one run's summary, one JSON line of the -scale file, so that
// `make bench-scale` can set runs at several catalog sizes side by side.
type scaleRun struct {
	N           int         `json:"n"`
	C           int         `json:"c"`
	ImportS     float64     `json:"import_s"`
	SearchableS float64     `json:"searchable_s"`
	RSSMB       int64       `json:"rss_mb"`
	Kinds       []scaleKind `json:"kinds"`
}

type scaleKind struct {
	Name     string  `json:"name"`
	P95ms    float64 `json:"p95_ms"`
	RPS      float64 `json:"rps"`
	ServerMS float64 `json:"server_cpu_ms"`
	TotalMS  float64 `json:"total_cpu_ms"` // server, Meilisearch and PostgreSQL
}

// appendScale adds the run's summary to the file at path.
func (r *report) appendScale(path string) error {
	run := scaleRun{N: r.cfg.n, C: r.cfg.c, ImportS: r.importTook.Seconds(), SearchableS: r.searchableTook.Seconds(), RSSMB: r.rss >> 20}
	for _, x := range r.rows {
		if x.limits != "" {
			continue
		}
		c := x.res.cpu
		run.Kinds = append(run.Kinds, scaleKind{Name: x.res.name, P95ms: float64(x.res.pct(95).Microseconds()) / 1000,
			RPS: x.res.rps(), ServerMS: c.server, TotalMS: c.server + c.meili + c.postgres})
	}
	line, err := json.Marshal(run)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// scaleTable prints the runs of a -scale file as one Markdown table: a
// row per kind, a column per catalog size, each cell p95 · server CPU ·
// server+Meilisearch+PostgreSQL CPU per request.
func scaleTable(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var runs []scaleRun
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r scaleRun
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return "", fmt.Errorf("%s: %w", path, err)
		}
		runs = append(runs, r)
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	head, rule := "| kind: p95 ms · CPU ms per request (server · server+Meilisearch+PostgreSQL) |", "|---|"
	for _, r := range runs {
		head += fmt.Sprintf(" %s listings, %d clients |", thousands(r.N), r.C)
		rule += "---|"
	}
	p("%s", head)
	p("%s", rule)
	var names []string
	seen := map[string]bool{}
	for _, r := range runs {
		for _, k := range r.Kinds {
			if !seen[k.Name] {
				seen[k.Name] = true
				names = append(names, k.Name)
			}
		}
	}
	for _, name := range names {
		line := "| " + name + " |"
		for _, r := range runs {
			cell := " – |"
			for _, k := range r.Kinds {
				if k.Name == name {
					cell = fmt.Sprintf(" %.1f · %.2f · %.2f |", k.P95ms, k.ServerMS, k.TotalMS)
				}
			}
			line += cell
		}
		p("%s", line)
	}
	for _, f := range []struct {
		name string
		cell func(scaleRun) string
	}{
		{"import → searchable, s", func(r scaleRun) string { return fmt.Sprintf("%.1f (import %.1f)", r.SearchableS, r.ImportS) }},
		{"server peak RSS, MB", func(r scaleRun) string { return fmt.Sprint(r.RSSMB) }},
	} {
		line := "| " + f.name + " |"
		for _, r := range runs {
			line += " " + f.cell(r) + " |"
		}
		p("%s", line)
	}
	return b.String(), nil
}
