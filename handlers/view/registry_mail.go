package view

import "katalogpes/store"

// RegistryFlag tells the owner what the nightly registry check found.
func (m *Composer) RegistryFlag(f store.FlagMail) store.Mail {
	return m.registryMail("mail.registry_flag", f)
}

// RegistryAsk is a moderator's question to the owner about a flag.
func (m *Composer) RegistryAsk(f store.FlagMail) store.Mail {
	return m.registryMail("mail.registry_ask", f)
}

func (m *Composer) registryMail(key string, f store.FlagMail) store.Mail {
	return m.compose(f.Lang, key, f.To, map[string]any{"Name": f.ListingName, "Region": f.TenantName,
		"Flag": m.tr.T(f.Lang, "registry.flag."+f.Flag, nil), "Link": m.link(f.TenantSlug, "moje/"+f.ListingID, nil)})
}
