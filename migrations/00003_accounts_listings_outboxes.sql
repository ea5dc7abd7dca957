-- +goose Up
-- Row-level security: a transaction sees the rows of the tenant it set with
-- set_config('app.tenant_id', id, true); cross-tenant work (national hub,
-- workers) sets app.all_tenants = 'on' explicitly. After a transaction the
-- setting reads '' (not NULL), hence NULLIF.
CREATE FUNCTION app_tenant_visible(row_tenant uuid) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT coalesce(current_setting('app.all_tenants', true), '') = 'on'
            OR row_tenant IS NOT DISTINCT FROM NULLIF(current_setting('app.tenant_id', true), '')::uuid $$;

CREATE TABLE accounts (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id     uuid REFERENCES tenants (id), -- NULL for platform accounts
  email         text NOT NULL,
  name          text NOT NULL,
  role          text NOT NULL CHECK (role IN ('enterprise', 'moderator', 'admin', 'platform')),
  status        text NOT NULL CHECK (status IN ('unverified', 'active', 'disabled', 'deleted')),
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  verified_at   timestamptz,
  CHECK ((role = 'platform') = (tenant_id IS NULL))
);
CREATE UNIQUE INDEX accounts_tenant_email ON accounts (coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid), lower(email));

-- Single-use tokens sent by mail (e-mail verification, password reset).
CREATE TABLE account_tokens (
  token_hash bytea PRIMARY KEY,
  tenant_id  uuid REFERENCES tenants (id),
  account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  purpose    text NOT NULL CHECK (purpose IN ('verify', 'reset')),
  expires_at timestamptz NOT NULL,
  used_at    timestamptz
);

-- Opaque refresh tokens, stored hashed; a family is one login's chain of
-- rotations, revoked whole when a used token is presented again.
CREATE TABLE refresh_tokens (
  token_hash bytea PRIMARY KEY,
  tenant_id  uuid REFERENCES tenants (id),
  account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  family_id  uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at    timestamptz,
  revoked_at timestamptz
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_account ON refresh_tokens (account_id);

-- A listing's editable fields live in data (the API's shape); the columns
-- generated from it are what queries filter, sort and keep unique on.
CREATE TABLE listings (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id        uuid NOT NULL REFERENCES tenants (id),
  owner_id         uuid REFERENCES accounts (id),
  status           text NOT NULL CHECK (status IN ('draft', 'pending', 'changes_requested', 'published', 'rejected', 'suspended', 'archived')),
  status_reason    text NOT NULL DEFAULT '',
  data             jsonb NOT NULL,
  -- A pending edit of a published listing: the public keeps seeing data.
  revision         jsonb,
  revision_status  text CHECK (revision_status IN ('pending', 'changes_requested', 'draft')),
  revision_reason  text NOT NULL DEFAULT '',
  name             text GENERATED ALWAYS AS (data->>'name') STORED,
  legal_form       text GENERATED ALWAYS AS (data->>'legal_form') STORED,
  nip              text GENERATED ALWAYS AS (NULLIF(data->>'nip', '')) STORED,
  krs              text GENERATED ALWAYS AS (NULLIF(data->>'krs', '')) STORED,
  gmina_teryt      text GENERATED ALWAYS AS (data->'address'->>'gmina_teryt') STORED,
  kinds            text[] GENERATED ALWAYS AS (jsonb_text_array(data->'kinds')) STORED,
  categories       text[] GENERATED ALWAYS AS (jsonb_text_array(data->'categories')) STORED,
  search_text      text GENERATED ALWAYS AS (fold_pl(coalesce(data->>'name', '') || ' ' || coalesce(data->>'short_name', '') || ' ' || coalesce(data->>'description', ''))) STORED,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  submitted_at     timestamptz,
  revision_submitted_at timestamptz,
  published_at     timestamptz,
  verified_at      timestamptz,
  verified_by      uuid REFERENCES accounts (id),
  confirmed_at     timestamptz NOT NULL DEFAULT now(),
  reminded_at      timestamptz
);
CREATE UNIQUE INDEX listings_tenant_nip ON listings (tenant_id, nip) WHERE nip IS NOT NULL AND status <> 'archived';
CREATE UNIQUE INDEX listings_tenant_krs ON listings (tenant_id, krs) WHERE krs IS NOT NULL AND status <> 'archived';
CREATE INDEX listings_tenant_status ON listings (tenant_id, status);
CREATE INDEX listings_owner ON listings (owner_id);
CREATE INDEX listings_search_trgm ON listings USING gin (search_text gin_trgm_ops);
CREATE INDEX listings_search_fts ON listings USING gin (to_tsvector('simple', search_text));

-- The audit log: every transition of a listing. actor_name is kept as it
-- was, or pseudonymised when the account is erased.
CREATE TABLE listing_events (
  id          bigserial PRIMARY KEY,
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  listing_id  uuid NOT NULL REFERENCES listings (id),
  actor_id    uuid REFERENCES accounts (id),
  actor_name  text NOT NULL,
  actor_role  text NOT NULL,
  action      text NOT NULL,
  at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  from_status text NOT NULL,
  to_status   text NOT NULL,
  reason      text NOT NULL DEFAULT '',
  fields      text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX listing_events_listing ON listing_events (listing_id, id);

-- Transactional outbox for the search index: a row per listing whose public
-- face changed; the worker reads the listing and upserts or deletes.
CREATE TABLE search_outbox (
  id           bigserial PRIMARY KEY,
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  listing_id   uuid NOT NULL,
  enqueued_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  available_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  attempts     int NOT NULL DEFAULT 0,
  last_error   text NOT NULL DEFAULT ''
);
CREATE INDEX search_outbox_available ON search_outbox (available_at, id);

-- Outgoing mail, written in the transaction that causes it.
CREATE TABLE mail_outbox (
  id           bigserial PRIMARY KEY,
  tenant_id    uuid REFERENCES tenants (id),
  to_email     text NOT NULL,
  subject      text NOT NULL,
  body         text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  available_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  sent_at      timestamptz,
  attempts     int NOT NULL DEFAULT 0,
  last_error   text NOT NULL DEFAULT ''
);
CREATE INDEX mail_outbox_unsent ON mail_outbox (available_at, id) WHERE sent_at IS NULL;
CREATE INDEX mail_outbox_to ON mail_outbox (lower(to_email), id);

-- Tenant isolation, enforced by the database as well as by every query.
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['categories', 'accounts', 'account_tokens', 'refresh_tokens',
                           'listings', 'listing_events', 'search_outbox', 'mail_outbox'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (app_tenant_visible(tenant_id)) WITH CHECK (app_tenant_visible(tenant_id))', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO katalogpes_app', t);
  END LOOP;
END
$$;
-- +goose StatementEnd
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO katalogpes_app;

-- +goose Down
DROP TABLE mail_outbox;
DROP TABLE search_outbox;
DROP TABLE listing_events;
DROP TABLE listings;
DROP TABLE refresh_tokens;
DROP TABLE account_tokens;
DROP TABLE accounts;
DROP FUNCTION app_tenant_visible(uuid);
