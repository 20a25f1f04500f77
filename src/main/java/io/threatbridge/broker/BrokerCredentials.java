package io.threatbridge.broker;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Properties;
import java.util.Set;

/**
 * The one login of the embedded broker's TCP acceptor: bridge.broker.user and
 * bridge.broker.password when the password is set; otherwise the user (bridge.broker.user, or
 * "bridge") with a random password made on the first start and kept in
 * {@code {bridge.data-dir}/broker/credentials} (mode 600), where the send command and a local
 * vendor read it. The password is never logged: toString names the user and the file only.
 */
public final class BrokerCredentials {

    /** The user of the embedded broker when bridge.broker.user is empty. */
    public static final String DEFAULT_USER = "bridge";

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final String user;
    private final String password;
    private final Path file;

    private BrokerCredentials(String user, String password, Path file) {
        this.user = user;
        this.password = password;
        this.file = file;
    }

    /** Where the embedded broker's generated login is kept. */
    public static Path file(Path dataDir) {
        return dataDir.resolve("broker").resolve("credentials");
    }

    /**
     * The embedded broker's login, as its start makes it: the settings' when a password is set,
     * else the file's, which is written (with a fresh random password) when there is none yet.
     */
    public static BrokerCredentials forEmbeddedBroker(String user, String password, Path dataDir) {
        String name = blank(user) ? DEFAULT_USER : user;
        if (!blank(password)) {
            return new BrokerCredentials(name, password, null);
        }
        Path file = file(dataDir);
        try {
            if (!Files.exists(file)) {
                write(file, name, randomPassword());
            }
            ownerOnly(file);
            Properties stored = read(file);
            String storedPassword = stored.getProperty("password", "");
            if (storedPassword.isBlank()) {
                throw new IllegalStateException(file + ": no password in it; delete the file to have a new one made at start");
            }
            if (!name.equals(stored.getProperty("user"))) {
                // bridge.broker.user changed: the file names the user the broker takes now
                write(file, name, storedPassword);
            }
            return new BrokerCredentials(name, storedPassword, file);
        } catch (IOException e) {
            throw new UncheckedIOException("embedded broker credentials " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The login the send command gives the embedded broker: the settings' when a password is set,
     * else the file the bridge wrote at its first start.
     *
     * @throws IOException naming the file and what to do, when there is neither
     */
    public static BrokerCredentials forClientOfEmbeddedBroker(String user, String password, Path dataDir) throws IOException {
        if (!blank(password)) {
            return new BrokerCredentials(blank(user) ? DEFAULT_USER : user, password, null);
        }
        Path file = file(dataDir);
        if (!Files.isReadable(file)) {
            throw new IOException(file + " not found: start the bridge once from this directory (it writes the embedded"
                    + " broker's login there), or set BRIDGE_BROKER_PASSWORD");
        }
        Properties stored = read(file);
        return new BrokerCredentials(stored.getProperty("user", DEFAULT_USER), stored.getProperty("password", ""), file);
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** Whether a client's login is this one; compared in constant time. */
    public boolean matches(String user, String password) {
        if (user == null || password == null) {
            return false;
        }
        boolean sameUser = MessageDigest.isEqual(user.getBytes(StandardCharsets.UTF_8), this.user.getBytes(StandardCharsets.UTF_8));
        boolean samePassword = MessageDigest.isEqual(password.getBytes(StandardCharsets.UTF_8), this.password.getBytes(StandardCharsets.UTF_8));
        return sameUser & samePassword;
    }

    @Override
    public String toString() {
        return "user " + user + (file == null ? " (password from bridge.broker.password)" : " (password in " + file + ")");
    }

    /** 32 characters of [A-Za-z0-9_-]: 192 random bits, nothing a properties file or a shell must escape. */
    private static String randomPassword() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static Properties read(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        return properties;
    }

    /**
     * Writes the file whole or not at all: a temporary file beside it, made owner-only before a byte
     * is written, forced to disk, then moved over it.
     */
    private static void write(Path file, String user, String password) throws IOException {
        Files.createDirectories(file.getParent());
        Path temporary = file.resolveSibling(file.getFileName() + ".new");
        Files.deleteIfExists(temporary);
        if (posix(file.getParent())) {
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } else {
            Files.createFile(temporary);
        }
        String content = "# the embedded broker's one login (its TCP acceptor on loopback takes no other);\n"
                + "# made by the bridge at its first start, read by 'java -jar threat-bridge.jar send'\n"
                + "user=" + user + "\npassword=" + password + "\n";
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(StandardCharsets.UTF_8.encode(content));
            channel.force(true);
        }
        try {
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** A file someone widened is made owner-only again: it holds the broker's password. */
    private static void ownerOnly(Path file) throws IOException {
        if (posix(file) && !Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        }
    }

    private static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
