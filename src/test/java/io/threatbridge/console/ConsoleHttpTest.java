package io.threatbridge.console;

import io.threatbridge.BridgeHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console over HTTPS, as a plain HTTP client sees it: the Secure cookie and the security
 * headers, sign-in throttling, the form size limit, nothing without a sign-in.
 */
class ConsoleHttpTest {

    private static final String PASSWORD = "correct-horse-battery-staple";
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    @TempDir
    Path dir;

    @Test
    void httpsCookieHeadersThrottlingAndLimits() throws Exception {
        int port = BridgeHarness.freePort();
        String console = "https://127.0.0.1:" + port;
        try (BridgeHarness bridge = BridgeHarness.start(dir, "integrations: []\n", Map.of(
                "bridge.console.enabled", "true", "bridge.console.port", String.valueOf(port), "bridge.console.user", "admin",
                "bridge.console.password-hash", PasswordHash.hash(PASSWORD.toCharArray()),
                // the test certificate, which the test JVM trusts (pom.xml: javax.net.ssl.trustStore)
                "bridge.console.keystore-file", Path.of("src/test/resources/tls/server.p12").toAbsolutePath().toString(),
                "bridge.console.keystore-password", "changeit"))) {
            HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

            HttpResponse<String> add = http.send(HttpRequest.newBuilder(URI.create(console + "/add")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(303, add.statusCode());
            assertEquals("/login", add.headers().firstValue("Location").orElse(""));
            HttpResponse<String> style = http.send(HttpRequest.newBuilder(URI.create(console + "/style.css")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("text/css; charset=utf-8", style.headers().firstValue("Content-Type").orElse(""));

            HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(console + "/login")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, login.statusCode());
            String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
            assertTrue(cookie.matches(ConsoleServer.COOKIE + "=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict; Secure"), cookie);
            String policy = login.headers().firstValue("Content-Security-Policy").orElse("");
            assertTrue(policy.startsWith("default-src 'none'; style-src 'self';"), policy);
            assertTrue(policy.contains("frame-ancestors 'none'") && policy.contains("form-action 'self'"), policy);
            assertEquals("DENY", login.headers().firstValue("X-Frame-Options").orElse(""));
            assertEquals("no-referrer", login.headers().firstValue("Referrer-Policy").orElse(""));
            assertEquals("no-store", login.headers().firstValue("Cache-Control").orElse(""));
            assertTrue(login.headers().firstValue("Strict-Transport-Security").isPresent());
            assertTrue(!login.body().contains("<script"), "no script on the console's pages");

            String session = cookie.substring(0, cookie.indexOf(';'));
            Matcher csrf = CSRF.matcher(login.body());
            assertTrue(csrf.find());
            // a sign-in form without the session's token is refused
            assertEquals(403, signIn(http, console, session, "not-the-token", PASSWORD).statusCode());
            for (int i = 0; i < 5; i++) {
                assertEquals(401, signIn(http, console, session, csrf.group(1), "wrong-" + i).statusCode());
            }
            // five failures within five minutes: even the right password waits
            assertEquals(429, signIn(http, console, session, csrf.group(1), PASSWORD).statusCode());

            HttpResponse<String> large = http.send(HttpRequest.newBuilder(URI.create(console + "/login")).header("Cookie", session)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("user=" + "a".repeat(20_000))).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(413, large.statusCode());
        }
    }

    private static HttpResponse<String> signIn(HttpClient http, String console, String session, String csrf, String password) throws Exception {
        String form = "csrf=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8) + "&user=admin&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8);
        return http.send(HttpRequest.newBuilder(URI.create(console + "/login")).header("Cookie", session)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
