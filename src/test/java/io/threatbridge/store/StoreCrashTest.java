package io.threatbridge.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A commit the store acknowledged survives a kill -9 of the process that made it, on each store the
 * bridge ships: the default H2 file (the URL the bridge builds when bridge.store.url is empty) and
 * PostgreSQL. A child process records events and prints each one after its commit returned; it is
 * killed mid-stream, and every printed event must be there when the store is opened again. With
 * H2's default write delay (500 ms) the last half second of commits is lost and this fails.
 */
class StoreCrashTest {

    private static final int COMMITS_BEFORE_KILL = 400;

    @TempDir
    Path dir;

    /** An H2 file URL an operator gives is made durable too, unless it sets its own write delay. */
    @Test
    void everyH2FileUrlWritesAtCommit() {
        assertEquals("jdbc:h2:file:/d/store;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE", DeliveryStore.durable("jdbc:h2:file:/d/store"));
        // H2 refuses DB_CLOSE_ON_EXIT=FALSE with AUTO_SERVER=TRUE
        assertEquals("jdbc:h2:/d/store;AUTO_SERVER=TRUE;WRITE_DELAY=0", DeliveryStore.durable("jdbc:h2:/d/store;AUTO_SERVER=TRUE"));
        assertEquals("jdbc:h2:file:/d/store;write_delay=100;DB_CLOSE_ON_EXIT=FALSE", DeliveryStore.durable("jdbc:h2:file:/d/store;write_delay=100"));
        // the bridge closes the store after its routes stop, not H2's own shutdown hook at SIGTERM
        assertEquals("jdbc:h2:file:/d/store;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0", DeliveryStore.durable("jdbc:h2:file:/d/store;DB_CLOSE_ON_EXIT=FALSE"));
        assertEquals("jdbc:postgresql://db/x", DeliveryStore.durable("jdbc:postgresql://db/x"));
        assertEquals("jdbc:h2:mem:x", DeliveryStore.durable("jdbc:h2:mem:x"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void acknowledgedCommitsSurviveKillMinus9(String kind) throws Exception {
        String url = "h2".equals(kind) ? DeliveryStore.defaultUrl(dir)
                : TestStores.settings(kind, dir).get("bridge.store.url");
        String user = "h2".equals(kind) ? null : TestStores.POSTGRES_USER;
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-cp", System.getProperty("java.class.path"), CommitWriter.class.getName(), url));
        if (user != null) {
            command.add(user);
        }
        Process writer = new ProcessBuilder(command).redirectError(dir.resolve("writer.err").toFile()).start();
        int last = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("committed ")) {
                    last = Integer.parseInt(line.substring("committed ".length()));
                    if (last + 1 >= COMMITS_BEFORE_KILL) {
                        writer.destroyForcibly();
                        break;
                    }
                }
            }
        } finally {
            writer.destroyForcibly();
            assertTrue(writer.waitFor(30, TimeUnit.SECONDS), "the writer is gone");
        }
        assertEquals(COMMITS_BEFORE_KILL - 1, last, "the writer committed before it was killed (see writer.err)");

        try (DeliveryStore store = new DeliveryStore(url, user, null)) {
            List<Integer> lost = new ArrayList<>();
            for (int i = 0; i <= last; i++) {
                if (!store.isDone("crash", "crash-" + i) || !("da-" + i).equals(store.alertId("crash", "thr-" + i))) {
                    lost.add(i);
                }
            }
            assertEquals(List.of(), lost, "acknowledged commits lost by kill -9 on " + kind);
        }
    }
}
