-- +goose Up
-- The regional office's pages: imports through the browser, reminders
-- sent by hand, and an editable taxonomy.

-- A file uploaded for an import, kept for an hour so the dry run and the
-- import read the same bytes; only the admin who uploaded it may use it.
CREATE TABLE import_uploads (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id  uuid NOT NULL REFERENCES tenants (id),
  account_id uuid NOT NULL,
  filename   text NOT NULL,
  format     text NOT NULL CHECK (format IN ('csv', 'xlsx')),
  content    bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX import_uploads_expires_at ON import_uploads (expires_at);

-- One run over an upload, a dry run or the import proper, done in the
-- background: its progress page reads rows_read until status leaves
-- 'running'. The result holds the report, the preview and the header.
CREATE TABLE import_jobs (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  account_id  uuid NOT NULL,
  upload_id   uuid NOT NULL REFERENCES import_uploads (id) ON DELETE CASCADE,
  dry_run     boolean NOT NULL,
  status      text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
  rows_read   int NOT NULL DEFAULT 0,
  result      jsonb,
  error       text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX import_jobs_upload ON import_jobs (upload_id);

-- Every reminder about a stale listing, automatic (sent_by NULL) or sent
-- by staff from the stale-listings page: when, and to whom.
CREATE TABLE listing_reminders (
  id         bigserial PRIMARY KEY,
  tenant_id  uuid NOT NULL REFERENCES tenants (id),
  listing_id uuid NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
  to_email   text NOT NULL,
  sent_by    uuid,
  sent_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX listing_reminders_listing ON listing_reminders (listing_id, sent_at DESC);

-- A retired category stays on the listings that have it, but is offered
-- for no new use.
ALTER TABLE categories ADD COLUMN retired_at timestamptz;

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['import_uploads', 'import_jobs', 'listing_reminders'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (app_tenant_visible(tenant_id)) WITH CHECK (app_tenant_visible(tenant_id))', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO katalogpes_app', t);
  END LOOP;
END
$$;
-- +goose StatementEnd
GRANT USAGE, SELECT ON SEQUENCE listing_reminders_id_seq TO katalogpes_app;

-- +goose Down
ALTER TABLE categories DROP COLUMN retired_at;
DROP TABLE listing_reminders;
DROP TABLE import_jobs;
DROP TABLE import_uploads;
