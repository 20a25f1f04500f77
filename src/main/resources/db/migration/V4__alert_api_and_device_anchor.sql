-- Which API made each alert, and which one an unanswered create went to: the resolve and the
-- look-up go there (interface.md section 3, api: auto). Alerts made before are Defender for Endpoint's.
ALTER TABLE threat_alert ADD COLUMN api VARCHAR(16) DEFAULT 'endpoint' NOT NULL;
ALTER TABLE pending_create ADD COLUMN api VARCHAR(16) DEFAULT 'endpoint' NOT NULL;

-- The anchor of each machine a tenant's Defender was asked about (interface.md section 5c): the
-- event a create is made on, reused for up to 24 hours, so one hunting call per machine and day.
-- event_time and report_id are null when Defender held no event of the machine at found_at.
CREATE TABLE device_anchor (
    tenant_id   VARCHAR(253) NOT NULL,
    machine_id  VARCHAR(40)  NOT NULL,
    event_time  VARCHAR(64),
    report_id   VARCHAR(64),
    found_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (tenant_id, machine_id)
);
