package io.threatbridge;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.layout.PatternLayout;

import java.io.StringWriter;

/** Everything the bridge logs while it is open, to check what must never be in a log line. */
public final class LogCapture implements AutoCloseable {

    private final StringWriter out = new StringWriter();
    private final WriterAppender appender;

    public LogCapture() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        appender = WriterAppender.newBuilder().setName("capture-" + System.nanoTime()).setTarget(out)
                .setLayout(PatternLayout.newBuilder().withPattern("%d %p [%t] %c - %m%n%throwable").build()).build();
        appender.start();
        context.getConfiguration().getRootLogger().addAppender(appender, Level.ALL, null);
        context.updateLoggers();
    }

    public synchronized String text() {
        return out.toString();
    }

    @Override
    public void close() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().removeAppender(appender.getName());
        context.updateLoggers();
        appender.stop();
    }
}
