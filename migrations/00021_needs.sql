-- +goose Up
-- A buyer's need (zapytanie): draft → pending → published (or straight
-- to published where the region skips review), rejected with a reason,
-- withdrawn by the buyer, closed at its deadline or with an outcome.
CREATE TABLE needs (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  buyer_id      uuid NOT NULL REFERENCES accounts (id),
  status        text NOT NULL CHECK (status IN ('draft', 'pending', 'published', 'rejected', 'withdrawn', 'closed')),
  status_reason text NOT NULL DEFAULT '',
  title         text NOT NULL,
  description   text NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('rozeznanie', 'zapytanie', 'zastrzezone_94', 'ps_130k', 'wspolpraca')),
  categories    text[] NOT NULL DEFAULT '{}',
  cpv           text[] NOT NULL DEFAULT '{}',
  place         text[] NOT NULL DEFAULT '{}',
  deadline      timestamptz NOT NULL,
  starts_on     date,
  value_band    text NOT NULL DEFAULT '' CHECK (value_band IN ('', '<50k', '50-130k', '130k-eu', '>eu')),
  min_at_risk   int CHECK (min_at_risk BETWEEN 30 AND 100),
  include_other_regions boolean NOT NULL DEFAULT false,
  outcome       text CHECK (outcome IN ('awarded', 'not_awarded', 'cancelled')),
  awarded_to    uuid[] NOT NULL DEFAULT '{}',
  value_pln     numeric(14, 2) CHECK (value_pln >= 0),
  search_text   text GENERATED ALWAYS AS (fold_pl(title || ' ' || description)) STORED,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  submitted_at  timestamptz,
  published_at  timestamptz,
  closed_at     timestamptz,
  reminded_at   timestamptz,
  outcome_asked_at timestamptz
);
CREATE INDEX needs_tenant_status ON needs (tenant_id, status, deadline);
CREATE INDEX needs_buyer ON needs (buyer_id);
CREATE INDEX needs_open_deadline ON needs (deadline) WHERE status = 'published';

-- Attachments of needs and answers (PDF, checked by content, ≤ 10 MB).
CREATE TABLE need_files (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id  uuid NOT NULL REFERENCES tenants (id),
  need_id    uuid NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
  answer_id  uuid,
  name       text NOT NULL,
  size       int NOT NULL,
  content    bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX need_files_need ON need_files (need_id);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['needs', 'need_files'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (app_tenant_visible(tenant_id)) WITH CHECK (app_tenant_visible(tenant_id))', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO katalogpes_app', t);
  END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE need_files;
DROP TABLE needs;
