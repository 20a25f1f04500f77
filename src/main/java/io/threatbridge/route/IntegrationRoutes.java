package io.threatbridge.route;

import io.threatbridge.integration.Integration;
import io.threatbridge.integration.IntegrationRegistry;

import org.apache.camel.builder.RouteBuilder;

/**
 * One delivery route per enabled api: sentinel integration, made from the sentinel-delivery template
 * in routes/sentinel.camel.yaml: Sentinel's rows go in batches, one JMS transaction per batch. Every other
 * integration is delivered by the delivery lanes (io.threatbridge.lanes), whatever their number.
 */
public class IntegrationRoutes extends RouteBuilder {

    public static final String SENTINEL_TEMPLATE = "sentinel-delivery";

    @Override
    public void configure() {
        IntegrationRegistry registry = getContext().getRegistry().lookupByNameAndType("integrationRegistry", IntegrationRegistry.class);
        for (Integration integration : registry.all()) {
            if (hasRoute(integration)) {
                templatedRoute(SENTINEL_TEMPLATE)
                        .routeId(routeId(integration.name()))
                        .parameter("integration", integration.name());
            }
        }
    }

    /** Whether the integration is delivered by a route of its own. */
    public static boolean hasRoute(Integration integration) {
        return integration != null && integration.enabled() && integration.api() == Integration.Api.sentinel;
    }

    public static String routeId(String integration) {
        return "deliver-" + integration;
    }
}
