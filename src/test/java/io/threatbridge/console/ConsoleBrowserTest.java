package io.threatbridge.console;

import io.threatbridge.BridgeHarness;
import io.threatbridge.FakeMicrosoft;
import io.threatbridge.LogCapture;
import io.threatbridge.MicrosoftRules;
import io.threatbridge.integration.FilterLevel;
import io.threatbridge.integration.Integration;
import io.threatbridge.integration.IntegrationsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Keys;
import org.openqa.selenium.support.ui.Select;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console in a real browser (headless Chromium), against the whole bridge in live mode and the
 * strict Microsoft fake: sign in, Add integration, admin consent at a fake Azure AD that sends the
 * browser back, the proof of the grant (tokens per audience, one read per service), name, level and
 * accounts, Finish; then the file, the reload (route and MBean) and the Threat Reporting page,
 * enable/disable and test connection, and what must be refused (no sign-in, no CSRF token, a state
 * that is not the session's, a declined consent).
 */
class ConsoleBrowserTest {

    private static final String PASSWORD = "correct-horse-battery-staple";
    private static final String CONTOSO = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private static final String WOODGROVE = "5e3ce6c0-2b1f-4285-8d4b-75ee78787346";
    /** -Dconsole.screenshots.update=true copies the README's screenshots to docs/screenshots. */
    private static final boolean UPDATE_DOCS = Boolean.getBoolean("console.screenshots.update");

    @TempDir
    Path dir;

    private static Map<String, String> consoleSettings(int port) {
        return Map.of("bridge.console.enabled", "true", "bridge.console.port", String.valueOf(port),
                "bridge.console.user", "admin", "bridge.console.password-hash", PasswordHash.hash(PASSWORD.toCharArray()),
                "bridge.integrations-reload-ms", "200");
    }

    private static void signIn(Browser browser, String consoleUrl) {
        browser.open(consoleUrl + "/");
        await().until(() -> browser.title().startsWith("Sign in"));
        browser.field("User").sendKeys("admin");
        // the keyboard submits the form
        browser.field("Password").sendKeys(PASSWORD, Keys.ENTER);
        await().until(() -> browser.title().startsWith("Threat Reporting"));
    }

    @Test
    void addAnIntegrationThroughConsentProofAndFinish() throws Exception {
        int consolePort = BridgeHarness.freePort();
        String consoleUrl = "http://127.0.0.1:" + consolePort;
        FakeAdminConsent azureAd = new FakeAdminConsent(FakeMicrosoft.CLIENT_ID, Set.of(consoleUrl + "/consent/callback"),
                Set.of(MicrosoftRules.DEFENDER_AUDIENCE, MicrosoftRules.GRAPH_AUDIENCE));
        try (LogCapture log = new LogCapture(); FakeMicrosoft microsoft = new FakeMicrosoft(azureAd)) {
            microsoft.stub(get(urlPathEqualTo(FakeAdminConsent.PATH)).willReturn(aResponse().withTransformers(azureAd.getName())));
            // Defender for Endpoint at bridge.defender.api-url (the fake's root), Graph's alerts; hunting answers always
            microsoft.acceptAlerts("");
            microsoft.acceptGraphAlerts();
            Map<String, String> settings = new HashMap<>(microsoft.liveSettings());
            settings.putAll(consoleSettings(consolePort));
            // Azure AD on another site than the console, as in production (localhost and 127.0.0.1 are two sites): the
            // SameSite=Strict session cookie is not sent on the redirect back
            settings.put("bridge.auth.authority-url", microsoft.baseUrl().replace("127.0.0.1", "localhost"));
            String before = "# customers, kept in version control\nintegrations:\n  # the first customer\n"
                    + FakeMicrosoft.graphIntegration("contoso-prod", CONTOSO, "acme");
            try (BridgeHarness bridge = BridgeHarness.start(dir, before, settings); Browser browser = Browser.start()) {
                Path file = dir.resolve("integrations.yaml");
                HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

                // no page without a sign-in
                HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(consoleUrl + "/")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(303, anonymous.statusCode());
                assertEquals("/login", anonymous.headers().firstValue("Location").orElse(""));
                assertEquals(404, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bridge.managementPort + "/add")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode(), "the management port does not serve the console");

                browser.open(consoleUrl + "/");
                await().until(() -> browser.title().startsWith("Sign in"));
                browser.shot("console-01-sign-in");
                browser.field("User").sendKeys("admin");
                browser.field("Password").sendKeys("wrong-password", Keys.ENTER);
                await().until(() -> browser.text().contains("The user or the password is wrong."));
                browser.field("User").sendKeys("admin");
                browser.field("Password").sendKeys(PASSWORD, Keys.ENTER);
                await().until(() -> browser.title().startsWith("Threat Reporting"));
                Cookie cookie = browser.driver.manage().getCookieNamed(ConsoleServer.COOKIE);
                assertTrue(cookie.isHttpOnly());
                assertEquals("Strict", cookie.getSameSite());
                assertTrue(browser.text().contains("contoso-prod"));

                // Add integration: the API, then Azure AD's consent, which sends the browser back
                browser.button("Add integration").click();
                await().until(() -> browser.title().startsWith("Add integration"));
                assertTrue(browser.driver.findElement(org.openqa.selenium.By.id("api-auto")).isSelected(), "auto preselected");
                browser.shot("console-02-add");
                azureAd.signInAs(WOODGROVE);
                browser.button("Add to Azure Active Directory").click();
                await().until(() -> browser.title().equals("Permissions requested"));
                browser.driver.findElement(org.openqa.selenium.By.id("accept")).click();
                await().atMost(Duration.ofSeconds(60)).until(() -> browser.text().contains("The grant is"));
                assertTrue(browser.text().contains("The grant is proven."), browser.text());
                browser.shot("console-03-grant-proven");
                Map<String, String> asked = azureAd.requests.get(azureAd.requests.size() - 1);
                assertEquals(MicrosoftRules.DEFENDER_AUDIENCE + "/.default " + MicrosoftRules.GRAPH_AUDIENCE + "/.default", asked.get("scope"));
                assertEquals(consoleUrl + "/consent/callback", asked.get("redirect_uri"));
                // the proof: a token of the new tenant for each audience, one harmless read per service
                assertFalse(microsoft.tokenRequests(WOODGROVE, MicrosoftRules.DEFENDER_AUDIENCE).isEmpty());
                assertFalse(microsoft.tokenRequests(WOODGROVE, MicrosoftRules.GRAPH_AUDIENCE).isEmpty());
                assertEquals(1, microsoft.huntingCalls(WOODGROVE).size());
                assertTrue(microsoft.server.findAll(getRequestedFor(urlPathEqualTo("/api/alerts"))).stream()
                        .anyMatch(r -> WOODGROVE.equals(microsoft.rules.grant(r.getHeader("Authorization")).tenant())));
                assertTrue(microsoft.server.findAll(getRequestedFor(urlPathEqualTo(FakeMicrosoft.GRAPH_BASE + "/security/alerts_v2"))).stream()
                        .anyMatch(r -> WOODGROVE.equals(microsoft.rules.grant(r.getHeader("Authorization")).tenant())));

                // name, level, accounts; a wrong name is refused with the reload's own error
                browser.button("Go on").click();
                await().until(() -> browser.text().contains("Filter level"));
                assertEquals(FilterLevel.CRITICAL.name(), new Select(browser.field("Filter level")).getFirstSelectedOption().getDomAttribute("value"));
                browser.field("Name").sendKeys("woodgrove soc");
                browser.field("Accounts").sendKeys("woodgrove, woodgrove-eu");
                browser.button("Finish").click();
                await().until(() -> browser.text().contains("Not written"));
                assertTrue(browser.text().contains("Not written: " + file + ": integrations[1] (woodgrove soc): name must be 1-64 of [A-Za-z0-9._-]"),
                        browser.text());
                assertEquals(before, Files.readString(file), "a refused entry leaves the file as it was");
                browser.shot("console-04-refused");
                browser.field("Name").clear();
                browser.field("Name").sendKeys("woodgrove-soc");
                browser.shot("console-05-name-and-level");
                browser.button("Finish").click();
                await().until(() -> browser.text().contains("Integration woodgrove-soc written to"));

                // the file: what was there stays as it was, the entry is appended; the reload applies it
                String after = Files.readString(file);
                assertTrue(after.startsWith(before), after);
                assertTrue(after.contains("  # added in the console by admin, "), after);
                List<Integration> integrations = IntegrationsFile.load(file, microsoft.baseUrl());
                Integration woodgrove = integrations.get(1);
                assertEquals(List.of("woodgrove", "woodgrove-eu"), woodgrove.accounts());
                assertEquals(WOODGROVE, woodgrove.tenantId());
                assertEquals(FilterLevel.CRITICAL, woodgrove.filterLevel());
                assertEquals(Integration.Api.auto, woodgrove.api());
                await().until(() -> bridge.delivering("woodgrove-soc"));
                assertTrue(ManagementFactory.getPlatformMBeanServer().isRegistered(new ObjectName("threatbridge:type=Integration,name=woodgrove-soc")));
                // the page's counters are JMX's: one alert delivered for contoso-prod
                bridge.send(io.threatbridge.Events.event("console-e-1", "acme", "thr-console-1", "CRITICAL", "ACTIVE").toString());
                ObjectName contosoMBean = new ObjectName("threatbridge:type=Integration,name=contoso-prod");
                await().until(() -> (Long) ManagementFactory.getPlatformMBeanServer().getAttribute(contosoMBean, "Delivered") == 1L);
                String lastDelivered = (String) ManagementFactory.getPlatformMBeanServer().getAttribute(contosoMBean, "LastDeliveredAt");
                browser.open(consoleUrl + "/");
                await().until(() -> browser.text().contains("contoso-prod " + CONTOSO + " NORMAL_AND_ABOVE graph UP 1 / 1 0 " + lastDelivered));
                assertTrue(browser.text().contains("woodgrove-soc " + WOODGROVE + " CRITICAL auto UP 0 / 0 0"), browser.text());
                assertTrue(browser.text().indexOf("contoso-prod") < browser.text().indexOf("woodgrove-soc"), "the file's order");
                browser.shot("console-06-threat-reporting");

                // test connection of the first integration (graph): its token and a read
                browser.buttonLabelled("Test the connection of contoso-prod").click();
                await().until(() -> browser.text().contains("Connection of contoso-prod (tenant " + CONTOSO + "): working"));
                assertTrue(browser.text().contains("working: Microsoft Graph security alerts (token issued; read answered 200)"), browser.text());
                browser.shot("console-07-test-connection");

                // disable: the file's enabled, the route goes; enable again
                browser.buttonLabelled("Disable woodgrove-soc").click();
                await().until(() -> browser.text().contains("Integration woodgrove-soc is now disabled"));
                assertTrue(Files.readString(file).contains("    api: \"auto\"\n    enabled: false\n"), Files.readString(file));
                await().until(() -> !bridge.delivering("woodgrove-soc"));
                browser.open(consoleUrl + "/");
                await().until(() -> browser.text().contains("woodgrove-soc " + WOODGROVE + " CRITICAL auto DISABLED"));
                browser.buttonLabelled("Enable woodgrove-soc").click();
                await().until(() -> bridge.delivering("woodgrove-soc"));

                // refused: a POST without the form's CSRF token, even with the session's cookie
                String fileNow = Files.readString(file);
                HttpResponse<String> forged = http.send(HttpRequest.newBuilder(URI.create(consoleUrl + "/integrations/enabled"))
                        .header("Cookie", ConsoleServer.COOKIE + "=" + browser.driver.manage().getCookieNamed(ConsoleServer.COOKIE).getValue())
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("name=woodgrove-soc&enabled=false")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(403, forged.statusCode());
                assertEquals(fileNow, Files.readString(file));

                // the answer from Azure AD without the session cookie (the browser withholds it on a cross-site
                // navigation) is loaded again from the console's own page, which sends it; a second time without it is refused
                HttpResponse<String> crossSite = http.send(HttpRequest.newBuilder(URI.create(consoleUrl
                        + "/consent/callback?admin_consent=True&tenant=" + WOODGROVE + "&state=s")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, crossSite.statusCode());
                assertTrue(crossSite.body().contains("<meta http-equiv=\"refresh\" content=\"0;url=/consent/callback?admin_consent=True&amp;tenant="
                        + WOODGROVE + "&amp;state=s&amp;resumed=1\">"), crossSite.body());
                HttpResponse<String> resumed = http.send(HttpRequest.newBuilder(URI.create(consoleUrl
                        + "/consent/callback?admin_consent=True&tenant=" + WOODGROVE + "&state=s&resumed=1")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(403, resumed.statusCode());

                // refused: an answer whose state this session did not send
                browser.open(consoleUrl + "/consent/callback?admin_consent=True&tenant=evil.example.com&state=forged");
                await().until(() -> browser.text().contains("does not belong to this session"));

                // a declined consent: Azure AD's error is shown
                browser.open(consoleUrl + "/add");
                browser.button("Add to Azure Active Directory").click();
                await().until(() -> browser.title().equals("Permissions requested"));
                browser.driver.findElement(org.openqa.selenium.By.id("cancel")).click();
                await().until(() -> browser.text().contains("AADSTS65004: User declined to consent to access the app."));
                assertTrue(browser.text().contains("access_denied"));
                browser.shot("console-08-consent-declined");

                // every change logged with who made it; no secret and no token in a log line or a page
                String logged = log.text();
                assertTrue(logged.contains("io.threatbridge.console - console: admin added integration woodgrove-soc (tenant " + WOODGROVE), logged);
                assertTrue(logged.contains("console: admin disabled integration woodgrove-soc"));
                assertTrue(logged.contains("console: admin enabled integration woodgrove-soc"));
                assertTrue(logged.contains("console: failed sign-in as 'admin'"));
                assertFalse(logged.contains(FakeMicrosoft.CLIENT_SECRET));
                assertFalse(logged.contains("eyJ-issued-token"));
                assertFalse(logged.contains(PASSWORD));
                browser.open(consoleUrl + "/");
                assertFalse(browser.source().contains(FakeMicrosoft.CLIENT_SECRET));
                assertFalse(browser.source().contains("eyJ-issued-token"));
            }
        }
        if (UPDATE_DOCS) {
            Path docs = Files.createDirectories(Path.of("docs", "screenshots"));
            for (String shot : List.of("console-02-add", "console-03-grant-proven", "console-05-name-and-level", "console-06-threat-reporting")) {
                Files.copy(Path.of("target", "screenshots", shot + ".png"), docs.resolve(shot + ".png"), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @Test
    void aGrantNotProvenCannotBeFinishedUntilItIs() throws Exception {
        int consolePort = BridgeHarness.freePort();
        String consoleUrl = "http://127.0.0.1:" + consolePort;
        String tenant = "9a1b2c3d-0000-4000-8000-00000000f00d";
        FakeAdminConsent azureAd = new FakeAdminConsent(FakeMicrosoft.CLIENT_ID, Set.of(consoleUrl + "/consent/callback"),
                Set.of(MicrosoftRules.DEFENDER_AUDIENCE, MicrosoftRules.GRAPH_AUDIENCE));
        try (FakeMicrosoft microsoft = new FakeMicrosoft(azureAd)) {
            microsoft.stub(get(urlPathEqualTo(FakeAdminConsent.PATH)).willReturn(aResponse().withTransformers(azureAd.getName())));
            microsoft.acceptGraphAlerts();
            // the tenant's directory does not know the application yet (Azure AD's answer while a consent is not
            // applied, learn.microsoft.com "AADSTS error codes": AADSTS700016)
            com.github.tomakehurst.wiremock.stubbing.StubMapping notYet = com.github.tomakehurst.wiremock.client.WireMock
                    .post(urlPathEqualTo("/" + tenant + "/oauth2/v2.0/token")).atPriority(1)
                    .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                            .withBody("{\"error\":\"unauthorized_client\",\"error_description\":\"AADSTS700016: Application with identifier '"
                                    + FakeMicrosoft.CLIENT_ID + "' was not found in the directory '" + tenant + "'.\"}")).build();
            microsoft.server.addStubMapping(notYet);
            Map<String, String> settings = new HashMap<>(microsoft.liveSettings());
            settings.putAll(consoleSettings(consolePort));
            settings.put("bridge.auth.authority-url", microsoft.baseUrl().replace("127.0.0.1", "localhost"));
            try (BridgeHarness bridge = BridgeHarness.start(dir, "integrations: []\n", settings); Browser browser = Browser.start()) {
                signIn(browser, consoleUrl);
                browser.open(consoleUrl + "/add");
                browser.driver.findElement(org.openqa.selenium.By.id("api-graph")).click();
                azureAd.signInAs(tenant);
                browser.button("Add to Azure Active Directory").click();
                await().until(() -> browser.title().equals("Permissions requested"));
                assertEquals(MicrosoftRules.GRAPH_AUDIENCE + "/.default", azureAd.requests.get(0).get("scope"), "graph asks for Graph only");
                browser.driver.findElement(org.openqa.selenium.By.id("accept")).click();
                await().until(() -> browser.text().contains("The grant is not proven yet."));
                assertTrue(browser.text().contains("Not working: Microsoft Graph security alerts (no token: no token for tenant " + tenant
                        + ": AADSTS700016"), browser.text());
                assertTrue(browser.driver.findElements(org.openqa.selenium.By.linkText("Go on")).isEmpty());
                browser.open(consoleUrl + "/add/details");
                await().until(() -> browser.text().contains("API and consent"));
                assertFalse(browser.text().contains("Filter level"), "no name and level before the grant is proven");

                // the consent has reached the tenant's directory: checked again, proven
                microsoft.server.removeStubMapping(notYet);
                browser.open(consoleUrl + "/add/grant");
                browser.button("Check again").click();
                await().until(() -> browser.text().contains("The grant is proven."));
                assertTrue(browser.text().contains("Working: Microsoft Graph security alerts (token issued; read answered 200)"));
                browser.button("Go on").click();
                await().until(() -> browser.text().contains("Filter level"));
            }
        }
    }

    @Test
    void dryRunAddsWithoutProofClearlyMarked() throws Exception {
        int consolePort = BridgeHarness.freePort();
        String consoleUrl = "http://127.0.0.1:" + consolePort;
        try (BridgeHarness bridge = BridgeHarness.start(dir, "integrations: []\n", consoleSettings(consolePort));
             Browser browser = Browser.start()) {
            signIn(browser, consoleUrl);
            browser.open(consoleUrl + "/add");
            assertTrue(browser.text().contains("Dry-run. The bridge has no Azure AD application"), browser.text());
            browser.field("Tenant id of the customer").sendKeys("fabrikam.onmicrosoft.com");
            browser.driver.findElement(org.openqa.selenium.By.id("api-graph")).click();
            browser.button("Go on without proof").click();
            await().until(() -> browser.text().contains("Without proof (dry-run)."));
            browser.field("Name").sendKeys("fabrikam");
            new Select(browser.field("Filter level")).selectByValue("ELEVATED_AND_ABOVE");
            browser.field("Accounts").sendKeys("fabrikam");
            browser.button("Finish").click();
            await().until(() -> browser.text().contains("Integration fabrikam written to"));
            Path file = dir.resolve("integrations.yaml");
            assertTrue(Files.readString(file).contains("without proof (dry-run)"));
            await().until(() -> bridge.delivering("fabrikam"));
            browser.open(consoleUrl + "/");
            await().until(() -> browser.text().contains("fabrikam fabrikam.onmicrosoft.com ELEVATED_AND_ABOVE graph UP"));
        }
    }

    @Test
    void theConsoleNeverStartsWithoutALogin() throws Exception {
        int port = BridgeHarness.freePort();
        Path first = Files.createDirectories(dir.resolve("first"));
        Path second = Files.createDirectories(dir.resolve("second"));
        Exception refused = assertThrows(Exception.class, () -> BridgeHarness.start(first, "integrations: []\n",
                Map.of("bridge.console.enabled", "true", "bridge.console.port", String.valueOf(port))).close());
        assertTrue(rootMessage(refused).contains("bridge.console.user is empty: the console never starts without a login"), rootMessage(refused));
        Exception noHash = assertThrows(Exception.class, () -> BridgeHarness.start(second, "integrations: []\n",
                Map.of("bridge.console.enabled", "true", "bridge.console.port", String.valueOf(port), "bridge.console.user", "admin")).close());
        assertTrue(rootMessage(noHash).contains("needs exactly one of bridge.console.password-hash and bridge.console.password-file"));
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage());
    }
}
