package io.threatbridge.route;

import io.threatbridge.integration.Integration;
import io.threatbridge.microsoft.DefenderRequest;
import io.threatbridge.microsoft.TenantTokens;
import org.apache.camel.ExchangeProperty;

/** Bean "tokens": the Authorization header of a call to the integration's tenant, with a token for the request's service. */
public record TokenSteps(TenantTokens tokens) {

    public String authorization(@ExchangeProperty("integration") Integration integration, @ExchangeProperty("request") DefenderRequest request) {
        return tokens.authorization(integration, DefenderRequest.Service.of(request));
    }
}
