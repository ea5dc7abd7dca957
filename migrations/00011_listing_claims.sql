-- +goose Up
-- A claim of a listing nobody owns (a region's import): the entity proves
-- control with a one-time code sent to the listing's contact e-mail, or,
-- without one, a moderator decides. The code is kept hashed only.
CREATE TABLE listing_claims (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  listing_id  uuid NOT NULL REFERENCES listings (id),
  claimant_id uuid NOT NULL REFERENCES accounts (id),
  method      text NOT NULL CHECK (method IN ('email_code', 'moderator')),
  status      text NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected', 'locked')),
  code_hash   text NOT NULL DEFAULT '',
  expires_at  timestamptz,
  attempts    int NOT NULL DEFAULT 0,
  note        text NOT NULL DEFAULT '',
  reason      text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  decided_at  timestamptz,
  decided_by  uuid REFERENCES accounts (id)
);
-- One open claim per person and listing: asking again renews it.
CREATE UNIQUE INDEX listing_claims_open ON listing_claims (listing_id, claimant_id) WHERE status = 'pending';
CREATE INDEX listing_claims_waiting ON listing_claims (tenant_id, created_at) WHERE status = 'pending' AND method = 'moderator';
CREATE INDEX listing_claims_claimant ON listing_claims (claimant_id);

ALTER TABLE listing_claims ENABLE ROW LEVEL SECURITY;
ALTER TABLE listing_claims FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON listing_claims USING (app_tenant_visible(tenant_id)) WITH CHECK (app_tenant_visible(tenant_id));
GRANT SELECT, INSERT, UPDATE, DELETE ON listing_claims TO katalogpes_app;

-- +goose Down
DROP TABLE listing_claims;
