package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"katalogpes/tenants"
)

// Config is every setting, parsed from the environment once at start. A
// value that does not parse stops the start with the variable's name.
type Config struct {
	Env              string        `env:"APP_ENV" envDefault:"development"`
	DatabaseURL      string        `env:"DATABASE_URL"`
	MeiliURL         string        `env:"MEILI_URL" envDefault:"http://127.0.0.1:7701"`
	MeiliMasterKey   string        `env:"MEILI_MASTER_KEY"`
	MeiliIndexPrefix string        `env:"MEILI_INDEX_PREFIX"`
	HTTPAddr         string        `env:"HTTP_ADDR" envDefault:"127.0.0.1:8080"`
	BaseDomain       string        `env:"BASE_DOMAIN"`
	BaseURL          string        `env:"BASE_URL"`
	JWTKeys          string        `env:"JWT_KEYS"`
	CSRFKey          string        `env:"CSRF_KEY"`
	SMTPURL          string        `env:"SMTP_URL"`
	DataDir          string        `env:"DATA_DIR" envDefault:".data"`
	ReminderInterval time.Duration `env:"REMINDER_INTERVAL" envDefault:"1h"`
	RecomputeEvery   time.Duration `env:"RECOMPUTE_INTERVAL" envDefault:"1h"`
	// DigestHour is the Polish hour from which moderators' daily digests
	// go out (checked every REMINDER_INTERVAL).
	DigestHour     int           `env:"DIGEST_HOUR" envDefault:"7"`
	TrustedProxies ProxyList     `env:"TRUSTED_PROXIES"`
	AccessTTL      time.Duration `env:"-"`
	// The public registries (issue 15); any left empty is off.
	KRSAPIURL string `env:"KRS_API_URL"` // e.g. https://api-krs.ms.gov.pl/api/krs
	BIRURL    string `env:"BIR_URL"`     // e.g. https://wyszukiwarkaregon.stat.gov.pl/wsBIR/UslugaBIRzewnPubl.svc
	BIRKey    string `env:"BIR_KEY"`     // the operator's BIR key from GUS
	VATAPIURL string `env:"VAT_API_URL"` // e.g. https://wl-api.mf.gov.pl

	// PageCacheMB bounds each node's cache of rendered public pages
	// (0 turns it off).
	PageCacheMB int `env:"PAGE_CACHE_MB" envDefault:"16"`
	// MemoryLimitMB is the Go heap's soft limit for serve: the collector
	// works harder as the heap nears it (it never refuses memory), so a
	// node keeps within its memory with the page cache full: 72 leaves a
	// serve's peak RSS, with the binary's 25 MB of pages, below 100 MB
	// (bench/RESULTS.md). 0 is no limit; GOMEMLIMIT, when set, wins.
	MemoryLimitMB int `env:"MEMORY_LIMIT_MB" envDefault:"72"`
	// SearchFallbackSlots bounds the searches PostgreSQL answers at once
	// on a node while Meilisearch cannot; more are refused as busy (503).
	SearchFallbackSlots int `env:"SEARCH_FALLBACK_SLOTS" envDefault:"4"`
}

// Development reports whether this is a developer's machine.
func (c Config) Development() bool { return c.Env == "development" }

// LoadConfig reads the environment. Defaults suit a developer's machine.
func LoadConfig() (Config, error) {
	c := Config{AccessTTL: 15 * time.Minute}
	if err := env.Parse(&c); err != nil {
		return c, namedConfigError(err)
	}
	trimStrings(&c)
	if c.Env != "development" && c.Env != "production" {
		return c, fmt.Errorf("APP_ENV must be development or production, not %q", c.Env)
	}
	if c.CSRFKey != "" {
		if _, err := decodeCSRFKey(c.CSRFKey); err != nil {
			return c, err
		}
	}
	_, port, err := net.SplitHostPort(c.HTTPAddr)
	if err != nil || port == "" {
		return c, fmt.Errorf("HTTP_ADDR must be host:port (e.g. 127.0.0.1:8080), not %q", c.HTTPAddr)
	}
	if c.ReminderInterval <= 0 {
		return c, fmt.Errorf("REMINDER_INTERVAL must be a positive duration (e.g. 1h), not %s", c.ReminderInterval)
	}
	if c.RecomputeEvery <= 0 {
		return c, fmt.Errorf("RECOMPUTE_INTERVAL must be a positive duration (e.g. 1h or 24h), not %s", c.RecomputeEvery)
	}
	if c.DigestHour < 0 || c.DigestHour > 23 {
		return c, fmt.Errorf("DIGEST_HOUR must be an hour from 0 to 23, not %d", c.DigestHour)
	}
	if err := c.checkRegistries(); err != nil {
		return c, err
	}
	if c.MemoryLimitMB < 0 {
		return c, fmt.Errorf("MEMORY_LIMIT_MB must be 0 (no limit) or more, not %d", c.MemoryLimitMB)
	}
	if c.SearchFallbackSlots < 1 {
		return c, fmt.Errorf("SEARCH_FALLBACK_SLOTS must be 1 or more, not %d", c.SearchFallbackSlots)
	}
	if c.PageCacheMB < 0 {
		return c, fmt.Errorf("PAGE_CACHE_MB must be 0 (no cache) or more, not %d", c.PageCacheMB)
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://localhost:" + port
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	return c, nil
}

// checkRegistries refuses registry addresses that are no http(s) URLs,
// and a BIR address without its key (GUS refuses every call without one).
func (c Config) checkRegistries() error {
	for _, v := range []struct{ name, value string }{{"KRS_API_URL", c.KRSAPIURL}, {"BIR_URL", c.BIRURL}, {"VAT_API_URL", c.VATAPIURL}} {
		if v.value == "" {
			continue
		}
		u, err := url.Parse(v.value)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%s must be an http(s) URL (see README, \"Registries\"), not %q", v.name, v.value)
		}
	}
	if c.BIRURL != "" && c.BIRKey == "" {
		return errors.New("BIR_URL is set but BIR_KEY is not: GUS answers only with the operator's key (see README, \"Registries\")")
	}
	return nil
}

// ProxyList is TRUSTED_PROXIES: comma-separated addresses and networks
// (10.0.0.5, 10.0.0.0/8, fd00::/8) of the proxies whose X-Forwarded-*
// headers are believed. Empty trusts none.
type ProxyList []netip.Prefix

// UnmarshalText parses the list; an address stands for itself alone.
func (l *ProxyList) UnmarshalText(text []byte) error {
	*l = nil
	for _, item := range strings.Split(string(text), ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if a, err := netip.ParseAddr(item); err == nil {
			a = a.Unmap()
			*l = append(*l, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(item)
		if err != nil {
			return fmt.Errorf("%q is neither an IP address nor a network such as 10.0.0.0/8", item)
		}
		*l = append(*l, p.Masked())
	}
	return nil
}

// namedConfigError says which variable failed: the library names the
// struct field, while a person reads the variable.
func namedConfigError(err error) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return fmt.Errorf("configuration: %w", err)
	}
	msgs := make([]string, 0, len(agg.Errors))
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			if f, ok := reflect.TypeOf(Config{}).FieldByName(pe.Name); ok {
				name := f.Tag.Get("env")
				msgs = append(msgs, fmt.Sprintf("%s=%q is not a valid %s: %v", name, os.Getenv(name), pe.Type, pe.Err))
				continue
			}
		}
		msgs = append(msgs, e.Error())
	}
	return fmt.Errorf("configuration: %s", strings.Join(msgs, "; "))
}

// trimStrings drops stray white space around values pasted into an env file.
func trimStrings(c *Config) {
	for _, s := range []*string{&c.Env, &c.DatabaseURL, &c.MeiliURL, &c.MeiliMasterKey, &c.MeiliIndexPrefix,
		&c.HTTPAddr, &c.BaseDomain, &c.BaseURL, &c.JWTKeys, &c.SMTPURL, &c.DataDir,
		&c.KRSAPIURL, &c.BIRURL, &c.BIRKey, &c.VATAPIURL} {
		*s = strings.TrimSpace(*s)
	}
}

// needDatabase names the missing variable rather than failing later.
func (c Config) needDatabase() error {
	if c.DatabaseURL == "" {
		return errors.New("DATABASE_URL is not set (make run sets it; see README)")
	}
	return nil
}

// signingKeys returns the JWT keys: from JWT_KEYS, or in development from
// (or newly into) DATA_DIR/jwt-keys. Production refuses to start without.
func (c Config) signingKeys() ([]tenants.SigningKey, error) {
	if c.JWTKeys != "" {
		return tenants.ParseKeys(c.JWTKeys)
	}
	if !c.Development() {
		return nil, errors.New("JWT_KEYS is not set: production needs the signing keys (kid:base64seed, newest last)")
	}
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return nil, err
	}
	key := tenants.SigningKey{ID: "dev-" + time.Now().UTC().Format("20060102"), Private: ed25519.NewKeyFromSeed(seed)}
	kept, err := keepOnce(filepath.Join(c.DataDir, "jwt-keys"), tenants.FormatKey(key))
	if err != nil {
		return nil, fmt.Errorf("keep development JWT key: %w", err)
	}
	return tenants.ParseKeys(kept)
}
