-- Each tenant quota's calls as a ring (DeliveryStore.countCall), so that counting a call costs the
-- same whatever the limit: a counter per quota, locked while a call is counted, and per window
-- (its length and limit) at most `limit` slots, the call numbered n in slot n mod limit. A call may
-- go when the slot it takes is empty or holds a call older than the window: the call `limit`
-- before it. Times are the database's clock in epoch milliseconds, the one clock all instances read.
-- quota_call and quota_lock (V3) stay for instances of the version before during a rolling upgrade;
-- StoreRetention empties quota_call.
CREATE TABLE quota_counter (
    quota_key  VARCHAR(320) NOT NULL,
    calls      BIGINT       NOT NULL,
    last_at    BIGINT       NOT NULL,
    PRIMARY KEY (quota_key)
);

CREATE TABLE quota_slot (
    quota_key  VARCHAR(320) NOT NULL,
    window_ms  BIGINT       NOT NULL,
    ring_size  INTEGER      NOT NULL,
    slot       INTEGER      NOT NULL,
    call_id    VARCHAR(36)  NOT NULL,
    called_at  BIGINT       NOT NULL,
    PRIMARY KEY (quota_key, window_ms, ring_size, slot)
);

-- recountCall finds a call's slots by its id
CREATE INDEX quota_slot_call ON quota_slot (quota_key, call_id);
