-- +goose Up
-- The hourly reminder job and the staff's list of stale listings look for
-- published listings by when they were last confirmed.
CREATE INDEX listings_published_confirmed ON listings (confirmed_at) WHERE status = 'published';
-- A person's data (download and erasure) includes the audit-log lines they wrote.
CREATE INDEX listing_events_actor ON listing_events (actor_id) WHERE actor_id IS NOT NULL;

-- +goose Down
DROP INDEX listing_events_actor;
DROP INDEX listings_published_confirmed;
