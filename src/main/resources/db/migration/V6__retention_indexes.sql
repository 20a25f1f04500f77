-- What the background retention (StoreRetention) deletes by, so that each of its batches reads only
-- expired rows: finished events by when they finished, resolved alerts by when they were resolved,
-- anchors by when hunting found them. Open alerts are never deleted: (status, updated_at) lets the
-- deletion skip them.
CREATE INDEX delivered_event_delivered_at ON delivered_event (delivered_at);
CREATE INDEX threat_alert_status_updated_at ON threat_alert (status, updated_at);
CREATE INDEX device_anchor_found_at ON device_anchor (found_at);
