package io.threatbridge.logging;

import java.util.regex.Pattern;

/**
 * Hides the people behind the threats from the bridge's operators (bridge.log.mask-emails):
 * ann.lee@contoso.com becomes a***@contoso.com, which still tells which customer it was. Global,
 * like the logging it serves: the setting is one per JVM.
 */
public final class EmailMask {

    private static final Pattern EMAIL = Pattern.compile("([A-Za-z0-9_%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)+)");
    private static volatile boolean enabled = true;

    private EmailMask() {
    }

    public static void enable(boolean mask) {
        enabled = mask;
    }

    /** The text with each e-mail address masked, while masking is on; null stays null. */
    public static String mask(String text) {
        if (!enabled || text == null || text.indexOf('@') < 0) {
            return text;
        }
        return EMAIL.matcher(text).replaceAll("$1***@$2");
    }
}
