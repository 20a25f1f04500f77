package io.threatbridge;

import io.threatbridge.broker.SendCommand;
import io.threatbridge.integration.IntegrationRoutes;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.Map;

/**
 * Launches the bridge (interface.md section 1), or with "send FILE..." puts events on the inbound queue.
 */
public final class ThreatBridge {

    /** Shipped defaults first, then the operator's file; environment and -D settings win over both. */
    public static final String PROPERTY_LOCATIONS =
            "classpath:application.properties,file:config/application.properties;optional=true";

    private static final Logger LOG = LoggerFactory.getLogger(ThreatBridge.class);

    private ThreatBridge() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && "send".equals(args[0])) {
            System.exit(SendCommand.run(Arrays.copyOfRange(args, 1, args.length)));
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
        Main main = new Main();
        main.setPropertyPlaceholderLocations(PROPERTY_LOCATIONS);
        main.configure().addConfiguration(BridgeConfiguration.class);
        main.configure().addRoutesBuilder(IntegrationRoutes.class);
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
