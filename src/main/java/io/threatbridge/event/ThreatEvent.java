package io.threatbridge.event;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A validated threat event (interface.md section 4). Built only by {@link EventValidator} or
 * {@link EventReader}, so every required field is present and every enum is known.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ThreatEvent(String eventId, String accountId, Threat threat, Device device, User user, JsonNode forensics) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Threat(String id, String name, String type, Category category, Severity severity, ThreatStatus status,
                         String detectedAt, String resolvedAt, String recommendedAction) {
        public Category categoryOrOther() {
            return category == null ? Category.OTHER : category;
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Device(String id, String defenderMachineId, String name, String model, String os, String osVersion,
                         Boolean managed, String mdmVendor) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record User(String name, String email) {
    }

    public Severity severity() {
        return threat.severity();
    }

    public boolean resolved() {
        return threat.status() == ThreatStatus.RESOLVED;
    }
}
