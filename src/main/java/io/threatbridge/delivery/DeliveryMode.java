package io.threatbridge.delivery;

/** bridge.defender.mode: dry-run writes each request down, live sends it. Empty: live when a client id is set. */
public record DeliveryMode(boolean dryRun) {

    public static DeliveryMode of(String mode, String clientId) {
        return switch (mode == null ? "" : mode.trim()) {
            case "" -> new DeliveryMode(clientId == null || clientId.isBlank());
            case "dry-run" -> new DeliveryMode(true);
            case "live" -> {
                if (clientId == null || clientId.isBlank()) {
                    throw new IllegalArgumentException("bridge.defender.mode=live needs bridge.auth.client-id");
                }
                yield new DeliveryMode(false);
            }
            default -> throw new IllegalArgumentException("bridge.defender.mode '" + mode + "' is not one of live, dry-run");
        };
    }

    public String name() {
        return dryRun ? "dry-run" : "live";
    }
}
