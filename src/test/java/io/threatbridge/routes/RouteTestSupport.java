package io.threatbridge.routes;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.threatbridge.Events;
import org.apache.camel.CamelContext;
import org.apache.camel.EndpointInject;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWithRouteBuilder;
import org.apache.camel.builder.ExchangeBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.model.ToDynamicDefinition;
import org.apache.camel.test.main.junit5.AdviceRouteMapping;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fast route tests: the YAML routes of routes/ loaded by camel-main as in production (the shipped
 * application.properties), with no broker and no HTTP. AdviceWith replaces what would leave the JVM:
 * the JMS consumer of ingest by {@code direct:ingest}, Microsoft's {@code https://} endpoint by
 * {@code mock:microsoft} (answered by {@link MicrosoftReplies}), the retry and dead-letter sends by
 * {@code mock:retry-later} and {@code mock:dead-letter}; every other JMS send (the delivery queues,
 * the wake, the invalid queue) is mocked and skipped ({@code mock:jms:queue:...}). The delivery
 * lanes are Java, not a route: a test hands each event to {@code direct:defender-delivery} the way
 * they do. One Camel context per test class; each test uses integrations of its own.
 */
@CamelMainTest(
        propertyPlaceholderLocations = "classpath:application.properties",
        properties = {
                // no management HTTP server, metrics or JMX: nothing but the routes
                "camel.management.enabled=false",
                "camel.metrics.enabled=false",
                "camel.main.jmx-enabled=false",
                // live delivery: IntakeWiring sets this from bridge.defender.mode and the client id
                "bridge.delivery.dry-run=false",
                // the reload timers see no change; no need to look often
                "bridge.integrations-reload-ms=600000",
                "bridge.formats-reload-ms=600000",
                // a Sentinel batch takes what is on the queue and waits no longer for more
                "bridge.sentinel.batch-wait-ms=20"},
        replaceRouteFromWith = "ingest=direct:ingest",
        mockEndpointsAndSkip = "jms:*",
        advices = {
                @AdviceRouteMapping(route = "defender-call", advice = RouteTestSupport.MicrosoftIsAMock.class),
                @AdviceRouteMapping(route = "sentinel-call", advice = RouteTestSupport.LogsIngestionIsAMock.class),
                @AdviceRouteMapping(route = "retry-later", advice = RouteTestSupport.RetryIsAMock.class),
                @AdviceRouteMapping(route = "dead-letter", advice = RouteTestSupport.DeadLetterIsAMock.class)})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class RouteTestSupport {

    protected RouteTestBeans beans;
    protected final MicrosoftReplies microsoft = new MicrosoftReplies();

    @EndpointInject("mock:microsoft")
    protected MockEndpoint microsoftMock;
    @EndpointInject("mock:retry-later")
    protected MockEndpoint retryLater;
    @EndpointInject("mock:dead-letter")
    protected MockEndpoint deadLetter;

    @org.apache.camel.Produce
    protected ProducerTemplate template;

    /** The integrations file of the test class (interface.md section 3). */
    protected abstract String integrations();

    /** The JMS of Sentinel's batches, for a test of api: sentinel integrations; none by default. */
    protected jakarta.jms.ConnectionFactory sentinelJms() {
        return null;
    }

    @Configure
    protected void configure(MainConfigurationProperties configuration) {
        configuration.withRoutesIncludePattern("file:routes/*.yaml");
        beans = new RouteTestBeans(integrations(), sentinelJms());
        configuration.addConfiguration(beans);
        configuration.addRoutesBuilder(RouteTestBeans.integrationRoutes());
    }

    protected CamelContext context() {
        return template.getCamelContext();
    }

    @BeforeEach
    void resetMocks() {
        MockEndpoint.resetMocks(context());
        microsoft.reset();
        microsoftMock.whenAnyExchangeReceived(microsoft);
    }

    @AfterEach
    void noUnexpectedCall() {
        assertEquals(java.util.List.of(), microsoft.unexpected(), "calls to Microsoft that no test expected");
    }

    /** An integration entry with `api: auto` (or the given api) on the Defender API's default URL. */
    protected static String integration(String name, String api) {
        return "  - name: " + name + "\n    tenantId: tenant-" + name + "\n    accounts: [acct-" + name + "]\n"
                + "    filterLevel: NORMAL_AND_ABOVE\n    api: " + api + "\n";
    }

    /** The full critical sample (a managed device with a Defender machine id) for the integration's account. */
    protected static ObjectNode event(String integration, String eventId, String threatId, String status) {
        return Events.event(eventId, "acct-" + integration, threatId, "CRITICAL", status);
    }

    /** The event handed to the delivery route as the delivery lanes hand it, on its first attempt. */
    protected Exchange deliver(String integration, ObjectNode event) {
        return deliver(integration, event.toString(), null);
    }

    /** The event as the lanes hand it: the message's text, priority, group, receipt time and attempt, the integration's name. */
    protected Exchange deliver(String integration, String body, Integer attempt) {
        ExchangeBuilder builder = ExchangeBuilder.anExchange(context()).withBody(body)
                .withHeader("JMSPriority", 9)
                .withHeader("JMSXGroupID", integration + ":group")
                .withHeader("JMSMessageID", "ID:route-test")
                .withHeader("bridgeReceivedAt", System.currentTimeMillis())
                .withProperty("integrationName", integration);
        if (attempt != null) {
            builder.withHeader("bridgeAttempt", attempt);
        }
        Exchange exchange = builder.build();
        // as the lanes' transacted JMS consumer: the error handling redelivers in this thread
        exchange.getExchangeExtension().setTransacted(true);
        return template.send("direct:defender-delivery", exchange);
    }

    /** defender-call: the call to Microsoft goes to mock:microsoft, whose reply the test sets. */
    public static final class MicrosoftIsAMock extends AdviceWithRouteBuilder {
        @Override
        public void configure() {
            weaveByToUri("https://defender-api*").replace().to("mock:microsoft");
        }
    }

    /** sentinel-call: the Logs Ingestion API call goes to mock:microsoft too. */
    public static final class LogsIngestionIsAMock extends AdviceWithRouteBuilder {
        @Override
        public void configure() {
            weaveByToUri("https://sentinel-api*").replace().to("mock:microsoft");
        }
    }

    /** retry-later: the event back on its own queue, due later (a toD to jms:), goes to mock:retry-later. */
    public static final class RetryIsAMock extends AdviceWithRouteBuilder {
        @Override
        public void configure() {
            weaveByType(ToDynamicDefinition.class).replace().to("mock:retry-later");
        }
    }

    /** dead-letter: the dead-letter queue is mock:dead-letter. */
    public static final class DeadLetterIsAMock extends AdviceWithRouteBuilder {
        @Override
        public void configure() {
            weaveByToUri("jms:*").replace().to("mock:dead-letter");
        }
    }

    /** One event is to reach the dead-letter queue, with Microsoft's status and the integration among its properties. */
    protected void expectOneDeadLetter(int httpStatus, String integration) {
        deadLetter.expectedMessageCount(1);
        deadLetter.expectedHeaderReceived("bridgeHttpStatus", httpStatus);
        deadLetter.expectedHeaderReceived("bridgeIntegration", integration);
    }
}
