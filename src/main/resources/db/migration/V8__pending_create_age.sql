-- The retention finds unanswered creates older than bridge.store.retention by their start.
CREATE INDEX pending_create_started_at ON pending_create (started_at);
