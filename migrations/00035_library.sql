-- +goose Up
-- Stored files (library documents and covers; later logos and needs'
-- attachments): the bytes in PostgreSQL behind store.Files, so an
-- S3-compatible store can take over without touching their users.
CREATE TABLE stored_files (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  content_type text NOT NULL,
  size         bigint NOT NULL CHECK (size >= 0),
  sha256       bytea NOT NULL,
  data         bytea NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stored_files_tenant ON stored_files (tenant_id);

-- The regional library (DOMAIN.md "The regional library"): reports,
-- research, guides, articles, and events, trainings and competitions.
-- Written by the region's staff: draft, then published; archived on delete.
CREATE TABLE library_items (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id             uuid NOT NULL REFERENCES tenants (id),
  kind                  text NOT NULL CHECK (kind IN ('raport', 'badanie', 'publikacja', 'poradnik', 'artykul', 'wydarzenie', 'szkolenie', 'konkurs')),
  status                text NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
  title                 text NOT NULL,
  summary               text NOT NULL DEFAULT '',
  published_on          date,
  authors               text[] NOT NULL DEFAULT '{}',
  tags                  text[] NOT NULL DEFAULT '{}',
  categories            text[] NOT NULL DEFAULT '{}',
  language              text NOT NULL DEFAULT 'pl',
  licence               text NOT NULL DEFAULT '',
  starts_at             timestamptz,
  ends_at               timestamptz,
  place_teryt           text REFERENCES teryt_gminas (code),
  place_name            text NOT NULL DEFAULT '',
  online_url            text NOT NULL DEFAULT '',
  registration_url      text NOT NULL DEFAULT '',
  registration_deadline timestamptz,
  cover_file_id         uuid REFERENCES stored_files (id),
  -- iCalendar SEQUENCE: raised by every edit, so calendars apply it in place.
  sequence              int NOT NULL DEFAULT 0,
  created_by            uuid REFERENCES accounts (id),
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  published_at          timestamptz,
  CHECK ((starts_at IS NULL) = (kind NOT IN ('wydarzenie', 'szkolenie', 'konkurs'))),
  CHECK (ends_at IS NULL OR ends_at >= starts_at)
);
CREATE INDEX library_items_tenant_status ON library_items (tenant_id, status, published_at DESC);
CREATE INDEX library_items_events ON library_items (tenant_id, starts_at) WHERE starts_at IS NOT NULL;
CREATE INDEX library_items_tags ON library_items USING gin (tags);

-- The item's history: every create, edit, file, publication and archive.
CREATE TABLE library_item_events (
  id          bigserial PRIMARY KEY,
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  item_id     uuid NOT NULL REFERENCES library_items (id),
  actor_id    uuid REFERENCES accounts (id),
  actor_name  text NOT NULL,
  action      text NOT NULL,
  at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  from_status text NOT NULL,
  to_status   text NOT NULL,
  fields      text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX library_item_events_item ON library_item_events (item_id, id);

-- An item's documents, by the download name; text_status 'no_text' is a
-- PDF without a text layer (a scan), flagged to the editor.
CREATE TABLE library_files (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  item_id      uuid NOT NULL REFERENCES library_items (id),
  name         text NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$'),
  file_id      uuid NOT NULL REFERENCES stored_files (id),
  content_type text NOT NULL,
  size         bigint NOT NULL,
  text         text NOT NULL DEFAULT '',
  text_status  text NOT NULL CHECK (text_status IN ('ok', 'no_text', 'not_pdf')),
  created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (item_id, name)
);

-- Listings an item names (a report on a cooperative, a training by a CIS).
CREATE TABLE library_item_listings (
  tenant_id  uuid NOT NULL REFERENCES tenants (id),
  item_id    uuid NOT NULL REFERENCES library_items (id),
  listing_id uuid NOT NULL REFERENCES listings (id),
  PRIMARY KEY (item_id, listing_id)
);
CREATE INDEX library_item_listings_listing ON library_item_listings (listing_id);

-- The library's search outbox, written in the transaction of each change.
CREATE TABLE library_outbox (
  id           bigserial PRIMARY KEY,
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  item_id      uuid NOT NULL,
  enqueued_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  available_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  attempts     int NOT NULL DEFAULT 0,
  last_error   text NOT NULL DEFAULT ''
);
CREATE INDEX library_outbox_available ON library_outbox (available_at, id);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['stored_files', 'library_items', 'library_item_events', 'library_files',
                           'library_item_listings', 'library_outbox'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (app_tenant_visible(tenant_id)) WITH CHECK (app_tenant_visible(tenant_id))', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO katalogpes_app', t);
  END LOOP;
END
$$;
-- +goose StatementEnd
GRANT USAGE, SELECT ON SEQUENCE library_item_events_id_seq, library_outbox_id_seq TO katalogpes_app;

-- +goose Down
DROP TABLE library_outbox;
DROP TABLE library_item_listings;
DROP TABLE library_files;
DROP TABLE library_item_events;
DROP TABLE library_items;
DROP TABLE stored_files;
