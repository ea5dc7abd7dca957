package tenants

// Role is what an account may do.
type Role string

const (
	RoleAnonymous  Role = ""
	RoleEnterprise Role = "enterprise"
	RoleBuyer      Role = "buyer" // posts needs in one tenant, once confirmed
	RoleModerator  Role = "moderator"
	RoleAdmin      Role = "admin"
	RolePlatform   Role = "platform"
)

// Valid reports whether r names a role an account can have.
func (r Role) Valid() bool {
	switch r {
	case RoleEnterprise, RoleBuyer, RoleModerator, RoleAdmin, RolePlatform:
		return true
	}
	return false
}

// IsStaff reports whether r moderates listings.
func (r Role) IsStaff() bool {
	return r == RoleModerator || r == RoleAdmin || r == RolePlatform
}

// Principal is who is acting on a request.
type Principal struct {
	AccountID string
	Name      string
	Role      Role
	// TenantID is the account's tenant; empty for platform accounts.
	TenantID string
	// SessionID names the refresh-token family of the login, for logout.
	SessionID string
}

// Authenticated reports whether somebody signed in.
func (p Principal) Authenticated() bool { return p.AccountID != "" }

// Permission names something a route does.
type Permission string

const (
	PermPublic         Permission = "public"
	PermSignedIn       Permission = "signed_in"
	PermListingsCreate Permission = "listings:create"
	PermListingsOwn    Permission = "listings:own"
	PermModerate       Permission = "moderation"
	PermAdmin          Permission = "admin"
	PermPlatform       Permission = "platform"
	// PermLibrary: writing the region's library (issue 18), its staff's.
	PermLibrary Permission = "library:edit"
	// Buyers' needs (issue 14): posting them, moderating them and the
	// buyers, and answering them for one's listing.
	PermNeedsPost     Permission = "needs:post"
	PermNeedsModerate Permission = "needs:moderate"
	PermNeedsAnswer   Permission = "needs:answer"
)

// staff act on any listing of their tenant.
var staff = []Role{RoleModerator, RoleAdmin, RolePlatform}

// permissions says which roles hold a permission outright, whatever it is
// applied to.
var permissions = map[Permission][]Role{
	PermListingsCreate: {RoleEnterprise},
	PermListingsOwn:    staff,
	PermModerate:       staff,
	PermAdmin:          {RoleAdmin, RolePlatform},
	PermPlatform:       {RolePlatform},
	PermLibrary:        staff,
	PermNeedsPost:      {RoleBuyer},
	PermNeedsModerate:  staff,
	PermNeedsAnswer:    {RoleEnterprise},
}

// owners says which roles hold a permission on a thing only when they own
// it: an enterprise acts on its own listings, not on another's.
var owners = map[Permission][]Role{
	PermListingsOwn: {RoleEnterprise},
}

// Can reports whether p holds permission perm outright. A permission that
// owners hold (see MayOwn) is granted to them by CanOn, not here.
func (p Principal) Can(perm Permission) bool {
	switch perm {
	case PermPublic:
		return true
	case PermSignedIn:
		return p.Authenticated()
	}
	return p.Authenticated() && hasRole(permissions[perm], p.Role)
}

// CanOn reports whether p holds perm on a thing owned by the account
// ownerID: outright, or as its owner.
func (p Principal) CanOn(perm Permission, ownerID string) bool {
	if p.Can(perm) {
		return true
	}
	return p.Authenticated() && ownerID != "" && p.AccountID == ownerID && hasRole(owners[perm], p.Role)
}

// MayOwn reports whether p's role can hold perm by owning the thing: worth
// looking the owner up for.
func (p Principal) MayOwn(perm Permission) bool {
	return p.Authenticated() && hasRole(owners[perm], p.Role)
}

func hasRole(roles []Role, r Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}
