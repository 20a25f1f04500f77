package io.threatbridge.routes;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What Microsoft answers in a route test, where the {@code https://} endpoint of the defender-call
 * route is a mock: each call is recorded, and answered by the replies a test gave for its method and
 * URL, in order (the last one again for any further call). Each test names the Microsoft rule a
 * reply stands for. A call no test expected is answered 599 and listed in {@link #unexpected()}.
 */
public final class MicrosoftReplies implements Processor {

    /** One request as camel-http would send it: method, URL, and the headers that would go on the wire. */
    public record Call(String method, String url, Map<String, Object> headers, String body) {
        public String authorization() {
            return (String) headers.get("Authorization");
        }
    }

    public record Reply(int status, String body, Map<String, String> headers) {
        public static Reply json(int status, String body) {
            return new Reply(status, body, Map.of("Content-Type", "application/json"));
        }

        /** Microsoft's error body, {"error":{"code","message"}}. */
        public static Reply error(int status, String code, String message) {
            return json(status, "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}");
        }

        public Reply withHeader(String name, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(name, value);
            return new Reply(status, body, more);
        }
    }

    private final Map<String, Deque<Reply>> replies = new LinkedHashMap<>();
    private final List<Call> calls = new ArrayList<>();
    private final List<Call> unexpected = new ArrayList<>();

    /** Replies, in order, to calls of this method whose URL starts with urlPrefix. */
    public synchronized MicrosoftReplies on(String method, String urlPrefix, Reply... answers) {
        replies.computeIfAbsent(method + " " + urlPrefix, k -> new ArrayDeque<>()).addAll(List.of(answers));
        return this;
    }

    public synchronized void reset() {
        replies.clear();
        calls.clear();
        unexpected.clear();
    }

    public synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    /** The calls of this method whose URL starts with urlPrefix. */
    public synchronized List<Call> calls(String method, String urlPrefix) {
        return calls.stream().filter(c -> c.method().equals(method) && c.url().startsWith(urlPrefix)).toList();
    }

    public synchronized List<Call> unexpected() {
        return List.copyOf(unexpected);
    }

    @Override
    public synchronized void process(Exchange exchange) {
        String method = String.valueOf(exchange.getMessage().getHeader(Exchange.HTTP_METHOD));
        String url = exchange.getMessage().getHeader(Exchange.HTTP_URI, String.class);
        Map<String, Object> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.putAll(exchange.getMessage().getHeaders());
        Call call = new Call(method, url, headers, exchange.getMessage().getBody(String.class));
        calls.add(call);
        Reply reply = null;
        for (Map.Entry<String, Deque<Reply>> entry : replies.entrySet()) {
            String key = entry.getKey();
            int space = key.indexOf(' ');
            if (key.substring(0, space).equals(method) && url != null && url.startsWith(key.substring(space + 1))) {
                Deque<Reply> queue = entry.getValue();
                reply = queue.size() > 1 ? queue.poll() : queue.peek();
                break;
            }
        }
        if (reply == null) {
            unexpected.add(call);
            reply = Reply.error(599, "Unexpected", "no reply given for " + method + " " + url);
        }
        // as camel-http leaves the answer: status and headers on the message, the body as text
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, reply.status());
        reply.headers().forEach(exchange.getMessage()::setHeader);
        exchange.getMessage().setBody(reply.body());
    }
}
