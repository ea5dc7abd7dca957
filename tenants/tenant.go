// Package tenants is the leaf of the project: the Tenant and Principal
// types, roles and permissions, request context, and the JWT access tokens
// that carry a principal. It knows no HTTP framework and no SQL, and
// imports no other package of ours.
package tenants

import (
	"strings"
	"sync"
)

// Tenant is one region: its ROPS runs the catalog for its voivodeship.
type Tenant struct {
	ID          string `db:"id" json:"id"`
	Slug        string `db:"slug" json:"slug"`
	TERYT       string `db:"teryt" json:"teryt"`
	Voivodeship string `db:"voivodeship" json:"voivodeship"`
	Name        string `db:"name" json:"name"`
	City        string `db:"city" json:"city"`
	// ContactEmail and ContactPhone reach the region's team (an E.164
	// phone); reports of outdated data are mailed to the address.
	ContactEmail string   `db:"contact_email" json:"contact_email,omitempty"`
	ContactPhone string   `db:"contact_phone" json:"contact_phone,omitempty"`
	Hosts        []string `db:"-" json:"hosts"`
	Branding     Branding `db:"-" json:"branding"`
	Settings     Settings `db:"-" json:"settings"`
}

// Branding is what a region may change about how its pages look.
type Branding struct {
	PrimaryColor string `json:"primary_color,omitempty"`
	AccentColor  string `json:"accent_color,omitempty"`
	LogoURL      string `json:"logo_url,omitempty"`
	Tagline      string `json:"tagline,omitempty"`
}

// Settings are a region's switches: search synonyms and the like.
type Settings struct {
	// Synonyms maps a word to the words a search for it also finds.
	Synonyms map[string][]string `json:"synonyms,omitempty"`
	// StopWords are words the region's search ignores, besides the
	// built-in Polish function words.
	StopWords []string `json:"stop_words,omitempty"`
	// ExternalImages lets listings show a logo from another site's https
	// address; off, they show none.
	ExternalImages bool `json:"external_images,omitempty"`
}

// Registry answers which tenant a request belongs to, by slug or host. It is
// rebuilt from the database when a tenant's settings change.
type Registry struct {
	baseDomain string

	mu     sync.RWMutex
	all    []*Tenant
	bySlug map[string]*Tenant
	byHost map[string]*Tenant
	byID   map[string]*Tenant
}

// NewRegistry indexes the tenants; baseDomain is the host under which
// {slug}.baseDomain names a tenant (empty: only paths and custom hosts).
func NewRegistry(list []Tenant, baseDomain string) *Registry {
	r := &Registry{baseDomain: strings.ToLower(strings.TrimSpace(baseDomain))}
	r.Replace(list)
	return r
}

// Replace swaps in a fresh list of tenants.
func (r *Registry) Replace(list []Tenant) {
	all := make([]*Tenant, 0, len(list))
	bySlug := make(map[string]*Tenant, len(list))
	byHost := make(map[string]*Tenant)
	byID := make(map[string]*Tenant, len(list))
	for i := range list {
		t := list[i]
		all = append(all, &t)
		bySlug[t.Slug] = &t
		byID[t.ID] = &t
		for _, h := range t.Hosts {
			byHost[strings.ToLower(h)] = &t
		}
	}
	r.mu.Lock()
	r.all, r.bySlug, r.byHost, r.byID = all, bySlug, byHost, byID
	r.mu.Unlock()
}

// All lists the tenants in TERYT order.
func (r *Registry) All() []*Tenant {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.all
}

// BySlug finds a tenant by its slug.
func (r *Registry) BySlug(slug string) (*Tenant, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	t, ok := r.bySlug[slug]
	return t, ok
}

// ByID finds a tenant by its id.
func (r *Registry) ByID(id string) (*Tenant, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	t, ok := r.byID[id]
	return t, ok
}

// ByHost resolves a Host header: a custom host listed on a tenant, or
// {slug}.BASE_DOMAIN. The bare base domain (or any other host) is no
// tenant: the national hub.
func (r *Registry) ByHost(host string) (*Tenant, bool) {
	host = strings.ToLower(host)
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if t, ok := r.byHost[host]; ok {
		return t, true
	}
	if r.baseDomain != "" && strings.HasSuffix(host, "."+r.baseDomain) {
		t, ok := r.bySlug[strings.TrimSuffix(host, "."+r.baseDomain)]
		return t, ok
	}
	return nil, false
}

// IsTenantHost reports whether host looks like {something}.BASE_DOMAIN, so
// that an unknown subdomain can be told from the hub.
func (r *Registry) IsTenantHost(host string) bool {
	host = strings.ToLower(host)
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	return r.baseDomain != "" && strings.HasSuffix(host, "."+r.baseDomain)
}
