-- +goose Up
-- Reserved-contract eligibility now needs a qualifying kind or a stated
-- integration aim and current employment figures, and the index gains the
-- share at risk and the day the figures lapse. Nothing derived is stored in
-- columns (eligibility is computed when a listing is read), so only the
-- search index needs refreshing: every published listing is queued.
SELECT set_config('app.all_tenants', 'on', true);
INSERT INTO search_outbox (tenant_id, listing_id)
  SELECT tenant_id, id FROM listings WHERE status = 'published';

-- A text that is a date, or NULL: listing data is JSON, and one bad value
-- must not stop a scan of every listing.
-- +goose StatementBegin
CREATE FUNCTION iso_date_or_null(s text) RETURNS date
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
  AS $$
BEGIN
  IF s IS NULL OR s !~ '^\d{4}-\d{2}-\d{2}$' THEN
    RETURN NULL;
  END IF;
  RETURN s::date;
EXCEPTION WHEN others THEN
  RETURN NULL;
END
$$;
-- +goose StatementEnd

-- The day up to which the ageing recompute has queued the listings whose
-- derived state (eligibility, status, certificates) changes with time. One
-- row; a run locks it (SKIP LOCKED), so several nodes never run at once.
-- It starts yesterday: the listings queued above are built as of today.
CREATE TABLE eligibility_recompute (
  id       int PRIMARY KEY CHECK (id = 1),
  last_day date NOT NULL
);
INSERT INTO eligibility_recompute (id, last_day) VALUES (1, current_date - 1);
GRANT SELECT, UPDATE ON eligibility_recompute TO katalogpes_app;
GRANT EXECUTE ON FUNCTION iso_date_or_null(text) TO katalogpes_app;

-- +goose Down
DROP TABLE eligibility_recompute;
DROP FUNCTION iso_date_or_null(text);
