package io.threatbridge;

import org.apache.camel.spi.PropertiesComponent;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Where settings come from (interface.md section 1): the shipped defaults, then
 * config/application.properties, then environment variables (BRIDGE_DATA_DIR for bridge.data-dir),
 * then -D system properties, the later winning. Camel on its own ranks environment variables above
 * system properties, so the bridge resolves the two itself and hands Camel the result as overrides.
 */
public final class BridgeSettings {

    public static final String LOCATIONS = "classpath:application.properties,file:config/application.properties;optional=true";
    private static final Path OPERATOR_FILE = Path.of("config", "application.properties");

    private BridgeSettings() {
    }

    /** The environment and -D values of every known setting, -D winning. */
    public static Map<String, String> overrides() {
        Map<String, String> settings = new HashMap<>();
        for (String key : knownKeys().stringPropertyNames()) {
            String fromEnvironment = System.getenv(environmentName(key));
            if (fromEnvironment != null) {
                settings.put(key, fromEnvironment);
            }
        }
        System.getProperties().forEach((key, value) -> {
            if (key.toString().startsWith("bridge.") || key.toString().startsWith("camel.")) {
                settings.put(key.toString(), value.toString());
            }
        });
        return settings;
    }

    /** Every setting as the bridge sees it, for code that runs without Camel (the send command). */
    public static Map<String, String> resolved() {
        Map<String, String> settings = new HashMap<>();
        Properties files = knownKeys();
        files.stringPropertyNames().forEach(key -> settings.put(key, files.getProperty(key)));
        settings.putAll(overrides());
        return settings;
    }

    /** Leaves the environment to {@link #overrides()}, so it cannot outrank a -D setting. */
    public static void rankEnvironmentBelowSystemProperties(PropertiesComponent properties) {
        if (properties instanceof org.apache.camel.component.properties.PropertiesComponent camel) {
            camel.setEnvironmentVariableMode(org.apache.camel.component.properties.PropertiesComponent.ENVIRONMENT_VARIABLES_MODE_NEVER);
        }
    }

    static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static Properties knownKeys() {
        Properties keys = new Properties();
        try (InputStream defaults = BridgeSettings.class.getResourceAsStream("/application.properties")) {
            keys.load(defaults);
            if (Files.isReadable(OPERATOR_FILE)) {
                try (Reader operator = Files.newBufferedReader(OPERATOR_FILE)) {
                    keys.load(operator);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return keys;
    }
}
