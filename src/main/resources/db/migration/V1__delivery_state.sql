-- What the bridge must remember across restarts and instances (interface.md sections 4 and 5).

-- One row per event an integration has finished with: a second copy of the event makes no call.
CREATE TABLE delivered_event (
    integration   VARCHAR(64)  NOT NULL,
    event_id      VARCHAR(128) NOT NULL,
    outcome       VARCHAR(32)  NOT NULL,
    alert_id      VARCHAR(256),
    delivered_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (integration, event_id)
);

-- The Defender alert of each threat in each integration: at most one, found again to resolve it.
CREATE TABLE threat_alert (
    integration       VARCHAR(64)  NOT NULL,
    threat_id         VARCHAR(256) NOT NULL,
    alert_id          VARCHAR(256) NOT NULL,
    status            VARCHAR(16)  NOT NULL,
    created_by_event  VARCHAR(128) NOT NULL,
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (integration, threat_id)
);
