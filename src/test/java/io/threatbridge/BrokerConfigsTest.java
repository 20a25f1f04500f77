package io.threatbridge;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replicated pair's configurations (artemis/ha/) are the standalone broker's plus what a pair
 * needs, so queues, address settings and security can never differ between the two topologies.
 */
class BrokerConfigsTest {

    /** What a broker of a pair has beyond the standalone broker, and its name. */
    private static final Set<String> PAIR_ONLY = Set.of("name", "connectors", "cluster-user", "cluster-password",
            "cluster-connections", "ha-policy");

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
