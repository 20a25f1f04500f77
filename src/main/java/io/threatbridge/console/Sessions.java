package io.threatbridge.console;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's sessions, in memory (a restart signs everyone out). A session starts anonymous, for
 * the login form's CSRF token, and is replaced by a new one, with a new id, at sign-in.
 */
final class Sessions {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** However active, a session ends this long after sign-in. */
    private static final Duration LONGEST = Duration.ofHours(8);
    private static final int MAX_SESSIONS = 1000;

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Duration idle;

    Sessions(Duration idle) {
        this.idle = idle;
    }

    /** One browser's session. Fields are touched by one request at a time in practice; synchronized where it matters. */
    static final class Session {
        final String id;
        final String csrf = random();
        final Instant started = Instant.now();
        volatile Instant lastSeen = started;
        volatile String user;
        /** The consent link's state while the administrator is at Azure AD, and the API it was asked for. */
        volatile String consentState;
        volatile String consentApi;
        /** The tenant that came back from consent (or was typed in dry-run), its API, and what the proof found. */
        volatile Pending pending;
        /** A message for the next page (post, redirect, get). */
        volatile Flash flash;

        Session(String id) {
            this.id = id;
        }
    }

    /** An integration being added: the tenant is known, the grant proven (or not: dry-run). */
    record Pending(String tenantId, String api, GrantProof.Result proof, boolean dryRun) {
        boolean mayFinish() {
            return dryRun || proof != null && proof.granted();
        }
    }

    record Flash(boolean error, String text) {
    }

    Session find(String id) {
        if (id == null) {
            return null;
        }
        Session session = sessions.get(id);
        if (session == null) {
            return null;
        }
        Instant now = Instant.now();
        if (now.isAfter(session.lastSeen.plus(idle)) || now.isAfter(session.started.plus(LONGEST))) {
            sessions.remove(id);
            return null;
        }
        session.lastSeen = now;
        return session;
    }

    Session create() {
        sessions.values().removeIf(s -> Instant.now().isAfter(s.lastSeen.plus(idle)) || Instant.now().isAfter(s.started.plus(LONGEST)));
        if (sessions.size() >= MAX_SESSIONS) {
            // anyone who can reach the port can open sign-in pages: their sessions go first, signed-in ones stay
            sessions.values().removeIf(s -> s.user == null);
        }
        Session session = new Session(random());
        sessions.put(session.id, session);
        return session;
    }

    /** Sign-in: the anonymous session ends, a new one with a new id and CSRF token begins (no fixation). */
    Session signIn(Session anonymous, String user) {
        if (anonymous != null) {
            sessions.remove(anonymous.id);
        }
        Session session = create();
        session.user = user;
        return session;
    }

    void end(Session session) {
        sessions.remove(session.id);
    }

    static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Compares a secret the browser sent with the one kept, in constant time. */
    static boolean same(String expected, String given) {
        return expected != null && given != null
                && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }
}
