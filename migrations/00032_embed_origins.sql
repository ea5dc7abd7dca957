-- +goose Up
-- The sites (origins) a region lets frame its embeddable search
-- (/r/{slug}/osadz, issue 16); no row, or an empty list, is none.
CREATE TABLE region_embed (
  tenant_id     uuid PRIMARY KEY REFERENCES tenants (id),
  frame_origins text[] NOT NULL DEFAULT '{}',
  updated_at    timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE region_embed ENABLE ROW LEVEL SECURITY;
ALTER TABLE region_embed FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON region_embed USING (app_tenant_visible(tenant_id)) WITH CHECK (app_tenant_visible(tenant_id));
GRANT SELECT, INSERT, UPDATE, DELETE ON region_embed TO katalogpes_app;

-- +goose Down
DROP TABLE region_embed;
