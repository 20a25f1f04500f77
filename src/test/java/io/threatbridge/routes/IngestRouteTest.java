package io.threatbridge.routes;

import com.fasterxml.jackson.databind.node.TextNode;
import io.threatbridge.Events;
import jakarta.jms.TextMessage;
import org.apache.camel.EndpointInject;
import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * routes/ingest.camel.yaml with its JMS consumer replaced by direct:ingest and its sends mocked and skipped
 * (mock:jms:queue:...): validation, the integrations of the event's account, and the content-based
 * router of filter level and enabled (interface.md sections 3 and 4).
 */
class IngestRouteTest extends RouteTestSupport {

    @EndpointInject("mock:jms:queue:defender.out")
    MockEndpoint deliveryQueues;
    @EndpointInject("mock:jms:queue:defender.wake")
    MockEndpoint wakes;
    @EndpointInject("mock:jms:queue:threats.invalid")
    MockEndpoint invalid;

    @Override
    protected String integrations() {
        return "integrations:\n"
                + "  - name: soc-critical\n    tenantId: tenant-a\n    accounts: [mixed]\n    filterLevel: CRITICAL\n"
                + "  - name: soc-all\n    tenantId: tenant-b\n    accounts: [mixed]\n    filterLevel: NORMAL_AND_ABOVE\n"
                + "  - name: soc-off\n    tenantId: tenant-c\n    accounts: [mixed]\n    filterLevel: NORMAL_AND_ABOVE\n    enabled: false\n";
    }

    /** A vendor's JMS text message as the inbound consumer hands it over (mapJmsMessage=false): only its text is read. */
    static TextMessage textMessage(String text) {
        return (TextMessage) Proxy.newProxyInstance(IngestRouteTest.class.getClassLoader(), new Class<?>[] {TextMessage.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getText" -> text;
                    case "getStringProperty", "getObjectProperty" -> null;
                    case "toString" -> "TextMessage[" + text.length() + " characters]";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private Exchange ingest(String text) {
        return template.send("direct:ingest", exchange -> {
            exchange.getMessage().setBody(textMessage(text));
            exchange.getMessage().setHeader("JMSTimestamp", 1_764_000_000_000L);
            exchange.getMessage().setHeader("JMSMessageID", "ID:vendor-1");
        });
    }

    @Test
    void anEventGoesToTheQueueOfEachIntegrationWhoseLevelAdmitsItWithAWake() throws Exception {
        String event = Events.event("in-1", "mixed", "thr-in-1", "ELEVATED", "ACTIVE").toString();
        // ELEVATED: soc-all admits it, soc-critical filters it out, soc-off is disabled
        deliveryQueues.expectedMessageCount(1);
        deliveryQueues.expectedBodiesReceived(event);
        deliveryQueues.expectedHeaderReceived("CamelJmsDestinationName", "defender.out.soc-all");
        deliveryQueues.expectedHeaderReceived("bridgeIntegration", "soc-all");
        deliveryQueues.expectedHeaderReceived("JMSPriority", 6);
        deliveryQueues.expectedHeaderReceived("JMSXGroupID", "soc-all:thr-in-1");
        deliveryQueues.expectedHeaderReceived("bridgeReceivedAt", 1_764_000_000_000L);
        wakes.expectedBodiesReceived("soc-all");
        wakes.expectedHeaderReceived("JMSXGroupID", "soc-all");
        invalid.expectedMessageCount(0);

        Exchange exchange = ingest(event);

        assertNull(exchange.getException());
        MockEndpoint.assertIsSatisfied(deliveryQueues, wakes, invalid);
        assertEquals(Map.of("CamelJmsDestinationName", "defender.out.soc-all", "bridgeIntegration", "soc-all", "JMSPriority", "6",
                        "JMSXGroupID", "soc-all:thr-in-1", "bridgeReceivedAt", "1764000000000"),
                stringValues(deliveryQueues.getExchanges().get(0).getMessage().getHeaders()), "nothing of the vendor's message goes on");
    }

    @Test
    void aCriticalEventGoesToEveryEnabledIntegrationOfItsAccount() throws Exception {
        deliveryQueues.expectedMessageCount(2);
        deliveryQueues.expectedHeaderValuesReceivedInAnyOrder("bridgeIntegration", "soc-critical", "soc-all");
        deliveryQueues.expectedHeaderReceived("JMSPriority", 9);
        wakes.expectedBodiesReceivedInAnyOrder("soc-critical", "soc-all");

        ingest(Events.event("in-2", "mixed", "thr-in-2", "CRITICAL", "ACTIVE").toString());

        MockEndpoint.assertIsSatisfied(deliveryQueues, wakes);
    }

    @Test
    void anEventBelowAnIntegrationsLevelIsFilteredAndCounted() throws Exception {
        // LOW: below soc-critical's CRITICAL, so filtered for it (counted, logged at DEBUG); soc-off is disabled
        long criticalFiltered = beans.filtered("soc-critical");
        long offFiltered = beans.filtered("soc-off");
        deliveryQueues.expectedMessageCount(1);
        deliveryQueues.expectedHeaderReceived("bridgeIntegration", "soc-all");
        deliveryQueues.expectedHeaderReceived("JMSPriority", 3);
        invalid.expectedMessageCount(0);

        Exchange exchange = ingest(Events.event("in-3", "mixed", "thr-in-3", "LOW", "ACTIVE").toString());

        assertNull(exchange.getException(), "filtered is handled: the message is acknowledged");
        MockEndpoint.assertIsSatisfied(deliveryQueues, invalid);
        assertEquals(criticalFiltered + 1, beans.filtered("soc-critical"));
        assertEquals(offFiltered + 1, beans.filtered("soc-off"));
    }

    @Test
    void anInvalidEventGoesToTheInvalidQueueAsItCameWithTheFieldNamed() throws Exception {
        String bad = Events.with(Events.event("in-4", "mixed", "thr-in-4", "CRITICAL", "ACTIVE"), "threat.severity", TextNode.valueOf("HIGH"))
                .toString();
        invalid.expectedMessageCount(1);
        invalid.expectedBodiesReceived(bad);
        invalid.expectedHeaderReceived("bridgeError", "threat.severity: 'HIGH' is not one of CRITICAL, ELEVATED, LOW, NORMAL");
        deliveryQueues.expectedMessageCount(0);
        wakes.expectedMessageCount(0);

        Exchange exchange = ingest(bad);

        assertNull(exchange.getException(), "handled: the invalid-queue send is in the message's transaction");
        MockEndpoint.assertIsSatisfied(invalid, deliveryQueues, wakes);
    }

    @Test
    void anEventWithoutAFieldNamesIt() throws Exception {
        String bad = Events.without(Events.event("in-5", "mixed", "thr-in-5", "CRITICAL", "ACTIVE"), "device.id").toString();
        invalid.expectedBodiesReceived(bad);
        invalid.expectedHeaderReceived("bridgeError", "device.id: required field is missing");
        deliveryQueues.expectedMessageCount(0);

        ingest(bad);

        MockEndpoint.assertIsSatisfied(invalid, deliveryQueues);
    }

    @Test
    void anEventOfAnAccountNoIntegrationHasIsInvalid() throws Exception {
        invalid.expectedMessageCount(1);
        // the message goes on to name the integrations file
        invalid.message(0).header("bridgeError").startsWith("accountId: 'nobody' is not an account of any integration");
        deliveryQueues.expectedMessageCount(0);

        ingest(Events.event("in-6", "nobody", "thr-in-6", "CRITICAL", "ACTIVE").toString());

        MockEndpoint.assertIsSatisfied(invalid, deliveryQueues);
    }

    private static Map<String, String> stringValues(Map<String, Object> headers) {
        Map<String, String> values = new java.util.TreeMap<>();
        headers.forEach((name, value) -> values.put(name, String.valueOf(value)));
        return values;
    }
}
