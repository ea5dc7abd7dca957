-- +goose Up
-- The language an account's mail is written in: the page's language at
-- registration, changed whenever its person picks another (?lang=).
ALTER TABLE accounts ADD COLUMN lang text NOT NULL DEFAULT 'pl' CHECK (lang IN ('pl', 'en'));

-- What the site told a person (a moderation decision…), shown on their
-- desk and by GET /me/notifications; the same words went out by mail.
CREATE TABLE notifications (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id  uuid NOT NULL REFERENCES tenants (id),
  account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  listing_id uuid REFERENCES listings (id),
  kind       text NOT NULL,
  subject    text NOT NULL,
  link       text NOT NULL,
  at         timestamptz NOT NULL DEFAULT clock_timestamp(),
  read_at    timestamptz
);
CREATE INDEX notifications_account ON notifications (account_id, at DESC);

-- The version a moderator asked changes of (the listing's data, or its
-- revision), so the resubmission's diff shows what changed since.
ALTER TABLE listings ADD COLUMN review_snapshot jsonb;

-- One row per certificate whose owner was told it lapses soon: the
-- marker that keeps several nodes from mailing twice. A renewed
-- certificate (a new valid_until) is a new row.
CREATE TABLE certificate_reminders (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  listing_id  uuid NOT NULL REFERENCES listings (id),
  kind        text NOT NULL,
  valid_until date NOT NULL,
  sent_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (listing_id, kind, valid_until)
);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['notifications', 'certificate_reminders'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (app_tenant_visible(tenant_id)) WITH CHECK (app_tenant_visible(tenant_id))', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO katalogpes_app', t);
  END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE certificate_reminders;
ALTER TABLE listings DROP COLUMN review_snapshot;
DROP TABLE notifications;
ALTER TABLE accounts DROP COLUMN lang;
