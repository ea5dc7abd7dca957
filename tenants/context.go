package tenants

import "context"

type ctxKey int

const (
	tenantKey ctxKey = iota
	principalKey
	allTenantsKey
	requestIDKey
)

// NewContext returns ctx carrying the request's tenant.
func NewContext(ctx context.Context, t *Tenant) context.Context {
	return context.WithValue(ctx, tenantKey, t)
}

// FromContext returns the request's tenant, if it has one (the national hub
// has none).
func FromContext(ctx context.Context) (*Tenant, bool) {
	t, ok := ctx.Value(tenantKey).(*Tenant)
	return t, ok && t != nil
}

// WithPrincipal returns ctx carrying who is acting.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey, p)
}

// PrincipalFrom returns who is acting; anonymous when nobody signed in.
func PrincipalFrom(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey).(Principal)
	return p
}

// WithAllTenants marks ctx as working across every tenant: the national hub's
// reads, background workers and the CLI. The store then lifts row-level
// isolation for its transactions; nothing a request sends can set this.
func WithAllTenants(ctx context.Context) context.Context {
	return context.WithValue(ctx, allTenantsKey, true)
}

// AllTenants reports whether ctx works across every tenant.
func AllTenants(ctx context.Context) bool {
	v, _ := ctx.Value(allTenantsKey).(bool)
	return v
}
