-- A create call that was sent but whose answer the bridge never recorded (it stopped, or the answer
-- was lost). Before creating again, the bridge asks Defender whether that call made an alert.
CREATE TABLE pending_create (
    integration  VARCHAR(64)  NOT NULL,
    threat_id    VARCHAR(256) NOT NULL,
    event_id     VARCHAR(128) NOT NULL,
    started_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (integration, threat_id)
);
