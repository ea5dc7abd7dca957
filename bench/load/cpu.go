package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The machine is shared and small: latency alone cannot say who spent the
// time. cpuUse reads, from /proc, the CPU time each party has used so far,
// so each kind can report CPU per request of the server, Meilisearch, the
// run's PostgreSQL backends, the load generator, and everything else.
type cpuUse struct {
	server, self, machine time.Duration
	meili, postgres       map[string]time.Duration // by pid: processes come and go
}

const clockTick = 10 * time.Millisecond // USER_HZ is 100 on Linux

// procCPU is utime+stime of a process.
func procCPU(pid string) time.Duration {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	// Fields after the command (which may hold spaces) in parentheses.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * clockTick
}

// machineBusy is the CPU time all processes used, from /proc/stat.
func machineBusy() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	var busy int64
	for i, v := range f[1:] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		busy += n
	}
	return time.Duration(busy) * clockTick
}

// sampleCPU reads the parties' CPU. serverPID is "" when the server runs
// in this process (then self holds both).
func sampleCPU(serverPID, dbName string) cpuUse {
	u := cpuUse{self: procCPU("self"), machine: machineBusy(), meili: map[string]time.Duration{}, postgres: map[string]time.Duration{}}
	if serverPID != "" {
		u.server = procCPU(serverPID)
	}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		pid := filepath.Base(d)
		comm, err := os.ReadFile(d + "/comm")
		if err != nil {
			continue
		}
		switch strings.TrimSpace(string(comm)) {
		case "meilisearch":
			u.meili[pid] = procCPU(pid)
		case "postgres":
			// A backend's title names its database: only the run's own.
			if cmd, err := os.ReadFile(d + "/cmdline"); err == nil && bytes.Contains(cmd, []byte(dbName)) {
				u.postgres[pid] = procCPU(pid)
			}
		}
	}
	return u
}

// perRequest is CPU per request of each party between two samples.
type perRequest struct {
	server, meili, postgres, client, other float64 // ms
}

func cpuPerRequest(a, b cpuUse, n int) perRequest {
	if n == 0 {
		return perRequest{}
	}
	per := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(n) }
	// A process that ended between the samples took its time with it; one
	// that started counts whole.
	grew := func(a, b map[string]time.Duration) time.Duration {
		var d time.Duration
		for pid, t := range b {
			d += max(0, t-a[pid])
		}
		return d
	}
	p := perRequest{server: per(b.server - a.server), meili: per(grew(a.meili, b.meili)), postgres: per(grew(a.postgres, b.postgres)),
		client: per(b.self - a.self)}
	p.other = max(0, per(b.machine-a.machine)-p.server-p.meili-p.postgres-p.client)
	return p
}
