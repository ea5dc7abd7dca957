// Command katalogpes is the one binary of Katalog PES: the server and every
// operator's task (migrate, teryt, user, seed, reindex). Each subcommand
// takes -h.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"katalogpes/tenants"
)

type command struct {
	name, usage string
	run         func(ctx context.Context, cfg Config, log *slog.Logger, args []string) error
}

var commands = []command{
	{"serve", "run the HTTP server and its workers", runServe},
	{"migrate", "apply the database migrations", runMigrate},
	{"teryt", "teryt load FILE: load the official TERC register", runTERYT},
	{"user", "user add --tenant SLUG --role moderator|admin --email E (password on stdin)", runUser},
	{"seed", "seed --demo: load the demo catalog", runSeed},
	{"reindex", "rebuild the search index from the database and swap it in", runReindex},
	{"import", "import --tenant SLUG [--as EMAIL_OF_ADMIN] FILE: import a register (CSV or XLSX)", runImport},
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: katalogpes COMMAND [flags]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(os.Stderr, "  %-8s %s\n", c.name, c.usage)
	}
	fmt.Fprintln(os.Stderr, "\nConfiguration comes from the environment; see README.md.")
}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		usage()
		if len(os.Args) < 2 {
			os.Exit(2)
		}
		return
	}
	// Records logged with a request's context carry its id, whoever logs them.
	log := tenants.LogRequestIDs(slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})))
	cfg, err := LoadConfig()
	if err != nil {
		fmt.Fprintln(os.Stderr, "katalogpes:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	for _, c := range commands {
		if c.name == os.Args[1] {
			os.Exit(report(c.name, c.run(ctx, cfg, log, os.Args[2:])))
		}
	}
	fmt.Fprintf(os.Stderr, "katalogpes: unknown command %q\n\n", os.Args[1])
	usage()
	os.Exit(2)
}

// report prints a command's failure and gives its exit code. -h is not a
// failure: the usage it printed is the answer.
func report(name string, err error) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	default:
		fmt.Fprintf(os.Stderr, "katalogpes %s: %v\n", name, err)
		return 1
	}
}
