-- +goose Up
-- An entity's answer to a need, alone or as a consortium whose partners
-- each confirm before the answer counts as joint; and the need's public
-- questions and the buyer's answers.
CREATE TABLE need_answers (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id  uuid NOT NULL REFERENCES tenants (id),
  need_id    uuid NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
  listing_id uuid NOT NULL REFERENCES listings (id),
  account_id uuid REFERENCES accounts (id) ON DELETE SET NULL,
  message    text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (need_id, listing_id)
);
CREATE TABLE need_answer_partners (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  answer_id    uuid NOT NULL REFERENCES need_answers (id) ON DELETE CASCADE,
  listing_id   uuid NOT NULL REFERENCES listings (id),
  confirmed_at timestamptz,
  PRIMARY KEY (answer_id, listing_id)
);
ALTER TABLE need_files ADD CONSTRAINT need_files_answer FOREIGN KEY (answer_id) REFERENCES need_answers (id) ON DELETE CASCADE;

CREATE TABLE need_questions (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  need_id     uuid NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
  asker_id    uuid REFERENCES accounts (id) ON DELETE SET NULL,
  question    text NOT NULL,
  answer      text NOT NULL DEFAULT '',
  asked_at    timestamptz NOT NULL DEFAULT now(),
  answered_at timestamptz
);
CREATE INDEX need_questions_need ON need_questions (need_id, asked_at);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['need_answers', 'need_answer_partners', 'need_questions'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (app_tenant_visible(tenant_id)) WITH CHECK (app_tenant_visible(tenant_id))', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO katalogpes_app', t);
  END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
ALTER TABLE need_files DROP CONSTRAINT need_files_answer;
DROP TABLE need_questions;
DROP TABLE need_answer_partners;
DROP TABLE need_answers;
