package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"katalogpes/handlers/view"
	"katalogpes/store"
	"katalogpes/tenants"
)

// runImport loads a region's register (CSV or XLSX) as `POST …/admin/import`
// does, with a progress line and a summary. It acts as the named admin, or
// as a system principal (role admin, name "import") without --as.
func runImport(ctx context.Context, cfg Config, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	tenant := fs.String("tenant", "", "the region's slug")
	as := fs.String("as", "", "the e-mail of the region's admin the import is recorded under (default: the system)")
	format := fs.String("format", "", "csv or xlsx (default: from the file's extension)")
	lang := fs.String("lang", "pl", "language of the error messages: pl or en")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: katalogpes import --tenant SLUG [--as EMAIL_OF_ADMIN] [--format csv|xlsx] FILE\n\nImports a register into the region's catalog: each valid row is published (matched by NIP, else KRS), each bad one reported.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *tenant == "" || fs.NArg() != 1 {
		fs.Usage()
		return errors.New("want --tenant SLUG and one FILE")
	}
	path := fs.Arg(0)
	if *format == "" {
		switch strings.ToLower(filepath.Ext(path)) {
		case ".csv", ".txt":
			*format = store.ImportCSV
		case ".xlsx":
			*format = store.ImportXLSX
		default:
			return fmt.Errorf("%s: cannot tell the format from the extension; give --format csv or xlsx", path)
		}
	}
	if err := cfg.needDatabase(); err != nil {
		return err
	}
	tr, err := view.NewTranslator()
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	ictx, err := scopeFor(ctx, db, *tenant)
	if err != nil {
		return err
	}
	p := tenants.Principal{Role: tenants.RoleAdmin, Name: "import"}
	if *as != "" {
		a, err := db.FindAccountByEmail(ictx, *as)
		if err != nil {
			return fmt.Errorf("--as %s: no such account in %s", *as, *tenant)
		}
		if a.Role != tenants.RoleAdmin || a.Status != store.AccountActive {
			return fmt.Errorf("--as %s: the account is %s (%s), not an active admin", *as, a.Role, a.Status)
		}
		p = tenants.Principal{AccountID: a.ID, Name: a.Name, Role: a.Role}
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()

	start, progressed := time.Now(), false
	res, err := db.Import(tenants.WithPrincipal(ictx, p), f, *format, func(rows int) {
		progressed = true
		fmt.Fprintf(os.Stderr, "\rimport: %d rows read (%s)", rows, time.Since(start).Round(time.Second))
	})
	if progressed {
		fmt.Fprintln(os.Stderr)
	}
	if res != nil {
		printImportSummary(res, tr, *lang, time.Since(start))
	}
	if store.ErrorCode(err) == store.EForbidden && *as == "" {
		return errors.New("the importer refused the system principal: give --as EMAIL_OF_ADMIN")
	}
	if err != nil {
		return explain(err)
	}
	return nil
}

func printImportSummary(res *store.ImportResult, tr *view.Translator, lang string, took time.Duration) {
	fmt.Printf("imported %d, updated %d, skipped %d (%d errors) in %s\n",
		res.Imported, res.Updated, res.Skipped, len(res.Errors), took.Round(time.Millisecond))
	for _, e := range res.Errors {
		where := "file"
		if e.Row > 0 {
			where = fmt.Sprintf("row %d", e.Row)
		}
		if e.Field != "" {
			where += ", " + e.Field
		}
		fmt.Printf("  %s: %s\n", where, tr.T(lang, e.Key, e.Params))
	}
}
