package io.threatbridge;

import io.threatbridge.wiring.BrokerWiring;
import io.threatbridge.wiring.DeliveryWiring;
import io.threatbridge.wiring.IntakeWiring;
import io.threatbridge.wiring.MicrosoftWiring;
import io.threatbridge.wiring.OperationsWiring;
import io.threatbridge.wiring.SentinelWiring;
import io.threatbridge.wiring.StoreWiring;

import io.threatbridge.route.IntegrationRoutes;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.Map;

/**
 * Launches the bridge (interface.md section 1), or with "send FILE..." puts events on the inbound queue.
 */
public final class ThreatBridge {

    private static final Logger LOG = LoggerFactory.getLogger(ThreatBridge.class);

    private ThreatBridge() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && "send".equals(args[0])) {
            System.exit(SendCommand.run(Arrays.copyOfRange(args, 1, args.length)));
        }
        if (args.length > 0 && "console-password".equals(args[0])) {
            try {
                System.exit(io.threatbridge.console.PasswordHash.command());
            } catch (java.io.IOException e) {
                System.err.println("console-password: " + e.getMessage());
                System.exit(1);
            }
        }
        Main main = newMain(Map.of());
        try {
            main.run();
        } catch (Exception e) {
            LOG.error("threat-bridge stopped: {}", rootMessage(e));
            System.exit(1);
        }
        System.exit(main.getExitCode());
    }

    /** The bridge as it runs in production; tests give their own settings, which win over every other source. */
    public static Main newMain(Map<String, String> overrides) {
        Main main = new Main() {
            @Override
            protected CamelContext createCamelContext() {
                CamelContext context = super.createCamelContext();
                BridgeSettings.rankEnvironmentBelowSystemProperties(context.getPropertiesComponent());
                return context;
            }
        };
        main.setPropertyPlaceholderLocations(BridgeSettings.LOCATIONS);
        // by concern, in the order their beans need each other (camel-main binds them in this order)
        main.configure().addConfiguration(IntakeWiring.class);
        main.configure().addConfiguration(BrokerWiring.class);
        main.configure().addConfiguration(StoreWiring.class);
        main.configure().addConfiguration(MicrosoftWiring.class);
        main.configure().addConfiguration(DeliveryWiring.class);
        main.configure().addConfiguration(OperationsWiring.class);
        main.configure().addConfiguration(SentinelWiring.class);
        main.configure().addRoutesBuilder(IntegrationRoutes.class);
        BridgeSettings.overrides().forEach(main::addOverrideProperty);
        overrides.forEach(main::addOverrideProperty);
        return main;
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }
}
