package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"katalogpes/store"
)

func runTERYT(ctx context.Context, cfg Config, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("teryt", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: katalogpes teryt load FILE\n\nLoads the official TERC register (GUS CSV: WOJ;POW;GMI;RODZ;NAZWA;NAZWA_DOD;STAN_NA).\nRe-running updates units in place; a malformed file is refused with its line number and nothing is loaded.")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 2 || fs.Arg(0) != "load" {
		fs.Usage()
		return fmt.Errorf("want: teryt load FILE")
	}
	if err := cfg.needDatabase(); err != nil {
		return err
	}
	f, err := os.Open(fs.Arg(1))
	if err != nil {
		return err
	}
	defer f.Close()
	terc, err := store.ParseTERC(f)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := db.LoadTERC(ctx, terc)
	if err != nil {
		return err
	}
	fmt.Printf("TERYT (stan na %s): %d voivodeships, %d powiats, %d gminas, %d parts of gminas\n",
		terc.StanNa.Format("2006-01-02"), c.Voivodeships, c.Powiats, c.Gminas, c.Parts)
	return nil
}
