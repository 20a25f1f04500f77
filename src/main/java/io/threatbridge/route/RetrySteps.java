package io.threatbridge.route;

import io.threatbridge.delivery.RetrySchedule;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;

/** Bean "retrySchedule", routes/error-handling: when a failed attempt is tried again. */
public record RetrySteps(RetrySchedule schedule) {

    /** retryAt: when the next attempt is due (epoch ms), or null once bridge.delivery.max-attempts are used up. */
    public void nextAttempt(@ExchangeProperty("attempt") Integer attempt, Exchange exchange) {
        int made = attempt == null ? 1 : attempt;
        exchange.setProperty("retryAt", schedule.mayRetry(made) ? schedule.nextAttemptAt(made) : null);
    }
}
