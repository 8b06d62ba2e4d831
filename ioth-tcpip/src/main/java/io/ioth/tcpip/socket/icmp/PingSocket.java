package io.ioth.tcpip.socket.icmp;

import io.ioth.tcpip.iface.Engine;
import io.ioth.tcpip.iface.IcmpErrorInfo;
import io.ioth.tcpip.iface.IpAddr;
import io.ioth.tcpip.iface.IpRxInfo;
import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.iface.NetInterface;
import io.ioth.tcpip.iface.Route;
import io.ioth.tcpip.socket.StackSocket;
import io.ioth.tcpip.wire.Icmpv4Packet;
import io.ioth.tcpip.wire.Icmpv6Packet;
import io.netty.buffer.ByteBuf;

/**
 * A ping socket (the CLI's {@code ping} and {@code ping -6}): sends ICMP or ICMPv6 echo requests (by the
 * destination's family) with its own identifier (like Linux's unprivileged ICMP sockets) and reports replies with
 * their round-trip time, computed from the {@code now} given to
 * {@link #send} and the {@code now} of the poll that received the reply, and errors about its requests (unreachable,
 * time exceeded).
 *
 * <p>The payload is filled with a pattern (byte {@code i} = {@code i & 0xff}) and replies are checked against it.
 * The socket remembers the last {@value #WINDOW} send times by sequence number, which also detects duplicates.
 *
 * <p>Readiness: READABLE when a result is queued. Not thread-safe: owner thread only.
 */
public final class PingSocket extends StackSocket {
    /** Sends remembered for RTT and duplicate detection. */
    public static final int WINDOW = 1024;
    private static final int QUEUE = 256;

    private final PingLayer layer;
    private final Engine engine;
    private final int ident;
    private final Route route = new Route();
    private final long[] sentAt = new long[WINDOW];
    private final int[] sentSeq = new int[WINDOW];
    private final byte[] seen = new byte[WINDOW];
    private int ttl = -1;
    private int tos;
    private NetInterface iface;
    private boolean closed;
    private long sent;
    private long received;

    // result queue
    private final int[] rKind = new int[QUEUE];
    private final int[] rSeq = new int[QUEUE];
    private final long[] rFromHi = new long[QUEUE];
    private final long[] rFromLo = new long[QUEUE];
    private final long[] rRtt = new long[QUEUE];
    private final int[] rInfo = new int[QUEUE];
    private final int[] rSize = new int[QUEUE];
    private int rHead;
    private int rCount;
    private long overflow;

    PingSocket(final PingLayer layer, final int ident) {
        super(layer.readyList);
        this.layer = layer;
        this.engine = layer.engine;
        this.ident = ident;
        java.util.Arrays.fill(sentSeq, -1);
    }

    /** The ICMP identifier of this socket's requests. */
    public int ident() {
        return ident;
    }

    /** TTL of the requests; -1 = the stack default ({@code ping -t}). */
    public void setTtl(final int v) {
        if (v < -1 || v == 0 || v > 255) {
            throw new IllegalArgumentException("TTL must be 1..255 or -1: " + v);
        }
        ttl = v;
    }

    public void setTos(final int v) {
        tos = v & 0xff;
    }

    /** Sends through this interface ({@code ping -I}; the scope of a link-local destination); null = by route. */
    public void bindToInterface(final NetInterface ifc) {
        iface = ifc;
    }

    /**
     * Sends one echo request to {@code (hi, lo)} with sequence number {@code seq} and {@code size} data bytes
     * ({@code ping -s}; fragmented if larger than the path MTU).
     *
     * @return {@link NetError#OK} or a negative {@link NetError}
     */
    public int send(final long hi, final long lo, final int seq, final int size, final long now) {
        if (closed) {
            return NetError.EBADF;
        }
        // IPv4: 65535 - 20 - 8; IPv6: the ICMPv6 message fills at most the 65535-byte Payload Length
        final int max = IpAddr.isV4(hi, lo) ? 65507 - Icmpv4Packet.HEADER_LEN : 65535 - Icmpv6Packet.HEADER_LEN;
        if (size < 0 || size > max || seq < 0 || seq > 0xffff) {
            return NetError.EINVAL;
        }
        final int r = engine.route(hi, lo, 0L, 0L, iface, route, now);
        if (r != NetError.OK) {
            return r;
        }
        final int len = Icmpv4Packet.HEADER_LEN + size;
        final ByteBuf seg = engine.allocTx(len);
        final int at = seg.readerIndex();
        seg.writerIndex(at + Icmpv4Packet.HEADER_LEN);
        for (int i = 0; i < size; i++) {
            seg.writeByte(i);
        }
        final int slot = seq & (WINDOW - 1);
        sentAt[slot] = now;
        sentSeq[slot] = seq;
        seen[slot] = 0;
        sent++;
        return layer.sendEcho(route, seg, ident, seq, ttl >= 0 ? ttl : engine.defaultTtl(), tos, now);
    }

    public int send(final int addr, final int seq, final int size, final long now) {
        return send(0L, IpAddr.v4(addr), seq, size, now);
    }

    void onReply(final IpRxInfo ip, final int seq, final ByteBuf data, final long now) {
        final int slot = seq & (WINDOW - 1);
        long rtt = -1;
        boolean dup = false;
        if (sentSeq[slot] == seq) {
            rtt = now - sentAt[slot];
            dup = seen[slot] != 0;
            seen[slot] = 1;
        }
        boolean corrupted = false;
        final int n = data.readableBytes();
        final int base = data.readerIndex();
        for (int i = 0; i < n; i++) {
            if (data.getByte(base + i) != (byte) i) {
                corrupted = true;
                break;
            }
        }
        received++;
        push(PingReply.REPLY, seq, ip.srcHi, ip.srcLo, rtt, ip.ttl << 1 | (dup ? 1 : 0) | (corrupted ? 1 << 9 : 0)
                | (ip.family == IpAddr.FAMILY_V6 ? 1 << 10 : 0), n);
    }

    void onError(final IcmpErrorInfo err, final int seq) {
        push(PingReply.ERROR, seq, err.reporterHi, err.reporterLo, -1, err.type << 8 | err.code, 0);
    }

    private void push(final int kind, final int seq, final long hi, final long lo, final long rtt, final int info,
                      final int size) {
        if (rCount == QUEUE) {
            overflow++;
            return;
        }
        int i = rHead + rCount;
        if (i >= QUEUE) {
            i -= QUEUE;
        }
        rKind[i] = kind;
        rSeq[i] = seq;
        rFromHi[i] = hi;
        rFromLo[i] = lo;
        rRtt[i] = rtt;
        rInfo[i] = info;
        rSize[i] = size;
        rCount++;
        signal(READABLE);
    }

    /** Takes the next result into {@code out}. @return false if none is queued */
    public boolean receive(final PingReply out) {
        if (rCount == 0) {
            return false;
        }
        final int i = rHead;
        out.kind = rKind[i];
        out.seq = rSeq[i];
        out.fromHi = rFromHi[i];
        out.fromLo = rFromLo[i];
        out.rttNanos = rRtt[i];
        out.size = rSize[i];
        if (out.kind == PingReply.REPLY) {
            out.ttl = (rInfo[i] >>> 1) & 0xff;
            out.duplicate = (rInfo[i] & 1) != 0;
            out.corrupted = (rInfo[i] & (1 << 9)) != 0;
            out.icmpType = (rInfo[i] & (1 << 10)) != 0 ? Icmpv6Packet.TYPE_ECHO_REPLY : Icmpv4Packet.TYPE_ECHO_REPLY;
            out.icmpCode = 0;
        } else {
            out.ttl = 0;
            out.duplicate = false;
            out.corrupted = false;
            out.icmpType = rInfo[i] >>> 8;
            out.icmpCode = rInfo[i] & 0xff;
        }
        rHead = rHead + 1 == QUEUE ? 0 : rHead + 1;
        rCount--;
        return true;
    }

    /** Results waiting. */
    public int pending() {
        return rCount;
    }

    public long sent() {
        return sent;
    }

    public long received() {
        return received;
    }

    /** Results dropped because the queue was full. */
    public long overflow() {
        return overflow;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Idempotent. */
    public void close() {
        if (!closed) {
            closed = true;
            layer.remove(this);
        }
    }

    @Override
    public String toString() {
        return "ping id " + ident + " sent " + sent + " received " + received;
    }
}
