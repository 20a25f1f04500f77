package io.threatbridge.integration;

import org.apache.camel.builder.RouteBuilder;

/**
 * One delivery route per enabled integration, each made from the defender-delivery template in
 * routes/delivery.yaml (or sentinel-delivery in routes/sentinel.yaml for api: sentinel), so every
 * tenant has its own queue, consumer and pace.
 */
public class IntegrationRoutes extends RouteBuilder {

    public static final String TEMPLATE = "defender-delivery";
    /** Sentinel's rows are sent in batches (routes/sentinel.yaml). */
    public static final String SENTINEL_TEMPLATE = "sentinel-delivery";

    @Override
    public void configure() {
        IntegrationRegistry registry = getContext().getRegistry().lookupByNameAndType("integrations", IntegrationRegistry.class);
        for (Integration integration : registry.all()) {
            if (integration.enabled()) {
                templatedRoute(template(integration))
                        .routeId(routeId(integration.name()))
                        .parameter("integration", integration.name());
            }
        }
    }

    /** The route template an integration's delivery route is made from, by its api. */
    public static String template(Integration integration) {
        return integration.api() == Integration.Api.sentinel ? SENTINEL_TEMPLATE : TEMPLATE;
    }

    public static String routeId(String integration) {
        return "deliver-" + integration;
    }
}
