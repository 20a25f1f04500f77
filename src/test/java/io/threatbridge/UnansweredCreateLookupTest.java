package io.threatbridge;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The look-up that settles an unanswered create (docs/reliability.md, "Uncertain calls") reads every
 * page of the alert list: Defender and Graph answer a long list a page at a time, the rest behind
 * @odata.nextLink (OData paging, as both APIs document it). Stopping at the first page would miss
 * the alert the create made and make a second one.
 */
class UnansweredCreateLookupTest {

    @TempDir
    Path dir;

    @Test
    void theAlertOfAnUnansweredCreateIsFoundOnALaterPage() throws Exception {
        try (FakeMicrosoft microsoft = new FakeMicrosoft()) {
            microsoft.acceptAlerts("/p");
            microsoft.rules.pageSize(2);
            for (int i = 0; i < 5; i++) {
                microsoft.rules.addDefenderAlert("tenant-p", MicrosoftRules.SAMPLE_MACHINE, "other " + i, "Event id: other-" + i);
            }
            // the alert an instance that died made before it could record the answer
            String made = microsoft.rules.addDefenderAlert("tenant-p", MicrosoftRules.SAMPLE_MACHINE, "made [thr-p]",
                    "Event id: p-0\nMobile threat reported by the mobile threat defense console.");
            Map<String, String> settings = new HashMap<>(microsoft.liveSettings());
            settings.put("bridge.http.connect-timeout-ms", "500");
            settings.put("bridge.http.response-timeout-ms", "500");
            String yaml = "integrations:\n" + FakeMicrosoft.integration("p", "tenant-p", "acme", microsoft.baseUrl() + "/p");
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml, settings)) {
                bridge.store().beginCreate("p", "acme", "thr-p", "p-0", "endpoint");
                bridge.send(Events.event("p-1", "acme", "thr-p", "CRITICAL", "ACTIVE").toString());
                await().atMost(Duration.ofSeconds(30)).until(() -> bridge.store().isDone("p", "p-1"));

                assertEquals(made, bridge.store().alertId("p", "acme", "thr-p"), "the alert found on the third page");
                assertEquals(0, microsoft.creates("/p").size(), "no second alert");
                List<LoggedRequest> pages = microsoft.calls("/p").stream().filter(r -> r.getMethod().getName().equals("GET")).toList();
                assertEquals(3, pages.size(), "three pages of two");
                assertTrue(pages.get(2).getUrl().contains("$skiptoken=4"), pages.get(2).getUrl());
            }
        }
    }
}
