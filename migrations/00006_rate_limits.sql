-- +goose Up
-- Rate limit counters, shared by every node and every route that guards
-- the same thing (the API and the page login, under /r/{slug} and on a
-- region's host). A key names what is protected and by whom, e.g.
-- "login:ip:192.0.2.1" or "login:email:<sha256 of the address>"; one row
-- is one fixed window. Keys are not a region's data (an address or an
-- e-mail is limited wherever it knocks), so the table has no tenant_id and
-- no row-level security.
CREATE TABLE rate_limits (
  key            text PRIMARY KEY,
  window_start   timestamptz NOT NULL,
  window_ends_at timestamptz NOT NULL,
  hits           int NOT NULL CHECK (hits >= 0)
);
-- Expired windows are deleted now and then (see store.HitRateLimit).
CREATE INDEX rate_limits_window_ends_at ON rate_limits (window_ends_at);
GRANT SELECT, INSERT, UPDATE, DELETE ON rate_limits TO katalogpes_app;

-- +goose Down
DROP TABLE rate_limits;
