package io.ioth.vde.sw;

import io.ioth.vde.VdeOptions;
import io.ioth.vde.VdePoller;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.ioth.vde.sw.Frames.A;
import static io.ioth.vde.sw.Frames.B;
import static io.ioth.vde.sw.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Two event-loop threads, each owning a plug and a VdePoller, exchange frames through the switch. */
class EmbeddedSwitchThreadsTest {
    private static final int N = 100_000;
    private static final int QUEUE = 256;

    /** One side: sends N numbered frames (never more than QUEUE ahead of the peer's reads) and checks N in order. */
    private static final class Side implements Runnable {
        final EmbeddedPlug plug;
        final VdePoller poller = new VdePoller();
        final long me, peer;
        final AtomicLong received = new AtomicLong();
        Side other;
        int sent;
        long expect;
        String error;

        Side(EmbeddedPlug plug, long me, long peer) {
            this.plug = plug;
            this.me = me;
            this.peer = peer;
        }

        @Override
        public void run() {
            poller.add(plug);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            try {
                while ((sent < N || expect < N) && System.nanoTime() < deadline && error == null) {
                    // the test's own flow control: the switch has none (like vde_switch, §1.4)
                    while (sent < N && sent - other.received.get() < QUEUE) {
                        ByteBuf f = frame(peer, me);
                        f.writeInt(sent);
                        if (!plug.write(f)) {
                            error = "write " + sent + " dropped: " + plug.stats();
                            break;
                        }
                        sent++;
                    }
                    int got = plug.read(f -> {
                        try {
                            int seq = f.getInt(f.readerIndex() + 14);
                            if (seq != expect && error == null) error = "expected " + expect + " got " + seq;
                            expect++;
                        } finally {
                            f.release();
                        }
                    }, 64);
                    if (got > 0) {
                        received.addAndGet(got);
                        other.poller.wakeup(); // the peer may wait for credit
                    } else {
                        poller.await(TimeUnit.MILLISECONDS.toNanos(10));
                    }
                }
            } finally {
                poller.remove(plug);
            }
        }
    }

    @Test
    void hundredThousandFramesEachWayArriveInOrder() throws Exception {
        EmbeddedSwitch sw = EmbeddedSwitch.create();
        VdeOptions o = VdeOptions.defaults().withQueueLimit(QUEUE);
        Side a = new Side(sw.plug(o), A, B), b = new Side(sw.plug(o), B, A);
        a.other = b;
        b.other = a;
        try {
            CompletableFuture<Void> fa = CompletableFuture.runAsync(a), fb = CompletableFuture.runAsync(b);
            fa.get(90, TimeUnit.SECONDS);
            fb.get(90, TimeUnit.SECONDS);
            assertEquals(null, a.error);
            assertEquals(null, b.error);
            assertEquals(N, a.expect);
            assertEquals(N, b.expect);
            assertEquals(N, a.plug.stats().framesIn());
            assertEquals(0, a.plug.stats().totalDrops() + b.plug.stats().totalDrops());
        } finally {
            a.plug.close();
            b.plug.close();
            a.poller.close();
            b.poller.close();
            sw.close();
        }
    }

    /**
     * A rough cost of an unimpaired, learned unicast forward, write + read on one thread, including
     * allocating and releasing the pooled frame. Run with -Dioth.measure=true.
     */
    @Test
    void measureUnicastForward() {
        assumeTrue(Boolean.getBoolean("ioth.measure"), "measurement: -Dioth.measure=true");
        EmbeddedSwitch sw = EmbeddedSwitch.create();
        EmbeddedPlug a = sw.plug(VdeOptions.defaults()), b = sw.plug(VdeOptions.defaults());
        b.write(frame(A, B)); // learn b
        Frames.drain(a);
        io.ioth.vde.FrameHandler release = ByteBuf::release;
        io.netty.util.ResourceLeakDetector.Level level = io.netty.util.ResourceLeakDetector.getLevel();
        io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
        try {
            for (int round = 0; round < 6; round++) {
                int n = 5_000_000;
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    ByteBuf f = io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(64);
                    f.writeShort(0x0200).writeInt(0x0000000b).writeShort(0x0200).writeInt(0x0000000a)
                            .writeShort(0x88b5).writeZero(50);
                    a.write(f);
                    if ((i & 15) == 15) b.read(release, 16);
                }
                b.read(release, 64);
                long t1 = System.nanoTime();
                // the same loop without the switch: allocation + header writes + release only
                for (int i = 0; i < n; i++) {
                    ByteBuf f = io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(64);
                    f.writeShort(0x0200).writeInt(0x0000000b).writeShort(0x0200).writeInt(0x0000000a)
                            .writeShort(0x88b5).writeZero(50);
                    f.release();
                }
                long t2 = System.nanoTime();
                System.out.printf("unicast forward: %.1f ns/frame total, %.1f ns/frame allocation baseline%n",
                        (t1 - t0) / (double) n, (t2 - t1) / (double) n);
            }
        } finally {
            io.netty.util.ResourceLeakDetector.setLevel(level);
            a.close();
            b.close();
            sw.close();
        }
    }
}
