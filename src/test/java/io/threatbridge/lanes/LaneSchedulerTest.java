package io.threatbridge.lanes;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The lanes' bookkeeping, on a clock of its own: who is drained next, and when a wake is let go. */
class LaneSchedulerTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final List<String> released = new ArrayList<>();
    private final LaneScheduler<String> scheduler = new LaneScheduler<>(released::add, now::get);

    @Test
    void integrationsAreDrainedInTheOrderTheyWereWokenAndEachByOneLaneAtATime() throws Exception {
        scheduler.wake("a", "wake-a1");
        scheduler.wake("b", "wake-b1");
        scheduler.wake("a", "wake-a2");
        assertEquals(List.of("wake-a1"), released, "a newer wake of a ready integration replaces the older");
        assertEquals("a", scheduler.take(0));
        assertEquals("b", scheduler.take(0));
        assertNull(scheduler.take(0), "a is being drained: no second lane gets it");
    }

    @Test
    void aWakeIsReleasedOnlyAfterADrainThatBeganAfterItFoundTheQueueEmpty() throws Exception {
        scheduler.wake("a", "w1");
        assertEquals("a", scheduler.take(0));
        scheduler.wake("a", "w2");
        assertEquals(List.of("w1"), released);
        scheduler.finished("a", LaneScheduler.Outcome.EMPTY);
        assertEquals(List.of("w1"), released, "w2 came while the lane drained: its event may not have been seen");
        assertEquals("a", scheduler.take(0), "drained once more");
        scheduler.finished("a", LaneScheduler.Outcome.EMPTY);
        assertEquals(List.of("w1", "w2"), released);
        assertEquals(LaneScheduler.State.IDLE, scheduler.state("a"));
    }

    @Test
    void aLaneThatTookItsShareGoesToTheBackOfTheLine() throws Exception {
        scheduler.wake("busy", "w-busy");
        scheduler.wake("quiet", "w-quiet");
        assertEquals("busy", scheduler.take(0));
        scheduler.finished("busy", LaneScheduler.Outcome.MORE);
        assertEquals("quiet", scheduler.take(0));
        assertEquals("busy", scheduler.take(0));
        assertEquals(List.of(), released, "busy still has events: its wake is held");
    }

    @Test
    void aParkedIntegrationIsNotDrainedBeforeItsTimeAndWakesMeanwhileChangeNothing() throws Exception {
        scheduler.wake("paced", "w1");
        assertEquals("paced", scheduler.take(0));
        scheduler.park("paced", now.get() + 4_000);
        scheduler.wake("paced", "w2");
        assertNull(scheduler.take(0));
        now.addAndGet(3_999);
        assertNull(scheduler.take(0));
        now.addAndGet(1);
        assertEquals("paced", scheduler.take(0));
        assertEquals(List.of("w1"), released);
    }

    @Test
    void aPausedIntegrationKeepsItsWakeAndIsDrainedAgainWhenResumed() throws Exception {
        scheduler.pause("p");
        scheduler.wake("p", "w1");
        assertNull(scheduler.take(0));
        assertEquals(List.of(), released);
        scheduler.resume("p");
        assertEquals("p", scheduler.take(0));
    }

    @Test
    void aWakeForgottenWithItsConnectionIsNeverReleased() throws Exception {
        scheduler.wake("a", "w1");
        scheduler.wake("b", "w2");
        assertEquals("a", scheduler.take(0));
        scheduler.forgetAll();
        scheduler.finished("a", LaneScheduler.Outcome.EMPTY);
        assertNull(scheduler.take(0));
        assertEquals(List.of(), released, "the broker gives them back; acknowledging them on a new session would fail");
    }
}
