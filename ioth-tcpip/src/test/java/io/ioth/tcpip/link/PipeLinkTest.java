package io.ioth.tcpip.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ioth.tcpip.link.PipeLink.Drop;
import io.ioth.tcpip.wire.GoldenFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipeLinkTest {

    /** A leak-tracked frame (the test JVM runs paranoid leak detection). */
    static ByteBuf frame(byte[] bytes) {
        return ByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
    }

    static ByteBuf frame(int len) {
        return ByteBufAllocator.DEFAULT.directBuffer(len).writeZero(len);
    }

    @Test
    void framesWrittenOnOneEndAreReceivedOnTheOtherInOrder() {
        try (PipeLink.Pair p = PipeLink.pair()) {
            ByteBuf req = frame(GoldenFrames.icmp4EchoRequest());
            ByteBuf arp = frame(GoldenFrames.arpRequest());
            assertTrue(p.a().transmit(req));
            assertTrue(p.a().transmit(arp));
            assertEquals(0, p.a().receive(f -> { throw new AssertionError("a got its own frame"); }, 10));
            assertEquals(2, p.b().pending());
            List<ByteBuf> got = new ArrayList<>();
            assertEquals(2, p.b().receive(got::add, 10));
            assertSame(req, got.get(0), "no copy: the transmitted buffer is the one received");
            assertSame(arp, got.get(1));
            got.forEach(ByteBuf::release);
            assertEquals(2, p.a().transmitted());
            assertEquals(2, p.b().received());
            assertSame(p.b(), p.a().peer());

            assertTrue(p.b().transmit(frame(GoldenFrames.icmp4EchoReply())));
            assertEquals(1, p.a().receive(ByteBuf::release, 10));
        }
    }

    @Test
    void receiveHandsAtMostMaxFrames() {
        try (PipeLink.Pair p = PipeLink.pair()) {
            for (int i = 0; i < 5; i++) {
                p.a().transmit(frame(60));
            }
            assertEquals(2, p.b().receive(ByteBuf::release, 2));
            assertEquals(0, p.b().receive(ByteBuf::release, 0));
            assertEquals(3, p.b().receive(ByteBuf::release, 100));
            assertEquals(0, p.b().receive(ByteBuf::release, 100));
        }
    }

    @Test
    void fullQueueDropsReleasesAndCounts() {
        try (PipeLink.Pair p = PipeLink.builder().capacity(2).pair()) {
            assertTrue(p.a().transmit(frame(60)));
            assertTrue(p.a().transmit(frame(60)));
            ByteBuf third = frame(60);
            assertFalse(p.a().transmit(third));
            assertEquals(0, third.refCnt(), "a dropped frame is released");
            assertEquals(1, p.a().dropped(Drop.QUEUE_FULL));
            assertEquals(2, p.b().receive(ByteBuf::release, 10));
            assertTrue(p.a().transmit(frame(60)), "room again");
        }
    }

    @Test
    void oversizeFramesAreDropped() {
        try (PipeLink.Pair p = PipeLink.builder().maxFrameSize(1514).pair()) {
            assertEquals(1514, p.a().maxFrameSize());
            assertTrue(p.a().transmit(frame(1514)));
            ByteBuf big = frame(1515);
            assertFalse(p.a().transmit(big));
            assertEquals(0, big.refCnt());
            assertEquals(1, p.a().dropped(Drop.OVERSIZE));
            assertEquals(1, p.b().receive(ByteBuf::release, 10));
        }
    }

    /** Which of {@code n} frames sent a to b (and, interleaved, b to a if {@code chatter}) arrive. */
    static BitSet delivered(long seed, double rate, int n, boolean chatter) {
        BitSet ok = new BitSet();
        try (PipeLink.Pair p = PipeLink.builder().loss(rate, seed).pair()) {
            for (int i = 0; i < n; i++) {
                if (p.a().transmit(Unpooled.wrappedBuffer(new byte[60]))) {
                    ok.set(i);
                }
                p.b().receive(ByteBuf::release, 10);
                if (chatter) {
                    p.b().transmit(Unpooled.wrappedBuffer(new byte[60]));
                    p.a().receive(ByteBuf::release, 10);
                }
            }
            assertEquals(n - ok.cardinality(), p.a().dropped(Drop.LOSS));
        }
        return ok;
    }

    @Test
    void seededLossIsReproducibleAndPerDirection() {
        BitSet first = delivered(42, 0.3, 2000, false);
        assertEquals(first, delivered(42, 0.3, 2000, false), "same seed, same losses");
        assertEquals(first, delivered(42, 0.3, 2000, true), "what b sends does not change what a loses");
        assertNotEquals(first, delivered(43, 0.3, 2000, false));
        double lost = 1 - first.cardinality() / 2000.0;
        assertTrue(lost > 0.25 && lost < 0.35, "loss rate " + lost);
        assertEquals(2000, delivered(42, 0.0, 2000, false).cardinality());
        assertEquals(0, delivered(42, 1.0, 100, false).cardinality());
        assertThrows(IllegalArgumentException.class, () -> PipeLink.builder().loss(1.5, 1));
        assertThrows(IllegalArgumentException.class, () -> PipeLink.builder().loss(Double.NaN, 1));
        assertThrows(IllegalArgumentException.class, () -> PipeLink.builder().capacity(0));
    }

    @Test
    void closingEitherEndTakesTheCableDown() {
        PipeLink.Pair p = PipeLink.pair();
        ByteBuf queuedForB = frame(60);
        ByteBuf queuedForB2 = frame(60);
        p.a().transmit(queuedForB);
        p.a().transmit(queuedForB2);
        assertTrue(p.a().isUp() && p.b().isUp());
        p.a().close();
        assertFalse(p.a().isUp());
        assertFalse(p.b().isUp());
        ByteBuf late = frame(60);
        assertFalse(p.b().transmit(late));
        assertEquals(0, late.refCnt());
        assertEquals(1, p.b().dropped(Drop.DOWN));
        assertEquals(1, p.b().receive(ByteBuf::release, 1), "what was queued can still be received");
        p.b().close();
        assertEquals(0, queuedForB2.refCnt(), "close releases what is still queued");
        p.close(); // idempotent
        assertEquals(0, p.b().pending());
    }

    @Test
    void allocatorIsTheConfiguredOne() {
        try (PipeLink.Pair p = PipeLink.builder().allocator(UnpooledByteBufAllocator.DEFAULT).pair()) {
            assertSame(UnpooledByteBufAllocator.DEFAULT, p.a().allocator());
            assertSame(UnpooledByteBufAllocator.DEFAULT, p.b().allocator());
        }
    }

    /** No allocation per frame in steady state (style.md §4.8): benchmarks rely on it. */
    @Test
    void noAllocationPerFrame() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ByteBuf f = Unpooled.wrappedBuffer(GoldenFrames.icmp4EchoRequest()); // not leak-tracked: retain is free
        FrameLink.FrameSink sink = ByteBuf::release;
        try (PipeLink.Pair p = PipeLink.builder().loss(0.1, 7).capacity(64).pair()) {
            Runnable round = () -> {
                for (int k = 0; k < 32; k++) {
                    p.a().transmit(f.retain());
                    p.b().transmit(f.retain());
                }
                p.b().receive(sink, 64);
                p.a().receive(sink, 64);
            };
            for (int i = 0; i < 20_000; i++) {
                round.run();
            }
            int n = 20_000;
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < n; i++) {
                round.run();
            }
            long allocated = mx.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated < n, allocated + " bytes allocated for " + 64 * n + " frames");
            assertEquals(1, f.refCnt());
        }
    }
}
