package io.threatbridge;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each tenant's calls stay within its quota (a sliding window), a tenant that waits for its window
 * holds no other tenant, and a burst drains at the quota. The window is shortened to 2 s so the test
 * need not wait minutes.
 */
class PacingTest {

    static final int QUOTA = 5;
    static final long WINDOW = 2000;

    @TempDir
    Path dir;

    @Test
    void noCallOverQuotaAndOtherTenantsGoOn() throws Exception {
        try (FakeMicrosoft microsoft = new FakeMicrosoft()) {
            microsoft.acceptAlerts("/paced");
            microsoft.acceptAlerts("/other");
            Map<String, String> settings = new HashMap<>(microsoft.liveSettings());
            settings.put("bridge.defender.create-per-minute", String.valueOf(QUOTA));
            settings.put("bridge.defender.quota-window-ms", String.valueOf(WINDOW));
            String yaml = "integrations:\n"
                    + FakeMicrosoft.integration("paced", "tenant-paced", "acme", microsoft.baseUrl() + "/paced")
                    + FakeMicrosoft.integration("other", "tenant-other", "globex", microsoft.baseUrl() + "/other");
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml, settings)) {
                for (int i = 0; i < 3 * QUOTA; i++) {
                    bridge.send(Events.event("paced-" + i, "acme", "thr-paced-" + i, "CRITICAL", "ACTIVE").toString());
                }
                // the paced tenant has used its window: the other tenant's events must not wait behind it
                await().until(() -> microsoft.creates("/paced").size() == QUOTA);
                for (int i = 0; i < QUOTA; i++) {
                    bridge.send(Events.event("other-" + i, "globex", "thr-other-" + i, "CRITICAL", "ACTIVE").toString());
                }
                await().until(() -> microsoft.creates("/other").size() == QUOTA);
                long otherDone = microsoft.creates("/other").stream().mapToLong(r -> r.getLoggedDate().getTime()).max().orElseThrow();
                long firstPaced = microsoft.creates("/paced").get(0).getLoggedDate().getTime();
                assertTrue(otherDone < firstPaced + WINDOW, "the other tenant went on while the paced one waited for its window");

                await().atMost(java.time.Duration.ofSeconds(30)).until(() -> bridge.store().isDone("paced", "paced-" + (3 * QUOTA - 1))
                        && microsoft.creates("/paced").size() == 3 * QUOTA);
                List<Long> times = microsoft.creates("/paced").stream().map(LoggedRequest::getLoggedDate)
                        .map(java.util.Date::getTime).sorted().toList();
                int overQuota = 0;
                for (int i = QUOTA; i < times.size(); i++) {
                    if (times.get(i) - times.get(i - QUOTA) < WINDOW) {
                        overQuota++;
                    }
                }
                System.out.printf("pacing: %d creates at %d per %d ms took %d ms, %d over quota%n",
                        times.size(), QUOTA, WINDOW, times.get(times.size() - 1) - times.get(0), overQuota);
                assertEquals(0, overQuota, "never more than the quota in any window: " + times);
                assertTrue(times.get(times.size() - 1) - times.get(0) >= 2 * WINDOW - 100, "the burst drained at the quota, not faster");
                assertTrue(times.get(times.size() - 1) - times.get(0) < 4 * WINDOW, "and used the quota, not slower");
            }
        }
    }

    /**
     * Hunting has its own quota (45 a minute, 1,500 an hour per tenant: Graph runHuntingQuery), here
     * with the minute shortened to 2 s in the bridge and in the fake alike: 60 devices Defender never
     * saw, one query each, paced so that the fake answers no 429; the Graph creates that follow are
     * not held by it.
     */
    @Test
    void huntingIsPacedAtItsOwnQuotaWithoutA429() throws Exception {
        try (FakeMicrosoft microsoft = new FakeMicrosoft()) {
            microsoft.acceptAlerts("/h");
            microsoft.acceptGraphAlerts();
            microsoft.rules.quotaWindow(WINDOW);
            Map<String, String> settings = new HashMap<>(microsoft.liveSettings());
            settings.put("bridge.defender.quota-window-ms", String.valueOf(WINDOW));
            settings.put("bridge.graph.create-per-minute", "0");
            String yaml = "integrations:\n" + FakeMicrosoft.integration("h", "tenant-h", "acme", microsoft.baseUrl() + "/h");
            int devices = 60;
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml, settings)) {
                for (int i = 0; i < devices; i++) {
                    String machine = String.format("%040x", 0xabc000L + i);
                    bridge.send(Events.with(Events.event("h-" + i, "acme", "thr-h-" + i, "CRITICAL", "ACTIVE"),
                            "device.defenderMachineId", com.fasterxml.jackson.databind.node.TextNode.valueOf(machine)).toString());
                }
                await().atMost(java.time.Duration.ofSeconds(30)).until(() -> microsoft.graphCreates("tenant-h").size() == devices);
                List<Long> times = microsoft.huntingCalls("tenant-h").stream().map(LoggedRequest::getLoggedDate)
                        .map(java.util.Date::getTime).sorted().toList();
                assertEquals(devices, times.size());
                int overQuota = 0;
                for (int i = 45; i < times.size(); i++) {
                    if (times.get(i) - times.get(i - 45) < WINDOW) {
                        overQuota++;
                    }
                }
                assertEquals(0, overQuota, "never more than 45 queries in a window");
                assertEquals(0, microsoft.rules.throttledCalls(), "the fake, keeping Microsoft's quota, answered no 429");
                assertTrue(times.get(times.size() - 1) - times.get(0) >= WINDOW - 100, "the 46th query waited for the window");
            }
        }
    }
}
