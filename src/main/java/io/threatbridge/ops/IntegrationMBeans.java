package io.threatbridge.ops;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import java.lang.management.ManagementFactory;

/** The bridge's MBeans in the platform MBean server: threatbridge:type=Integration,name=... and threatbridge:type=DeadLetters (interface.md section 6). */
final class IntegrationMBeans {

    static final String DEAD_LETTERS = "threatbridge:type=DeadLetters";

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    /** The dead letters' MBean, in place of one a previous context of this JVM left. */
    void registerDeadLetters(DeadLetters deadLetters) throws Exception {
        ObjectName dead = new ObjectName(DEAD_LETTERS);
        if (server.isRegistered(dead)) {
            server.unregisterMBean(dead);
        }
        server.registerMBean(new StandardMBean(deadLetters, DeadLettersMBean.class), dead);
    }

    void unregisterDeadLetters() throws Exception {
        unregister(new ObjectName(DEAD_LETTERS));
    }

    /** The integration's MBean, unless it has one already (a reload registers every integration again). */
    void register(IntegrationStats integration) throws Exception {
        ObjectName name = objectName(integration.name());
        if (!server.isRegistered(name)) {
            server.registerMBean(new StandardMBean(integration, IntegrationMBean.class), name);
        }
    }

    void unregister(String integration) throws Exception {
        unregister(objectName(integration));
    }

    private void unregister(ObjectName name) throws Exception {
        if (server.isRegistered(name)) {
            server.unregisterMBean(name);
        }
    }

    private static ObjectName objectName(String integration) throws Exception {
        return new ObjectName("threatbridge:type=Integration,name=" + integration);
    }
}
