package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"katalogpes/migrations"
)

// Migrate applies the embedded migrations as the login user (who owns the
// tables). A session advisory lock keeps two instances from racing; a run
// with nothing to do changes nothing.
func Migrate(ctx context.Context, databaseURL string, log *slog.Logger) ([]string, error) {
	db, err := sql.Open("postgres", databaseURL)
	if err != nil {
		return nil, fmt.Errorf("open database for migrations: %w", err)
	}
	defer db.Close()
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS, goose.WithSessionLocker(locker))
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("apply migrations: %w", err)
	}
	var applied []string
	for _, r := range results {
		applied = append(applied, r.Source.Path)
		if log != nil {
			log.Info("migration applied", "file", r.Source.Path, "took", r.Duration)
		}
	}
	return applied, nil
}
