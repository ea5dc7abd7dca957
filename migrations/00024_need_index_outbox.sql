-- +goose Up
-- Every change to a need that the public search shows writes a row here
-- in the same transaction; the needs worker drains it into the region's
-- needs index (SKIP LOCKED), so Meilisearch being down loses nothing.
CREATE TABLE need_index_outbox (
  id           bigserial PRIMARY KEY,
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  need_id      uuid NOT NULL,
  available_at timestamptz NOT NULL DEFAULT now(),
  attempts     int NOT NULL DEFAULT 0
);
CREATE INDEX need_index_outbox_due ON need_index_outbox (available_at);
ALTER TABLE need_index_outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE need_index_outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON need_index_outbox USING (app_tenant_visible(tenant_id)) WITH CHECK (app_tenant_visible(tenant_id));
GRANT SELECT, INSERT, UPDATE, DELETE ON need_index_outbox TO katalogpes_app;
GRANT USAGE, SELECT ON SEQUENCE need_index_outbox_id_seq TO katalogpes_app;

-- +goose Down
DROP TABLE need_index_outbox;
