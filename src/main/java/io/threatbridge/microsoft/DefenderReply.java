package io.threatbridge.microsoft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.threatbridge.integration.Integration;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Reads Defender's answer (interface.md section 5): the alert id on success, otherwise the exception
 * that tells the route what to do next.
 */
public class DefenderReply {

    /** When a 429 names no Retry-After, wait this long rather than hammer the tenant. */
    static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(60);
    static final Duration LONGEST_RETRY_AFTER = Duration.ofHours(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TenantTokens tokens;

    public DefenderReply(TenantTokens tokens) {
        this.tokens = tokens;
    }

    /**
     * Reads the status of Defender's answer.
     *
     * @return the body of a 2xx answer
     * @throws DeliveryException for any other: what kind tells the route what to do next
     */
    public String check(Integration integration, DefenderRequest request,
                        int status, String retryAfter, String body) {
        if (status >= 200 && status < 300) {
            return body == null ? "" : body;
        }
        DefenderRequest.Service service = DefenderRequest.Service.of(request);
        String reason = service.label() + " answered " + status + errorText(body);
        if (status == 401) {
            tokens.invalidate(integration, service);
            throw new TokenRejectedException(reason + " (token refused for tenant " + integration.tenantId() + ")");
        }
        if (status == 404 && request != null && request.isCreate() && service == DefenderRequest.Service.defender) {
            // CreateAlertByReference names an event Defender must hold: it no longer holds the anchor's
            throw new AnchorRejectedException(reason + " (the anchor event of machine "
                    + request.body().path("machineId").asText() + " is no longer known)");
        }
        if (status == 429) {
            throw new ThrottledException(reason, Instant.now().plus(retryAfter(retryAfter)));
        }
        if (status == 408 || status >= 500) {
            throw new RetryableDeliveryException(reason, status, null);
        }
        throw new PermanentDeliveryException(reason, status);
    }

    /**
     * Whether a create answered with this status certainly made no alert: a refusal (4xx) or
     * "unavailable" (503). A 500, 502 or 504 may come after the work was done, and is settled like
     * a call without an answer.
     */
    public static boolean provesNoAlert(int status) {
        return status >= 400 && status < 500 || status == 503;
    }

    /** The id of the alert a create or resolve answered with. */
    public String alertId(String body) {
        String id = readTree(body).path("id").asText("");
        if (id.isEmpty()) {
            throw new PermanentDeliveryException("Defender answered without an alert id", null);
        }
        return id;
    }

    /**
     * The wait a Retry-After asks for, at most {@link #LONGEST_RETRY_AFTER}: Defender's longest quota
     * window is an hour, and a larger value (or one that overflows) would silence the tenant for good.
     */
    static Duration retryAfter(String header) {
        Duration asked = askedRetryAfter(header);
        return asked.compareTo(LONGEST_RETRY_AFTER) > 0 ? LONGEST_RETRY_AFTER : asked;
    }

    private static Duration askedRetryAfter(String header) {
        if (header == null || header.isBlank()) {
            return DEFAULT_RETRY_AFTER;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Math.min(Long.parseLong(header.trim()), LONGEST_RETRY_AFTER.getSeconds() + 1)));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration until = Duration.between(Instant.now(), ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
                return until.isNegative() ? Duration.ZERO : until;
            } catch (DateTimeParseException | ArithmeticException notADate) {
                return DEFAULT_RETRY_AFTER;
            }
        }
    }

    private static JsonNode readTree(String body) {
        try {
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (java.io.IOException e) {
            return JSON.createObjectNode();
        }
    }

    /** Defender's own error text, when it gave one, in a line short enough for a JMS property. */
    private static String errorText(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode error = readTree(body).path("error");
            String text = (error.path("code").asText("") + " " + error.path("message").asText("")).strip();
            if (text.isEmpty()) {
                return "";
            }
            text = text.replaceAll("[\\r\\n\\t]+", " ");
            return ": " + (text.length() <= 200 ? text : text.substring(0, 197) + "...");
        } catch (RuntimeException notJson) {
            return "";
        }
    }
}
