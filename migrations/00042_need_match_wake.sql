-- +goose Up
-- A need queued for matching wakes the needs workers on every node when
-- its transaction commits, instead of waiting for their next tick: the
-- matched entities hear of it within moments (issue 14's bench row was
-- mostly the tick). The tick stays, for a notice missed while a node was
-- reconnecting. (An INSERT … ON CONFLICT DO UPDATE, a need published
-- again, fires statement INSERT triggers too.)
-- +goose StatementBegin
CREATE FUNCTION notify_need_match_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('need_match_queued', '');
  RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER need_match_queued AFTER INSERT ON need_match_queue
  FOR EACH STATEMENT EXECUTE FUNCTION notify_need_match_queued();

-- +goose Down
DROP TRIGGER need_match_queued ON need_match_queue;
DROP FUNCTION notify_need_match_queued();
