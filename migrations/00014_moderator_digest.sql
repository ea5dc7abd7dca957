-- +goose Up
-- Moderators are told what waits: a daily digest to each of a region's
-- staff, and, for those who ask, a mail as each item arrives.
ALTER TABLE accounts ADD COLUMN notify_immediately boolean NOT NULL DEFAULT false;

-- One row per person and day a digest was considered: the marker that
-- keeps several nodes from mailing twice (its key is unique).
CREATE TABLE moderator_digests (
  tenant_id  uuid NOT NULL REFERENCES tenants (id),
  account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  day        date NOT NULL,
  sent_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (account_id, day)
);

ALTER TABLE moderator_digests ENABLE ROW LEVEL SECURITY;
ALTER TABLE moderator_digests FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON moderator_digests
  USING (app_tenant_visible(tenant_id)) WITH CHECK (app_tenant_visible(tenant_id));
GRANT SELECT, INSERT, UPDATE, DELETE ON moderator_digests TO katalogpes_app;

-- +goose Down
DROP TABLE moderator_digests;
ALTER TABLE accounts DROP COLUMN notify_immediately;
