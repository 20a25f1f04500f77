package io.threatbridge.console;

import io.threatbridge.integration.Integration;

import java.util.List;

/** What the Threat Reporting page shows of the running bridge; {@link BridgeConsole} reads it from Camel and JMX's counters. */
public interface BridgeView {

    /** One integration as the page shows it: the file's entry, its state and its JMX counters. */
    record Row(Integration integration, String state, long deliveredToday, long delivered, long deadLettered, String lastError, String lastDeliveredAt) {
    }

    /** Every integration of the file in force, in its order. */
    List<Row> rows();

    /** The integration in force with that name, or null. */
    Integration integration(String name);

    /** How often the file is checked for a change, in ms (the page says when an edit applies). */
    long reloadMillis();
}
