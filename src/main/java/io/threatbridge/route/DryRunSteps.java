package io.threatbridge.route;

import io.threatbridge.event.ThreatEvent;
import io.threatbridge.integration.Integration;
import io.threatbridge.microsoft.DefenderRequest;
import io.threatbridge.microsoft.DryRunLog;
import org.apache.camel.ExchangeProperty;

/** Bean "dryRunLog": in dry-run, the request as a JSON line instead of a call, and the answer Microsoft would have given. */
public record DryRunSteps(DryRunLog log) {

    public String append(@ExchangeProperty("request") DefenderRequest request, @ExchangeProperty("integration") Integration integration,
                         @ExchangeProperty("event") ThreatEvent event, @ExchangeProperty("url") String url) {
        return log.append(request, integration, event, url);
    }
}
