package io.ioth.tcpip.socket.tcp;

import io.ioth.tcpip.iface.IpAddr;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.socket.ReadyList;
import io.ioth.tcpip.storage.TimerWheel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Two TCP stacks joined by a simulated link in simulated time (smoltcp's {@code tests/netsim.rs}): each direction
 * has a rate (serialisation delay), a propagation delay, a drop-tail queue, and seeded impairments: loss,
 * duplication and reordering (an extra random delay). One thread, no clock: {@link #step()} jumps to the next
 * event (a delivery or a timer).
 */
final class SimNet {
    static final long A_LO = IpAddr.v4(0x0a00_0001);
    static final long B_LO = IpAddr.v4(0x0a00_0002);

    final SplittableRandom rnd;
    final ByteBufAllocator alloc;
    long now = 1_000_000_000_000L;
    long seq;
    final PriorityQueue<Packet> inFlight = new PriorityQueue<>();
    final Node a;
    final Node b;

    double loss;
    double duplicate;
    double reorder;
    long reorderExtraNanos = 3_000_000L;
    long delayNanos = 5_000_000L;
    /** Nanoseconds per byte (1 Gbit/s = 8 ns/byte). */
    long nanosPerByte = 8;
    int queueLimit = 1000;
    /** The last events, for failure reports. */
    final java.util.ArrayDeque<String> trace = new java.util.ArrayDeque<>();
    int traceSize = 0;
    long delivered;
    long dropped;
    long duplicated;

    static final class Packet implements Comparable<Packet> {
        final long at;
        final long order;
        final Node to;
        final long srcLo;
        final ByteBuf buf;

        Packet(final long at, final long order, final Node to, final long srcLo, final ByteBuf buf) {
            this.at = at;
            this.order = order;
            this.to = to;
            this.srcLo = srcLo;
            this.buf = buf;
        }

        @Override
        public int compareTo(final Packet o) {
            final int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }

    /** One stack and its end of the link. */
    final class Node implements TcpNetwork {
        final long addrLo;
        final TimerWheel wheel;
        final ReadyList ready = new ReadyList();
        final TcpStack tcp;
        Node peer;
        long linkFreeAt;
        int queued;
        /** What {@link #route} gives connections as their interface's window clamp (0: none). */
        int windowClampSegments;

        Node(final long addrLo, final TcpConfig config, final long seed) {
            this.addrLo = addrLo;
            this.wheel = new TimerWheel(now, 1L << 20, 4096, 64);
            this.tcp = new TcpStack(config, this, ready, new SplittableRandom(seed));
        }

        @Override
        public ByteBufAllocator alloc() {
            return alloc;
        }

        @Override
        public ByteBuf allocSegment(final int tcpLength) {
            final ByteBuf x = alloc.directBuffer(80 + tcpLength);
            x.setIndex(80, 80);
            return x;
        }

        @Override
        public int route(final TcpSocket s, final long nowNanos) {
            s.routed(0, addrLo);
            s.windowClampSegments = windowClampSegments;
            return 1500;
        }

        @Override
        public int transmit(final TcpSocket owner, final long srcHi, final long srcLo, final long dstHi,
                            final long dstLo, final ByteBuf segment, final long nowNanos) {
            if (queued >= queueLimit) {
                log("QFULL", segment);
                segment.release();
                dropped++;
                return NetError.ENOBUFS;
            }
            final long start = Math.max(now, linkFreeAt);
            linkFreeAt = start + (segment.readableBytes() + 40L) * nanosPerByte;
            queued++;
            if (rnd.nextDouble() < loss) {
                log("LOST", segment);
                dropped++;
                segment.release();
                // the frame still occupied the link and the queue until serialised
                inFlight.add(new Packet(linkFreeAt, seq++, this, -1, null));
                return NetError.OK;
            }
            long at = linkFreeAt + delayNanos;
            if (rnd.nextDouble() < reorder) {
                at += 1 + rnd.nextLong(reorderExtraNanos);
            }
            if (rnd.nextDouble() < duplicate) {
                duplicated++;
                inFlight.add(new Packet(at + rnd.nextLong(1_000_000L), seq++, peer, srcLo, segment.retain()));
            }
            log("sent", segment);
            inFlight.add(new Packet(at, seq++, peer, srcLo, segment));
            // the sender's queue drains as the link serialises (tracked by a marker with no destination)
            inFlight.add(new Packet(linkFreeAt, seq++, this, -1, null));
            return NetError.OK;
        }

        void log(final String what, final ByteBuf seg) {
            if (traceSize == 0) {
                return;
            }
            final io.ioth.tcpip.wire.TcpPacket p = new io.ioth.tcpip.wire.TcpPacket().wrap(seg, seg.readerIndex(),
                    seg.readableBytes());
            final io.ioth.tcpip.wire.TcpRepr r = new io.ioth.tcpip.wire.TcpRepr();
            r.parse(p, 0, io.ioth.tcpip.wire.ChecksumPolicy.IGNORE);
            trace.add(String.format("%.6f %s %s %s seq %s ack %s win %d len %d%s%s", (now - 1_000_000_000_000L) / 1e9,
                    addrLo == A_LO ? "A>B" : "B>A", what, Seg.flagString(r.flags), Seq.str(r.seq), Seq.str(r.ack),
                    r.window, r.payloadLen, r.options.hasTimestamp ? " ts " + Seq.str(r.options.tsVal) + "/"
                            + Seq.str(r.options.tsEcr) : "",
                    r.options.sackBlockCount > 0 ? " sack " + java.util.Arrays.toString(java.util.Arrays.copyOf(
                            r.options.sackBlocks, 2 * r.options.sackBlockCount)) : ""));
            while (trace.size() > traceSize) {
                trace.poll();
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

        void pollTimers() {
            if (wheel.nextDeadline() <= now) {
                wheel.poll(now, (id, cookie, n) -> {
                    tcp.onTimer(cookie, n);
                    return true;
                }, 10_000);
            }
        }
    }

    SimNet(final long seed, final ByteBufAllocator alloc, final Consumer<TcpConfig.Builder> customize) {
        this.rnd = new SplittableRandom(seed);
        this.alloc = alloc;
        final TcpConfig.Builder ca = TcpConfig.builder().secret(seed, ~seed);
        customize.accept(ca);
        final TcpConfig.Builder cb = TcpConfig.builder().secret(seed + 1, ~seed + 1);
        customize.accept(cb);
        a = new Node(A_LO, ca.build(), seed);
        b = new Node(B_LO, cb.build(), seed + 2);
        a.peer = b;
        b.peer = a;
    }

    /** The time of the next event, or Long.MAX_VALUE. */
    long nextEvent() {
        if (a.tcp.hasPendingOutput() || b.tcp.hasPendingOutput()) {
            return now;
        }
        long t = Math.min(a.wheel.nextDeadline(), b.wheel.nextDeadline());
        final Packet p = inFlight.peek();
        if (p != null) {
            t = Math.min(t, p.at);
        }
        return t;
    }

    /** Advances to the next event and runs everything due then. @return false if nothing is pending */
    boolean step() {
        final long t = nextEvent();
        if (t == Long.MAX_VALUE) {
            return false;
        }
        now = Math.max(now, t);
        Packet p;
        while ((p = inFlight.peek()) != null && p.at <= now) {
            inFlight.poll();
            if (p.srcLo == -1) {
                p.to.queued--;
                continue;
            }
            if (p.to == null) {
                continue;
            }
            delivered++;
            try {
                p.to.tcp.input(0, p.srcLo, 0, p.to.addrLo, p.buf, now);
            } finally {
                p.buf.release();
            }
        }
        a.pollTimers();
        b.pollTimers();
        a.tcp.pollEgress(now);
        b.tcp.pollEgress(now);
        return true;
    }

    /** Releases whatever is still on the wire. */
    void drain() {
        Packet p;
        while ((p = inFlight.poll()) != null) {
            if (p.buf != null) {
                p.buf.release();
            }
        }
    }
}
