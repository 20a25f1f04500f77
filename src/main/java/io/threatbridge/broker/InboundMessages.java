package io.threatbridge.broker;

import io.threatbridge.event.EventValidator;
import io.threatbridge.event.InvalidEventException;
import jakarta.jms.BytesMessage;
import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.ObjectMessage;
import jakarta.jms.StreamMessage;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQMessage;
import org.apache.camel.Body;
import org.apache.camel.Exchange;

/**
 * The first step of ingest: a vendor's JMS message as it came (the inbound endpoint does not map
 * it, mapJmsMessage=false), read without trusting it. Only text and bytes messages are read; any
 * other kind is refused by its JMS type, its body never touched, so an ObjectMessage is never
 * deserialized. The size is checked before the body is read: a bytes message by its body length, a
 * text message by the size of its body as the broker encoded it (two bytes a character, so more
 * characters than the limit has bytes is too large for certain) before the text is decoded. Sets
 * originalBody (what the invalid and dead-letter queues get) and the body, the text or the bytes;
 * drops the properties a vendor set whose names the bridge uses (bridge*, but for bridgeFormat, the
 * vendor's own: interface.md section 4b); and sets sender, the
 * user the broker validated (null when the broker does not stamp it).
 */
public class InboundMessages {

    /** The property an Artemis broker with populate-validated-user sets to the sending connection's user. */
    public static final String VALIDATED_USER = "_AMQ_VALIDATED_USER";
    private static final byte[] NOTHING = new byte[0];

    /** The one property of the bridge's a vendor sets: the format its message is in (interface.md 4b). */
    public static final String FORMAT = "bridgeFormat";

    private final int maxBytes;
    private final int maxVendorBytes;

    public InboundMessages() {
        this(EventValidator.MAX_BYTES, EventValidator.MAX_VENDOR_MESSAGE_BYTES);
    }

    /** @param maxVendorBytes the limit of a message in a vendor's format, which may hold many records */
    InboundMessages(int maxBytes, int maxVendorBytes) {
        this.maxBytes = maxBytes;
        this.maxVendorBytes = maxVendorBytes;
    }

    public void read(@Body Message message, Exchange exchange) throws JMSException {
        String format = message.getStringProperty(FORMAT);
        int maxBytes = format == null ? this.maxBytes : maxVendorBytes;
        // a vendor's bridgeIntegration, bridgeHttpStatus, bridgeEventId... would travel on to the
        // invalid queue, where replay and purge select by them; bridgeFormat is the vendor's to set
        exchange.getIn().removeHeaders("bridge*");
        if (format != null) {
            exchange.getIn().setHeader(FORMAT, format);
        }
        exchange.getIn().removeHeader(VALIDATED_USER);
        exchange.setProperty("sender", message.getStringProperty(VALIDATED_USER));
        // until the body is read, what goes to the invalid queue is an empty body with the reason
        exchange.setProperty("originalBody", NOTHING);
        if (message instanceof TextMessage text) {
            long encoded = encodedBodySize(message);
            if (encoded > 2L * maxBytes + 16) {
                throw tooLarge("a text message of about " + (encoded / 2) + " characters", maxBytes);
            }
            String body = text.getText();
            exchange.setProperty("originalBody", body == null ? "" : body);
            exchange.getIn().setBody(body);
            return;
        }
        if (message instanceof BytesMessage bytes) {
            long length = bytes.getBodyLength();
            if (length > maxBytes) {
                throw tooLarge(length + " bytes", maxBytes);
            }
            byte[] body = new byte[(int) length];
            bytes.readBytes(body);
            exchange.setProperty("originalBody", body);
            exchange.getIn().setBody(body);
            return;
        }
        throw new InvalidEventException("message type: " + kind(message)
                + " is not accepted (its body was not read): send each event as a JSON text message");
    }

    private static InvalidEventException tooLarge(String size, int maxBytes) {
        return new InvalidEventException("message body: " + size + ", more than the limit of " + maxBytes
                + " bytes (the body was not read and is not copied here)");
    }

    /** The body's size as the broker holds it, without reading it; -1 for a message of another client. */
    private static long encodedBodySize(Message message) {
        return message instanceof ActiveMQMessage artemis ? artemis.getCoreMessage().getBodySize() : -1;
    }

    private static String kind(Message message) {
        if (message instanceof ObjectMessage) {
            return "ObjectMessage";
        }
        if (message instanceof MapMessage) {
            return "MapMessage";
        }
        if (message instanceof StreamMessage) {
            return "StreamMessage";
        }
        return message == null ? "no message" : "a message without a body";
    }
}
