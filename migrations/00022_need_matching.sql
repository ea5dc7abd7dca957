-- +goose Up
-- Matching runs in a worker, never in the request: publishing a need
-- queues it, workers on any node take it with SKIP LOCKED.
CREATE TABLE need_match_queue (
  need_id      uuid PRIMARY KEY REFERENCES needs (id) ON DELETE CASCADE,
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  available_at timestamptz NOT NULL DEFAULT now(),
  attempts     int NOT NULL DEFAULT 0,
  last_error   text NOT NULL DEFAULT '',
  done_at      timestamptz
);
CREATE INDEX need_match_queue_due ON need_match_queue (available_at) WHERE done_at IS NULL;

-- Who a need reached. tenant_id is the need's region; the listing may be
-- of another (include_other_regions). The primary key is what keeps two
-- workers from telling an entity twice about one need.
CREATE TABLE need_matches (
  tenant_id         uuid NOT NULL REFERENCES tenants (id),
  need_id           uuid NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
  listing_id        uuid NOT NULL REFERENCES listings (id),
  listing_tenant_id uuid NOT NULL REFERENCES tenants (id),
  account_id        uuid REFERENCES accounts (id) ON DELETE SET NULL,
  -- The name as it was told: a listing of another region is out of
  -- reach of the need's region under row-level security.
  listing_name      text NOT NULL DEFAULT '',
  score             int NOT NULL DEFAULT 0,
  notified_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  opened_at         timestamptz,
  answered_at       timestamptz,
  declined_at       timestamptz,
  decline_reason    text NOT NULL DEFAULT '',
  reminded_at       timestamptz,
  PRIMARY KEY (need_id, listing_id)
);
CREATE INDEX need_matches_listing_week ON need_matches (listing_id, notified_at);
CREATE INDEX need_matches_account ON need_matches (account_id);

-- One-click links of the mail ("interested", "not for us"): random
-- tokens kept hashed, single use, expiring, bound to need and listing.
CREATE TABLE need_click_tokens (
  token_hash bytea PRIMARY KEY,
  tenant_id  uuid NOT NULL REFERENCES tenants (id),
  need_id    uuid NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
  listing_id uuid NOT NULL REFERENCES listings (id),
  action     text NOT NULL CHECK (action IN ('interested', 'decline')),
  expires_at timestamptz NOT NULL,
  used_at    timestamptz
);

-- An entity that does not want needs of a category.
CREATE TABLE need_mutes (
  tenant_id  uuid NOT NULL REFERENCES tenants (id),
  listing_id uuid NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
  category   text NOT NULL,
  PRIMARY KEY (listing_id, category)
);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['need_match_queue', 'need_matches', 'need_click_tokens', 'need_mutes'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (app_tenant_visible(tenant_id)) WITH CHECK (app_tenant_visible(tenant_id))', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO katalogpes_app', t);
  END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE need_mutes;
DROP TABLE need_click_tokens;
DROP TABLE need_matches;
DROP TABLE need_match_queue;
