package io.threatbridge.event;

/** Console severities, lowest first, so that ordinal order is severity order. */
public enum Severity {
    NORMAL, LOW, ELEVATED, CRITICAL;

    /** JMS priority of an event of this severity on a delivery queue, so a tenant's backlog drains critical first. */
    public int jmsPriority() {
        return switch (this) {
            case CRITICAL -> 9;
            case ELEVATED -> 6;
            case LOW -> 3;
            case NORMAL -> 1;
        };
    }
}
