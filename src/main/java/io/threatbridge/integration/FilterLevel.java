package io.threatbridge.integration;

import io.threatbridge.event.Severity;

/** The level an integration reports from (interface.md section 3). */
public enum FilterLevel {
    CRITICAL(Severity.CRITICAL),
    ELEVATED_AND_ABOVE(Severity.ELEVATED),
    LOW_AND_ABOVE(Severity.LOW),
    NORMAL_AND_ABOVE(Severity.NORMAL);

    private final Severity lowest;

    FilterLevel(Severity lowest) {
        this.lowest = lowest;
    }

    public boolean admits(Severity severity) {
        return severity.compareTo(lowest) >= 0;
    }
}
