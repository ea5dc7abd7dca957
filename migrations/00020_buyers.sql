-- +goose Up
-- Buyers (issue 14): a contracting authority or a firm that posts needs.
-- The account names its institution; a moderator of the region confirms
-- it, or the e-mail's domain does when it is on the region's list of
-- public-sector domains. Until then the buyer drafts but cannot publish.
ALTER TABLE accounts DROP CONSTRAINT accounts_role_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_role_check
  CHECK (role IN ('enterprise', 'buyer', 'moderator', 'admin', 'platform'));

CREATE TABLE buyer_institutions (
  account_id    uuid PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  name          text NOT NULL,
  nip           text NOT NULL CHECK (nip ~ '^[0-9]{10}$'),
  teryt         text NOT NULL CHECK (teryt ~ '^[0-9]{7}$'),
  confirmed_at  timestamptz,
  confirmed_how text CHECK (confirmed_how IN ('domain', 'moderator')),
  confirmed_by  uuid REFERENCES accounts (id),
  rejected_reason text NOT NULL DEFAULT '',
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX buyer_institutions_waiting ON buyer_institutions (tenant_id, created_at) WHERE confirmed_at IS NULL;

-- A region's public-sector domains: a pattern's * stands for one or more
-- characters of the host (um.*.pl matches um.katowice.pl).
CREATE TABLE buyer_domains (
  tenant_id uuid NOT NULL REFERENCES tenants (id),
  pattern   text NOT NULL CHECK (pattern ~ '^[a-z0-9*][a-z0-9*.-]*\.[a-z]{2,}$'),
  PRIMARY KEY (tenant_id, pattern)
);
INSERT INTO buyer_domains (tenant_id, pattern)
SELECT t.id, p FROM tenants t CROSS JOIN unnest(ARRAY['*.gov.pl', 'um.*.pl', 'ug.*.pl', 'powiat*.pl']) AS p;

-- A region's switches for needs: publishing without review for confirmed
-- buyers, how many entities one need may reach, and how many needs one
-- entity of the region hears of in a week.
CREATE TABLE need_settings (
  tenant_id   uuid PRIMARY KEY REFERENCES tenants (id),
  skip_review boolean NOT NULL DEFAULT false,
  match_limit int NOT NULL DEFAULT 50 CHECK (match_limit BETWEEN 1 AND 500),
  weekly_cap  int NOT NULL DEFAULT 5 CHECK (weekly_cap BETWEEN 1 AND 100)
);
INSERT INTO need_settings (tenant_id) SELECT id FROM tenants;

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['buyer_institutions', 'buyer_domains', 'need_settings'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (app_tenant_visible(tenant_id)) WITH CHECK (app_tenant_visible(tenant_id))', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO katalogpes_app', t);
  END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE need_settings;
DROP TABLE buyer_domains;
DROP TABLE buyer_institutions;
ALTER TABLE accounts DROP CONSTRAINT accounts_role_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_role_check CHECK (role IN ('enterprise', 'moderator', 'admin', 'platform'));
