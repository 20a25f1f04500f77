package io.threatbridge.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The bridge.console.* settings, checked: the console refuses to start without a user and a
 * password hash (there is no default password), and serves HTTPS when a keystore is given.
 */
public record ConsoleSettings(String host, int port, String user, PasswordHash password, String publicUrl,
                              Path keystore, String keystorePassword, Duration idle) {

    /**
     * @param passwordHash bridge.console.password-hash, or empty
     * @param passwordFile bridge.console.password-file (a file holding the hash), or empty
     * @param publicUrl how browsers reach the console (the consent redirect comes back there); empty: from host and port
     * @param keystore a PKCS#12 keystore for HTTPS, or empty for HTTP
     */
    public static ConsoleSettings of(String host, int port, String user, String passwordHash, String passwordFile,
                                     String publicUrl, String keystore, String keystorePassword, long sessionMinutes) {
        if (user == null || user.isBlank()) {
            throw new IllegalArgumentException("bridge.console.enabled is true but bridge.console.user is empty: "
                    + "the console never starts without a login");
        }
        if (!user.matches("[A-Za-z0-9._@-]{1,64}")) {
            throw new IllegalArgumentException("bridge.console.user must be 1-64 of [A-Za-z0-9._@-]");
        }
        boolean hash = passwordHash != null && !passwordHash.isBlank();
        boolean file = passwordFile != null && !passwordFile.isBlank();
        if (hash == file) {
            throw new IllegalArgumentException("the console needs exactly one of bridge.console.password-hash and "
                    + "bridge.console.password-file (make the hash with: java -jar threat-bridge.jar console-password)");
        }
        String stored;
        try {
            stored = hash ? passwordHash : Files.readString(Path.of(passwordFile));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bridge.console.password-file " + passwordFile + ": " + e.getMessage(), e);
        }
        boolean https = keystore != null && !keystore.isBlank();
        String scheme = https ? "https" : "http";
        String url = publicUrl == null || publicUrl.isBlank() ? scheme + "://" + host + ":" + port : publicUrl;
        url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        URI parsed = URI.create(url);
        if (parsed.getHost() == null || !("http".equals(parsed.getScheme()) || "https".equals(parsed.getScheme()))) {
            throw new IllegalArgumentException("bridge.console.public-url '" + publicUrl + "' is not an http(s) URL");
        }
        return new ConsoleSettings(host, port, user, PasswordHash.parse(stored), url,
                https ? Path.of(keystore) : null, keystorePassword == null ? "" : keystorePassword,
                Duration.ofMinutes(sessionMinutes));
    }

    public boolean https() {
        return keystore != null;
    }

    /** Where Azure AD sends the administrator back after consent; it must be a redirect URI of the app registration. */
    public String consentCallback() {
        return publicUrl + "/consent/callback";
    }
}
