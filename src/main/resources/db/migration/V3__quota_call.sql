-- The Defender calls counted against each tenant's quota in the current window (TenantPacer). Kept
-- in the store, which every bridge instance shares, so the quota holds for the tenant as a whole:
-- whichever instances deliver its integrations, and across a takeover. counted_at is the database's
-- clock in epoch milliseconds, the one clock all instances read.
CREATE TABLE quota_call (
    quota_key   VARCHAR(320) NOT NULL,
    call_id     VARCHAR(36)  NOT NULL,
    counted_at  BIGINT       NOT NULL,
    PRIMARY KEY (quota_key, call_id)
);

-- One row per quota, locked while a call is counted, so that two instances never both take its last slot.
CREATE TABLE quota_lock (
    quota_key   VARCHAR(320) NOT NULL,
    PRIMARY KEY (quota_key)
);
