package io.threatbridge.event;

public enum ThreatStatus {
    ACTIVE, RESOLVED
}
