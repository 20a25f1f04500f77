package io.threatbridge.logging;

import org.apache.logging.log4j.core.Core;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.appender.rewrite.RewritePolicy;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginFactory;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.SimpleMessage;

/**
 * Masks e-mail addresses in every log line, whoever wrote it (a Camel or Artemis message can quote
 * an event or a Defender answer as well as the bridge's own lines can). log4j2.xml routes the
 * console through it with a Rewrite appender.
 */
@Plugin(name = "MaskEmails", category = Core.CATEGORY_NAME, elementType = "rewritePolicy", printObject = true)
public final class MaskEmailsPolicy implements RewritePolicy {

    @PluginFactory
    public static MaskEmailsPolicy create() {
        return new MaskEmailsPolicy();
    }

    @Override
    public LogEvent rewrite(LogEvent event) {
        String message = event.getMessage().getFormattedMessage();
        String masked = EmailMask.mask(message);
        if (masked == message) {
            return event;
        }
        return new Log4jLogEvent.Builder(event).setMessage(new SimpleMessage(masked)).build();
    }
}
