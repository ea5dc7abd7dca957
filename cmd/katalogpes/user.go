package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"katalogpes/store"
	"katalogpes/tenants"
)

func runUser(ctx context.Context, cfg Config, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("user", flag.ContinueOnError)
	tenant := fs.String("tenant", "", "the region's slug (not for --role platform)")
	role := fs.String("role", "", "moderator, admin or platform")
	email := fs.String("email", "", "the account's e-mail")
	name := fs.String("name", "", "the person's name (default: the e-mail)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: katalogpes user add --tenant SLUG --role moderator|admin --email E [--name N] < password\n       katalogpes user add --role platform --email E < password\n       katalogpes user remove [--tenant SLUG] --email E\n\nThe password is read from the first line of standard input. Removing an account\nblocks its sign-in and revokes its sessions; its audit trail stays.")
		fs.PrintDefaults()
	}
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		fs.Usage()
		return flag.ErrHelp
	}
	if len(args) == 0 || args[0] != "add" && args[0] != "remove" {
		fs.Usage()
		return fmt.Errorf("want: user add … or user remove …")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if args[0] == "remove" {
		return removeUser(ctx, cfg, *tenant, *email)
	}
	r := tenants.Role(*role)
	if r != tenants.RoleModerator && r != tenants.RoleAdmin && r != tenants.RolePlatform {
		return fmt.Errorf("--role must be moderator, admin or platform")
	}
	if (r == tenants.RolePlatform) != (*tenant == "") {
		return fmt.Errorf("--tenant is required for moderator and admin, and not allowed for platform")
	}
	if err := cfg.needDatabase(); err != nil {
		return err
	}
	password, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && password == "" {
		return fmt.Errorf("read password from stdin: %w", err)
	}
	password = strings.TrimRight(password, "\r\n")
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	uctx, err := scopeFor(ctx, db, *tenant)
	if err != nil {
		return err
	}
	if *name == "" {
		*name = *email
	}
	a, err := db.CreateAccount(uctx, store.NewAccount{Email: *email, Name: *name, Password: password, Role: r, Active: true})
	if err != nil {
		return explain(err)
	}
	fmt.Printf("account %s (%s) created: %s\n", a.Email, a.Role, a.ID)
	return nil
}

// scopeFor returns a context for a tenant's slug, or the platform scope.
func scopeFor(ctx context.Context, db *store.DB, slug string) (context.Context, error) {
	if slug == "" {
		return tenants.WithAllTenants(ctx), nil
	}
	list, err := db.FindTenants(ctx)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].Slug == slug {
			return tenants.NewContext(ctx, &list[i]), nil
		}
	}
	return nil, fmt.Errorf("no region %q", slug)
}

// explain spells out field errors for a terminal.
func explain(err error) error {
	var msgs []string
	if se, ok := err.(*store.Error); ok {
		for _, f := range se.Fields {
			msgs = append(msgs, f.Field+": "+f.Key)
		}
		if len(msgs) > 0 {
			return fmt.Errorf("%s (%s)", se.Key, strings.Join(msgs, "; "))
		}
	}
	return err
}

// removeUser disables a staff account and revokes its sessions.
func removeUser(ctx context.Context, cfg Config, tenant, email string) error {
	if email == "" {
		return fmt.Errorf("--email is required")
	}
	if err := cfg.needDatabase(); err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	uctx, err := scopeFor(ctx, db, tenant)
	if err != nil {
		return err
	}
	a, err := db.DisableAccount(uctx, email)
	if err != nil {
		return explain(err)
	}
	fmt.Printf("account %s (%s) removed: it can no longer sign in\n", a.Email, a.Role)
	return nil
}
