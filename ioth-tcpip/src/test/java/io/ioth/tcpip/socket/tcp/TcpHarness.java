package io.ioth.tcpip.socket.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ioth.tcpip.iface.IpAddr;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.socket.ReadyList;
import io.ioth.tcpip.storage.TimerWheel;
import io.ioth.tcpip.wire.ChecksumPolicy;
import io.ioth.tcpip.wire.TcpPacket;
import io.ioth.tcpip.wire.TcpRepr;
import io.ioth.tcpip.wire.WireError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The segment-in / segment-out harness (style.md §4.2): one {@link TcpStack} whose network is this object. Segments
 * the test injects come from REMOTE (10.0.0.2:49500) to LOCAL (10.0.0.1:80); segments the stack sends are parsed
 * (checksum verified) and kept until the test asserts them. Time is simulated: nothing moves until the test calls
 * {@link #at} / {@link #advance}, and timers fire at their exact deadlines.
 *
 * <p>The default configuration makes traces short and readable: a fixed ISS ({@link #LOCAL_SEQ}), no timestamp
 * offset, no options unless a test turns them on, no quick-ACK phase.
 */
final class TcpHarness implements TcpNetwork {
    static final long LOCAL_HI = 0L;
    static final long LOCAL_LO = IpAddr.v4(0x0a00_0001);
    static final long REMOTE_HI = 0L;
    static final long REMOTE_LO = IpAddr.v4(0x0a00_0002);
    static final int LOCAL_PORT = 80;
    static final int REMOTE_PORT = 49500;
    static final int LOCAL_SEQ = 10_000;
    static final int REMOTE_SEQ = -5_000; // wraps past 2^32 during tests: sequence arithmetic is exercised
    static final long START = 1_000_000_000_000L; // 1000 s: times are never 0
    static final long MS = 1_000_000L;

    /** Leak-tracked (paranoid in tests); floods swap in an untracked one for speed. */
    ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    final TimerWheel wheel = new TimerWheel(START, 1L << 20, 4096, 64);
    final ReadyList ready = new ReadyList();
    final TcpStack tcp;
    final List<Seg.Sent> sent = new ArrayList<>();
    long now = START;
    int mtu = 1500;
    int routeError;
    boolean dropOutput;

    TcpHarness() {
        this(b -> { });
    }

    private static final List<TcpHarness> OPEN = new ArrayList<>();

    /** Closes the stacks of every harness created since the last call (TcpTestBase runs it after each test). */
    static void closeAll() {
        synchronized (OPEN) {
            for (TcpHarness h : OPEN) {
                h.tcp.close();
            }
            OPEN.clear();
        }
    }

    TcpHarness(final Consumer<TcpConfig.Builder> customize) {
        synchronized (OPEN) {
            OPEN.add(this);
        }
        final TcpConfig.Builder b = TcpConfig.builder()
                .secret(0x1234_5678_9abc_def0L, 0x0fed_cba9_8765_4321L)
                .isnFunction((lh, ll, lp, rh, rl, rp, t) -> LOCAL_SEQ)
                .randomTimestampOffset(false)
                .timestamps(false)
                .sack(false)
                .windowScaling(false)
                .quickAckSegments(0)
                .receiveBufferSize(64 * 1024)
                .sendBufferSize(64 * 1024)
                // the traces keep RFC 5681's numbers (ssthresh = FlightSize / 2); the stack's default is CUBIC, which
                // the CUBIC tests choose explicitly
                .congestionControl(io.ioth.tcpip.socket.tcp.congestion.NewReno.FACTORY);
        customize.accept(b);
        tcp = new TcpStack(b.build(), this, ready, new SplittableRandom(42));
    }

    // ================================================================== TcpNetwork

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
        if (routeError != 0) {
            return routeError;
        }
        s.routed(LOCAL_HI, LOCAL_LO);
        return mtu;
    }

    @Override
    public int transmit(final TcpSocket owner, final long srcHi, final long srcLo, final long dstHi,
                        final long dstLo, final ByteBuf segment, final long nowNanos) {
        try {
            assertEquals(now, nowNanos, "segments leave at the current time");
            if (dropOutput) {
                return NetError.OK;
            }
            final TcpPacket p = new TcpPacket().wrap(segment, segment.readerIndex(), segment.readableBytes());
            final TcpRepr r = new TcpRepr();
            final WireError e = r.parse(p, TcpOutput.pseudo(srcHi, srcLo, dstHi, dstLo, segment.readableBytes()),
                    ChecksumPolicy.VERIFY);
            assertEquals(WireError.OK, e, "the stack sent a malformed segment");
            final byte[] payload = new byte[r.payloadLen];
            segment.getBytes(p.payloadOffset(), payload);
            sent.add(new Seg.Sent(r, payload, srcLo, dstLo, nowNanos));
            return NetError.OK;
        } finally {
            segment.release();
        }
    }

    @Override
    public long schedule(final long deadlineNanos, final long cookie) {
        return wheel.schedule(deadlineNanos, cookie);
    }

    @Override
    public void cancel(final long timerId) {
        wheel.cancel(timerId);
    }

    // ================================================================== driving

    /** Injects a segment from the remote peer at the current time (ingress, then egress, like the engine). */
    void send(final Seg t) {
        send(t, REMOTE_HI, REMOTE_LO);
    }

    void send(final Seg t, final long srcHi, final long srcLo) {
        final ByteBuf b = build(t, srcHi, srcLo, LOCAL_HI, LOCAL_LO);
        try {
            tcp.input(srcHi, srcLo, LOCAL_HI, LOCAL_LO, b, now);
        } finally {
            b.release();
        }
        tcp.pollEgress(now);
    }

    /** Bytes of a segment (with a correct checksum unless it is bad on purpose). */
    ByteBuf build(final Seg t, final long srcHi, final long srcLo, final long dstHi, final long dstLo) {
        final TcpRepr r = new TcpRepr();
        if (t.srcPort == null) {
            t.srcPort = REMOTE_PORT;
        }
        if (t.dstPort == null) {
            t.dstPort = LOCAL_PORT;
        }
        t.fill(r);
        final int optLen = t.rawOptions != null ? t.rawOptions.length : r.options.bufferLen();
        final int hl = TcpPacket.HEADER_LEN + optLen;
        final int len = hl + r.payloadLen;
        final ByteBuf b = alloc.directBuffer(len);
        b.writeZero(len);
        if (t.payload != null) {
            b.setBytes(hl, t.payload);
        }
        final TcpPacket p = new TcpPacket().wrap(b, 0, len);
        if (t.rawOptions != null) {
            r.options.clear();
            r.emit(p, 0);
            b.setBytes(TcpPacket.HEADER_LEN, t.rawOptions);
            p.setHeaderLenAndFlags(hl, r.flags);
        } else {
            r.emit(p, 0);
        }
        if (t.rawHeaderLen != null) {
            p.setHeaderLenAndFlags(t.rawHeaderLen, r.flags);
        }
        p.fillChecksum(TcpOutput.pseudo(srcHi, srcLo, dstHi, dstLo, len));
        return b;
    }

    /** Moves time to {@code t}, firing every timer at its own deadline on the way, then runs egress. */
    void at(final long t) {
        if (t < now) {
            throw new IllegalArgumentException("time goes forward: " + t + " < " + now);
        }
        while (true) {
            final long d = wheel.nextDeadline();
            if (d > t) {
                break;
            }
            now = Math.max(now, d);
            wheel.poll(now, (id, cookie, n) -> {
                tcp.onTimer(cookie, n);
                return true;
            }, 1000);
            tcp.pollEgress(now);
        }
        now = t;
        tcp.pollEgress(now);
    }

    /** {@link #at} START + ms. */
    void atMs(final long ms) {
        at(START + ms * MS);
    }

    void advanceMs(final long ms) {
        at(now + ms * MS);
    }

    /** Runs egress now (after application calls). */
    void flush() {
        tcp.pollEgress(now);
    }

    /** The segments sent so far (cleared). */
    List<Seg.Sent> take() {
        final List<Seg.Sent> l = new ArrayList<>(sent);
        sent.clear();
        return l;
    }

    /** Asserts the stack sent exactly these segments, in order, since the last check. */
    void expect(final Seg... templates) {
        final List<Seg.Sent> got = take();
        final StringBuilder err = new StringBuilder();
        if (got.size() != templates.length) {
            err.append("expected ").append(templates.length).append(" segment(s), got ").append(got.size());
        }
        for (int i = 0; i < Math.min(got.size(), templates.length); i++) {
            final String m = templates[i].mismatch(got.get(i));
            if (!m.isEmpty()) {
                err.append("\n  #").append(i).append(':').append(m);
            }
        }
        if (err.length() > 0) {
            final StringBuilder sb = new StringBuilder(err).append("\n expected:");
            for (Seg t : templates) {
                sb.append("\n  ").append(t);
            }
            sb.append("\n got:");
            for (Seg.Sent s : got) {
                sb.append("\n  ").append(s);
            }
            fail(sb.toString());
        }
    }

    void expectNothing() {
        expect();
    }

    /** The single segment sent since the last check. */
    Seg.Sent one() {
        final List<Seg.Sent> got = take();
        assertEquals(1, got.size(), () -> "expected one segment, got " + got);
        return got.get(0);
    }

    // ================================================================== fixtures

    /** A listener on LOCAL:80. */
    TcpListener listen(final int backlog) {
        final TcpListener l = tcp.openListener();
        assertEquals(NetError.OK, l.bind(LOCAL_HI, LOCAL_LO, LOCAL_PORT));
        assertEquals(NetError.OK, l.listen(backlog));
        return l;
    }

    /** The remote's SYN with MSS 1460. */
    static Seg remoteSyn() {
        return Seg.flags(Seg.SYN).seq(REMOTE_SEQ).mss(1460).win(65535);
    }

    /**
     * A connection opened by the remote peer (LISTEN -> SYN-RECEIVED -> ESTABLISHED) and accepted: our ISS is
     * {@link #LOCAL_SEQ}, the peer's {@link #REMOTE_SEQ}, both windows 65535, MSS 1460 both ways.
     */
    TcpSocket passiveEstablished() {
        return passiveEstablished(remoteSyn());
    }

    TcpSocket passiveEstablished(final Seg syn) {
        final TcpListener l = listen(16);
        send(syn);
        final Seg.Sent sa = one();
        assertTrue(sa.has(Seg.SYN | Seg.ACK), "SYN-ACK expected: " + sa);
        final Seg ack = Seg.flags(Seg.ACK).seq(REMOTE_SEQ + 1).ack(LOCAL_SEQ + 1)
                .win(syn.window == null ? 65535 : syn.window);
        if (syn.hasTs != null && syn.hasTs) {
            ack.ts(syn.tsVal + 1, sa.options().tsVal);
        }
        send(ack);
        expectNothing();
        final TcpSocket s = l.accept();
        assertNotNull(s, "accepted");
        assertEquals(TcpState.ESTABLISHED, s.state());
        s.takeEvents();
        while (ready.poll() != null) {
            // drain
        }
        return s;
    }

    /** A connection we opened (SYN-SENT -> ESTABLISHED). */
    TcpSocket activeEstablished() {
        final TcpSocket s = tcp.open();
        assertEquals(NetError.OK, s.connect(REMOTE_HI, REMOTE_LO, REMOTE_PORT, now));
        flush();
        final Seg.Sent syn = one();
        assertTrue(syn.has(Seg.SYN), "SYN expected");
        send(Seg.flags(Seg.SYN | Seg.ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ + 1).mss(1460).win(65535)
                .sport(REMOTE_PORT).dport(s.localPort()));
        expect(Seg.flags(Seg.ACK).seq(LOCAL_SEQ + 1).ack(REMOTE_SEQ + 1));
        assertEquals(TcpState.ESTABLISHED, s.state());
        s.takeEvents();
        while (ready.poll() != null) {
            // drain
        }
        return s;
    }

    // ================================================================== application helpers

    /** Queues a string on the socket (copied into a buffer the test owns and releases). */
    static int write(final TcpSocket s, final String data) {
        return write(s, data.getBytes(StandardCharsets.ISO_8859_1));
    }

    static int write(final TcpSocket s, final byte[] data) {
        final ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(data.length).writeBytes(data);
        try {
            return s.send(b);
        } finally {
            b.release();
        }
    }

    /** Reads everything queued. */
    static String readAll(final TcpSocket s) {
        final StringBuilder sb = new StringBuilder();
        ByteBuf b;
        while ((b = s.read(Integer.MAX_VALUE)) != null) {
            sb.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return sb.toString();
    }
}
