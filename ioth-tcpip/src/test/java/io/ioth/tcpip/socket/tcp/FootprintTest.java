package io.ioth.tcpip.socket.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ioth.tcpip.iface.IpAddr;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.socket.ReadyList;
import io.ioth.tcpip.wire.TcpPacket;
import io.ioth.tcpip.wire.TcpRepr;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Heap per idle connection (issue 4: ≤ 16 KiB) and allocation on the in-order receive path. */
class FootprintTest {
    static final long LOCAL = IpAddr.v4(0x0a00_0001);
    static final long REMOTE = IpAddr.v4(0x0a00_0002);

    /** A network that sends nowhere (releases), with a list of timers that never fire. */
    static final class NullNet implements TcpNetwork {
        final ByteBufAllocator alloc;
        long timers;
        int lastAck;

        NullNet(final ByteBufAllocator alloc) {
            this.alloc = alloc;
        }

        @Override
        public ByteBufAllocator alloc() {
            return alloc;
        }

        @Override
        public ByteBuf allocSegment(final int tcpLength) {
            final ByteBuf b = alloc.directBuffer(80 + tcpLength);
            b.setIndex(80, 80);
            return b;
        }

        @Override
        public int route(final TcpSocket s, final long nowNanos) {
            s.routed(0, LOCAL);
            return 1500;
        }

        @Override
        public int transmit(final TcpSocket owner, final long srcHi, final long srcLo, final long dstHi,
                            final long dstLo, final ByteBuf segment, final long nowNanos) {
            lastAck = segment.getInt(segment.readerIndex() + TcpPacket.ACK);
            segment.release();
            return NetError.OK;
        }

        @Override
        public long schedule(final long deadlineNanos, final long cookie) {
            return ++timers;
        }

        @Override
        public void cancel(final long timerId) {
        }
    }

    /** Writes a segment into {@code b} (reused). */
    static void segment(final ByteBuf b, final int sport, final int seq, final int ack, final int flags,
                        final int payload, final TcpRepr r, final TcpPacket p) {
        r.options.clear();
        if ((flags & TcpPacket.SYN) != 0) {
            r.options.mss = 1460;
        }
        r.srcPort = sport;
        r.dstPort = 80;
        r.seq = seq;
        r.ack = ack;
        r.flags = flags;
        r.window = 65535;
        r.urgent = 0;
        r.payloadLen = payload;
        final int len = r.bufferLen() + payload;
        b.clear().writerIndex(len);
        r.emit(p.wrap(b, 0, len), TcpOutput.pseudo(0, REMOTE, 0, LOCAL, len));
    }

    static long usedHeap() {
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        final Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void idleEstablishedConnection_costsFarLessThan16KiBOfHeap() {
        final NullNet net = new NullNet(ByteBufAllocator.DEFAULT);
        final TcpStack tcp = new TcpStack(TcpConfig.builder().secret(1, 2).maxBacklog(100_000)
                .maxSynBacklog(100_000).build(), net, new ReadyList(), new SplittableRandom(1));
        final TcpListener l = tcp.openListener();
        l.bind(0, 0, 80);
        l.listen(100_000);
        final ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(100);
        final TcpRepr r = new TcpRepr();
        final TcpPacket p = new TcpPacket();
        final int n = 5_000;
        final List<TcpSocket> keep = new ArrayList<>(n);
        final long now = 1_000_000_000L;
        final long before = usedHeap();
        for (int i = 0; i < n; i++) {
            final int sport = 1024 + i;
            segment(b, sport, 1000, 0, TcpPacket.SYN, 0, r, p);
            tcp.input(0, REMOTE, 0, LOCAL, b, now);
            segment(b, sport, 1001, tcpIss(tcp, sport) + 1, TcpPacket.ACK_FLAG, 0, r, p);
            tcp.input(0, REMOTE, 0, LOCAL, b, now);
            final TcpSocket s = l.accept();
            assertNotNull(s, "connection " + i);
            keep.add(s);
        }
        final long after = usedHeap();
        final long perConnection = (after - before) / n;
        System.out.println("heap per idle established connection: ~" + perConnection + " bytes ("
                + n + " connections, table included)");
        assertEquals(n, tcp.connections());
        assertTrue(perConnection < 16 * 1024, "per connection " + perConnection);
        assertTrue(perConnection < 4 * 1024, "expected ~1-2 KiB, got " + perConnection);
        assertEquals(n, keep.size());
        tcp.close();
        b.release();
    }

    private static int tcpIss(final TcpStack tcp, final int sport) {
        final TcpSocket s = tcp.flows.lookup(0, LOCAL, 80, 0, REMOTE, sport);
        return s.iss;
    }

    /**
     * Runs on a {@code FastThreadLocalThread}, as on an event loop: Netty's pooled allocator caches buffers and
     * recycles buffer objects only on such threads.
     */
    @Test
    void inOrderReceivePath_allocatesNothingPerSegment_inSteadyState() throws Throwable {
        final Throwable[] failure = new Throwable[1];
        final Thread t = new io.netty.util.concurrent.FastThreadLocalThread(() -> {
            try {
                receivePath();
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        t.start();
        t.join();
        if (failure[0] != null) {
            throw failure[0];
        }
    }

    private void receivePath() {
        final ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED); // leak-tracking wrappers allocate
        try {
            final PooledByteBufAllocator alloc = new PooledByteBufAllocator(true);
            final NullNet net = new NullNet(alloc);
            final TcpStack tcp = new TcpStack(TcpConfig.builder().secret(1, 2).timestamps(false).build(), net,
                    new ReadyList(), new SplittableRandom(1));
            final TcpListener l = tcp.openListener();
            l.bind(0, 0, 80);
            l.listen(8);
            final ByteBuf b = alloc.directBuffer(1600);
            final TcpRepr r = new TcpRepr();
            final TcpPacket p = new TcpPacket();
            long now = 1_000_000_000L;
            segment(b, 5000, 1000, 0, TcpPacket.SYN, 0, r, p);
            tcp.input(0, REMOTE, 0, LOCAL, b, now);
            segment(b, 5000, 1001, tcpIss(tcp, 5000) + 1, TcpPacket.ACK_FLAG, 0, r, p);
            tcp.input(0, REMOTE, 0, LOCAL, b, now);
            final TcpSocket s = l.accept();
            final int ack = s.iss + 1;
            int seq = 1001;
            final com.sun.management.ThreadMXBean mx =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            final long tid = Thread.currentThread().getId();
            long measured = 0;
            long nanos = 0;
            final int rounds = 50_000;
            for (int phase = 0; phase < 3; phase++) {
                final long a0 = mx.getThreadAllocatedBytes(tid);
                final long t0 = System.nanoTime();
                for (int i = 0; i < rounds; i++) {
                    segment(b, 5000, seq, ack, TcpPacket.ACK_FLAG, 1460, r, p);
                    tcp.input(0, REMOTE, 0, LOCAL, b, now);
                    seq += 1460;
                    tcp.pollEgress(now);
                    final ByteBuf d = s.read(1 << 16);
                    d.release();
                    now += 10_000;
                }
                nanos = System.nanoTime() - t0;
                measured = mx.getThreadAllocatedBytes(tid) - a0;
            }
            final double perSegment = (double) measured / rounds;
            System.out.printf("in-order receive path: %.2f bytes allocated and ~%d ns per 1460-byte segment"
                    + " (building the test segment and its checksum included)%n", perSegment, nanos / rounds);
            assertEquals(seq, net.lastAck, "every second segment was acknowledged at once");
            assertTrue(perSegment < 4, "allocation per segment: " + perSegment);
            tcp.close();
            b.release();
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
    }
}
