-- +goose Up
-- Integrators' API keys (issue 16): a region's admin makes one, sees it
-- once; only its SHA-256 is kept. Every request with a key reads this row
-- (and counts its use) in one statement, so a revocation holds at once on
-- every node.
CREATE TABLE api_keys (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id       uuid NOT NULL REFERENCES tenants (id),
  name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  scopes          text[] NOT NULL DEFAULT '{read}',
  prefix          text NOT NULL,
  key_hash        bytea NOT NULL UNIQUE,
  rate_per_minute int NOT NULL DEFAULT 120 CHECK (rate_per_minute BETWEEN 1 AND 10000),
  usage_count     bigint NOT NULL DEFAULT 0,
  last_used_at    timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  created_by      uuid REFERENCES accounts (id),
  revoked_at      timestamptz
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id, created_at);

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_keys USING (app_tenant_visible(tenant_id)) WITH CHECK (app_tenant_visible(tenant_id));
GRANT SELECT, INSERT, UPDATE, DELETE ON api_keys TO katalogpes_app;

-- +goose Down
DROP TABLE api_keys;
