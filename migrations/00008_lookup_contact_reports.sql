-- +goose Up
-- A region's own contact, shown on its pages and where reports of
-- outdated data are mailed; empty until its admin sets it.
ALTER TABLE tenants
  ADD COLUMN contact_email text NOT NULL DEFAULT '',
  ADD COLUMN contact_phone text NOT NULL DEFAULT '';
GRANT UPDATE (contact_email, contact_phone) ON tenants TO katalogpes_app;

-- Buyers check a supplier by one identifier across every region: the
-- unique indexes lead with tenant_id, so the national lookup needs its own.
-- A REGON-14 is a local unit of the entity its first nine digits name.
CREATE INDEX listings_published_nip ON listings (nip) WHERE status = 'published';
CREATE INDEX listings_published_krs ON listings (krs) WHERE status = 'published';
CREATE INDEX listings_published_regon ON listings (left(data->>'regon', 9)) WHERE status = 'published';

-- "Outdated data" reports from the public: the moderators' inbox.
CREATE TABLE listing_reports (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id      uuid NOT NULL REFERENCES tenants (id),
  listing_id     uuid NOT NULL REFERENCES listings (id),
  body           text NOT NULL CHECK (body <> '' AND char_length(body) <= 2000),
  reporter_email text NOT NULL DEFAULT '',
  status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  closed_at      timestamptz,
  closed_by      uuid REFERENCES accounts (id)
);
CREATE INDEX listing_reports_open ON listing_reports (tenant_id, created_at) WHERE status = 'open';

ALTER TABLE listing_reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE listing_reports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON listing_reports
  USING (app_tenant_visible(tenant_id)) WITH CHECK (app_tenant_visible(tenant_id));
GRANT SELECT, INSERT, UPDATE, DELETE ON listing_reports TO katalogpes_app;

-- +goose Down
DROP TABLE listing_reports;
DROP INDEX listings_published_regon;
DROP INDEX listings_published_krs;
DROP INDEX listings_published_nip;
ALTER TABLE tenants DROP COLUMN contact_phone, DROP COLUMN contact_email;
