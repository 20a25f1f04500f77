package io.threatbridge;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /observe/jolokia is read-only (src/main/resources/jolokia-access.xml): MBeans can be read, no
 * operation can be called and no attribute written, over GET or POST; the JVM's system properties
 * and arguments, where a -D password would show, are not readable; and no page shows a secret, the
 * embedded broker's generated password neither.
 */
class JolokiaPolicyTest {

    private static final String SECRET = "jolokia-test-secret-7f3a";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;
    static BridgeHarness bridge;

    @BeforeAll
    static void start() throws Exception {
        bridge = BridgeHarness.start(dir, """
                integrations:
                  - name: contoso
                    tenantId: 72f988bf-86f1-41af-91ab-2d7cd011db47
                    accounts: [acme]
                """, Map.of("bridge.auth.client-secret", SECRET, "bridge.store.password", SECRET));
    }

    @AfterAll
    static void stop() throws Exception {
        bridge.close();
    }

    private static String get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bridge.managementPort + "/observe/jolokia/" + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static String post(String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bridge.managementPort + "/observe/jolokia/"))
                .POST(HttpRequest.BodyPublishers.ofString(json)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Jolokia answers HTTP 200 and puts its own status in the JSON. */
    private static boolean refused(String answer) {
        return answer.contains("\"status\":403");
    }

    @Test
    void readsAreAnswered() throws Exception {
        String read = get("read/threatbridge:type=Integration,name=contoso/Delivered");
        assertTrue(read.contains("\"status\":200"), read);
    }

    @Test
    void operationsAndWritesAreRefused() throws Exception {
        assertTrue(refused(get("exec/threatbridge:type=Integration,name=contoso/pause")), "pause over GET");
        assertTrue(refused(post("{\"type\":\"exec\",\"mbean\":\"threatbridge:type=DeadLetters\",\"operation\":\"purge\",\"arguments\":[\"x\"]}")),
                "purge over POST");
        assertTrue(refused(post("{\"type\":\"exec\",\"mbean\":\"com.sun.management:type=HotSpotDiagnostic\","
                + "\"operation\":\"dumpHeap\",\"arguments\":[\"/tmp/heap.hprof\",true]}")), "heap dump");
        assertTrue(refused(post("{\"type\":\"write\",\"mbean\":\"java.lang:type=Memory\",\"attribute\":\"Verbose\",\"value\":true}")),
                "write");
        assertFalse(bridge.lanes().isPaused("contoso"), "nothing was paused");
    }

    @Test
    void theJvmsPropertiesAndArgumentsAreNotReadableAndNoPageShowsASecret() throws Exception {
        assertTrue(refused(get("read/java.lang:type=Runtime/SystemProperties")));
        assertTrue(refused(get("read/java.lang:type=Runtime/InputArguments")));
        // every readable attribute of every MBean, those that fail to read left out
        String everything = post("{\"type\":\"read\",\"mbean\":\"*:*\",\"config\":{\"ignoreErrors\":true}}");
        assertTrue(everything.contains("threatbridge:type=Integration"), "the wildcard read answered: "
                + everything.substring(0, Math.min(500, everything.length())));
        assertFalse(everything.contains(SECRET), "a secret in an MBean attribute");
        assertFalse(get("list").contains(SECRET));
        // the embedded broker's login, made at start (its MBeans are readable too)
        assertFalse(everything.contains(bridge.brokerPassword), "the embedded broker's password in an MBean attribute");
    }
}
