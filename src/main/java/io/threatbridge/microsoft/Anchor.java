package io.threatbridge.microsoft;

/**
 * An event Defender for Endpoint holds for a machine, as advanced hunting returned it: the create
 * call names it by these three values (interface.md section 5c). {@link #NONE} stands for "Defender
 * holds no event of that machine" (or the machine id is not one to look up).
 */
public record Anchor(String machineId, String eventTime, String reportId) {

    public static final Anchor NONE = new Anchor(null, null, null);

    /** Whether Defender holds an event to create the alert on; read by the routes as {@code anchor.found}. */
    public boolean isFound() {
        return machineId != null;
    }
}
