package io.threatbridge.route;

import io.threatbridge.integration.Integration;
import io.threatbridge.microsoft.DefenderReply;
import io.threatbridge.microsoft.DefenderRequest;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;

/** Bean "defenderReply": what Microsoft's answer to a call says (DefenderReply). */
public record ReplySteps(DefenderReply reply) {

    /** The body of a 2xx answer; for any other the DeliveryException that tells the error handling what to do. */
    public String check(@ExchangeProperty("integration") Integration integration, @ExchangeProperty("request") DefenderRequest request,
                        @Header(Exchange.HTTP_RESPONSE_CODE) int status, @Header("Retry-After") String retryAfter, @Body String body) {
        return reply.check(integration, request, status, retryAfter, body);
    }

    /** The id of the alert a create or resolve answered with. */
    public String alertId(@Body String body) {
        return reply.alertId(body);
    }
}
