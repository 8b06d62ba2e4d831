package io.ioth.tcpip.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Simulated time only: every call passes {@code now}; nothing sleeps. Named in Agrona's shouldXxx style. */
class TimerWheelTest {

    static final long RES = 1L << 20;      // ~1.05 ms tick
    static final int TICKS = 16;           // one revolution = 16 ticks, so "long" deadlines are easy to reach
    static final long START = 7_000_000_000L;

    /** Records (id, cookie, now) of each expiry. */
    static final class Recorder implements TimerWheel.ExpiryHandler {
        final List<long[]> fired = new ArrayList<>();

        @Override
        public boolean onExpiry(long timerId, long cookie, long nowNanos) {
            fired.add(new long[] {timerId, cookie, nowNanos});
            return true;
        }

        long cookie(int i) {
            return fired.get(i)[1];
        }
    }

    static TimerWheel wheel() {
        return new TimerWheel(START, RES, TICKS, 4);
    }

    @Test
    void shouldRejectBadGeometry() {
        assertThrows(IllegalArgumentException.class, () -> new TimerWheel(0, 1000, 16, 4));
        assertThrows(IllegalArgumentException.class, () -> new TimerWheel(0, 1024, 15, 4));
        assertThrows(IllegalArgumentException.class, () -> new TimerWheel(0, 1024, 16, 0));
    }

    @Test
    void shouldNotExpireBeforeDeadlineAndExpireAtIt() {
        TimerWheel w = wheel();
        Recorder r = new Recorder();
        long deadline = START + 5 * RES + 123;
        long id = w.schedule(deadline, 42);
        assertNotEquals(TimerWheel.NULL_TIMER, id);
        assertEquals(deadline, w.nextDeadline());
        assertEquals(0, w.poll(deadline - 1, r, 10));
        assertEquals(1, w.size());
        assertEquals(1, w.poll(deadline, r, 10));
        assertEquals(42, r.cookie(0));
        assertEquals(id, r.fired.get(0)[0]);
        assertEquals(0, w.size());
        assertEquals(TimerWheel.NO_DEADLINE, w.nextDeadline());
    }

    @Test
    void shouldExpireDeadlinesBeyondOneRevolutionOnlyWhenDue() {
        TimerWheel w = wheel();
        Recorder r = new Recorder();
        long revolution = TICKS * RES;
        long far = START + 3 * revolution + 2 * RES;      // same spoke as START + 2 * RES, three laps later
        long near = START + 2 * RES + 1;
        w.schedule(far, 1);
        w.schedule(near, 2);
        assertEquals(near, w.nextDeadline());
        // walk time forward one tick at a time, as an event loop would
        for (long t = START; t < far; t += RES / 2) {
            w.poll(t, r, 10);
            if (t >= near) {
                assertEquals(1, r.fired.size(), "near fired, far not yet at " + (t - START));
            }
        }
        assertEquals(1, r.fired.size());
        assertEquals(2, r.cookie(0));
        assertEquals(far, w.nextDeadline());
        w.poll(far, r, 10);
        assertEquals(2, r.fired.size());
        assertEquals(1, r.cookie(1));
    }

    @Test
    void shouldExpireLongDeadlineAfterBigTimeJumpWithoutWalkingEveryTick() {
        TimerWheel w = wheel();
        Recorder r = new Recorder();
        long hour = 3_600_000_000_000L;
        w.schedule(START + hour, 9);
        w.schedule(START + 2 * hour, 10);
        assertEquals(0, w.poll(START + hour - 1, r, 10));
        assertEquals(1, w.poll(START + hour, r, 10));
        assertEquals(9, r.cookie(0));
        assertEquals(START + 2 * hour, w.nextDeadline());
        assertEquals(1, w.poll(START + 3 * hour, r, 10));
        assertEquals(10, r.cookie(1));
    }

    @Test
    void shouldFireOverdueTimerScheduledInThePast() {
        TimerWheel w = wheel();
        Recorder r = new Recorder();
        w.poll(START + 100 * RES, r, 10);
        w.schedule(START + 3 * RES, 5); // already overdue: goes into the current spoke
        assertEquals(1, w.poll(START + 100 * RES, r, 10));
        assertEquals(5, r.cookie(0));
    }

    @Test
    void shouldCancelAndIgnoreCancelAfterExpiryEvenWhenSlotIsReused() {
        TimerWheel w = wheel();
        Recorder r = new Recorder();
        long a = w.schedule(START + RES, 1);
        assertTrue(w.isScheduled(a));
        w.poll(START + RES, r, 10);
        assertFalse(w.isScheduled(a));
        assertFalse(w.cancel(a), "cancel after expiry is a no-op");
        long b = w.schedule(START + 4 * RES, 2); // reuses a's slot
        assertEquals(a & 0xffff_ffffL, b & 0xffff_ffffL, "slot reused");
        assertNotEquals(a, b, "generation differs");
        assertFalse(w.cancel(a), "stale id must not cancel the new timer");
        assertTrue(w.isScheduled(b));
        assertTrue(w.cancel(b));
        assertFalse(w.cancel(b), "double cancel");
        assertEquals(0, w.size());
        w.poll(START + 10 * RES, r, 10);
        assertEquals(1, r.fired.size());
        assertFalse(w.cancel(TimerWheel.NULL_TIMER));
        assertFalse(w.cancel(-1L));
    }

    @Test
    void shouldBoundExpiriesPerPollAndResume() {
        TimerWheel w = wheel();
        Recorder r = new Recorder();
        for (int i = 0; i < 10; i++) {
            w.schedule(START + RES, i);
        }
        assertEquals(3, w.poll(START + RES, r, 3));
        assertEquals(3, w.poll(START + RES, r, 3));
        assertEquals(3, w.poll(START + RES, r, 3));
        assertEquals(1, w.poll(START + RES, r, 3));
        assertEquals(0, w.poll(START + RES, r, 3));
        assertEquals(10, r.fired.size());
    }

    @Test
    void shouldKeepTimerWhenHandlerDeclinesAndStop() {
        TimerWheel w = wheel();
        long id = w.schedule(START + RES, 1);
        w.schedule(START + RES, 2);
        assertEquals(0, w.poll(START + RES, (t, c, n) -> false, 10));
        assertTrue(w.isScheduled(id));
        assertEquals(2, w.size());
    }

    @Test
    void shouldAllowHandlerToRescheduleAndCancelReentrantly() {
        TimerWheel w = wheel();
        long[] other = new long[1];
        List<Long> fired = new ArrayList<>();
        w.schedule(START + RES, 1);
        other[0] = w.schedule(START + RES, 2);
        w.schedule(START + RES, 3);
        TimerWheel.ExpiryHandler h = (id, cookie, now) -> {
            fired.add(cookie);
            if (cookie == 1 || cookie == 3) {
                w.cancel(other[0]);                // cancel a sibling in the same spoke
                if (cookie == 1) {
                    w.schedule(now + 2 * RES, 11); // periodic re-arm
                }
            }
            if (cookie == 11) {
                w.schedule(now, 12);               // already due: must still fire in this poll or the next
            }
            return true;
        };
        w.poll(START + RES, h, 10);
        assertTrue(fired.contains(1L) && fired.contains(3L), "fired " + fired);
        // 2 shares the spoke with 1 and 3; whichever of them ran first cancelled it before it was reached
        assertFalse(fired.contains(2L), "cancelled sibling fired: " + fired);
        w.poll(START + 3 * RES, h, 10);
        assertTrue(fired.contains(11L));
        assertTrue(fired.contains(12L), "a due timer scheduled by a handler fires in the same poll");
        assertEquals(0, w.size());
    }

    @Test
    void shouldReportDeadlineAndClearEverything() {
        TimerWheel w = wheel();
        long a = w.schedule(START + 3 * RES);
        w.schedule(START + 100 * RES, 2);
        assertEquals(START + 3 * RES, w.deadline(a));
        w.clear();
        assertEquals(0, w.size());
        assertEquals(TimerWheel.NO_DEADLINE, w.deadline(a));
        assertEquals(TimerWheel.NO_DEADLINE, w.nextDeadline());
        assertEquals(0, w.poll(START + 1000 * RES, (id, c, n) -> { throw new AssertionError("fired"); }, 10));
    }

    @Test
    void shouldGrowGeometricallyAndReuseSlots() {
        TimerWheel w = wheel();
        Recorder r = new Recorder();
        long[] ids = new long[1000];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = w.schedule(START + (i % 50) * RES, i);
        }
        assertEquals(1000, w.size());
        assertEquals(1024, w.capacity());
        for (int i = 0; i < ids.length; i += 2) {
            assertTrue(w.cancel(ids[i]));
        }
        w.poll(START + 100 * RES, r, 10_000);
        assertEquals(500, r.fired.size());
        for (long[] f : r.fired) {
            assertEquals(1, f[1] % 2, "only odd (uncancelled) cookies fire");
        }
        for (int i = 0; i < 1000; i++) {
            w.schedule(START + 200 * RES, i);
        }
        assertEquals(1024, w.capacity(), "freed slots are reused before growing");
    }

    /** Model check against a priority queue: same set of expiries at each step, exact nextDeadline. */
    @Test
    void shouldMatchReferenceModelUnderRandomScheduleCancelPoll() {
        SplittableRandom rnd = new SplittableRandom(1234);
        TimerWheel w = wheel();
        PriorityQueue<long[]> model = new PriorityQueue<>((x, y) -> Long.compare(x[0], y[0]));
        List<Long> live = new ArrayList<>();
        java.util.Map<Long, Long> deadlineOf = new java.util.HashMap<>();
        long now = START;
        for (int step = 0; step < 20_000; step++) {
            int op = rnd.nextInt(10);
            if (op < 5) {
                long d = now + rnd.nextLong(-2 * RES, 40 * RES); // some overdue, some > 2 revolutions away
                long id = w.schedule(d, d);
                model.add(new long[] {d, id});
                live.add(id);
                deadlineOf.put(id, d);
            } else if (op < 7 && !live.isEmpty()) {
                long id = live.remove(rnd.nextInt(live.size()));
                boolean expected = deadlineOf.containsKey(id);
                assertEquals(expected, w.cancel(id));
                deadlineOf.remove(id);
                model.removeIf(x -> x[1] == id);
            } else {
                now += rnd.nextLong(0, 3 * RES);
                List<Long> got = new ArrayList<>();
                long t = now;
                w.poll(now, (id, cookie, n) -> {
                    assertTrue(cookie <= t, "fired early");
                    got.add(id);
                    return true;
                }, Integer.MAX_VALUE);
                List<Long> want = new ArrayList<>();
                while (!model.isEmpty() && model.peek()[0] <= now) {
                    want.add(model.poll()[1]);
                }
                got.sort(null);
                want.sort(null);
                assertEquals(want, got, "step " + step);
                for (long id : got) {
                    deadlineOf.remove(id);
                }
            }
            assertEquals(model.size(), w.size());
            assertEquals(model.isEmpty() ? TimerWheel.NO_DEADLINE : model.peek()[0], w.nextDeadline());
        }
    }

    @Test
    void shouldStartWithFewSpokesAndDoubleThemAsTimersAreScheduled() {
        assertEquals(TimerWheel.MIN_SPOKES, new TimerWheel(START, RES, 4096, 4).spokes());
        assertEquals(64, new TimerWheel(START, RES, 4096, 64).spokes(), "the initial capacity sizes the spokes");
        assertEquals(8, new TimerWheel(START, RES, 8, 1).spokes(), "never more than ticksPerWheel");
        TimerWheel w = new TimerWheel(START, RES, 1024, 4);
        Recorder r = new Recorder();
        long first = w.schedule(START + 2000 * RES + 7, -1); // two revolutions of the final wheel away
        for (int i = 0; i < 16; i++) {
            w.schedule(START + (i + 1) * RES, i);
        }
        assertEquals(32, w.spokes(), "17 timers: doubled once");
        for (int i = 16; i < 1999; i++) {
            w.schedule(START + (i + 1) * RES, i);
        }
        assertEquals(1024, w.spokes(), "capped at ticksPerWheel");
        assertEquals(1024, w.ticksPerWheel());
        // ids taken before the growth stay valid
        assertTrue(w.isScheduled(first));
        assertEquals(START + 2000 * RES + 7, w.deadline(first));
        assertEquals(START + RES, w.nextDeadline());
        // an event loop polling every tick sees each timer at its deadline
        for (long t = START; t <= START + 2001 * RES; t += RES) {
            int before = r.fired.size();
            w.poll(t, r, Integer.MAX_VALUE);
            for (int k = before; k < r.fired.size(); k++) {
                long cookie = r.cookie(k);
                long deadline = cookie < 0 ? START + 2000 * RES + 7 : START + (cookie + 1) * RES;
                assertTrue(deadline <= t && deadline > t - RES, "cookie " + cookie + " fired at " + (t - START));
            }
        }
        assertEquals(2000, r.fired.size());
        assertEquals(0, w.size());
    }

    @Test
    void shouldCancelMatchingCookies() {
        TimerWheel w = wheel();
        for (int i = 0; i < 40; i++) {
            w.schedule(START + (i % 20) * RES, (long) (i % 3) << 56 | i);
        }
        assertEquals(14, w.cancelMatching(0xffL << 56, 0L), "cookies 0, 3, 6 ... 39");
        assertEquals(26, w.size());
        Recorder r = new Recorder();
        w.poll(START + 100 * RES, r, 100);
        assertEquals(26, r.fired.size());
        for (long[] f : r.fired) {
            assertTrue((f[1] >>> 56) != 0);
        }
    }

    /**
     * The model check again on a wheel that starts with 16 spokes and grows to 1024 while it runs: timers pile up
     * (deadlines up to 3000 ticks ahead), and expiry handlers schedule bursts of timers (some due at once, some
     * overdue), so the spokes also double in the middle of a poll.
     */
    @Test
    void shouldMatchReferenceModelWhileSpokesGrow() {
        SplittableRandom rnd = new SplittableRandom(99);
        TimerWheel w = new TimerWheel(START, RES, 1024, 1);
        assertEquals(TimerWheel.MIN_SPOKES, w.spokes());
        java.util.TreeMap<Long, Long> model = new java.util.TreeMap<>(); // id -> deadline
        long now = START;
        for (int step = 0; step < 20_000; step++) {
            int op = rnd.nextInt(10);
            if (op < 6) {
                long d = now + rnd.nextLong(-2 * RES, 3000 * RES);
                model.put(w.schedule(d, d), d);
            } else if (op < 7 && !model.isEmpty()) {
                long id = model.keySet().toArray(new Long[0])[rnd.nextInt(model.size())];
                assertTrue(w.cancel(id));
                model.remove(id);
            } else {
                now += rnd.nextLong(0, 4 * RES); // slow enough for ~1500 timers to be pending
                long t = now;
                java.util.Set<Long> got = new java.util.HashSet<>();
                w.poll(now, (id, cookie, n) -> {
                    assertTrue(cookie <= t, "fired early");
                    assertTrue(got.add(id), "fired twice");
                    // rarely enough that the bursts die out: 20 new timers per 64 expiries
                    if (rnd.nextInt(64) == 0) {
                        for (int k = 0; k < 20; k++) { // a burst, as a handler re-arming many things
                            long d = n + rnd.nextLong(-RES, 5 * RES);
                            model.put(w.schedule(d, d), d);
                        }
                    }
                    return true;
                }, Integer.MAX_VALUE);
                java.util.Set<Long> want = new java.util.HashSet<>();
                for (java.util.Map.Entry<Long, Long> e : model.entrySet()) {
                    if (e.getValue() <= now) {
                        want.add(e.getKey());
                    }
                }
                assertEquals(want, got, "step " + step + ": every due timer fires in the poll, handler's included");
                model.keySet().removeAll(got);
            }
            assertEquals(model.size(), w.size());
            long min = TimerWheel.NO_DEADLINE;
            for (long d : model.values()) {
                min = Math.min(min, d);
            }
            assertEquals(min, w.nextDeadline(), "step " + step);
        }
        assertEquals(1024, w.spokes(), "grew to the cap");
    }

    @Test
    void shouldGrowSpokesFromAnExpiryHandlerAndStillFireWhatIsDue() {
        TimerWheel w = new TimerWheel(START, RES, 4096, 1);
        List<Long> fired = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            w.schedule(START + 3 * RES, i);
        }
        assertEquals(16, w.spokes());
        w.poll(START + 3 * RES, (id, cookie, now) -> {
            fired.add(cookie);
            if (cookie == 0) {
                // 100 more from inside the poll: the spokes double three times under the running poll
                for (int k = 0; k < 100; k++) {
                    w.schedule(now + (k % 2 == 0 ? -RES : 40 * RES), 100 + k); // half overdue, half later
                }
            }
            return true;
        }, Integer.MAX_VALUE);
        assertEquals(128, w.spokes());
        assertEquals(60, fired.size(), "the other 9, and the 50 overdue ones, in the same poll");
        for (long c = 100; c < 200; c += 2) {
            assertTrue(fired.contains(c));
        }
        assertEquals(50, w.size());
        assertEquals(START + 43 * RES, w.nextDeadline());
    }

    @Test
    void shouldNotAllocateInSteadyState() {
        TimerWheel w = new TimerWheel(START);
        TimerWheel.ExpiryHandler h = (id, cookie, now) -> true;
        long now = START;
        // warm up: reach the high-water mark and JIT
        for (int round = 0; round < 20_000; round++) {
            cycle(w, h, now);
            now += 1_000_000;
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(tid);
        for (int round = 0; round < 20_000; round++) {
            cycle(w, h, now);
            now += 1_000_000;
        }
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes in 20k schedule/cancel/poll rounds");
    }

    private static void cycle(TimerWheel w, TimerWheel.ExpiryHandler h, long now) {
        long a = w.schedule(now + 3_000_000, 1);
        long b = w.schedule(now + 700_000_000, 2);
        w.cancel(b);
        w.poll(now, h, 16);
        w.nextDeadline();
        if (a == 0) {
            throw new AssertionError();
        }
    }
}
