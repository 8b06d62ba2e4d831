package io.ioth.tcpip.socket.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ioth.tcpip.Stack;
import io.ioth.tcpip.iface.IpAddr;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.iface.StackConfig;
import io.ioth.tcpip.link.FrameLink;
import io.ioth.tcpip.link.PipeLink;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.MacAddr;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * TCP on the stack ({@link Stack#create(StackConfig, TcpConfig, long)}, {@link Stack#openTcp()}, {@link
 * Stack#openTcpListener()}; {@link TcpLayer} underneath): two {@link Stack}s on an in-memory {@link PipeLink}, in
 * simulated time, with ARP, IPv4 and the engine's timer wheel underneath.
 */
class TcpOverEngineTest {
    static final int IP_A = Ipv4Addr.parse("10.9.0.1");
    static final int IP_B = Ipv4Addr.parse("10.9.0.2");

    static final class Node implements AutoCloseable {
        final Stack stack;
        final TcpLayer layer;
        final TcpStack tcp;
        final NetInterface eth0;

        Node(final String name, final FrameLink link, final long mac, final int ip, final long now,
             final UnpooledByteBufAllocator alloc) {
            // TCP through the Stack API (Stack.create with a TcpConfig), as applications attach it
            stack = Stack.create(StackConfig.builder().name(name).seed(mac).allocator(alloc).build(),
                    TcpConfig.builder().secret(mac, ~mac).build(), now);
            eth0 = stack.addInterface("eth0", link, mac);
            stack.addIpv4(eth0, ip, 24, now);
            layer = stack.tcpLayer();
            tcp = stack.tcp();
        }

        @Override
        public void close() {
            stack.close();
        }
    }

    static final class World implements AutoCloseable {
        final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(true, true);
        final PipeLink.Pair wire;
        final Node a;
        final Node b;
        long now = 5_000_000_000L;

        World(final double loss) {
            this(loss, l -> l);
        }

        /** B's end of the wire seen through {@code wrapB} (a recorder of what B sends). */
        World(final double loss, final UnaryOperator<FrameLink> wrapB) {
            wire = PipeLink.builder().capacity(4096).allocator(alloc).loss(loss, 7).pair();
            a = new Node("a", wire.a(), MacAddr.parse("02:00:00:00:00:0a"), IP_A, now, alloc);
            b = new Node("b", wrapB.apply(wire.b()), MacAddr.parse("02:00:00:00:00:0b"), IP_B, now, alloc);
        }

        /** Polls both stacks until {@code done}, jumping to the next deadline when idle. */
        void runUntil(final BooleanSupplier done, final Runnable app, final long maxNanos) {
            final long end = now + maxNanos;
            while (!done.getAsBoolean()) {
                a.stack.poll(now);
                b.stack.poll(now);
                while (a.stack.nextReady() != null) {
                    // events are hints; the app polls the sockets
                }
                while (b.stack.nextReady() != null) {
                    // same
                }
                app.run();
                if (done.getAsBoolean()) {
                    return;
                }
                if (wire.a().pending() > 0 || wire.b().pending() > 0 || a.tcp.hasPendingOutput()
                        || b.tcp.hasPendingOutput()) {
                    continue;
                }
                final long next = Math.min(a.stack.nextDeadline(), b.stack.nextDeadline());
                if (next == Long.MAX_VALUE) {
                    throw new AssertionError("nothing pending and not done");
                }
                now = Math.max(now, next);
                if (now > end) {
                    throw new AssertionError("not done in time");
                }
            }
        }

        /** Runs both stacks until {@code t}. */
        void advanceTo(final long t) {
            while (true) {
                a.stack.poll(now);
                b.stack.poll(now);
                if (wire.a().pending() > 0 || wire.b().pending() > 0) {
                    continue;
                }
                final long next = Math.min(a.stack.nextDeadline(), b.stack.nextDeadline());
                if (next > t) {
                    now = t;
                    a.stack.poll(now);
                    b.stack.poll(now);
                    return;
                }
                now = Math.max(now, next);
            }
        }

        @Override
        public void close() {
            a.close();
            b.close();
            wire.close();
            assertEquals(0, alloc.metric().usedDirectMemory(), "every buffer released");
        }
    }

    @Test
    void connectSendCloseOverArpAndIpv4() {
        try (World w = new World(0)) {
            final TcpListener l = w.b.stack.openTcpListener();
            assertEquals(NetError.OK, l.bind(0, IpAddr.v4(IP_B), 7));
            assertEquals(NetError.OK, l.listen(8));
            final TcpSocket c = w.a.stack.openTcp();
            assertEquals(NetError.OK, c.connect(0, IpAddr.v4(IP_B), 7, w.now));
            final TcpSocket[] server = new TcpSocket[1];
            w.runUntil(() -> server[0] != null && c.isConnected(), () -> {
                if (server[0] == null) {
                    server[0] = l.accept();
                }
            }, 10_000_000_000L);
            assertEquals(IpAddr.v4(IP_A), c.localLo(), "the source address came from the route");
            assertEquals(IpAddr.v4(IP_A), server[0].remoteLo());
            TcpHarness.write(c, "ping");
            final StringBuilder got = new StringBuilder();
            w.runUntil(() -> got.length() == 4, () -> got.append(TcpHarness.readAll(server[0])), 10_000_000_000L);
            assertEquals("ping", got.toString());
            c.close(w.now);
            w.runUntil(server[0]::isInputShutdown, () -> { }, 10_000_000_000L);
            server[0].close(w.now);
            w.runUntil(() -> server[0].state() == TcpState.CLOSED && c.state() == TcpState.TIME_WAIT, () -> { },
                    10_000_000_000L);
            l.close(w.now);
        }
    }

    /**
     * The receiver's interface clamps the window it advertises ({@link NetInterface#setWindowClampSegments}; by default
     * the link's {@link io.ioth.tcpip.link.FrameLink#inboundQueueFrames()}, 64 on a real vde_switch): the sender never
     * sees more than that many segments of window however fast the application reads, and data still flows; without
     * the clamp the window grows past 64 KiB at once.
     */
    @Test
    void theInterfacesWindowClampBoundsTheAdvertisedWindow() {
        // 8 segments of B's MSS (1460 at MTU 1500), as many more per ms of B's least RTT sample beyond 1 ms (this
        // world's simulated time jumps to timers when idle, so RTTs are ms); B's receive RTT estimate is no smaller
        final long[] clamped = largestWindowSeen(8);
        final long bound = 8 * 1460 * Math.max(1, clamped[1] / 1000);
        assertTrue(clamped[0] >= 8 * 1460 && clamped[0] <= bound, "window " + clamped[0] + ", bound " + bound);
        final long[] free = largestWindowSeen(-1);
        assertTrue(free[0] > 4 * bound, "PipeLink queues plenty, no clamp by default: " + free[0]);
        assertTrue(free[2] > 4 * bound, "and cwnd grows past it: " + free[2]);
    }

    /** The sender's interface clamps its congestion window the same way (Linux snd_cwnd_clamp). */
    @Test
    void theInterfacesWindowClampBoundsTheCongestionWindow() {
        final long[] r = largestWindowSeen(-1, 8);
        final long bound = 8 * 1460 * Math.max(1, r[3] / 1000);
        // 8 segments of A's send MSS (1448: 1460 less the timestamp option), more only for a longer least RTT
        assertTrue(r[2] >= 8 * 1448 && r[2] <= bound, "cwnd " + r[2] + ", bound " + bound);
    }

    /**
     * Sends 1 MiB A -> B with B's interface clamped to {@code segments}: the largest send window A had, and B's
     * receive RTT estimate at the end (µs).
     */
    private static long[] largestWindowSeen(final int segments) {
        return largestWindowSeen(segments, -1);
    }

    /**
     * The same with A's interface clamped to {@code senderSegments}: also the largest cwnd A had and A's least RTT (µs).
     */
    private static long[] largestWindowSeen(final int segments, final int senderSegments) {
        try (World w = new World(0)) {
            w.b.eth0.setWindowClampSegments(segments);
            w.a.eth0.setWindowClampSegments(senderSegments);
            final TcpListener l = w.b.stack.openTcpListener();
            assertEquals(NetError.OK, l.bind(0, IpAddr.v4(IP_B), 7));
            assertEquals(NetError.OK, l.listen(8));
            final TcpSocket c = w.a.stack.openTcp();
            assertEquals(NetError.OK, c.connect(0, IpAddr.v4(IP_B), 7, w.now));
            final int size = 1 << 20;
            final long[] counters = new long[2]; // written, read
            final int[] maxWindow = new int[1];
            final int[] maxCwnd = new int[1];
            final TcpSocket[] s = new TcpSocket[1];
            final TcpInfo info = new TcpInfo();
            final ByteBuf chunk = w.alloc.directBuffer(64 * 1024).writeZero(64 * 1024);
            w.runUntil(() -> counters[1] == size, () -> {
                if (s[0] == null) {
                    s[0] = l.accept();
                }
                while (counters[0] < size && c.isConnected() && c.sendSpace() > 0) {
                    final ByteBuf d = chunk.retainedSlice(0, (int) Math.min(chunk.readableBytes(), size - counters[0]));
                    final int n = c.send(d);
                    d.release();
                    counters[0] += n;
                    if (n == 0) {
                        break;
                    }
                }
                if (c.isConnected()) {
                    c.info(info, w.now);
                    maxWindow[0] = Math.max(maxWindow[0], info.sendWindow);
                    maxCwnd[0] = Math.max(maxCwnd[0], info.cwnd);
                }
                ByteBuf b;
                while (s[0] != null && (b = s[0].read(1 << 20)) != null) {
                    counters[1] += b.readableBytes();
                    b.release();
                }
            }, 60_000_000_000L);
            chunk.release();
            final long rcvRttMicros = s[0].info(info, w.now).rcvRttMicros;
            final long senderRttMicros = c.info(info, w.now).srttMicros;
            c.abort(w.now);
            s[0].abort(w.now);
            l.close(w.now);
            return new long[] {maxWindow[0], rcvRttMicros, maxCwnd[0], senderRttMicros};
        }
    }

    /**
     * IP_TOS on TCP ({@link TcpEndpoint#setTrafficClass}): every IPv4 header of a connection carries the DSCP set on it,
     * the SYN-ACK included when the listener had it; the ECN bits asked for are dropped (RFC 3168 §5: TCP's own).
     */
    @Test
    void trafficClassMarksEverySegmentOfTheConnection() {
        final java.util.List<Integer> tos = new java.util.ArrayList<>(); // B's TCP segments, IPv4 TOS octet each
        final UnaryOperator<FrameLink> record = l -> new FrameLink() {
            @Override
            public int receive(final FrameSink sink, final int maxFrames) {
                return l.receive(sink, maxFrames);
            }

            @Override
            public boolean transmit(final ByteBuf f) {
                // Ethernet type 0x0800 at 12, IPv4 TOS at 15, protocol at 23 (6: TCP)
                if (f.getUnsignedShort(f.readerIndex() + 12) == 0x0800 && f.getUnsignedByte(f.readerIndex() + 23) == 6) {
                    tos.add((int) f.getUnsignedByte(f.readerIndex() + 15));
                }
                return l.transmit(f);
            }

            @Override
            public int maxFrameSize() {
                return l.maxFrameSize();
            }

            @Override
            public io.netty.buffer.ByteBufAllocator allocator() {
                return l.allocator();
            }
        };
        try (World w = new World(0, record)) {
            final TcpListener l = w.b.stack.openTcpListener();
            l.setTrafficClass(0xb8 | 3); // DSCP EF (RFC 3246) with both ECN bits, which TCP must not take
            assertEquals(0xb8, l.trafficClass());
            assertEquals(NetError.OK, l.bind(0, IpAddr.v4(IP_B), 7));
            assertEquals(NetError.OK, l.listen(8));
            final TcpSocket c = w.a.stack.openTcp();
            assertEquals(NetError.OK, c.connect(0, IpAddr.v4(IP_B), 7, w.now));
            final TcpSocket[] s = new TcpSocket[1];
            w.runUntil(() -> s[0] != null && c.isConnected(), () -> {
                if (s[0] == null) {
                    s[0] = l.accept();
                }
            }, 10_000_000_000L);
            TcpHarness.write(s[0], "marked");
            final StringBuilder got = new StringBuilder();
            w.runUntil(() -> got.length() == 6, () -> got.append(TcpHarness.readAll(c)), 10_000_000_000L);
            s[0].setTrafficClass(0x28); // AF11 from now on
            TcpHarness.write(s[0], "af11");
            w.runUntil(() -> got.length() == 10, () -> got.append(TcpHarness.readAll(c)), 10_000_000_000L);
            assertEquals("markedaf11", got.toString());
            final int n = tos.size();
            assertTrue(n >= 3, "SYN-ACK and two data segments: " + tos);
            assertEquals(0xb8, (int) tos.get(0), "the SYN-ACK: " + tos);
            assertEquals(0x28, (int) tos.get(n - 1), "the last data segment: " + tos);
            assertTrue(tos.stream().allMatch(t -> t == 0xb8 || t == 0x28), String.valueOf(tos));
            c.abort(w.now);
            s[0].abort(w.now);
            l.close(w.now);
        }
    }

    @Test
    void closedPortOnARealStack_isRefused() {
        try (World w = new World(0)) {
            final TcpSocket c = w.a.stack.openTcp();
            assertEquals(NetError.OK, c.connect(0, IpAddr.v4(IP_B), 9, w.now));
            w.runUntil(() -> c.state() == TcpState.CLOSED, () -> { }, 10_000_000_000L);
            assertEquals(NetError.ECONNREFUSED, c.error());
        }
    }

    @Test
    void loopback_connectionToOwnAddress() {
        try (World w = new World(0)) {
            final TcpListener l = w.a.stack.openTcpListener();
            l.bind(0, IpAddr.v4(Ipv4Addr.LOOPBACK), 80);
            l.listen(8);
            final TcpSocket c = w.a.stack.openTcp();
            assertEquals(NetError.OK, c.connect(0, IpAddr.v4(Ipv4Addr.LOOPBACK), 80, w.now));
            final TcpSocket[] s = new TcpSocket[1];
            w.runUntil(() -> s[0] != null && c.isConnected(), () -> {
                if (s[0] == null) {
                    s[0] = l.accept();
                }
            }, 10_000_000_000L);
            TcpHarness.write(s[0], "over lo");
            final StringBuilder got = new StringBuilder();
            w.runUntil(() -> got.length() == 7, () -> got.append(TcpHarness.readAll(c)), 10_000_000_000L);
            assertEquals("over lo", got.toString());
            c.abort(w.now);
            w.runUntil(() -> s[0].state() == TcpState.CLOSED, () -> { }, 10_000_000_000L);
            assertEquals(NetError.ECONNRESET, s[0].error());
            l.close(w.now);
        }
    }

    @Test
    void fourMegabytesWithOnePercentLoss_byteExact() throws Exception {
        try (World w = new World(0.01)) {
            final TcpListener l = w.b.stack.openTcpListener();
            l.bind(0, 0, 5001);
            l.listen(8);
            final TcpSocket c = w.a.stack.openTcp();
            c.connect(0, IpAddr.v4(IP_B), 5001, w.now);
            final int size = 4 * 1024 * 1024;
            final SplittableRandom gen = new SplittableRandom(3);
            final MessageDigest sent = MessageDigest.getInstance("SHA-256");
            final MessageDigest recv = MessageDigest.getInstance("SHA-256");
            final long[] counters = new long[2]; // written, read
            final TcpSocket[] s = new TcpSocket[1];
            final ByteBuf[] chunk = new ByteBuf[1];
            w.runUntil(() -> counters[1] == size, () -> {
                if (s[0] == null) {
                    s[0] = l.accept();
                }
                while (counters[0] < size && c.sendSpace() > 0 && c.isConnected()) {
                    if (chunk[0] == null) {
                        final int n = (int) Math.min(32 * 1024, size - counters[0]);
                        final byte[] bytes = new byte[n];
                        gen.nextBytes(bytes);
                        sent.update(bytes);
                        chunk[0] = w.alloc.directBuffer(n).writeBytes(bytes);
                    }
                    c.send(chunk[0]);
                    if (!chunk[0].isReadable()) {
                        counters[0] += chunk[0].writerIndex();
                        chunk[0].release();
                        chunk[0] = null;
                    } else {
                        break;
                    }
                }
                if (s[0] != null) {
                    ByteBuf b;
                    while ((b = s[0].read(1 << 16)) != null) {
                        counters[1] += b.readableBytes();
                        recv.update(b.nioBuffer());
                        b.release();
                    }
                }
            }, 600_000_000_000L);
            assertArrayEquals(sent.digest(), recv.digest());
            final TcpInfo i = c.info(new TcpInfo(), w.now);
            assertTrue(i.totalRetrans > 0, "the loss was recovered from: " + i);
            assertNotNull(s[0]);
            c.abort(w.now);
            s[0].abort(w.now);
            l.close(w.now);
        }
    }

    @Test
    void interfaceMtuLowered_midConnection_segmentsShrink() {
        try (World w = new World(0)) {
            final TcpListener l = w.b.stack.openTcpListener();
            l.bind(0, 0, 80);
            l.listen(4);
            final TcpSocket c = w.a.stack.openTcp();
            c.connect(0, IpAddr.v4(IP_B), 80, w.now);
            final TcpSocket[] s = new TcpSocket[1];
            w.runUntil(() -> s[0] != null && c.isConnected(), () -> {
                if (s[0] == null) {
                    s[0] = l.accept();
                }
            }, 10_000_000_000L);
            assertEquals(1448, c.info(new TcpInfo(), w.now).sndMss);
            w.a.eth0.setMtu(1000);
            final byte[] data = Seg.filler(100_000);
            final int[] off = {0};
            final StringBuilder got = new StringBuilder();
            w.runUntil(() -> got.length() == data.length, () -> {
                if (off[0] < data.length) {
                    off[0] += TcpHarness.write(c, java.util.Arrays.copyOfRange(data, off[0], data.length));
                }
                got.append(TcpHarness.readAll(s[0]));
            }, 60_000_000_000L);
            assertEquals(new String(data, StandardCharsets.ISO_8859_1), got.toString());
            assertEquals(1000 - 20 - 20 - 12, c.info(new TcpInfo(), w.now).sndMss);
            c.abort(w.now);
            s[0].abort(w.now);
            l.close(w.now);
        }
    }

    @Test
    void ipv6_connectSendClose() {
        try (World w = new World(0)) {
            final long[] aAddr = new long[2];
            final long[] bAddr = new long[2];
            io.ioth.tcpip.wire.Ipv6Addr.parse("fd00::a", aAddr);
            io.ioth.tcpip.wire.Ipv6Addr.parse("fd00::b", bAddr);
            w.a.stack.enableIpv6(w.a.eth0, w.now);
            w.b.stack.enableIpv6(w.b.eth0, w.now);
            w.a.stack.addIpv6(w.a.eth0, "fd00::a/64", w.now);
            w.b.stack.addIpv6(w.b.eth0, "fd00::b/64", w.now);
            // let duplicate address detection finish (RFC 4862 §5.4)
            w.advanceTo(w.now + 3_000_000_000L);
            final TcpListener l = w.b.stack.openTcpListener();
            assertEquals(NetError.OK, l.bind(0, 0, 443));
            l.listen(4);
            final TcpSocket c = w.a.stack.openTcp();
            assertEquals(NetError.OK, c.connect(bAddr[0], bAddr[1], 443, w.now));
            final TcpSocket[] s = new TcpSocket[1];
            w.runUntil(() -> s[0] != null && c.isConnected(), () -> {
                if (s[0] == null) {
                    s[0] = l.accept();
                }
            }, 10_000_000_000L);
            assertEquals(aAddr[1], c.localLo());
            assertEquals(1500 - 40 - 20 - 12, c.info(new TcpInfo(), w.now).sndMss);
            TcpHarness.write(c, "hello over IPv6");
            final StringBuilder got = new StringBuilder();
            w.runUntil(() -> got.length() == 15, () -> got.append(TcpHarness.readAll(s[0])), 10_000_000_000L);
            assertEquals("hello over IPv6", got.toString());
            c.close(w.now);
            s[0].close(w.now);
            w.runUntil(() -> s[0].state() == TcpState.CLOSED || s[0].state() == TcpState.TIME_WAIT, () -> { },
                    10_000_000_000L);
            l.close(w.now);
        }
    }
}
