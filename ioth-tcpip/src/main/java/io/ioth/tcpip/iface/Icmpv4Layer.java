package io.ioth.tcpip.iface;

import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.stats.StackStats;
import io.ioth.tcpip.wire.Checksum;
import io.ioth.tcpip.wire.ChecksumPolicy;
import io.ioth.tcpip.wire.Icmpv4Packet;
import io.ioth.tcpip.wire.Icmpv4Repr;
import io.ioth.tcpip.wire.IpProtocol;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.Ipv4Packet;
import io.ioth.tcpip.wire.WireError;
import io.netty.buffer.ByteBuf;

/**
 * ICMPv4 (RFC 792, RFC 1122 §3.2.2): echo replies (built in the request's own buffer when nobody else holds it),
 * destination unreachable / time exceeded handling (path MTU, RFC 1191; errors handed to the protocol that sent the
 * quoted datagram and to the ping sockets), and error generation with the RFC 1122 §3.2.2 / RFC 1812 §4.3.2.7
 * suppression rules and an RFC 1812 §4.3.2.8 token-bucket rate limit.
 *
 * <p>Not thread-safe: part of one engine, owner thread only.
 */
final class Icmpv4Layer {
    /** RFC 1812 §4.3.2.3: an ICMP error "SHOULD contain as much of the original datagram as possible without the
     * length of the ICMP datagram exceeding 576 bytes". */
    static final int MAX_ERROR_DATAGRAM = 576;
    /** Linux icmp_send: TOS of ICMP errors is IPTOS_PREC_INTERNETCONTROL (RFC 1812 §4.3.2.5 allows 0 or this). */
    static final int ERROR_TOS = 0xc0;

    /** RFC 1191 §7 table 7-1 plateaus, for fragmentation-needed messages without a next-hop MTU (old routers). */
    private static final int[] PLATEAUS = {32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68};

    private final Engine engine;
    private final StackStats stats;
    private final Icmpv4Packet inPkt = new Icmpv4Packet();
    private final Icmpv4Repr inRepr = new Icmpv4Repr();
    private final Ipv4Packet quoted = new Ipv4Packet();
    private final Icmpv4Packet outPkt = new Icmpv4Packet();
    private final Icmpv4Repr outRepr = new Icmpv4Repr();
    private final Ipv4Packet errQuote = new Ipv4Packet();
    private final Route replyRoute = new Route();
    private final Route errRoute = new Route();
    private final Route mtuRoute = new Route();

    Icmpv4Layer(final Engine engine) {
        this.engine = engine;
        this.stats = engine.stats;
    }

    void receive(final IpRxInfo rx, final long now) {
        stats.inc(Counter.ICMP4_IN_MSGS);
        final Icmpv4Packet p = inPkt.wrap(rx.buffer, rx.payloadOffset, rx.payloadLength);
        final WireError e = inRepr.parse(p, ChecksumPolicy.VERIFY);
        if (!e.ok()) {
            stats.drop(e == WireError.TRUNCATED ? DropReason.ICMP4_TRUNCATED
                    : e == WireError.BAD_CHECKSUM ? DropReason.ICMP4_BAD_CHECKSUM : DropReason.ICMP4_UNSUPPORTED);
            return;
        }
        switch (inRepr.type) {
            case Icmpv4Packet.TYPE_ECHO_REQUEST:
                stats.inc(Counter.ICMP4_IN_ECHOS);
                if (rx.isGroupAddressed()) {
                    // RFC 1122 §3.2.2.6: "An ICMP Echo Request destined to an IP broadcast or IP multicast address
                    // MAY be silently discarded" (Linux icmp_echo_ignore_broadcasts=1)
                    stats.drop(DropReason.ICMP4_BROADCAST_ECHO);
                    return;
                }
                echoReply(rx, now);
                return;
            case Icmpv4Packet.TYPE_ECHO_REPLY:
                stats.inc(Counter.ICMP4_IN_ECHO_REPS);
                final IcmpEchoHandler h = engine.echoHandler;
                final ByteBuf b = rx.buffer;
                b.setIndex(p.dataOffset(), p.dataOffset() + p.dataLength());
                if (h == null || !h.echoReply(rx, inRepr.ident, inRepr.seq, b, now)) {
                    stats.drop(DropReason.ICMP4_NO_LISTENER);
                }
                return;
            case Icmpv4Packet.TYPE_DEST_UNREACHABLE:
                stats.inc(Counter.ICMP4_IN_DEST_UNREACHS);
                error(rx, p, now);
                return;
            case Icmpv4Packet.TYPE_TIME_EXCEEDED:
                stats.inc(Counter.ICMP4_IN_TIME_EXCDS);
                error(rx, p, now);
                return;
            default:
                stats.drop(DropReason.ICMP4_UNSUPPORTED);
        }
    }

    // ---------------------------------------------------------------- echo

    /**
     * RFC 792 echo reply: "the source and destination addresses are simply reversed, the type code changed to 0,
     * and the checksum recomputed" - incrementally (RFC 1624), in the request's buffer when the engine holds it
     * alone, so the payload is never copied.
     */
    private void echoReply(final IpRxInfo rx, final long now) {
        // RFC 1122 §3.2.2.6: "The IP source address in an ICMP Echo Reply MUST be the same as the
        // specific-destination address ... of the corresponding ICMP Echo Request message."
        final int r = engine.ipv4.route(IpAddr.v4Of(rx.srcLo), IpAddr.v4Of(rx.dstLo), null, replyRoute, now);
        if (r != NetError.OK) {
            stats.drop(DropReason.IP4_NO_ROUTE);
            return;
        }
        final ByteBuf buf = rx.buffer;
        final int off = rx.payloadOffset;
        final int len = rx.payloadLength;
        final ByteBuf seg;
        if (Engine.exclusive(buf)) {
            seg = buf.retain();
            seg.setIndex(off, off + len);
            stats.inc(Counter.ICMP4_OUT_ECHO_REPS_IN_PLACE);
        } else {
            seg = engine.allocTx(len);
            seg.writeBytes(buf, off, len);
        }
        final Icmpv4Packet o = outPkt.wrap(seg, seg.readerIndex(), len);
        o.setType(Icmpv4Packet.TYPE_ECHO_REPLY);
        o.setChecksum(Checksum.update(o.checksum(), Icmpv4Packet.TYPE_ECHO_REQUEST << 8,
                Icmpv4Packet.TYPE_ECHO_REPLY << 8));
        stats.inc(Counter.ICMP4_OUT_MSGS);
        stats.inc(Counter.ICMP4_OUT_ECHO_REPS);
        engine.ipv4.output(replyRoute, seg, IpProtocol.ICMP, engine.config.defaultTtl, rx.tos,
                Engine.PMTUDISC_DONT, now);
    }

    /**
     * Sends an echo request (the ping sockets' API): {@code seg} holds the ICMP message with a zero checksum field
     * already sized; type, code, id, seq and checksum are written here. Takes ownership.
     */
    int sendEcho(final Route route, final ByteBuf seg, final int ident, final int seq, final int ttl, final int tos,
                 final long now) {
        final int len = seg.readableBytes();
        outRepr.echo(true, ident, seq, len - Icmpv4Packet.HEADER_LEN)
                .emit(outPkt.wrap(seg, seg.readerIndex(), len));
        stats.inc(Counter.ICMP4_OUT_MSGS);
        stats.inc(Counter.ICMP4_OUT_ECHOS);
        return engine.ipv4.output(route, seg, IpProtocol.ICMP, ttl, tos, Engine.PMTUDISC_WANT, now);
    }

    // ---------------------------------------------------------------- errors received

    private void error(final IpRxInfo rx, final Icmpv4Packet p, final long now) {
        // RFC 792: the data is "Internet Header + 64 bits of Original Data Datagram"
        final ByteBuf buf = rx.buffer;
        final int qOff = p.dataOffset();
        final int qLen = p.dataLength();
        final Ipv4Packet q = quoted.wrap(buf, qOff, qLen);
        if (q.version() != 4 || q.headerLen() < Ipv4Packet.HEADER_LEN || qLen < q.headerLen() + 8) {
            stats.drop(DropReason.ICMP4_TRUNCATED);
            return;
        }
        final int osrc = q.src();
        if (!engine.isLocal4(osrc) && !Ipv4Addr.isLoopback(osrc)) {
            // we never sent it: a spoofed or misdirected error (RFC 5927 §4.1 validation)
            stats.drop(DropReason.ICMP4_ERROR_NOT_OURS);
            return;
        }
        final IcmpErrorInfo err = engine.icmpError;
        err.family = IpAddr.FAMILY_V4;
        err.type = inRepr.type;
        err.code = inRepr.code;
        err.kind = kind(inRepr.type, inRepr.code);
        err.mtu = 0;
        err.reporterHi = 0L;
        err.reporterLo = rx.srcLo;
        err.origSrcHi = 0L;
        err.origSrcLo = IpAddr.v4(osrc);
        err.origDstHi = 0L;
        err.origDstLo = IpAddr.v4(q.dst());
        err.origProtocol = q.protocol();
        err.buffer = buf;
        err.transportOffset = q.payloadOffset();
        err.transportLength = qLen - q.headerLen();
        if (err.kind == IcmpErrorInfo.FRAG_NEEDED) {
            err.mtu = pathMtu(q, inRepr.mtu, now);
        }
        if (err.origProtocol == IpProtocol.ICMP) {
            final int t = buf.getUnsignedByte(err.transportOffset);
            final IcmpEchoHandler h = engine.echoHandler;
            if (t == Icmpv4Packet.TYPE_ECHO_REQUEST && h != null) {
                h.echoError(err, buf.getUnsignedShort(err.transportOffset + Icmpv4Packet.IDENT),
                        buf.getUnsignedShort(err.transportOffset + Icmpv4Packet.SEQ), now);
            }
            return;
        }
        final IpProtocolHandler h = engine.protocol(err.origProtocol);
        if (h != null) {
            h.icmpError(err, now);
        }
    }

    /**
     * RFC 1191 §4: record the next-hop MTU for the destination; §5: a zero MTU (old router) means "use the next
     * plateau below the datagram's length". Clamped to the stack's minimum (Linux min_pmtu, RFC 5927 §7.1).
     *
     * @return the estimate now in force (for the error report)
     */
    private int pathMtu(final Ipv4Packet q, final int reported, final long now) {
        int m = reported;
        if (m == 0 || m >= q.totalLen()) {
            m = 0;
            for (int plateau : PLATEAUS) {
                if (plateau < q.totalLen()) {
                    m = plateau;
                    break;
                }
            }
        }
        if (m < engine.config.minPmtu) {
            m = engine.config.minPmtu;
        }
        final int dst = q.dst();
        final int r = engine.ipv4.route(dst, 0, null, mtuRoute, now);
        if (r != NetError.OK && r != NetError.EADDRNOTAVAIL) {
            return m;
        }
        if (m < mtuRoute.mtu && engine.pmtu.update(0L, IpAddr.v4(dst), m, now)) {
            stats.inc(Counter.PMTU_UPDATES);
            engine.routesChanged();
        }
        return Math.min(m, mtuRoute.mtu);
    }

    private static int kind(final int type, final int code) {
        if (type == Icmpv4Packet.TYPE_TIME_EXCEEDED) {
            return code == Icmpv4Packet.CODE_REASSEMBLY_EXCEEDED ? IcmpErrorInfo.REASSEMBLY_TIMEOUT
                    : IcmpErrorInfo.TTL_EXCEEDED;
        }
        switch (code) {
            case Icmpv4Packet.CODE_NET_UNREACHABLE:
            case 6: // network unknown
            case 11: // network unreachable for TOS
                return IcmpErrorInfo.NET_UNREACHABLE;
            case Icmpv4Packet.CODE_PROTO_UNREACHABLE:
                return IcmpErrorInfo.PROTOCOL_UNREACHABLE;
            case Icmpv4Packet.CODE_PORT_UNREACHABLE:
                return IcmpErrorInfo.PORT_UNREACHABLE;
            case Icmpv4Packet.CODE_FRAG_NEEDED:
                return IcmpErrorInfo.FRAG_NEEDED;
            case 9: // network administratively prohibited (RFC 1122)
            case 10: // host administratively prohibited
            case 13: // communication administratively prohibited (RFC 1812)
                return IcmpErrorInfo.ADMIN_PROHIBITED;
            default:
                return IcmpErrorInfo.HOST_UNREACHABLE;
        }
    }

    // ---------------------------------------------------------------- errors sent

    /**
     * Sends ICMP {@code type}/{@code code} about the IPv4 datagram {@code buf[ipOff, ipOff+ipLen)} to its source,
     * unless RFC 1122 §3.2.2 forbids it: "An ICMP error message MUST NOT be sent as the result of receiving: an ICMP
     * error message, or a datagram destined to an IP broadcast or IP multicast address, or a datagram sent as a
     * link-layer broadcast, or a non-initial fragment, or a datagram whose source address does not define a single
     * host" - or the rate limit says no (RFC 1812 §4.3.2.8).
     *
     * @param mtu     the next-hop MTU of a fragmentation-needed message, else 0
     * @param rxFlags the {@link IpRxInfo} flags of the offending datagram (0 for one we are sending)
     */
    void sendError(final int type, final int code, final int mtu, final ByteBuf buf, final int ipOff, final int ipLen,
                   final int rxFlags, final long now) {
        if ((rxFlags & (IpRxInfo.BROADCAST | IpRxInfo.MULTICAST | IpRxInfo.L2_GROUP)) != 0
                || ipLen < Ipv4Packet.HEADER_LEN) {
            return;
        }
        final Ipv4Packet q = errQuote.wrap(buf, ipOff, ipLen);
        final int src = q.src();
        final int dst = q.dst();
        if (q.fragOffset() != 0 || src == 0 || src == Ipv4Addr.BROADCAST || Ipv4Addr.isMulticast(src)
                || engine.isDirectedBroadcast4(src) || Ipv4Addr.isMulticast(dst) || dst == Ipv4Addr.BROADCAST) {
            return;
        }
        if (q.protocol() == IpProtocol.ICMP && q.headerLen() < ipLen && isError(buf.getUnsignedByte(q.payloadOffset()))) {
            return;
        }
        if (!engine.icmpBucket.tryAcquire(now)) {
            stats.drop(DropReason.ICMP4_RATE_LIMITED);
            return;
        }
        // Source: the offending datagram's destination if it was addressed to us (Linux icmp_send), else the one
        // the route back selects (the interface the error leaves by, RFC 1812 §4.3.2.4).
        final int esrc = engine.isLocal4(dst) ? dst : 0;
        if (engine.ipv4.route(src, esrc, null, errRoute, now) != NetError.OK) {
            return;
        }
        final int quote = Math.min(ipLen, MAX_ERROR_DATAGRAM - Ipv4Packet.HEADER_LEN - Icmpv4Packet.HEADER_LEN);
        final ByteBuf seg = engine.allocTx(Icmpv4Packet.HEADER_LEN + quote);
        final int at = seg.readerIndex();
        seg.writerIndex(at + Icmpv4Packet.HEADER_LEN);
        seg.writeBytes(buf, ipOff, quote);
        outRepr.error(type, code, mtu, quote).emit(outPkt.wrap(seg, at, Icmpv4Packet.HEADER_LEN + quote));
        stats.inc(Counter.ICMP4_OUT_MSGS);
        stats.inc(type == Icmpv4Packet.TYPE_TIME_EXCEEDED ? Counter.ICMP4_OUT_TIME_EXCDS
                : Counter.ICMP4_OUT_DEST_UNREACHS);
        engine.ipv4.output(errRoute, seg, IpProtocol.ICMP, engine.config.defaultTtl, ERROR_TOS, Engine.PMTUDISC_DONT,
                now);
    }

    /** Host unreachable about a packet whose next hop never answered ARP (reader index at its IPv4 header). */
    void sendErrorAboutQueued(final ByteBuf packet, final long now) {
        final int off = packet.readerIndex();
        final int len = packet.readableBytes();
        if (len < Ipv4Packet.HEADER_LEN) {
            return;
        }
        sendError(Icmpv4Packet.TYPE_DEST_UNREACHABLE, Icmpv4Packet.CODE_HOST_UNREACHABLE, 0, packet, off,
                Math.min(len, errQuote.wrap(packet, off, len).totalLen()), 0, now);
    }

    /** ICMP error types (RFC 1812 §4.3.2.7), and unknown types, which Linux also never answers. */
    private static boolean isError(final int type) {
        return type == Icmpv4Packet.TYPE_DEST_UNREACHABLE || type == 4 || type == 5
                || type == Icmpv4Packet.TYPE_TIME_EXCEEDED || type == 12 || type > 18;
    }
}
