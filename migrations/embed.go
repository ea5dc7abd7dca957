// Package migrations holds the numbered SQL migrations, embedded into the
// binary and applied by `katalogpes migrate` (pressly/goose).
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS
