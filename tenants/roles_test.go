package tenants

import "testing"

func TestListingsOwnIsStaffOrTheOwner(t *testing.T) {
	owner := Principal{AccountID: "a1", Role: RoleEnterprise}
	other := Principal{AccountID: "a2", Role: RoleEnterprise}
	mod := Principal{AccountID: "m1", Role: RoleModerator}
	cases := []struct {
		name    string
		p       Principal
		ownerID string
		want    bool
	}{
		{"the owner", owner, "a1", true},
		{"another enterprise", other, "a1", false},
		{"a moderator", mod, "a1", true},
		{"anonymous", Principal{}, "", false},
		{"an enterprise, a listing without owner", owner, "", false},
	}
	for _, c := range cases {
		if got := c.p.CanOn(PermListingsOwn, c.ownerID); got != c.want {
			t.Errorf("%s: CanOn = %v, want %v", c.name, got, c.want)
		}
	}
	if owner.Can(PermListingsOwn) {
		t.Error("an enterprise holds listings:own outright; it should only on its own listings")
	}
	if !owner.MayOwn(PermListingsOwn) || mod.MayOwn(PermModerate) {
		t.Error("MayOwn is wrong")
	}
}
