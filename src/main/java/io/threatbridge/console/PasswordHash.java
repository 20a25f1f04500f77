package io.threatbridge.console;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The console password as the operator stores it: {@code pbkdf2-sha256:<iterations>:<salt>:<hash>}
 * (PBKDF2 with HMAC-SHA256, base64), made by {@code java -jar threat-bridge.jar console-password}.
 * The bridge never holds the password itself.
 */
public final class PasswordHash {

    private static final String SCHEME = "pbkdf2-sha256";
    /** OWASP's recommendation for PBKDF2-HMAC-SHA256 (2023). */
    static final int ITERATIONS = 600_000;
    private static final int MIN_ITERATIONS = 100_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final int iterations;
    private final byte[] salt;
    private final byte[] hash;

    private PasswordHash(int iterations, byte[] salt, byte[] hash) {
        this.iterations = iterations;
        this.salt = salt;
        this.hash = hash;
    }

    /** Reads a stored hash; the message says what is wrong without repeating it. */
    public static PasswordHash parse(String stored) {
        String[] parts = stored.strip().split(":");
        if (parts.length != 4 || !SCHEME.equals(parts[0])) {
            throw new IllegalArgumentException("the console password hash is not of the form " + SCHEME
                    + ":<iterations>:<salt>:<hash> (made by: java -jar threat-bridge.jar console-password)");
        }
        try {
            int iterations = Integer.parseInt(parts[1]);
            if (iterations < MIN_ITERATIONS) {
                throw new IllegalArgumentException("the console password hash has " + iterations
                        + " iterations, fewer than " + MIN_ITERATIONS + "; make a new one");
            }
            return new PasswordHash(iterations, Base64.getDecoder().decode(parts[2]), Base64.getDecoder().decode(parts[3]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the console password hash has no iteration count");
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("the console")) {
                throw e;
            }
            throw new IllegalArgumentException("the console password hash has a salt or hash that is not base64");
        }
    }

    /** A new stored form of the password, with a random salt. */
    public static String hash(char[] password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return SCHEME + ":" + ITERATIONS + ":" + Base64.getEncoder().encodeToString(salt) + ":"
                + Base64.getEncoder().encodeToString(derive(password, salt, ITERATIONS));
    }

    public boolean matches(char[] password) {
        return MessageDigest.isEqual(hash, derive(password, salt, iterations));
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
            try {
                return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
            } finally {
                spec.clearPassword();
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available in this JVM", e);
        }
    }

    /** {@code console-password}: reads the password from the console (or standard input) and prints its stored form. */
    public static int command() throws java.io.IOException {
        char[] password;
        if (System.console() != null) {
            password = System.console().readPassword("console password: ");
            char[] again = System.console().readPassword("again: ");
            if (password == null || !java.util.Arrays.equals(password, again)) {
                System.err.println("the two passwords differ");
                return 1;
            }
        } else {
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8)).readLine();
            password = line == null ? new char[0] : line.toCharArray();
        }
        if (password.length < 12) {
            System.err.println("the console password must have at least 12 characters");
            return 1;
        }
        System.out.println(hash(password));
        return 0;
    }
}
