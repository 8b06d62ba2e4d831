package io.ioth.tcpip.socket.tcp;

import static io.ioth.tcpip.socket.tcp.Seg.ACK;
import static io.ioth.tcpip.socket.tcp.Seg.SYN;
import static io.ioth.tcpip.socket.tcp.Seg.flags;
import static io.ioth.tcpip.socket.tcp.TcpHarness.LOCAL_SEQ;
import static io.ioth.tcpip.socket.tcp.TcpHarness.REMOTE_SEQ;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ioth.tcpip.iface.NetError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.util.function.Consumer;

/**
 * Receive-buffer auto-tuning (Linux {@code tcp_moderate_rcvbuf} / {@code tcp_rcv_space_adjust}): the buffer, and so
 * the advertised window, grows toward what the application reads per RTT, bounded by the stack's maximum; an
 * application that sets SO_RCVBUF keeps its size. End to end over {@link SimNet} (1 Gbit/s, 10 ms RTT: the
 * bandwidth-delay product is 1.25 MB) and as a segment trace.
 */
class ReceiveBufferAutoTuningTest extends TcpTestBase {
    static final long BDP = 1_250_000L;
    static final long SIZE = 32L * 1024 * 1024;

    /** What a one-way transfer from A to B ended with. */
    record Result(double mbps, TcpInfo receiver, int maxWindowSeen) {
    }

    /** Sends {@link #SIZE} bytes A -> B, B's application reading everything at once. */
    static Result transfer(final Consumer<TcpConfig.Builder> config, final Consumer<TcpListener> listenerSetup) {
        return transfer(config, listenerSetup, 0);
    }

    /** The same with B's interface clamping the window to {@code clampSegments} (0: none). */
    static Result transfer(final Consumer<TcpConfig.Builder> config, final Consumer<TcpListener> listenerSetup,
                           final int clampSegments) {
        final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(true, true);
        final SimNet net = new SimNet(7, alloc, b -> config.accept(b.sendBufferSize(8 << 20)
                .maxSendBufferSize(8 << 20)));
        net.b.windowClampSegments = clampSegments;
        final TcpListener l = net.b.tcp.openListener();
        listenerSetup.accept(l);
        assertEquals(NetError.OK, l.bind(0, SimNet.B_LO, 7));
        assertEquals(NetError.OK, l.listen(4));
        final TcpSocket c = net.a.tcp.open();
        assertEquals(NetError.OK, c.connect(0, SimNet.B_LO, 7, net.now));
        final ByteBuf chunk = alloc.directBuffer(256 * 1024).writeZero(256 * 1024);
        TcpSocket s = null;
        long written = 0;
        long read = 0;
        long start = 0;
        int maxWindow = 0;
        final TcpInfo i = new TcpInfo();
        while (read < SIZE) {
            if (!net.step()) {
                throw new AssertionError("stalled: " + c + " / " + s);
            }
            if (s == null && (s = l.accept()) != null) {
                start = net.now;
            }
            while (written < SIZE && c.isConnected() && c.sendSpace() > 0) {
                final ByteBuf d = chunk.retainedSlice(0, (int) Math.min(chunk.readableBytes(), SIZE - written));
                final int n = c.send(d);
                d.release();
                written += n;
                if (n == 0) {
                    break;
                }
            }
            if (s != null) {
                ByteBuf b;
                while ((b = s.read(1 << 20)) != null) {
                    read += b.readableBytes();
                    b.release();
                }
                maxWindow = Math.max(maxWindow, s.info(i, net.now).receiveWindow);
            }
            while (net.a.ready.poll() != null) {
                // events are hints
            }
            while (net.b.ready.poll() != null) {
                // same
            }
        }
        final double mbps = SIZE * 8 / ((net.now - start) / 1e9) / 1e6;
        final TcpInfo ri = s.info(new TcpInfo(), net.now);
        System.out.printf("%.0f Mbit/s; receiver %s%n  sender %s%n  %s%n", mbps, ri, c.info(new TcpInfo(), net.now),
                net.a.tcp.stats());
        chunk.release();
        c.abort(net.now);
        s.abort(net.now);
        l.close(net.now);
        net.drain();
        net.a.tcp.close();
        net.b.tcp.close();
        assertEquals(0, alloc.metric().usedDirectMemory(), "every buffer was released");
        return new Result(mbps, ri, maxWindow);
    }

    @Test
    void moderateRcvbuf_theWindowGrowsTowardTheBdp_underAReadingApplication() {
        final Result r = transfer(b -> b.receiveBufferSize(64 * 1024).maxReceiveBufferSize(16 << 20), l -> { });
        assertTrue(r.receiver.receiveBufferSize >= BDP, "grew to at least the BDP: " + r.receiver.receiveBufferSize);
        assertTrue(r.maxWindowSeen >= BDP, "and the advertised window followed: " + r.maxWindowSeen);
        assertTrue(r.receiver.receiveBufferSize <= 16 << 20);
        // the sender fills the link's 1000-packet queue (12 ms more): the receiver sees that RTT, 10-22 ms
        assertTrue(r.receiver.rcvRttMicros >= 10_000 && r.receiver.rcvRttMicros <= 23_000,
                "the receiver measured the RTT: " + r.receiver.rcvRttMicros);
        assertTrue(r.mbps > 600, "goodput near the line rate: " + r.mbps);

        final Result off = transfer(b -> b.receiveBufferSize(64 * 1024).maxReceiveBufferSize(16 << 20)
                .receiveBufferAutoTuning(false), l -> { });
        assertEquals(64 * 1024, off.receiver.receiveBufferSize);
        assertTrue(off.mbps < 60, "without it, 64 KiB per 10 ms: " + off.mbps);
    }

    /**
     * An interface's window clamp (64 segments, what a vde:// link asks for) is sized for a LAN's round trip; over this
     * 10 ms path it grows with the connection's least RTT, the handshake's (64 segments per ms: 640, ~930 KB), so the
     * transfer runs at ~750 Mbit/s, not at 64 segments per 10 ms (75 Mbit/s).
     */
    @Test
    void anInterfacesWindowClampScalesWithTheRoundTrip() {
        final Result r = transfer(b -> b.receiveBufferSize(64 * 1024).maxReceiveBufferSize(16 << 20), l -> { }, 64);
        assertTrue(r.maxWindowSeen > 600 * 1448 && r.maxWindowSeen <= 64 * 10 * 1460 + 128,
                "the clamp grew ten times, no more: " + r.maxWindowSeen);
        assertTrue(r.mbps > 600, "goodput near the clamp's rate: " + r.mbps);
    }

    @Test
    void moderateRcvbuf_isBoundedByTheStackMaximum() {
        final Result r = transfer(b -> b.receiveBufferSize(64 * 1024).maxReceiveBufferSize(512 * 1024), l -> { });
        assertEquals(512 * 1024, r.receiver.receiveBufferSize, "grew up to the maximum, not beyond");
        assertTrue(r.maxWindowSeen <= 512 * 1024);
        assertTrue(r.mbps < 512 * 1024 * 8 / 0.010 / 1e6, "the window limits the rate: " + r.mbps);
    }

    @Test
    void moderateRcvbuf_isOffForASocketWhoseApplicationSetTheBuffer_SO_RCVBUF() {
        final Result r = transfer(b -> b.receiveBufferSize(64 * 1024).maxReceiveBufferSize(16 << 20),
                l -> l.setReceiveBufferSize(128 * 1024));
        assertEquals(128 * 1024, r.receiver.receiveBufferSize);
    }

    // ------------------------------------------------------------------ the same, as a segment trace

    static final int R = REMOTE_SEQ + 1;
    static final int L = LOCAL_SEQ + 1;

    @Test
    void moderateRcvbuf_onceAnRttOfReadingExceedsTheLastTarget_theAdvertisedWindowOpens() {
        final TcpHarness h = new TcpHarness(b -> b.timestamps(true).windowScaling(true)
                .receiveBufferSize(16 * 1024).maxReceiveBufferSize(1 << 20));
        final TcpListener l = h.listen(4);
        h.send(flags(SYN).seq(REMOTE_SEQ).mss(1460).ws(0).ts(1, 0).win(65535));
        final Seg.Sent sa = h.one();
        assertEquals(5, sa.options().windowScale, "the shift covers the 1 MiB maximum");
        int peerTs = 2;
        h.send(flags(ACK).seq(R).ack(L).ts(peerTs, sa.options().tsVal));
        final TcpSocket s = l.accept();
        assertNotNull(s);
        h.advanceMs(10);
        // the peer sends a window's worth per 10 ms RTT, echoing the TSval of our latest ACK; we read it all
        int seq = R;
        int echo = sa.options().tsVal;
        for (int rtt = 0; rtt < 4; rtt++) {
            final int room = s.info(new TcpInfo(), h.now).receiveWindow;
            for (int sent = 0; sent + 1460 <= room; sent += 1460) {
                h.send(flags(ACK).seq(seq).ack(L).ts(++peerTs, echo).len(1460));
                seq += 1460;
                TcpHarness.readAll(s);
            }
            for (Seg.Sent x : h.take()) {
                echo = x.options().tsVal;
            }
            h.advanceMs(10);
        }
        final TcpInfo i = s.info(new TcpInfo(), h.now);
        assertEquals(10_000, i.rcvRttMicros, "from the timestamp echo (RFC 7323 §4.3)");
        assertTrue(i.receiveBufferSize > 64 * 1024, "grew: " + i.receiveBufferSize);
        // our next ACK announces it, scaled by 2^5
        h.send(flags(ACK).seq(seq).ack(L).ts(++peerTs, echo).len(1460));
        TcpHarness.readAll(s);
        h.advanceMs(40); // the delayed ACK
        final Seg.Sent ack = h.one();
        assertTrue(ack.window() << 5 > 64 * 1024, "advertised window " + (ack.window() << 5));
        assertEquals(1, Math.min(1, (int) h.tcp.stats().get(TcpCounter.RCVBUF_AUTOTUNED)));
    }
}
