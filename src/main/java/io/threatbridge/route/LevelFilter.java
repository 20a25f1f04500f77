package io.threatbridge.route;

import io.threatbridge.event.Severity;
import io.threatbridge.integration.Integration;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;

/** routes/ingest: whether one integration of the event's account takes the event. */
public class LevelFilter {

    /** integrationName, enabled, filterLevel, and admitted: whether its filter level lets the event's severity through. */
    public void admit(@Body Integration integration, @ExchangeProperty("severity") Severity severity, Exchange exchange) {
        exchange.setProperty("integrationName", integration.name());
        exchange.setProperty("enabled", integration.enabled());
        exchange.setProperty("admitted", integration.admits(severity));
        exchange.setProperty("filterLevel", integration.filterLevel());
    }
}
