package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"

	"katalogpes/store"
)

func runMigrate(ctx context.Context, cfg Config, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: katalogpes migrate\n\nApplies the embedded SQL migrations (idempotent; an advisory lock keeps two runs apart).")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.needDatabase(); err != nil {
		return err
	}
	applied, err := store.Migrate(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return err
	}
	fmt.Printf("migrations applied: %d\n", len(applied))
	return nil
}
