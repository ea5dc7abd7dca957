-- +goose Up
-- A listing's public page also shows its registry check ("Dane
-- zweryfikowane…") and the library items that name it: changes to those
-- announce the listing too, so no node keeps a cached page that says
-- otherwise (issue 17, with 00040's notify_listings_changed).
CREATE TRIGGER listing_verifications_changed_insert AFTER INSERT ON listing_verifications
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION notify_listings_changed('listing_id');
CREATE TRIGGER listing_verifications_changed_update AFTER UPDATE ON listing_verifications
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION notify_listings_changed('listing_id');
CREATE TRIGGER listing_verifications_changed_delete AFTER DELETE ON listing_verifications
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION notify_listings_changed('listing_id');
CREATE TRIGGER library_item_listings_changed_insert AFTER INSERT ON library_item_listings
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION notify_listings_changed('listing_id');
CREATE TRIGGER library_item_listings_changed_delete AFTER DELETE ON library_item_listings
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION notify_listings_changed('listing_id');

-- An item's title or status shows on the pages of the listings it names.
-- +goose StatementBegin
CREATE FUNCTION notify_library_items_listings() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT l.tenant_id, count(*) AS n, (array_agg(l.listing_id::text))[1:100] AS ids
           FROM changed c JOIN library_item_listings l ON l.item_id = c.id GROUP BY l.tenant_id LOOP
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
CREATE TRIGGER library_items_changed_update AFTER UPDATE ON library_items
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION notify_library_items_listings();

-- +goose Down
DROP TRIGGER library_items_changed_update ON library_items;
DROP FUNCTION notify_library_items_listings();
DROP TRIGGER library_item_listings_changed_delete ON library_item_listings;
DROP TRIGGER library_item_listings_changed_insert ON library_item_listings;
DROP TRIGGER listing_verifications_changed_delete ON listing_verifications;
DROP TRIGGER listing_verifications_changed_update ON listing_verifications;
DROP TRIGGER listing_verifications_changed_insert ON listing_verifications;
