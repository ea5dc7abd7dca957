package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"katalogpes/handlers/view"
	"katalogpes/store"
	"katalogpes/store/registry"
)

// registryLimits: a call may take 4 s; three failures in a row open the
// circuit for a minute. Each client paces itself to its registry.
func registryLimits() registry.Limits {
	return registry.Limits{Timeout: 4 * time.Second, Failures: 3, OpenFor: time.Minute}
}

// openRegistries builds the clients the configuration names; one that is
// not configured stays off (nil), and everything works without it.
func openRegistries(db *store.DB, cfg Config) *store.Registries {
	hc := &http.Client{Transport: http.DefaultTransport}
	var (
		krs   store.KRSSource
		regon store.REGONSource
		vat   store.VATSource
	)
	if cfg.KRSAPIURL != "" {
		krs = registry.NewKRS(cfg.KRSAPIURL, hc, registryLimits())
	}
	if cfg.BIRURL != "" && cfg.BIRKey != "" {
		regon = registry.NewBIR(cfg.BIRURL, cfg.BIRKey, hc, registryLimits())
	}
	if cfg.VATAPIURL != "" {
		vat = registry.NewVAT(cfg.VATAPIURL, hc, registryLimits())
	}
	return db.Registries(krs, regon, vat)
}

// runNightlyCheck re-checks published listings in the registries at night
// (safe beside the same job on other nodes) and mails owners of flagged
// listings once.
func runNightlyCheck(ctx context.Context, reg *store.Registries, mail *view.Composer, log *slog.Logger) {
	if !reg.On() {
		return
	}
	reg.RunNightly(ctx, store.NightlyConfig{Log: log, Compose: mail.RegistryFlag})
}
