package io.ioth.vde.sw;

import io.ioth.vde.DropReason;
import io.ioth.vde.PlugListener;
import io.ioth.vde.Vde;
import io.ioth.vde.VdeOptions;
import io.ioth.vde.VdePlug;
import io.ioth.vde.Vnl;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.ioth.vde.sw.Frames.A;
import static io.ioth.vde.sw.Frames.B;
import static io.ioth.vde.sw.Frames.BROADCAST;
import static io.ioth.vde.sw.Frames.C;
import static io.ioth.vde.sw.Frames.GROUP;
import static io.ioth.vde.sw.Frames.drain;
import static io.ioth.vde.sw.Frames.frame;
import static io.ioth.vde.sw.Frames.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Switching semantics of vde-protocol.md §1.6 as packet traces over three ports a, b, c. */
class EmbeddedSwitchTest {
    private final MockTicker ticker = Ticker.newMockTicker();
    private EmbeddedSwitch sw;
    private EmbeddedPlug a, b, c;

    @BeforeEach
    void setUp() {
        open(false);
    }

    private void open(boolean hub) {
        sw = EmbeddedSwitch.builder().hub(hub).ticker(ticker).create();
        VdeOptions o = VdeOptions.defaults().withTicker(ticker);
        a = sw.plug(o);
        b = sw.plug(o);
        c = sw.plug(o);
    }

    @AfterEach
    void tearDown() {
        a.close();
        b.close();
        c.close();
        sw.close();
    }

    @Test
    void portsAreNumberedFromOne_likeVdeSwitch() {
        assertEquals(1, a.port());
        assertEquals(2, b.port());
        assertEquals(3, c.port());
        b.close();
        EmbeddedPlug again = sw.plug(VdeOptions.defaults());
        assertEquals(2, again.port(), "lowest free port is reused (§1.3)");
        again.close();
    }

    @Test
    void unknownUnicastFloods_thenLearnedUnicastGoesToOnePort() {
        assertTrue(a.write(frame(B, A, 1)));             // b unknown: flood
        assertEquals(List.of(), drain(a), "never echoed to the ingress port");
        assertEquals(List.of(hex(B, A, 1)), drain(b));
        assertEquals(List.of(hex(B, A, 1)), drain(c));

        b.write(frame(A, B, 2));                          // a was learned on port 1
        assertEquals(List.of(hex(A, B, 2)), drain(a));
        assertEquals(List.of(), drain(b));
        assertEquals(List.of(), drain(c), "known unicast goes only to its port");

        a.write(frame(B, A, 3));                          // b now learned on port 2
        assertEquals(List.of(), drain(a));
        assertEquals(List.of(hex(B, A, 3)), drain(b));
        assertEquals(List.of(), drain(c));

        assertEquals(1, sw.lookup(A));
        assertEquals(2, sw.lookup(B));
        assertEquals(-1, sw.lookup(C));
        SwitchStats s = sw.stats();
        assertEquals(2, s.unicast());
        assertEquals(1, s.flooded());
    }

    @Test
    void broadcastAndMulticastFloodToEveryOtherPort() {
        b.write(frame(A, B, 0));   // learn b... and a is unknown
        drain(a);
        drain(c);
        a.write(frame(BROADCAST, A, 1));
        c.write(frame(GROUP, C, 2));
        assertEquals(List.of(hex(GROUP, C, 2)), drain(a));
        assertEquals(List.of(hex(BROADCAST, A, 1), hex(GROUP, C, 2)), drain(b));
        assertEquals(List.of(hex(BROADCAST, A, 1)), drain(c));
    }

    @Test
    void floodedCopiesShareMemoryButNotIndexes() {
        a.write(frame(BROADCAST, A, 7, 8));
        ByteBuf[] got = new ByteBuf[2];
        b.read(f -> got[0] = f, 1);
        c.read(f -> got[1] = f, 1);
        try {
            assertNotSame(got[0], got[1]);
            got[0].skipBytes(14); // one receiver's reader index is its own business
            assertEquals(16, got[1].readableBytes());
        } finally {
            got[0].release();
            got[1].release();
        }
    }

    @Test
    void groupSourceIsNotLearned() {
        a.write(frame(BROADCAST, GROUP, 1));
        drain(b);
        drain(c);
        assertEquals(-1, sw.lookup(GROUP));
        b.write(frame(GROUP, B, 2)); // still a flood
        assertEquals(List.of(hex(GROUP, B, 2)), drain(a));
        assertEquals(List.of(hex(GROUP, B, 2)), drain(c));
    }

    @Test
    void unicastToTheIngressPortIsDropped() {
        a.write(frame(BROADCAST, A, 0));
        a.write(frame(BROADCAST, B, 0)); // b "lives" on port 1 now (source b from port a)
        drain(b);
        drain(c);
        // a second host behind port 1 talks to b: the switch knows b is on port 1 too
        assertTrue(a.write(frame(B, C, 5)));
        assertEquals(List.of(), drain(a));
        assertEquals(List.of(), drain(b));
        assertEquals(List.of(), drain(c));
        assertEquals(1, sw.stats().filtered());
    }

    @Test
    void entriesAgeOutAfter100Seconds() {
        a.write(frame(BROADCAST, A, 0));
        drain(b);
        drain(c);
        ticker.advance(99, TimeUnit.SECONDS);
        b.write(frame(A, B, 1));
        assertEquals(List.of(hex(A, B, 1)), drain(a));
        assertEquals(List.of(), drain(c), "99 s idle: still learned");

        ticker.advance(2, TimeUnit.SECONDS);           // a idle for 101 s
        b.write(frame(A, B, 2));
        assertEquals(List.of(hex(A, B, 2)), drain(a));
        assertEquals(List.of(hex(A, B, 2)), drain(c), "expired: flooded again");

        ticker.advance(3, TimeUnit.SECONDS);           // the next frame's forwarding triggers the GC
        b.write(frame(BROADCAST, B, 3));
        drain(a);
        drain(c);
        assertEquals(1, sw.stats().macs(), "only b is left after garbage collection");
    }

    @Test
    void configurableExpiry() {
        a.close();
        b.close();
        c.close();
        sw.close();
        sw = EmbeddedSwitch.builder().ticker(ticker).expire(Duration.ofMillis(10)).create();
        a = sw.plug(VdeOptions.defaults());
        b = sw.plug(VdeOptions.defaults());
        c = sw.plug(VdeOptions.defaults());
        a.write(frame(BROADCAST, A, 0));
        assertEquals(1, sw.lookup(A));
        ticker.advance(11, TimeUnit.MILLISECONDS);
        assertEquals(-1, sw.lookup(A));
        drain(b);
        drain(c);
    }

    @Test
    void macMoveWaitsForMinPersistence() {
        a.write(frame(BROADCAST, A, 0));
        ticker.advance(1, TimeUnit.SECONDS);
        c.write(frame(BROADCAST, A, 1));               // a appears on port 3 after 1 s: ignored (3 s rule)
        assertEquals(1, sw.lookup(A));
        ticker.advance(3, TimeUnit.SECONDS);           // last seen on port 1 was 4 s ago
        c.write(frame(BROADCAST, A, 2));
        assertEquals(3, sw.lookup(A));
        drain(a);
        drain(b);
    }

    @Test
    void closedPortsEntriesAreFlushed() {
        a.write(frame(BROADCAST, A, 0));
        drain(b);
        drain(c);
        a.close();
        assertEquals(-1, sw.lookup(A));
        b.write(frame(A, B, 1));
        assertEquals(List.of(hex(A, B, 1)), drain(c));
        assertFalse(a.write(frame(A, B, 1)));
        assertEquals(1, a.stats().drops(DropReason.NOT_CONNECTED));
    }

    @Test
    void hubFloodsEverythingAndLearnsNothing() {
        tearDown();
        open(true);
        b.write(frame(A, B, 0));
        a.write(frame(B, A, 1));
        a.write(frame(B, A, 2));
        assertEquals(List.of(hex(A, B, 0)), drain(a));
        assertEquals(List.of(hex(B, A, 1), hex(B, A, 2)), drain(b));
        assertEquals(List.of(hex(A, B, 0), hex(B, A, 1), hex(B, A, 2)), drain(c));
        assertEquals(-1, sw.lookup(A));
    }

    @Test
    void runtsAndOversizeAreDroppedAtTheWriter() {
        ByteBuf runt = io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(13).writeZero(13);
        assertFalse(a.write(runt));
        int over = EmbeddedSwitch.MAX_FRAME + 1;
        ByteBuf big = io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(over).writeZero(over);
        assertFalse(a.write(big));
        assertEquals(1, a.stats().drops(DropReason.RUNT));
        assertEquals(1, a.stats().drops(DropReason.OVERSIZE));
        assertEquals(List.of(), drain(b));
    }

    @Test
    void jumboFramesUpToAFullIpPacketCrossTheSwitchWhole() {
        a.write(frame(B, A, 0)); // the switch learns A on a's port
        assertEquals(List.of(hex(B, A, 0)), drain(b));
        assertEquals(List.of(hex(B, A, 0)), drain(c));
        // a 65535-byte IP packet with an Ethernet header and a VLAN tag: 65553 bytes, beyond vdeplug4's 9234
        assertEquals(65553, EmbeddedSwitch.MAX_FRAME);
        ByteBuf jumbo = io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(EmbeddedSwitch.MAX_FRAME);
        ByteBuf header = frame(A, B);
        jumbo.writeBytes(header);
        header.release();
        for (int i = jumbo.writerIndex(); i < EmbeddedSwitch.MAX_FRAME; i++) jumbo.writeByte(i);
        String sent = ByteBufUtil.hexDump(jumbo);
        assertTrue(b.write(jumbo));
        assertEquals(List.of(sent), drain(a));
        assertEquals(0, b.stats().drops(DropReason.OVERSIZE));
    }

    @Test
    void inputQueueOverflowIsCountedAndNothingLeaks() {
        EmbeddedSwitch s2 = EmbeddedSwitch.builder().ticker(ticker).create();
        EmbeddedPlug x = s2.plug(VdeOptions.defaults());
        EmbeddedPlug y = s2.plug(VdeOptions.defaults().withQueueLimit(4));
        try {
            int accepted = 0;
            for (int i = 0; i < 10; i++) if (x.write(frame(B, A, i))) accepted++;
            assertEquals(4, accepted);
            assertEquals(6, x.stats().drops(DropReason.QUEUE_FULL), "the writer learns its frame was lost");
            assertEquals(6, s2.stats().queueFull());
            List<String> got = drain(y);
            assertEquals(List.of(hex(B, A, 0), hex(B, A, 1), hex(B, A, 2), hex(B, A, 3)), got);
            assertEquals(6, y.stats().drops(DropReason.QUEUE_FULL), "the receiver sees its queue overflowed");
            for (int i = 0; i < 3; i++) x.write(frame(B, A, i)); // left queued at close: released by close
        } finally {
            x.close();
            y.close();
            s2.close();
        }
    }

    /**
     * A handler that closes its port while a sender that raced with close() drains the port's queue
     * (EmbeddedPlug.drainClosed). The race is made deterministic: the racing sender is paused inside
     * its drain by the release of the frame it delivered, and a second late frame is offered while
     * the drain lock is held. read() must not poll the queue any more (a second consumer), so that
     * late frame is neither delivered after close nor taken twice.
     */
    @Test
    void handlerClosingThePortStopsReadingWhileASenderDrains() throws Exception {
        CountDownLatch inDrain = new CountDownLatch(1), proceed = new CountDownLatch(1);
        ByteBuf paused = new UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, 14, 14) {
            @Override
            protected void deallocate() {
                inDrain.countDown(); // the racing sender now holds a's drain lock
                try {
                    proceed.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.deallocate();
            }
        };
        paused.writeZero(14);
        ByteBuf late = frame(A, B, 2);
        late.retain(); // a reference of our own, to look at its count afterwards
        List<String> afterClose = new ArrayList<>();
        Thread[] sender = new Thread[1];
        boolean[] closed = new boolean[1];
        assertTrue(b.write(frame(A, B, 1)));
        c.read(f -> f.release(), 16); // c got the flood too
        int n = a.read(f -> {
            if (closed[0]) {
                afterClose.add(ByteBufUtil.hexDump(f));
                f.release();
                return;
            }
            f.release();
            closed[0] = true;
            a.close();
            // senders that loaded the port list before close() still deliver to a
            sender[0] = new Thread(() -> a.deliver(paused), "racing-sender");
            sender[0].start();
            try {
                assertTrue(inDrain.await(10, TimeUnit.SECONDS), "the racing sender reached its drain");
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            a.deliver(late); // another late frame: left in the queue for the lock holder to release
        }, 16);
        proceed.countDown();
        sender[0].join(10_000);
        assertFalse(sender[0].isAlive());
        assertEquals(1, n);
        assertEquals(List.of(), afterClose, "nothing is delivered after the handler closed the port");
        assertEquals(1, late.refCnt(), "the late frame was released exactly once, by the draining sender");
        late.release();
        assertTrue(paused.refCnt() == 0);
    }

    @Test
    void closingTheSwitchDisconnectsItsPlugs() {
        Throwable[] seen = new Throwable[1];
        b.listener(new PlugListener() {
            @Override
            public void onDisconnected(VdePlug plug, Throwable cause) { seen[0] = cause; }
        });
        a.write(frame(BROADCAST, A, 0)); // queued at b, released when b closes
        sw.close();
        assertFalse(b.isConnected());
        assertTrue(b.readyNow());
        drain(b);
        assertTrue(seen[0] != null);
        assertFalse(a.write(frame(B, A, 1)));
        assertThrows(IllegalStateException.class, () -> sw.plug(VdeOptions.defaults()));
    }

    @Test
    void namedSwitchesAreSharedAndLiveWhileTheyHavePorts() throws Exception {
        String name = "t-" + Long.toHexString(System.nanoTime());
        try (VdePlug p1 = Vde.open("switch://" + name); VdePlug p2 = Vde.open("switch://" + name)) {
            EmbeddedSwitch s = ((EmbeddedPlug) p1).embeddedSwitch();
            assertSame(s, EmbeddedSwitch.named(name, false));
            assertEquals(new Vnl.Embedded(name, false), p1.vnl());
            assertThrows(IllegalArgumentException.class, () -> Vde.open("hub://" + name));
            p1.write(frame(BROADCAST, A, 1));
            assertEquals(List.of(hex(BROADCAST, A, 1)), drain(p2));
        }
        EmbeddedSwitch fresh = EmbeddedSwitch.named(name, true); // the old one left with its last port
        assertTrue(fresh.isHub());
        fresh.close();
    }

    @Test
    void emptyVnlIsTheDefaultSwitch() throws Exception {
        try (VdePlug p = Vde.open("")) {
            assertEquals("default", ((EmbeddedPlug) p).embeddedSwitch().name());
        }
    }
}
