package io.ioth.tcpip.iface;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ioth.tcpip.storage.TimerWheel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stack's shared wheel: client ids, their release, and a wheel that starts small. Simulated time only. */
class StackTimersTest {
    static final long T0 = 5_000_000_000L;
    static final long MS = 1_000_000L;

    /** Records "name:value@now" for each expiry. */
    static final class Log implements StackTimers.Client {
        final String name;
        final List<String> fired;

        Log(String name, List<String> fired) {
            this.name = name;
            this.fired = fired;
        }

        @Override
        public void onTimer(long value, long nowNanos) {
            fired.add(name + ":" + value + "@" + (nowNanos - T0) / MS);
        }
    }

    /** A discrete-event loop: polls at each deadline in turn, up to {@code end}. */
    static void runUntil(StackTimers t, long end) {
        long d;
        while ((d = t.nextDeadline()) <= end) {
            t.poll(d, 64);
        }
    }

    @Test
    void unregister_cancelsOnlyThatClientsTimers_andFreesItsIdForReuse() {
        StackTimers t = new StackTimers(T0);
        List<String> fired = new ArrayList<>();
        int a = t.register(new Log("a", fired));
        int b = t.register(new Log("b", fired));
        t.schedule(a, T0 + 10 * MS, 1);
        t.schedule(a, T0 + 5000 * MS, 2);         // beyond a revolution of the small wheel
        long bTimer = t.schedule(b, T0 + 20 * MS, 3);
        assertEquals(2, t.unregister(a), "both of a's timers cancelled");
        assertEquals(0, t.unregister(a), "twice: ignored");
        assertEquals(1, t.clients());
        assertThrows(IllegalArgumentException.class, () -> t.schedule(a, T0 + MS, 1), "a's id is not valid now");
        int c = t.register(new Log("c", fired));
        assertEquals(a, c, "the lowest free id is reused");
        t.schedule(c, T0 + 30 * MS, 4);
        runUntil(t, T0 + 10_000 * MS);
        assertEquals(List.of("b:3@20", "c:4@30"), fired, "nothing of a's reaches c");
        assertFalse(t.isScheduled(bTimer));
        assertEquals(0, t.size());
    }

    @Test
    void clientsThatComeAndGo_neverRunOutOfIds() {
        StackTimers t = new StackTimers(T0);
        List<String> fired = new ArrayList<>();
        int longLived = t.register(new Log("layer", fired));
        long now = T0;
        for (int i = 0; i < 10 * StackTimers.MAX_CLIENTS; i++) {
            int id = t.register(new Log("c" + i, fired));
            t.schedule(id, now + 50 * MS, i); // left scheduled on purpose: unregister cancels it
            t.schedule(longLived, now + MS, i);
            now += MS;
            runUntil(t, now);
            t.unregister(id);
        }
        runUntil(t, now + 1000 * MS);
        assertEquals(10 * StackTimers.MAX_CLIENTS, fired.size());
        assertTrue(fired.stream().allMatch(s -> s.startsWith("layer:")), "no expiry of an unregistered client");
        assertEquals(1, t.clients());
    }

    @Test
    void maxClientsStillEnforced_thenOneFreedIdIsEnough() {
        StackTimers t = new StackTimers(T0);
        List<String> fired = new ArrayList<>();
        int[] ids = new int[StackTimers.MAX_CLIENTS];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = t.register(new Log("c" + i, fired));
        }
        assertThrows(IllegalStateException.class, () -> t.register(new Log("x", fired)));
        t.unregister(ids[42]);
        assertEquals(42, t.register(new Log("x", fired)));
    }

    @Test
    void aClientMayUnregisterItselfFromItsTimer_itsOtherTimersDoNotFire() {
        StackTimers t = new StackTimers(T0);
        List<String> fired = new ArrayList<>();
        int[] self = new int[1];
        self[0] = t.register((value, now) -> {
            fired.add("self:" + value);
            t.unregister(self[0]);
        });
        int other = t.register(new Log("o", fired));
        t.schedule(self[0], T0 + MS, 1);
        t.schedule(self[0], T0 + MS, 2);      // same tick: cancelled by the first one's unregister
        t.schedule(self[0], T0 + 3 * MS, 3);
        t.schedule(other, T0 + 2 * MS, 9);
        runUntil(t, T0 + 10 * MS);
        assertEquals(2, fired.size(), fired.toString());
        assertTrue(fired.get(0).startsWith("self:"));
        assertEquals("o:9@2", fired.get(1));
    }

    @Test
    void thousandsOfTimers_eachFiresAtItsDeadline_whileTheWheelGrowsUnderThem() {
        StackTimers t = new StackTimers(T0);
        List<String> fired = new ArrayList<>();
        int id = t.register(new Log("c", fired));
        java.util.Set<String> want = new java.util.HashSet<>();
        for (int i = 0; i < 3000; i++) {
            t.schedule(id, T0 + (1 + i % 700) * MS, i);
            want.add("c:" + i + "@" + (1 + i % 700));
        }
        assertEquals(3000, t.size());
        for (long now = T0; now <= T0 + 700 * MS; now += MS) { // an event loop polling every millisecond
            runUntil(t, now);
        }
        assertEquals(want, new java.util.HashSet<>(fired));
        assertEquals(3000, fired.size());
        assertEquals(TimerWheel.NO_DEADLINE, t.nextDeadline());
    }
}
