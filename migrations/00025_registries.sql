-- +goose Up
-- Answers of the public registries (KRS, REGON, VAT list), shared by every
-- region since they are public facts: an answer is kept 24 h, an error
-- (the registry down, a malformed answer) 10 min.
CREATE TABLE registry_cache (
  registry   text NOT NULL CHECK (registry IN ('krs', 'regon', 'vat')),
  key        text NOT NULL,
  found      boolean NOT NULL,
  entity     jsonb,
  error      text NOT NULL DEFAULT '',
  checked_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (registry, key)
);
CREATE INDEX registry_cache_expires ON registry_cache (expires_at);
GRANT SELECT, INSERT, UPDATE, DELETE ON registry_cache TO katalogpes_app;

-- What the registries said about a listing at its last check: which ones
-- answered, the facts, where the listing and the registries differ (for
-- moderators only), and a flag when the entity ended, was struck off,
-- went bankrupt or suspended its activity. night is the Polish night the
-- nightly check last took the listing, so no two workers check it twice.
CREATE TABLE listing_verifications (
  listing_id      uuid PRIMARY KEY REFERENCES listings (id),
  tenant_id       uuid NOT NULL REFERENCES tenants (id),
  checked_at      timestamptz,
  sources         text[] NOT NULL DEFAULT '{}',
  facts           jsonb NOT NULL DEFAULT '{}',
  mismatches      text[] NOT NULL DEFAULT '{}',
  flag            text NOT NULL DEFAULT '' CHECK (flag IN ('', 'struck_off', 'bankrupt', 'deleted', 'ended', 'suspended')),
  flag_state      text NOT NULL DEFAULT '' CHECK (flag_state IN ('', 'open', 'asked', 'dismissed', 'suspended')),
  flagged_at      timestamptz,
  owner_mailed_at timestamptz,
  decided_by      uuid REFERENCES accounts (id),
  night           date
);
CREATE INDEX listing_verifications_due ON listing_verifications (checked_at NULLS FIRST);
CREATE INDEX listing_verifications_flags ON listing_verifications (tenant_id, flagged_at) WHERE flag_state IN ('open', 'asked');

ALTER TABLE listing_verifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE listing_verifications FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON listing_verifications USING (app_tenant_visible(tenant_id)) WITH CHECK (app_tenant_visible(tenant_id));
GRANT SELECT, INSERT, UPDATE, DELETE ON listing_verifications TO katalogpes_app;

-- +goose Down
DROP TABLE listing_verifications;
DROP TABLE registry_cache;
