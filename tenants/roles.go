package tenants

// Role is what an account may do.
type Role string

const (
	RoleAnonymous  Role = ""
	RoleEnterprise Role = "enterprise"
	RoleModerator  Role = "moderator"
	RoleAdmin      Role = "admin"
	RolePlatform   Role = "platform"
)

// Valid reports whether r names a role an account can have.
func (r Role) Valid() bool {
	switch r {
	case RoleEnterprise, RoleModerator, RoleAdmin, RolePlatform:
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
)

var permissions = map[Permission][]Role{
	PermListingsCreate: {RoleEnterprise},
	PermListingsOwn:    {RoleEnterprise, RoleModerator, RoleAdmin, RolePlatform},
	PermModerate:       {RoleModerator, RoleAdmin, RolePlatform},
	PermAdmin:          {RoleAdmin, RolePlatform},
	PermPlatform:       {RolePlatform},
}

// Can reports whether p holds permission perm.
func (p Principal) Can(perm Permission) bool {
	switch perm {
	case PermPublic:
		return true
	case PermSignedIn:
		return p.Authenticated()
	}
	if !p.Authenticated() {
		return false
	}
	for _, r := range permissions[perm] {
		if r == p.Role {
			return true
		}
	}
	return false
}
