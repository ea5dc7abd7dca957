package storetest

import (
	"context"
	"testing"

	"katalogpes/store"
	"katalogpes/tenants"
)

// Publisher creates published listings through the real workflow: an
// enterprise drafts and submits, a moderator of the tenant approves.
type Publisher struct {
	t     testing.TB
	db    *DB
	owner map[string]context.Context
	mod   map[string]context.Context
}

// NewPublisher publishes into db.
func NewPublisher(t testing.TB, db *DB) *Publisher {
	return &Publisher{t: t, db: db, owner: map[string]context.Context{}, mod: map[string]context.Context{}}
}

// Ctxs are an enterprise's and a moderator's contexts in tenant slug.
func (p *Publisher) Ctxs(slug string) (owner, mod context.Context) {
	p.t.Helper()
	if _, ok := p.owner[slug]; !ok {
		tn := Tenants(p.t, p.db)[slug]
		base := tenants.NewContext(context.Background(), tn)
		for _, role := range []tenants.Role{tenants.RoleEnterprise, tenants.RoleModerator} {
			a, err := p.db.CreateAccount(base, store.NewAccount{Email: Unique(string(role) + "@example.org"),
				Name: string(role), Password: "correct horse battery", Role: role, Active: true})
			if err != nil {
				p.t.Fatalf("create %s in %s: %v", role, slug, err)
			}
			ctx := tenants.WithPrincipal(base, tenants.Principal{AccountID: a.ID, Name: a.Name, Role: role, TenantID: tn.ID})
			if role == tenants.RoleEnterprise {
				p.owner[slug] = ctx
			} else {
				p.mod[slug] = ctx
			}
		}
	}
	return p.owner[slug], p.mod[slug]
}

// Publish registers d in tenant slug and approves it, filling what a
// submission needs when the test does not care. It returns the id.
func (p *Publisher) Publish(slug string, d store.ListingData) string {
	p.t.Helper()
	owner, mod := p.Ctxs(slug)
	if d.LegalForm == "" {
		d.LegalForm = "fundacja"
	}
	if d.Description == "" {
		d.Description = "Opis działalności."
	}
	if len(d.Categories) == 0 {
		d.Categories = []string{"catering"}
	}
	if d.Contact.Email == "" {
		d.Contact.Email = "biuro@example.org"
	}
	l, err := p.db.CreateListing(owner, d)
	if err != nil {
		p.t.Fatalf("create listing %q: %v", d.Name, err)
	}
	if _, err := p.db.SubmitListing(owner, l.ID); err != nil {
		p.t.Fatalf("submit %q: %v", d.Name, err)
	}
	if _, err := p.db.Moderate(mod, l.ID, store.ActionApprove, ""); err != nil {
		p.t.Fatalf("approve %q: %v", d.Name, err)
	}
	return l.ID
}
