package io.ioth.vde.sw;

import io.ioth.vde.VdeOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.ioth.vde.sw.Frames.A;
import static io.ioth.vde.sw.Frames.B;
import static io.ioth.vde.sw.Frames.BROADCAST;
import static io.ioth.vde.sw.Frames.drain;
import static io.ioth.vde.sw.Frames.frame;
import static io.ioth.vde.sw.Frames.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Impairments of the link switch → port, on a mock ticker. */
class ImpairmentTest {

    /** One run: a sends n frames to b (impaired), 100 µs apart, b reads every step; "time:hex" per delivery. */
    private static List<String> run(Impairment imp, int n) {
        MockTicker t = Ticker.newMockTicker();
        EmbeddedSwitch sw = EmbeddedSwitch.builder().ticker(t).create();
        VdeOptions o = VdeOptions.defaults().withTicker(t).withQueueLimit(100_000);
        EmbeddedPlug a = sw.plug(o), b = sw.plug(o);
        b.impair(imp);
        List<String> out = new ArrayList<>();
        try {
            for (int i = 0; i < n + 2000; i++) {
                if (i < n) a.write(frame(B, A, i >> 8, i & 0xff));
                for (String h : drain(b)) out.add(t.nanoTime() + ":" + h);
                t.advance(100, TimeUnit.MICROSECONDS);
            }
            return out;
        } finally {
            a.close();
            b.close();
            sw.close();
        }
    }

    private static Impairment.Builder everything() {
        return Impairment.builder().loss(0.05).duplicate(0.05).reorder(0.05, Duration.ofMillis(3))
                .delay(Duration.ofMillis(10)).jitter(Duration.ofMillis(1)).corrupt(0.05).bandwidth(10_000_000);
    }

    @Test
    void sameSeedSameDeliveries() {
        List<String> r1 = run(everything().seed(42).build(), 2000);
        List<String> r2 = run(everything().seed(42).build(), 2000);
        assertEquals(r1, r2);
        List<String> r3 = run(everything().seed(43).build(), 2000);
        assertNotEquals(r1, r3);
    }

    @Test
    void lossRateIsWithinStatisticalBounds() {
        MockTicker t = Ticker.newMockTicker();
        EmbeddedSwitch sw = EmbeddedSwitch.builder().ticker(t).create();
        EmbeddedPlug a = sw.plug(VdeOptions.defaults()), b = sw.plug(VdeOptions.defaults().withTicker(t));
        b.impair(Impairment.builder().loss(0.1).seed(7).build());
        int got = 0;
        try {
            for (int i = 0; i < 10_000; i++) {
                a.write(frame(B, A, i & 0xff));
                got += drain(b).size();
            }
            // binomial(10000, 0.1): mean 1000, sd 30; accept ±5 sd
            long lost = b.impairmentStats().lost();
            assertEquals(10_000, got + lost);
            assertTrue(lost > 850 && lost < 1150, "lost " + lost);
        } finally {
            a.close();
            b.close();
            sw.close();
        }
    }

    @Test
    void delayAndBandwidthGiveExactDeliveryTimes() {
        MockTicker t = Ticker.newMockTicker();
        EmbeddedSwitch sw = EmbeddedSwitch.builder().ticker(t).create();
        EmbeddedPlug a = sw.plug(VdeOptions.defaults()), b = sw.plug(VdeOptions.defaults().withTicker(t));
        // 8 Mbit/s: a 1000-byte frame serializes in 1 ms; then 5 ms of propagation delay
        b.impair(Impairment.builder().delay(Duration.ofMillis(5)).bandwidth(8_000_000).build());
        long t0 = t.nanoTime();
        int[] body = new int[986];
        try {
            for (int i = 0; i < 3; i++) {
                body[0] = i;
                a.write(frame(B, A, body));
            }
            assertEquals(t0 + 6_000_000, b.nextDeadlineNanos());
            t.advance(5_999_999, TimeUnit.NANOSECONDS);
            assertEquals(0, drain(b).size());
            t.advance(1, TimeUnit.NANOSECONDS);                  // 6 ms
            assertEquals(1, drain(b).size());
            assertEquals(t0 + 7_000_000, b.nextDeadlineNanos());
            t.advance(1, TimeUnit.MILLISECONDS);                 // 7 ms
            assertTrue(b.readyNow());
            assertEquals(1, drain(b).size());
            t.advance(1, TimeUnit.MILLISECONDS);                 // 8 ms
            assertEquals(1, drain(b).size());
            assertEquals(Long.MAX_VALUE, b.nextDeadlineNanos());
            // the link was idle since 3 ms: a new frame starts serializing now
            a.write(frame(B, A, body));
            assertEquals(t.nanoTime() + 6_000_000, b.nextDeadlineNanos());
        } finally {
            a.close();
            b.close(); // releases the frame still in flight
            sw.close();
        }
    }

    @Test
    void reorderLetsLaterFramesOvertake() {
        MockTicker t = Ticker.newMockTicker();
        EmbeddedSwitch sw = EmbeddedSwitch.builder().ticker(t).create();
        EmbeddedPlug a = sw.plug(VdeOptions.defaults()), b = sw.plug(VdeOptions.defaults().withTicker(t));
        b.impair(Impairment.builder().reorder(1.0, Duration.ofMillis(2)).build());
        try {
            a.write(frame(B, A, 1));                           // held 2 ms
            b.impair(null);
            a.write(frame(B, A, 2));                           // unimpaired now: overtakes
            assertEquals(List.of(hex(B, A, 2)), drain(b));
            t.advance(2, TimeUnit.MILLISECONDS);
            assertEquals(List.of(hex(B, A, 1)), drain(b));
            assertEquals(1, b.impairmentStats().reordered());
        } finally {
            a.close();
            b.close();
            sw.close();
        }
    }

    @Test
    void corruptionNeverTouchesSharedMemory() {
        MockTicker t = Ticker.newMockTicker();
        EmbeddedSwitch sw = EmbeddedSwitch.builder().ticker(t).create();
        VdeOptions o = VdeOptions.defaults().withTicker(t);
        EmbeddedPlug a = sw.plug(o), b = sw.plug(o), c = sw.plug(o);
        b.impair(Impairment.builder().corrupt(1.0).seed(3).build());
        ByteBuf sent = frame(BROADCAST, A, 1, 2, 3, 4);
        String original = ByteBufUtil.hexDump(sent);
        try {
            a.write(sent.retain());                           // a keeps a view of what it sent
            List<String> atB = drain(b), atC = drain(c);
            assertEquals(List.of(original), atC, "the other port sees the frame as sent");
            assertEquals(original, ByteBufUtil.hexDump(sent), "the sender's buffer is untouched");
            assertEquals(1, atB.size());
            assertEquals(1, bitsDiffering(original, atB.get(0)), "exactly one bit flipped at b");
            assertEquals(1, b.impairmentStats().corrupted());
        } finally {
            sent.release();
            a.close();
            b.close();
            c.close();
            sw.close();
        }
    }

    private static int bitsDiffering(String h1, String h2) {
        byte[] x = ByteBufUtil.decodeHexDump(h1), y = ByteBufUtil.decodeHexDump(h2);
        assertEquals(x.length, y.length);
        int n = 0;
        for (int i = 0; i < x.length; i++) n += Integer.bitCount((x[i] ^ y[i]) & 0xff);
        return n;
    }

    @Test
    void duplicatesAreDeliveredAndCounted() {
        MockTicker t = Ticker.newMockTicker();
        EmbeddedSwitch sw = EmbeddedSwitch.builder().ticker(t).create();
        EmbeddedPlug a = sw.plug(VdeOptions.defaults()), b = sw.plug(VdeOptions.defaults().withTicker(t));
        b.impair(Impairment.builder().duplicate(0.5).seed(9).build());
        try {
            int got = 0;
            for (int i = 0; i < 1000; i++) {
                a.write(frame(B, A, i & 0xff));
                got += drain(b).size();
            }
            long dups = b.impairmentStats().duplicated();
            assertEquals(1000 + dups, got);
            assertTrue(dups > 400 && dups < 600, "dups " + dups);
            assertEquals(got, b.stats().framesIn());
        } finally {
            a.close();
            b.close();
            sw.close();
        }
    }

    @Test
    void delayQueueIsBounded() {
        MockTicker t = Ticker.newMockTicker();
        EmbeddedSwitch sw = EmbeddedSwitch.builder().ticker(t).create();
        EmbeddedPlug a = sw.plug(VdeOptions.defaults()), b = sw.plug(VdeOptions.defaults().withTicker(t));
        b.impair(Impairment.builder().delay(Duration.ofMillis(1)).queueLimit(3).build());
        try {
            int accepted = 0;
            for (int i = 0; i < 5; i++) if (a.write(frame(B, A, i))) accepted++;
            assertEquals(3, accepted);
            assertEquals(2, b.impairmentStats().queueFull());
            assertEquals(3, b.impairmentStats().inFlight());
            t.advance(1, TimeUnit.MILLISECONDS);
            assertEquals(List.of(hex(B, A, 0), hex(B, A, 1), hex(B, A, 2)), drain(b));
        } finally {
            a.close();
            b.close();
            sw.close();
        }
    }

    @Test
    void handlerClosingThePortReleasesTheRestOfADueBatch() {
        MockTicker t = Ticker.newMockTicker();
        EmbeddedSwitch sw = EmbeddedSwitch.builder().ticker(t).create();
        EmbeddedPlug a = sw.plug(VdeOptions.defaults()), b = sw.plug(VdeOptions.defaults().withTicker(t));
        b.impair(Impairment.builder().delay(Duration.ofMillis(1)).build());
        List<String> got = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) assertTrue(a.write(frame(B, A, i)));
            t.advance(1, TimeUnit.MILLISECONDS); // all three are due: one batch
            int n = b.read(f -> {
                got.add(ByteBufUtil.hexDump(f));
                f.release();
                b.close();
            }, 16);
            assertEquals(1, n);
            // before the fix frames 1 and 2 of the batch went to the handler after it had closed the port
            assertEquals(List.of(hex(B, A, 0)), got, "nothing is delivered after close; the rest is released");
        } finally {
            a.close();
            b.close();
            sw.close();
        }
    }
}
