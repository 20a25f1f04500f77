package io.threatbridge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** target/threat-bridge.jar started as a process, the way the README says. */
class PackagedJarIT {

    private static final Path JAR = Path.of("target", "threat-bridge.jar");

    @TempDir
    Path dir;

    private Process java(Map<String, String> env, Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        return builder.start();
    }

    @Test
    void runsSendsAndWritesTheDryRunAlertThenStopsOnSigterm() throws Exception {
        int brokerPort = BridgeHarness.freePort();
        int managementPort = BridgeHarness.freePort();
        Path data = dir.resolve("data");
        Path log = dir.resolve("bridge.log");
        // the environment says one broker port, the -D setting another: -D must win
        Process bridge = java(Map.of("BRIDGE_EMBEDDED_BROKER_PORT", "1"), log, "-Dlog4j2.configurationFile=log4j2-json.xml",
                "-Dbridge.data-dir=" + data, "-Dbridge.embedded-broker.port=" + brokerPort,
                "-Dcamel.management.port=" + managementPort, "-jar", JAR.toString());
        try {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/observe/health")).build();
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
                HttpResponse<String> response = http.send(health, HttpResponse.BodyHandlers.ofString());
                return response.statusCode() == 200 && response.body().contains("\"UP\"");
            });

            // send takes the broker port from the environment alone: environment wins over the shipped file;
            // it logs in with the credentials file the bridge wrote under its data dir at its first start
            assertTrue(Files.exists(data.resolve("broker/credentials")), "the embedded broker's login");
            Map<String, String> sendEnvironment = Map.of("BRIDGE_EMBEDDED_BROKER_PORT", String.valueOf(brokerPort), "BRIDGE_DATA_DIR", data.toString());
            Process send = java(sendEnvironment, dir.resolve("send.log"),
                    "-jar", JAR.toString(), "send", "samples/critical-mitm.json", "samples/elevated-phishing-unmanaged.json");
            assertTrue(send.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, send.exitValue(), Files.readString(dir.resolve("send.log")));

            // a vendor's record (interface.md 4b), the README's try-it: send --format sets bridgeFormat
            Process sendZimperium = java(sendEnvironment, dir.resolve("send-zimperium.log"),
                    "-jar", JAR.toString(), "send", "--format", "zimperium", "samples/zimperium/threat-arp-mitm.json");
            assertTrue(sendZimperium.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, sendZimperium.exitValue(), Files.readString(dir.resolve("send-zimperium.log")));

            Path alerts = data.resolve("dry-run-alerts.jsonl");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(alerts)
                    && Files.readString(alerts).contains("\"eventId\":\"5b0e3c1e-8d0f-4a57-9d3e-0c1f2a3b4c5d\"")
                    && Files.readString(alerts).contains("\"eventId\":\"zimperium:e4b7c2a9-51d3-4f6e-8a0b-93c1d5e7f208:active\"")
                    && Files.readString(alerts).contains("\"path\":\"/api/alerts/CreateAlertByReference\""));
            // the managed device's anchor first (api: auto): the hunting query, then the create on it
            List<String> lines = Files.readAllLines(alerts);
            int hunt = indexOf(lines, "\"url\":\"https://graph.microsoft.com/v1.0/security/runHuntingQuery\"");
            int create = indexOf(lines, "\"path\":\"/api/alerts/CreateAlertByReference\"");
            assertTrue(hunt >= 0 && create > hunt, "hunting, then the create: " + lines);
            assertTrue(lines.get(hunt).contains("DeviceId == \\\"1e5bc9d7e413ddd7902c2932e418702b84d0cc07\\\""), lines.get(hunt));
            // the shipped file sends account northwind to an integration with api: graph
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(alerts).contains(
                    "\"url\":\"https://graph.microsoft.com/beta/security/alerts_v2/createAlert\""));

            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + managementPort + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("camel_exchanges_total"), "Prometheus text");
        } finally {
            bridge.destroy();
            assertTrue(bridge.waitFor(30, TimeUnit.SECONDS), "SIGTERM stops the bridge within 30 s");
        }
        assertTrue(Files.readString(log).contains("shutdown"), Files.readString(log));
        // the JSON log format option: every line the bridge logged is one JSON object
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<String> lines = Files.readAllLines(log).stream().filter(line -> line.startsWith("{")).toList();
        assertTrue(lines.size() > 10, "JSON log lines");
        for (String line : lines) {
            assertTrue(json.readTree(line).has("message"), line);
        }
        assertTrue(lines.stream().anyMatch(line -> line.contains("\"log.logger\":\"io.threatbridge.delivered\"")), "the delivered-alert line");
        // a clean run with the shipped configuration: start, three events delivered in dry-run, SIGTERM; nothing an
        // operator would read as trouble (issue 17: Artemis's warnings of queues without dead-letter addresses, and the like)
        List<String> troubles = new java.util.ArrayList<>();
        for (String line : lines) {
            String level = json.readTree(line).path("log.level").asText();
            if (level.equals("WARN") || level.equals("ERROR")) {
                troubles.add(line);
            }
        }
        assertEquals(List.of(), troubles, "no WARN or ERROR line");
    }

    @Test
    void aBadIntegrationsFileStopsStartUpNamingTheEntry() throws Exception {
        Path integrations = dir.resolve("integrations.yaml");
        Files.writeString(integrations, """
                integrations:
                  - name: good
                    tenantId: 72f988bf-86f1-41af-91ab-2d7cd011db47
                    accounts: [acme]
                  - name: typo
                    tenantId: 72f988bf-86f1-41af-91ab-2d7cd011db47
                    accounts: [acme]
                    filterLevel: HIGH
                """);
        Path log = dir.resolve("bad.log");
        Process bridge = java(Map.of(), log, "-Dbridge.data-dir=" + dir.resolve("data"),
                "-Dbridge.integrations-file=" + integrations, "-Dbridge.embedded-broker.port=" + BridgeHarness.freePort(),
                "-Dcamel.management.port=" + BridgeHarness.freePort(), "-jar", JAR.toString());
        assertTrue(bridge.waitFor(60, TimeUnit.SECONDS), "exits by itself");
        assertNotEquals(0, bridge.exitValue());
        String output = Files.readString(log);
        assertTrue(output.contains(integrations + ": integrations[1] (typo): filterLevel 'HIGH' is not one of"), output);
    }

    @Test
    void aBadFormatFileStopsStartUpNamingFileAndKey() throws Exception {
        Path formats = Files.createDirectories(dir.resolve("formats"));
        Files.writeString(formats.resolve("acme.yaml"), Files.readString(Path.of("formats/jamf.yaml"))
                .replace("format: jamf", "format: acme").replace("function: firstWord", "function: firstWrd"));
        Path log = dir.resolve("bad-format.log");
        Process bridge = java(Map.of(), log, "-Dbridge.data-dir=" + dir.resolve("data"), "-Dbridge.formats-dir=" + formats,
                "-Dbridge.embedded-broker.port=" + BridgeHarness.freePort(),
                "-Dcamel.management.port=" + BridgeHarness.freePort(), "-jar", JAR.toString());
        assertTrue(bridge.waitFor(60, TimeUnit.SECONDS), "exits by itself");
        assertNotEquals(0, bridge.exitValue());
        String output = Files.readString(log);
        assertTrue(output.contains(formats.resolve("acme.yaml") + ": fields.device.os.function: 'firstWrd' is not one of"), output);
    }

    @Test
    void sendWithoutFilesPrintsUsage() throws Exception {
        Path log = dir.resolve("usage.log");
        Process send = java(Map.of(), log, "-jar", JAR.toString(), "send");
        assertTrue(send.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, send.exitValue());
        assertTrue(Files.readString(log).contains("usage: java -jar threat-bridge.jar send [--format NAME] FILE..."));
        assertTrue(new File(JAR.toString()).isFile());
    }

    private static int indexOf(List<String> lines, String part) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(part)) {
                return i;
            }
        }
        return -1;
    }
}
