package io.threatbridge;

import org.apache.activemq.artemis.core.config.FileDeploymentManager;
import org.apache.activemq.artemis.core.config.impl.FileConfiguration;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replicated pair's configurations (artemis/ha/) are the standalone broker's plus what a pair
 * needs, so queues, address settings and security can never differ between the two topologies.
 */
class BrokerConfigsTest {

    /** What a broker of a pair has beyond the standalone broker, and its name. */
    private static final Set<String> PAIR_ONLY = Set.of("name", "connectors", "cluster-user", "cluster-connections", "ha-policy");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"primary", "backup"})
    void aBrokerOfThePairIsTheStandaloneBrokerPlusReplication(String role) throws Exception {
        List<Element> standalone = settings(Path.of("artemis/standalone/broker.xml"));
        List<Element> pair = settings(Path.of("artemis/ha/" + role + ".xml"));
        assertEquals(standalone.stream().map(Element::getTagName).toList(), pair.stream().map(Element::getTagName).toList());
        for (int i = 0; i < standalone.size(); i++) {
            assertTrue(standalone.get(i).isEqualNode(pair.get(i)), "<" + standalone.get(i).getTagName() + "> as in the standalone broker");
        }
        Element core = core(Path.of("artemis/ha/" + role + ".xml"));
        assertEquals(1, core.getElementsByTagName(role).getLength(), "ha-policy replication " + role);
        assertEquals("true", core.getElementsByTagName("primary".equals(role) ? "check-for-active-server" : "allow-failback")
                .item(0).getTextContent(), "fail-back");
    }

    /**
     * No shipped configuration holds a cluster password, placeholder or default: Artemis lets its
     * cluster user in as a super-user on any broker with security, clustered or not (its
     * SecurityStoreImpl passes the cluster user with the cluster password before any role check),
     * and Artemis's own default password is public. Each file takes it from etc/cluster-password
     * (an XInclude of its text), which the operator writes; Artemis's own parser, as a broker starting runs it, refuses the
     * configuration without that file and takes the password from it when it is there.
     */
    @ParameterizedTest
    @ValueSource(strings = {"standalone/broker.xml", "ha/primary.xml", "ha/backup.xml"})
    void theClusterPasswordIsTheOperatorsOrTheBrokerDoesNotStart(String config) throws Exception {
        String xml = Files.readString(Path.of("artemis", config));
        assertTrue(xml.contains("<cluster-password><xi:include"), "the cluster password is included from a file in " + config);
        Path etc = Files.createDirectories(dir.resolve("etc"));
        Path brokerXml = Files.writeString(etc.resolve("broker.xml"), xml);
        withInstanceEtc(etc, () -> {
            EmbeddedActiveMQ broker = new EmbeddedActiveMQ().setConfigResourcePath(brokerXml.toUri().toString());
            Exception refused = assertThrows(Exception.class, broker::start);
            assertTrue(causes(refused).contains(etc.resolve("cluster-password").toString()), causes(refused));
            assertNull(broker.getActiveMQServer(), "no broker was made");

            Files.writeString(etc.resolve("cluster-password"), "the-operators-secret\n");
            FileConfiguration read = read(brokerXml);
            assertEquals("the-operators-secret", read.getClusterPassword());
            assertTrue(read.isSecurityEnabled() && read.isPopulateValidatedUser());
        });
    }

    /**
     * One delivery queue per integration, thousands of them: Artemis gives each queue an 8,192-slot
     * buffer unless the address setting says otherwise, 53.3 KiB of broker heap a queue in all against
     * 21.3 with 128 slots (`bench/run queues`, docs/benchmarks.md); at 10,000 queues the default
     * filled a 512 MiB broker heap.
     */
    @ParameterizedTest
    @ValueSource(strings = {"broker.xml", "standalone/broker.xml", "ha/primary.xml"})
    void deliveryQueuesStartWithASmallBuffer(String config) throws Exception {
        // the embedded broker's file names the bridge's settings as ${bridge.*}: their names stand in for them here
        String xml = Files.readString(Path.of("artemis", config)).replaceAll("\\$\\{(bridge\\.[^}]+)}", "$1");
        Path etc = Files.createDirectories(dir.resolve("etc"));
        Path brokerXml = Files.writeString(etc.resolve("broker.xml"), xml);
        Files.writeString(etc.resolve("cluster-password"), "the-operators-secret\n");
        withInstanceEtc(etc, () -> assertEquals(128,
                read(brokerXml).getAddressSettings().get("defender.out.#").getInitialQueueBufferSize(), config));
    }

    private interface Body {
        void run() throws Exception;
    }

    /** Runs the body with artemis.instance.etc set to this directory, as bin/artemis run sets it for an instance. */
    private static void withInstanceEtc(Path etc, Body body) throws Exception {
        String previous = System.setProperty("artemis.instance.etc", etc.toString());
        try {
            body.run();
        } finally {
            if (previous == null) {
                System.clearProperty("artemis.instance.etc");
            } else {
                System.setProperty("artemis.instance.etc", previous);
            }
        }
    }

    /** The configuration as Artemis's own parser reads it when a broker starts. */
    private static FileConfiguration read(Path brokerXml) throws Exception {
        FileConfiguration read = new FileConfiguration();
        FileDeploymentManager deployment = new FileDeploymentManager(brokerXml.toUri().toString());
        deployment.addDeployable(read);
        deployment.readConfiguration();
        return read;
    }

    private static String causes(Throwable error) {
        StringBuilder all = new StringBuilder();
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            all.append(cause).append('\n');
        }
        return all.toString();
    }

    /** The core settings other than those of a pair, comments and layout left out. */
    private static List<Element> settings(Path file) throws Exception {
        List<Element> settings = new ArrayList<>();
        for (Node child = core(file).getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element element && !PAIR_ONLY.contains(element.getTagName())) {
                settings.add(element);
            }
        }
        return settings;
    }

    private static Element core(Path file) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setIgnoringComments(true);
        factory.setNamespaceAware(true);
        Document document = factory.newDocumentBuilder().parse(file.toFile());
        document.normalizeDocument();
        Element core = (Element) document.getDocumentElement().getElementsByTagNameNS("urn:activemq:core", "core").item(0);
        stripLayout(core);
        return core;
    }

    private static void stripLayout(Node node) {
        for (Node child = node.getFirstChild(); child != null; ) {
            Node next = child.getNextSibling();
            if (child.getNodeType() == Node.TEXT_NODE && child.getTextContent().isBlank()) {
                node.removeChild(child);
            } else {
                stripLayout(child);
            }
            child = next;
        }
    }
}
