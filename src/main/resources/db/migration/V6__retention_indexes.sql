-- What the background retention (StoreRetention) deletes by, so that each of its batches reads only
-- expired rows: finished events by when they finished, resolved alerts by when they were resolved,
-- anchors by when hunting found them. Open alerts are never deleted: (status, updated_at) lets the
-- deletion skip them. IF NOT EXISTS: on a large PostgreSQL store an operator may build them first
-- with CREATE INDEX CONCURRENTLY, without holding inserts (docs/deployment.md).
CREATE INDEX IF NOT EXISTS delivered_event_delivered_at ON delivered_event (delivered_at);
CREATE INDEX IF NOT EXISTS threat_alert_status_updated_at ON threat_alert (status, updated_at);
CREATE INDEX IF NOT EXISTS device_anchor_found_at ON device_anchor (found_at);
