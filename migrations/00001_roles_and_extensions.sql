-- +goose Up
-- The application connects as the login user but acts as this NOLOGIN role
-- (options=-c role=katalogpes_app), which owns no table and has no
-- BYPASSRLS, so row-level security applies even when the login user is a
-- superuser. Roles are cluster-wide: two databases migrating at once may
-- race to create it, hence the exception handler.
-- +goose StatementBegin
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'katalogpes_app') THEN
    CREATE ROLE katalogpes_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
DO $$
BEGIN
  EXECUTE format('GRANT katalogpes_app TO %I', current_user);
EXCEPTION WHEN duplicate_object OR unique_violation OR invalid_grant_operation THEN
  NULL;
END
$$;
-- +goose StatementEnd
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- unaccent() is only STABLE; an IMMUTABLE wrapper lets indexes use it.
-- Polish ł is not a diacritic to unaccent's rules everywhere, so fold it too.
CREATE FUNCTION fold_pl(t text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT translate(lower(public.unaccent('public.unaccent'::regdictionary, t)), 'ł', 'l') $$;

-- A jsonb array of strings as text[] (anything else, JSON null included, is
-- empty), usable in generated columns.
CREATE FUNCTION jsonb_text_array(j jsonb) RETURNS text[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT coalesce(array_agg(e), '{}')
         FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(j) = 'array' THEN j ELSE '[]'::jsonb END) AS e $$;

GRANT USAGE ON SCHEMA public TO katalogpes_app;

-- +goose Down
DROP FUNCTION jsonb_text_array(jsonb);
DROP FUNCTION fold_pl(text);
