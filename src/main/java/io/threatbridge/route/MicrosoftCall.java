package io.threatbridge.route;

import io.threatbridge.integration.Integration;
import io.threatbridge.microsoft.DefenderRequest;
import io.threatbridge.microsoft.ServiceUrls;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.component.http.HttpMethods;

/** routes/delivery, defender-call: the request in the body, laid out for the steps of one call. */
public record MicrosoftCall(ServiceUrls urls) {

    /** request (the body), operation, httpMethod (camel-http's enum), url (on its service's base URL) and json (the body on the wire). */
    public void prepare(@Body DefenderRequest request, @ExchangeProperty("integration") Integration integration, Exchange exchange) {
        exchange.setProperty("request", request);
        exchange.setProperty("operation", request.operation().name());
        exchange.setProperty("httpMethod", HttpMethods.valueOf(request.method()));
        exchange.setProperty("url", urls.url(request, integration));
        exchange.setProperty("json", request.json());
    }
}
