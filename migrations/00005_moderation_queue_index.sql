-- +goose Up
-- The moderation queue asks for a tenant's pending listings and pending
-- revisions; without this index PostgreSQL reads every listing of the
-- tenant to find the few waiting (5 ms at 30,000 listings, 0.1 ms with it).
CREATE INDEX listings_moderation_queue ON listings (tenant_id) WHERE status = 'pending' OR revision_status = 'pending';

-- +goose Down
DROP INDEX listings_moderation_queue;
