package io.threatbridge.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.threatbridge.integration.FilterLevel;
import io.threatbridge.integration.Integration;
import io.threatbridge.integration.IntegrationsFile;
import io.threatbridge.integration.IntegrationsFileEditor;
import io.threatbridge.integration.IntegrationsFileException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The onboarding console: sign-in, "Add integration" (admin consent, proof of the grant, name and
 * filter level, finish) and the Threat Reporting page. Served by the JDK's HTTP server on its own
 * port (HTTPS with a keystore), never on the management port. Every page needs a sign-in, every
 * form a CSRF token, the consent's state belongs to the session that asked for it, and every
 * change is logged (logger io.threatbridge.console) with who made it.
 */
public class ConsoleServer {

    private static final Logger LOG = LoggerFactory.getLogger("io.threatbridge.console");
    static final String COOKIE = "tb_console";
    private static final int MAX_FORM_BYTES = 16 * 1024;
    private static final int MAX_FAILED_SIGN_INS = 5;
    private static final long FAILED_SIGN_IN_WINDOW_MS = 5 * 60_000;

    private final ConsoleSettings settings;
    private final BridgeView view;
    private final IntegrationsFileEditor editor;
    private final GrantProof proof;
    private final ConsentLink consent;
    private final String integrationsFile;
    private final Sessions sessions;
    private final Deque<Long> failedSignIns = new ArrayDeque<>();
    private final String securityPolicy;
    private HttpServer server;
    private ExecutorService threads;

    /**
     * @param proof null in dry-run (no Azure AD application): no consent, no proof
     * @param consent null in dry-run
     */
    public ConsoleServer(ConsoleSettings settings, BridgeView view, IntegrationsFileEditor editor, GrantProof proof,
                         ConsentLink consent, String integrationsFile) {
        this.settings = settings;
        this.view = view;
        this.editor = editor;
        this.proof = proof;
        this.consent = consent;
        this.integrationsFile = integrationsFile;
        this.sessions = new Sessions(settings.idle());
        // the consent form's redirect goes to Azure AD: form-action must allow it (Chromium checks redirects too)
        this.securityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'; "
                + "form-action 'self'" + (consent == null ? "" : " " + consent.origin());
    }

    private boolean dryRun() {
        return consent == null;
    }

    public synchronized void start() throws Exception {
        InetSocketAddress address = new InetSocketAddress(settings.host(), settings.port());
        if (settings.https()) {
            HttpsServer https = HttpsServer.create(address, 0);
            https.setHttpsConfigurator(new HttpsConfigurator(sslContext()));
            server = https;
        } else {
            server = HttpServer.create(address, 0);
        }
        AtomicInteger count = new AtomicInteger();
        threads = Executors.newFixedThreadPool(4, task -> {
            Thread thread = new Thread(task, "console-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    public synchronized void stop() {
        if (server != null) {
            server.stop(1);
            threads.shutdownNow();
            server = null;
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private SSLContext sslContext() throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(settings.keystore())) {
            keys.load(in, settings.keystorePassword().toCharArray());
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, settings.keystorePassword().toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(factory.getKeyManagers(), null, null);
        return context;
    }

    // ---- request handling

    /** One request: what the browser sent, the session it belongs to, and the form when it is a POST. */
    private record Request(HttpExchange exchange, String method, String path, Map<String, String> query,
                           Sessions.Session session, Map<String, String> form) {
        String param(String name) {
            String value = form.get(name);
            return value == null ? "" : value;
        }

        String remote() {
            return exchange.getRemoteAddress().getAddress().getHostAddress();
        }
    }

    /** What a handler answers: a page, or a redirect. */
    private record Response(int status, String contentType, String body, String location, String cookie) {
        static Response page(int status, String html) {
            return new Response(status, "text/html; charset=utf-8", html, null, null);
        }

        static Response redirect(String location) {
            return new Response(303, null, null, location, null);
        }

        Response withCookie(String cookie) {
            return new Response(status, contentType, body, location, cookie);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Response response;
            try {
                response = route(exchange);
            } catch (FormTooLarge tooLarge) {
                response = Response.page(413, Page.layout("Too large", null, null, "<p>The form is larger than the console accepts.</p>"));
            } catch (RuntimeException e) {
                LOG.warn("console: {} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), e.toString());
                response = Response.page(500, Page.layout("Something went wrong", null, null,
                        "<p>The console could not do that. The bridge's log says why.</p>"));
            }
            send(exchange, response);
        }
    }

    private Response route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        Map<String, String> query = decode(exchange.getRequestURI().getRawQuery());
        Sessions.Session session = sessions.find(cookie(exchange));
        if ("GET".equals(method) && "/style.css".equals(path)) {
            return new Response(200, "text/css; charset=utf-8", Page.STYLE, null, null);
        }
        boolean post = "POST".equals(method);
        if (!post && !"GET".equals(method)) {
            return Response.page(405, Page.layout("Not allowed", null, null, "<p>Only GET and POST.</p>"));
        }
        Map<String, String> form = post ? decode(readForm(exchange)) : Map.of();
        Request request = new Request(exchange, method, path, query, session, form);
        if ("/login".equals(path)) {
            return post ? signIn(request) : loginPage(request, null, 200);
        }
        if ("/consent/callback".equals(path) && !post) {
            return consentCallback(request);
        }
        if (session == null || session.user == null) {
            return post ? forbidden("You are not signed in (or your session ended). Sign in again.")
                    : Response.redirect("/login");
        }
        if (post && !Sessions.same(session.csrf, form.get("csrf"))) {
            LOG.warn("console: POST {} by {} refused: no valid CSRF token", path, session.user);
            return forbidden("This form has expired or did not come from the console. Reload the page and try again.");
        }
        String key = method + " " + path;
        return switch (key) {
            case "GET /" -> reportingPage(request);
            case "POST /logout" -> signOut(request);
            case "GET /add" -> addPage(request);
            case "POST /add/consent" -> startConsent(request);
            case "POST /add/dry-run" -> dryRunTenant(request);
            case "GET /add/grant" -> grantPage(request);
            case "POST /add/prove" -> proveAgain(request);
            case "GET /add/details" -> detailsPage(request, null, Map.of(), 200);
            case "POST /add/finish" -> finish(request);
            case "POST /integrations/enabled" -> switchEnabled(request);
            case "POST /integrations/test" -> testConnection(request);
            default -> Response.page(404, page("Not found", session, "<p>There is no such page. <a href=\"/\">Threat Reporting</a></p>"));
        };
    }

    private String page(String title, Sessions.Session session, String body) {
        return Page.layout(title, session.user, session.csrf, body);
    }

    private static Response forbidden(String why) {
        return Response.page(403, Page.layout("Refused", null, null, "<p>" + Page.esc(why) + "</p><p><a href=\"/\">Back to the console</a></p>"));
    }

    // ---- sign-in

    private Response loginPage(Request request, String error, int status) {
        Sessions.Session session = request.session();
        if (session != null && session.user != null) {
            return Response.redirect("/");
        }
        if (session == null) {
            session = sessions.create();
        }
        String body = (error == null ? "" : "<div class=\"message error\" role=\"alert\"><p>" + Page.esc(error) + "</p></div>")
                + "<form method=\"post\" action=\"/login\">" + Page.csrfField(session.csrf)
                + "<label for=\"user\">User</label><input type=\"text\" id=\"user\" name=\"user\" autocomplete=\"username\" required autofocus>"
                + "<label for=\"password\">Password</label><input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required>"
                + "<p><button type=\"submit\">Sign in</button></p></form>";
        return Response.page(status, Page.layout("Sign in", null, null, body)).withCookie(sessionCookie(session));
    }

    private Response signIn(Request request) {
        Sessions.Session anonymous = request.session();
        if (anonymous == null || !Sessions.same(anonymous.csrf, request.form().get("csrf"))) {
            return loginPage(new Request(request.exchange(), "GET", "/login", Map.of(), null, Map.of()),
                    "The sign-in form had expired. Please sign in again.", 403);
        }
        synchronized (failedSignIns) {
            long now = System.currentTimeMillis();
            failedSignIns.removeIf(at -> at < now - FAILED_SIGN_IN_WINDOW_MS);
            if (failedSignIns.size() >= MAX_FAILED_SIGN_INS) {
                LOG.warn("console: sign-in from {} refused: {} failed sign-ins in the last 5 minutes", request.remote(), failedSignIns.size());
                return loginPage(request, "Too many failed sign-ins. Wait five minutes and try again.", 429);
            }
        }
        String user = request.param("user");
        boolean ok = Sessions.same(settings.user(), user) & settings.password().matches(request.param("password").toCharArray());
        if (!ok) {
            synchronized (failedSignIns) {
                failedSignIns.addLast(System.currentTimeMillis());
            }
            LOG.warn("console: failed sign-in as '{}' from {}", printable(user), request.remote());
            return loginPage(request, "The user or the password is wrong.", 401);
        }
        Sessions.Session session = sessions.signIn(anonymous, settings.user());
        LOG.info("console: {} signed in from {}", session.user, request.remote());
        return Response.redirect("/").withCookie(sessionCookie(session));
    }

    private Response signOut(Request request) {
        sessions.end(request.session());
        LOG.info("console: {} signed out", request.session().user);
        return Response.redirect("/login").withCookie(COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (settings.https() ? "; Secure" : ""));
    }

    private String sessionCookie(Sessions.Session session) {
        return COOKIE + "=" + session.id + "; Path=/; HttpOnly; SameSite=Strict" + (settings.https() ? "; Secure" : "");
    }

    // ---- Threat Reporting

    private Response reportingPage(Request request) {
        Sessions.Session session = request.session();
        Sessions.Flash flash = session.flash;
        session.flash = null;
        StringBuilder body = new StringBuilder(Page.message(flash));
        body.append("<p><a class=\"button\" href=\"/add\">Add integration</a></p>");
        List<BridgeView.Row> rows = view.rows();
        body.append("<table><caption>Integrations in ").append(Page.esc(integrationsFile))
                .append(" (counters as JMX shows them: today since midnight UTC, in all since the start)</caption><thead><tr>")
                .append("<th scope=\"col\">Name</th><th scope=\"col\">Tenant</th><th scope=\"col\">Filter level</th><th scope=\"col\">API</th>")
                .append("<th scope=\"col\">State</th><th scope=\"col\">Delivered today / in all</th><th scope=\"col\">Dead letters</th>")
                .append("<th scope=\"col\">Last error</th><th scope=\"col\">Last delivery</th><th scope=\"col\">Actions</th></tr></thead><tbody>");
        if (rows.isEmpty()) {
            body.append("<tr><td colspan=\"10\">No integration yet.</td></tr>");
        }
        for (BridgeView.Row row : rows) {
            Integration integration = row.integration();
            String name = Page.esc(integration.name());
            body.append("<tr><th scope=\"row\">").append(name).append("</th><td>").append(Page.esc(integration.tenantId()))
                    .append("</td><td>").append(integration.filterLevel()).append("</td><td>").append(integration.api())
                    .append("</td><td class=\"state-").append(row.state()).append("\">").append(row.state())
                    .append("</td><td>").append(row.deliveredToday()).append(" / ").append(row.delivered()).append("</td><td>").append(row.deadLettered())
                    .append("</td><td>").append(Page.esc(row.lastError())).append("</td><td>")
                    .append(row.lastDeliveredAt().isEmpty() ? "never" : Page.esc(row.lastDeliveredAt())).append("</td><td class=\"actions\">")
                    .append("<form method=\"post\" action=\"/integrations/enabled\">").append(Page.csrfField(session.csrf))
                    .append("<input type=\"hidden\" name=\"name\" value=\"").append(name).append("\">")
                    .append("<input type=\"hidden\" name=\"enabled\" value=\"").append(!integration.enabled()).append("\">")
                    .append("<button type=\"submit\" class=\"secondary\" aria-label=\"").append(integration.enabled() ? "Disable " : "Enable ")
                    .append(name).append("\">").append(integration.enabled() ? "Disable" : "Enable").append("</button></form> ")
                    .append("<form method=\"post\" action=\"/integrations/test\">").append(Page.csrfField(session.csrf))
                    .append("<input type=\"hidden\" name=\"name\" value=\"").append(name).append("\">")
                    .append("<button type=\"submit\" class=\"secondary\" aria-label=\"Test the connection of ").append(name)
                    .append("\">Test connection</button></form></td></tr>");
        }
        body.append("</tbody></table>");
        return Response.page(200, page("Threat Reporting", session, body.toString()));
    }

    private Response switchEnabled(Request request) {
        Sessions.Session session = request.session();
        String name = request.param("name");
        boolean enabled = Boolean.parseBoolean(request.param("enabled"));
        try {
            editor.setEnabled(name, enabled);
            LOG.info("console: {} {} integration {} in {}", session.user, enabled ? "enabled" : "disabled", printable(name), integrationsFile);
            session.flash = new Sessions.Flash(false, "Integration " + name + " is now " + (enabled ? "enabled" : "disabled")
                    + " in " + integrationsFile + "; the bridge applies the change within " + reloadSeconds() + ".");
        } catch (IntegrationsFileException refused) {
            LOG.info("console: {} could not {} integration {}: {}", session.user, enabled ? "enable" : "disable", printable(name), refused.getMessage());
            session.flash = new Sessions.Flash(true, refused.getMessage());
        }
        return Response.redirect("/");
    }

    private Response testConnection(Request request) {
        Sessions.Session session = request.session();
        String name = request.param("name");
        Integration integration = view.integration(name);
        if (integration == null) {
            session.flash = new Sessions.Flash(true, "There is no integration " + name + " in force.");
        } else if (dryRun()) {
            session.flash = new Sessions.Flash(false, "Dry-run: the bridge has no Azure AD application (bridge.auth.client-id is empty), "
                    + "so there is no connection to test for " + name + ".");
        } else {
            GrantProof.Result result = proof.prove(integration);
            LOG.info("console: {} tested the connection of integration {}: {}", session.user, integration.name(), result.granted() ? "working" : "failing");
            session.flash = new Sessions.Flash(!result.granted(), "Connection of " + name + " (tenant " + integration.tenantId() + "): "
                    + (result.granted() ? "working" : "failing") + "\n" + describe(result));
        }
        return Response.redirect("/");
    }

    // ---- Add integration

    private Response addPage(Request request) {
        Sessions.Session session = request.session();
        Sessions.Flash flash = session.flash;
        session.flash = null;
        StringBuilder body = new StringBuilder(Page.steps(1)).append(Page.message(flash));
        if (dryRun()) {
            body.append("<div class=\"note\" role=\"note\"><p><strong>Dry-run.</strong> The bridge has no Azure AD application ")
                    .append("(<code>bridge.auth.client-id</code> is empty), so there is no consent to ask for and no grant to prove: ")
                    .append("the integration is written without proof, and its alerts go to <code>dry-run-alerts.jsonl</code>, not to Microsoft.</p></div>")
                    .append("<form method=\"post\" action=\"/add/dry-run\">").append(Page.csrfField(session.csrf))
                    .append("<label for=\"tenant\">Tenant id of the customer</label>")
                    .append("<p class=\"hint\" id=\"tenant-hint\">A GUID, or a domain such as contoso.onmicrosoft.com.</p>")
                    .append("<input type=\"text\" id=\"tenant\" name=\"tenant\" aria-describedby=\"tenant-hint\" required>")
                    .append(apiChoice()).append("<p><button type=\"submit\">Go on without proof</button></p></form>");
        } else {
            body.append("<p>A Global Administrator of the customer's tenant signs in at Microsoft and accepts the permissions the ")
                    .append("bridge's application needs. Azure AD then sends the browser back here with the customer's tenant id, ")
                    .append("and the bridge proves the grant before you name the integration.</p>")
                    .append("<form method=\"post\" action=\"/add/consent\">").append(Page.csrfField(session.csrf))
                    .append(apiChoice()).append("<p><button type=\"submit\">Add to Azure Active Directory</button></p></form>")
                    .append("<p class=\"hint\">Azure AD sends the administrator back to <code>").append(Page.esc(settings.consentCallback()))
                    .append("</code>: it must be a Web redirect URI of the bridge's app registration.</p>");
        }
        return Response.page(200, page("Add integration", session, body.toString()));
    }

    private static String apiChoice() {
        String[][] choices = {
                {"auto", "Automatic (recommended): Defender for Endpoint for devices it knows, Microsoft Graph for the others"},
                {"endpoint", "Defender for Endpoint only (managed devices)"},
                {"graph", "Microsoft Graph security alerts only (beta; unmanaged devices)"}};
        StringBuilder html = new StringBuilder("<fieldset><legend>Where the alerts go (API)</legend>");
        for (String[] choice : choices) {
            html.append("<div class=\"choice\"><input type=\"radio\" id=\"api-").append(choice[0]).append("\" name=\"api\" value=\"")
                    .append(choice[0]).append("\"").append("auto".equals(choice[0]) ? " checked" : "").append("> <label for=\"api-")
                    .append(choice[0]).append("\">").append(Page.esc(choice[1])).append("</label></div>");
        }
        return html.append("</fieldset>").toString();
    }

    private static Integration.Api api(String value) {
        try {
            return Integration.Api.valueOf(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private Response startConsent(Request request) {
        Sessions.Session session = request.session();
        Integration.Api api = api(request.param("api"));
        if (dryRun() || api == null) {
            return Response.redirect("/add");
        }
        String state = Sessions.random();
        session.consentState = state;
        session.consentApi = api.name();
        session.pending = null;
        LOG.info("console: {} sent an administrator to Azure AD's admin consent for api {}", session.user, api);
        return Response.redirect(consent.url(api, settings.consentCallback(), state));
    }

    private Response dryRunTenant(Request request) {
        Sessions.Session session = request.session();
        Integration.Api api = api(request.param("api"));
        String tenant = request.param("tenant").strip();
        if (!dryRun() || api == null) {
            return Response.redirect("/add");
        }
        if (!IntegrationsFile.isTenantId(tenant)) {
            session.flash = new Sessions.Flash(true, "tenantId '" + tenant + "' is neither a tenant GUID nor a domain name");
            return Response.redirect("/add");
        }
        session.pending = new Sessions.Pending(tenant, api.name(), null, true);
        return Response.redirect("/add/details");
    }

    /**
     * Azure AD's answer. The session cookie (SameSite=Strict) is not sent on the cross-site redirect
     * from Microsoft, so the first request without it gets a page that loads the same address again
     * from the console's own origin, which does send it.
     */
    private Response consentCallback(Request request) {
        Sessions.Session session = request.session();
        Map<String, String> answer = request.query();
        if (session == null || session.user == null) {
            if ("1".equals(answer.get("resumed"))) {
                return Response.page(403, Page.layout("Sign in again", null, null,
                        "<p>Your console session ended before Azure AD sent the administrator back. "
                                + "<a href=\"/login\">Sign in</a> and add the integration again.</p>"));
            }
            String again = "/consent/callback?" + request.exchange().getRequestURI().getRawQuery() + "&resumed=1";
            return Response.page(200, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                    + "<meta http-equiv=\"refresh\" content=\"0;url=" + Page.esc(again) + "\"><title>Back from Azure AD</title></head>"
                    + "<body><p><a href=\"" + Page.esc(again) + "\">Continue to the threat-bridge console</a></p></body></html>\n");
        }
        String expected = session.consentState;
        session.consentState = null;
        if (!Sessions.same(expected, answer.get("state"))) {
            LOG.warn("console: consent answer for {} refused: its state is not the one this session sent", session.user);
            return Response.page(400, page("Consent not accepted", session,
                    "<div class=\"message error\" role=\"alert\"><p>This answer from Azure AD does not belong to this session "
                            + "(its state does not match the one the console sent, or it was used already).</p></div>"
                            + "<p><a href=\"/add\">Start again</a></p>"));
        }
        if (answer.containsKey("error")) {
            LOG.info("console: admin consent refused for {}: {}", session.user, printable(answer.get("error")));
            return Response.page(200, page("Consent not given", session, Page.steps(1)
                    + "<div class=\"message error\" role=\"alert\"><p>Azure AD answered: <strong>" + Page.esc(answer.get("error"))
                    + "</strong></p><p>" + Page.esc(answer.getOrDefault("error_description", "")) + "</p></div>"
                    + "<p><a href=\"/add\">Start again</a></p>"));
        }
        String tenant = answer.getOrDefault("tenant", "");
        if (!"True".equalsIgnoreCase(answer.get("admin_consent")) || !IntegrationsFile.isTenantId(tenant)) {
            return Response.page(400, page("Consent not accepted", session,
                    "<div class=\"message error\" role=\"alert\"><p>Azure AD's answer has no admin consent or no valid tenant id.</p></div>"
                            + "<p><a href=\"/add\">Start again</a></p>"));
        }
        Integration.Api api = Integration.Api.valueOf(session.consentApi);
        GrantProof.Result result = proof.prove(tenant, api);
        session.pending = new Sessions.Pending(tenant, api.name(), result, false);
        LOG.info("console: {} got admin consent of tenant {} for api {}; grant {}", session.user, tenant, api,
                result.granted() ? "proven" : "not proven");
        return Response.redirect("/add/grant");
    }

    private Response grantPage(Request request) {
        Sessions.Session session = request.session();
        Sessions.Pending pending = session.pending;
        if (pending == null || pending.dryRun()) {
            return Response.redirect("/add");
        }
        StringBuilder body = new StringBuilder(Page.steps(2));
        body.append("<p>Tenant <strong>").append(Page.esc(pending.tenantId())).append("</strong> granted admin consent. ")
                .append("The bridge asked Azure AD for a token for each service the API <strong>").append(pending.api())
                .append("</strong> calls and made one harmless read with it:</p><ul>");
        for (GrantProof.Check check : pending.proof().checks()) {
            body.append("<li>").append(check.ok() ? "Working: " : "<strong>Not working:</strong> ").append(Page.esc(check.service()))
                    .append(" (").append(Page.esc(check.detail())).append(")</li>");
        }
        body.append("</ul>");
        if (pending.mayFinish()) {
            body.append("<div class=\"message\" role=\"status\"><p>The grant is proven.</p></div>")
                    .append("<p><a class=\"button\" href=\"/add/details\">Go on</a></p>");
        } else {
            body.append("<div class=\"message error\" role=\"alert\"><p>The grant is not proven yet. Azure AD can take a few minutes ")
                    .append("to apply a new consent; check again, or start again with another API.</p></div>")
                    .append("<form method=\"post\" action=\"/add/prove\">").append(Page.csrfField(session.csrf))
                    .append("<button type=\"submit\">Check again</button> <a href=\"/add\">Start again</a></form>");
        }
        return Response.page(200, page("Add integration", session, body.toString()));
    }

    private Response proveAgain(Request request) {
        Sessions.Session session = request.session();
        Sessions.Pending pending = session.pending;
        if (pending == null || pending.dryRun()) {
            return Response.redirect("/add");
        }
        GrantProof.Result result = proof.prove(pending.tenantId(), Integration.Api.valueOf(pending.api()));
        session.pending = new Sessions.Pending(pending.tenantId(), pending.api(), result, false);
        LOG.info("console: {} checked the grant of tenant {} again: {}", session.user, pending.tenantId(), result.granted() ? "proven" : "not proven");
        return Response.redirect("/add/grant");
    }

    private Response detailsPage(Request request, String error, Map<String, String> values, int status) {
        Sessions.Session session = request.session();
        Sessions.Pending pending = session.pending;
        if (pending == null || !pending.mayFinish()) {
            return Response.redirect("/add");
        }
        String level = values.getOrDefault("filterLevel", FilterLevel.CRITICAL.name());
        StringBuilder body = new StringBuilder(Page.steps(3));
        if (pending.dryRun()) {
            body.append("<div class=\"note\" role=\"note\"><p><strong>Without proof (dry-run).</strong> No consent was asked for ")
                    .append("and no grant proven: the bridge has no Azure AD application.</p></div>");
        }
        if (error != null) {
            body.append("<div class=\"message error\" role=\"alert\" id=\"error\"><p>Not written: ").append(Page.esc(error)).append("</p></div>");
        }
        body.append("<form method=\"post\" action=\"/add/finish\">").append(Page.csrfField(session.csrf))
                .append("<p>Tenant: <strong>").append(Page.esc(pending.tenantId())).append("</strong>; API: <strong>")
                .append(pending.api()).append("</strong></p>")
                .append("<label for=\"name\">Name</label><p class=\"hint\" id=\"name-hint\">Unique; 1-64 letters, digits, dots, dashes or underscores.</p>")
                .append("<input type=\"text\" id=\"name\" name=\"name\" aria-describedby=\"name-hint\" required value=\"")
                .append(Page.esc(values.getOrDefault("name", ""))).append("\">")
                .append("<label for=\"filterLevel\">Filter level</label><p class=\"hint\" id=\"level-hint\">The lowest severity reported.</p>")
                .append("<select id=\"filterLevel\" name=\"filterLevel\" aria-describedby=\"level-hint\">");
        String[][] levels = {{"CRITICAL", "Critical: only critical threats"}, {"ELEVATED_AND_ABOVE", "Elevated and above"},
                {"LOW_AND_ABOVE", "Low and above"}, {"NORMAL_AND_ABOVE", "Normal and above: every threat"}};
        for (String[] option : levels) {
            body.append("<option value=\"").append(option[0]).append("\"").append(option[0].equals(level) ? " selected" : "")
                    .append(">").append(Page.esc(option[1])).append("</option>");
        }
        body.append("</select>")
                .append("<label for=\"accounts\">Accounts</label><p class=\"hint\" id=\"accounts-hint\">The console accounts whose threats ")
                .append("go to this tenant, separated by commas.</p><input type=\"text\" id=\"accounts\" name=\"accounts\" ")
                .append("aria-describedby=\"accounts-hint\" required value=\"").append(Page.esc(values.getOrDefault("accounts", ""))).append("\">")
                .append("<p><button type=\"submit\">Finish</button></p></form>");
        return Response.page(status, page("Add integration", session, body.toString()));
    }

    private Response finish(Request request) {
        Sessions.Session session = request.session();
        Sessions.Pending pending = session.pending;
        if (pending == null || !pending.mayFinish()) {
            return Response.redirect("/add");
        }
        List<String> accounts = Arrays.stream(request.param("accounts").split("[,\\s]+"))
                .filter(account -> !account.isBlank()).collect(Collectors.toCollection(LinkedHashSet::new)).stream().toList();
        String name = request.param("name").strip();
        IntegrationsFileEditor.NewEntry entry = new IntegrationsFileEditor.NewEntry(name, pending.tenantId(), accounts,
                request.param("filterLevel"), pending.api());
        String comment = "added in the console by " + session.user + ", " + Instant.now().truncatedTo(ChronoUnit.SECONDS)
                + (pending.dryRun() ? ", without proof (dry-run)" : ", grant proven");
        try {
            Integration added = editor.append(entry, comment);
            session.pending = null;
            LOG.info("console: {} added integration {} (tenant {}, filterLevel {}, api {}, accounts {}) to {}{}", session.user,
                    added.name(), added.tenantId(), added.filterLevel(), added.api(), added.accounts(), integrationsFile,
                    pending.dryRun() ? ", without proof (dry-run)" : "");
            session.flash = new Sessions.Flash(false, "Integration " + added.name() + " written to " + integrationsFile
                    + "; the bridge applies it within " + reloadSeconds() + ".");
            return Response.redirect("/");
        } catch (IntegrationsFileException refused) {
            LOG.info("console: {} could not add integration {}: {}", session.user, printable(name), refused.getMessage());
            Map<String, String> values = new HashMap<>(request.form());
            return detailsPage(request, refused.getMessage(), values, 422);
        }
    }

    private String reloadSeconds() {
        long ms = view.reloadMillis();
        return ms < 1000 ? "a second" : (ms + 999) / 1000 + " seconds";
    }

    private static String describe(GrantProof.Result result) {
        return result.checks().stream().map(check -> (check.ok() ? "working: " : "not working: ") + check.service() + " (" + check.detail() + ")")
                .collect(Collectors.joining("\n"));
    }

    // ---- HTTP details

    private void send(HttpExchange exchange, Response response) throws IOException {
        var headers = exchange.getResponseHeaders();
        headers.set("Cache-Control", "no-store");
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("X-Frame-Options", "DENY");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("Content-Security-Policy", securityPolicy);
        if (settings.https()) {
            headers.set("Strict-Transport-Security", "max-age=31536000");
        }
        if (response.cookie() != null) {
            headers.add("Set-Cookie", response.cookie());
        }
        if (response.location() != null) {
            headers.set("Location", response.location());
            exchange.sendResponseHeaders(response.status(), -1);
            return;
        }
        headers.set("Content-Type", response.contentType());
        byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(response.status(), body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static final class FormTooLarge extends RuntimeException {
        FormTooLarge() {
            super(null, null, false, false);
        }
    }

    private static String readForm(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_FORM_BYTES + 1);
            if (bytes.length > MAX_FORM_BYTES) {
                throw new FormTooLarge();
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static Map<String, String> decode(String encoded) {
        Map<String, String> values = new HashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return values;
        }
        for (String pair : encoded.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                values.putIfAbsent(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException malformed) {
                // a malformed escape: the field is left out, and the form fails its own checks
            }
        }
        return values;
    }

    private static String cookie(HttpExchange exchange) {
        for (String header : exchange.getRequestHeaders().getOrDefault("Cookie", List.of())) {
            for (String part : header.split(";")) {
                String trimmed = part.strip();
                if (trimmed.startsWith(COOKIE + "=")) {
                    return trimmed.substring(COOKIE.length() + 1);
                }
            }
        }
        return null;
    }

    /** Text from a browser, fit for one log line: no line breaks or control characters, 100 characters at most. */
    static String printable(String text) {
        if (text == null) {
            return "";
        }
        String clean = text.replaceAll("\\p{Cntrl}", "?");
        return clean.length() <= 100 ? clean : clean.substring(0, 97) + "...";
    }
}
