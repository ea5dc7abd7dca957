-- +goose Up
-- Every change to a listing is announced when its transaction commits
-- (never for one rolled back), so each node drops its rendered copies of
-- the listing's page within moments (issue 17). A trigger rather than a
-- call in each write: no path that changes a listing can forget it.
-- One notice per statement and tenant: "tenant_id id,id,…" for up to 100
-- rows, or the tenant id alone when more changed (an import's chunk),
-- for which a node drops all of that tenant's pages. Another table whose
-- rows show on a listing's page can announce its listing the same way:
-- a statement trigger with the transition table named changed, and the
-- column holding the listing's id as the argument (id when none).
-- +goose StatementBegin
CREATE FUNCTION notify_listings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r record;
  col text := coalesce(TG_ARGV[0], 'id');
BEGIN
  FOR r IN EXECUTE format('SELECT tenant_id, count(*) AS n, (array_agg(%I::text))[1:100] AS ids FROM changed GROUP BY tenant_id', col) LOOP
    IF r.n > 100 THEN
      PERFORM pg_notify('listing_changed', r.tenant_id::text);
    ELSE
      PERFORM pg_notify('listing_changed', r.tenant_id::text || ' ' || array_to_string(r.ids, ','));
    END IF;
  END LOOP;
  RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- A new listing has no page in any cache yet; updates and deletions do.
CREATE TRIGGER listings_changed_update AFTER UPDATE ON listings
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION notify_listings_changed();
CREATE TRIGGER listings_changed_delete AFTER DELETE ON listings
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION notify_listings_changed();

-- +goose Down
DROP TRIGGER listings_changed_delete ON listings;
DROP TRIGGER listings_changed_update ON listings;
DROP FUNCTION notify_listings_changed();
