package io.threatbridge.lanes;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Which integration a free delivery lane drains next: plain bookkeeping, no JMS and no Camel.
 * <p>
 * An integration is idle, ready (waiting for a lane, first come first served), active (one lane
 * drains its queue; never two at once) or parked (its tenant may not be called before a time, or
 * the broker holds its events back for a retry). A wake, the broker's signal that the integration's
 * queue has events, is held until a drain that began after it finds the queue empty, and only then
 * released ({@code release}, which acknowledges it to the broker): an instance that dies holding
 * wakes gives them back, and the instances that remain take those integrations over.
 *
 * @param <W> the wake the broker delivered (a JMS message in the bridge)
 */
final class LaneScheduler<W> {

    enum State { IDLE, READY, ACTIVE, PARKED }

    /** How a lane's turn on an integration ended. */
    enum Outcome {
        /** the queue had no event left: the wake is released unless another came meanwhile */
        EMPTY,
        /** the lane took its share of events and there may be more: to the back of the line */
        MORE
    }

    private record Parked(String integration, long until) {
    }

    private static final class Entry<W> {
        State state = State.IDLE;
        /** a wake came while a lane drained: drain once more before releasing */
        boolean wokenWhileActive;
        W held;
        long parkedUntil;
    }

    private final Map<String, Entry<W>> entries = new HashMap<>();
    private final Deque<String> ready = new ArrayDeque<>();
    private final PriorityQueue<Parked> parked = new PriorityQueue<>((a, b) -> Long.compare(a.until, b.until));
    private final Set<String> paused = new HashSet<>();
    private final Consumer<W> release;
    private final LongSupplier clock;
    private boolean closed;

    LaneScheduler(Consumer<W> release, LongSupplier clock) {
        this.release = release;
        this.clock = clock;
    }

    /** The broker says the integration's queue has events; {@code wake} replaces the one held before. */
    void wake(String integration, W wake) {
        W superseded;
        synchronized (this) {
            Entry<W> entry = entries.computeIfAbsent(integration, name -> new Entry<>());
            superseded = entry.held;
            entry.held = wake;
            switch (entry.state) {
                case IDLE -> makeReady(integration, entry);
                case ACTIVE -> entry.wokenWhileActive = true;
                case READY, PARKED -> { }
            }
        }
        if (superseded != null && superseded != wake) {
            release.accept(superseded);
        }
    }

    /**
     * The next integration to drain, now active, or null when none is ready within {@code maxWaitMillis}
     * (the lane then looks again, so a close is noticed).
     */
    synchronized String take(long maxWaitMillis) throws InterruptedException {
        long deadline = clock.getAsLong() + maxWaitMillis;
        while (!closed) {
            long now = clock.getAsLong();
            unparkDue(now);
            String next = ready.pollFirst();
            if (next != null) {
                Entry<W> entry = entries.get(next);
                entry.state = State.ACTIVE;
                entry.wokenWhileActive = false;
                return next;
            }
            long wait = deadline - now;
            if (!parked.isEmpty()) {
                wait = Math.min(wait, parked.peek().until - now);
            }
            if (wait <= 0 && deadline <= now) {
                return null;
            }
            wait(Math.max(1, wait));
        }
        return null;
    }

    /** The lane's turn on the integration is over. */
    void finished(String integration, Outcome outcome) {
        W released = null;
        synchronized (this) {
            Entry<W> entry = entries.get(integration);
            if (outcome == Outcome.MORE || entry.wokenWhileActive) {
                makeReady(integration, entry);
            } else {
                entry.state = State.IDLE;
                released = entry.held;
                entry.held = null;
                entries.remove(integration);
            }
        }
        if (released != null) {
            release.accept(released);
        }
    }

    /** No lane turns to the integration before {@code untilMillis}; its wake stays held meanwhile. */
    synchronized void park(String integration, long untilMillis) {
        Entry<W> entry = entries.get(integration);
        entry.state = State.PARKED;
        entry.parkedUntil = untilMillis;
        parked.add(new Parked(integration, untilMillis));
        notifyAll();
    }

    /** An operator's pause: no lane turns to it until {@link #resume}; its wake stays held. */
    synchronized void pause(String integration) {
        paused.add(integration);
    }

    synchronized void resume(String integration) {
        if (paused.remove(integration)) {
            Entry<W> entry = entries.get(integration);
            if (entry != null && entry.state == State.IDLE) {
                makeReady(integration, entry);
            }
        }
    }

    synchronized boolean isPaused(String integration) {
        return paused.contains(integration);
    }

    synchronized State state(String integration) {
        Entry<W> entry = entries.get(integration);
        return entry == null ? State.IDLE : entry.state;
    }

    /** Integrations waiting for a lane, for the metrics. */
    synchronized int readyCount() {
        return ready.size();
    }

    synchronized int parkedCount() {
        return parked.size();
    }

    /** Forgets every wake without releasing it: the connection they came on is gone, and the broker gives them back. */
    synchronized void forgetAll() {
        entries.values().removeIf(entry -> entry.state != State.ACTIVE);
        entries.values().forEach(entry -> entry.held = null);
        ready.clear();
        parked.clear();
    }

    synchronized void close() {
        closed = true;
        notifyAll();
    }

    private void makeReady(String integration, Entry<W> entry) {
        if (paused.contains(integration)) {
            entry.state = State.IDLE;
            return;
        }
        entry.state = State.READY;
        ready.addLast(integration);
        notifyAll();
    }

    private void unparkDue(long now) {
        while (!parked.isEmpty() && parked.peek().until <= now) {
            Parked due = parked.poll();
            Entry<W> entry = entries.get(due.integration);
            // a later park of the same integration supersedes this one
            if (entry != null && entry.state == State.PARKED && entry.parkedUntil == due.until) {
                makeReady(due.integration, entry);
            }
        }
    }
}
