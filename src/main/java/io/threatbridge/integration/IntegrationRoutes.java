package io.threatbridge.integration;

import org.apache.camel.builder.RouteBuilder;

/**
 * One delivery route per enabled integration, each made from the defender-delivery template in
 * routes/delivery.yaml, so every tenant has its own queue, consumer and pace.
 */
public class IntegrationRoutes extends RouteBuilder {

    public static final String TEMPLATE = "defender-delivery";

    @Override
    public void configure() {
        IntegrationRegistry registry = getContext().getRegistry().lookupByNameAndType("integrations", IntegrationRegistry.class);
        for (Integration integration : registry.all()) {
            if (integration.enabled()) {
                templatedRoute(TEMPLATE)
                        .routeId(routeId(integration.name()))
                        .parameter("integration", integration.name());
            }
        }
    }

    public static String routeId(String integration) {
        return "deliver-" + integration;
    }
}
