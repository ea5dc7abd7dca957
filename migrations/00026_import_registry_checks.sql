-- +goose Up
-- An import's rows checked against the registries (issue 15, optional):
-- one run per import job, its progress, and what each row's check found.
CREATE TABLE import_registry_checks (
  job_id      uuid PRIMARY KEY REFERENCES import_jobs (id) ON DELETE CASCADE,
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  status      text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
  rows_total  int NOT NULL DEFAULT 0,
  rows_done   int NOT NULL DEFAULT 0,
  results     jsonb NOT NULL DEFAULT '[]',
  started_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
ALTER TABLE import_registry_checks ENABLE ROW LEVEL SECURITY;
ALTER TABLE import_registry_checks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON import_registry_checks USING (app_tenant_visible(tenant_id)) WITH CHECK (app_tenant_visible(tenant_id));
GRANT SELECT, INSERT, UPDATE, DELETE ON import_registry_checks TO katalogpes_app;

-- +goose Down
DROP TABLE import_registry_checks;
