package io.ioth.tcpip.iface;

import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.stats.StackStats;
import io.ioth.tcpip.wire.Checksum;
import io.ioth.tcpip.wire.ChecksumPolicy;
import io.ioth.tcpip.wire.Icmpv6Packet;
import io.ioth.tcpip.wire.Icmpv6Repr;
import io.ioth.tcpip.wire.IpProtocol;
import io.ioth.tcpip.wire.Ipv6Addr;
import io.ioth.tcpip.wire.Ipv6ExtHeaders;
import io.ioth.tcpip.wire.Ipv6Packet;
import io.ioth.tcpip.wire.MldPacket;
import io.ioth.tcpip.wire.WireError;
import io.netty.buffer.ByteBuf;

/**
 * ICMPv6 (RFC 4443): echo replies (in the request's buffer when nobody else holds it), errors received (packet too
 * big recorded per destination, RFC 8201; errors handed to the protocol that sent the quoted packet and to the ping
 * sockets), error generation with the §2.4 (e) suppression rules and the stack's token bucket (§2.4 (f); shared with
 * ICMPv4 as Linux's {@code icmp_global_allow} is). NDP messages go to {@link NdpLayer}, MLD ones to
 * {@link MldLayer}.
 *
 * <p>Not thread-safe: part of one engine, owner thread only.
 */
final class Icmpv6Layer {
    /** RFC 4443 §2.4 (c): an error carries "as much of invoking packet as possible without the ICMPv6 packet
     * exceeding the minimum IPv6 MTU" (1280): 1280 - 40 - 8 bytes of the invoking packet. */
    static final int MAX_QUOTE = Ipv6Layer.MIN_MTU - Ipv6Packet.HEADER_LEN - Icmpv6Packet.HEADER_LEN;

    private final Engine engine;
    private final StackStats stats;
    private final Icmpv6Packet inPkt = new Icmpv6Packet();
    private final Icmpv6Repr inRepr = new Icmpv6Repr();
    private final Ipv6Packet quoted = new Ipv6Packet();
    private final Ipv6ExtHeaders quotedExt = new Ipv6ExtHeaders();
    private final Icmpv6Packet outPkt = new Icmpv6Packet();
    private final Icmpv6Repr outRepr = new Icmpv6Repr();
    private final Ipv6Packet errQuote = new Ipv6Packet();
    private final Ipv6ExtHeaders errExt = new Ipv6ExtHeaders();
    private final Route replyRoute = new Route();
    private final Route errRoute = new Route();
    private final Route mtuRoute = new Route();

    Icmpv6Layer(final Engine engine) {
        this.engine = engine;
        this.stats = engine.stats;
    }

    void receive(final IpRxInfo rx, final long now) {
        stats.inc(Counter.ICMP6_IN_MSGS);
        final int len = rx.payloadLength;
        if (len < Icmpv6Packet.HEADER_LEN) {
            stats.drop(DropReason.ICMP6_TRUNCATED);
            return;
        }
        final Icmpv6Packet p = inPkt.wrap(rx.buffer, rx.payloadOffset, len);
        if (!p.verifyChecksum(rx.srcHi, rx.srcLo, rx.dstHi, rx.dstLo)) {
            stats.drop(DropReason.ICMP6_BAD_CHECKSUM); // RFC 4443 §2.3 (checked before anything else)
            return;
        }
        final int type = p.type();
        switch (type) {
            case MldPacket.TYPE_QUERY:
            case MldPacket.TYPE_V1_REPORT:
            case MldPacket.TYPE_V1_DONE:
            case MldPacket.TYPE_V2_REPORT:
                engine.mld.receive(rx, p, now);
                return;
            default:
                break;
        }
        final boolean ndp = Icmpv6Repr.isNdp(type);
        if (ndp) {
            if (rx.iface.loopback) {
                stats.drop(DropReason.NDP_INVALID); // NDP never crosses the loopback interface
                return;
            }
            // RFC 4861 §6.1.1, §6.1.2, §7.1.1, §7.1.2, §8.1: "The IP Hop Limit field has a value of 255, i.e., the
            // packet could not possibly have been forwarded by a router."
            if (rx.ttl != 255) {
                stats.drop(DropReason.NDP_BAD_HOP_LIMIT);
                return;
            }
        }
        final WireError e = inRepr.parse(p, rx.srcHi, rx.srcLo, rx.dstHi, rx.dstLo, ChecksumPolicy.IGNORE);
        if (!e.ok()) {
            if (type == Icmpv6Packet.TYPE_ROUTER_ADVERT) {
                stats.drop(DropReason.NDP_RA_MALFORMED); // RFC 4861 §6.1.2: code, length >= 16, option lengths
            } else if (ndp) {
                stats.drop(DropReason.NDP_INVALID);
            } else if (e == WireError.UNSUPPORTED && type < 128 && len >= Icmpv6Packet.HEADER_LEN
                    + Ipv6Packet.HEADER_LEN) {
                // RFC 4443 §2.4 (b): "If an ICMPv6 error message of unknown type is received at its destination,
                // it MUST be passed to the upper-layer process that originated the packet that caused the error"
                error(rx, p, now);
            } else {
                stats.drop(e == WireError.UNSUPPORTED ? DropReason.ICMP6_UNSUPPORTED : DropReason.ICMP6_TRUNCATED);
            }
            return;
        }
        switch (type) {
            case Icmpv6Packet.TYPE_ECHO_REQUEST:
                stats.inc(Counter.ICMP6_IN_ECHOS);
                echoReply(rx, p, now);
                return;
            case Icmpv6Packet.TYPE_ECHO_REPLY: {
                stats.inc(Counter.ICMP6_IN_ECHO_REPS);
                final IcmpEchoHandler h = engine.echoHandler;
                final ByteBuf b = rx.buffer;
                b.setIndex(p.dataOffset(), p.dataOffset() + p.dataLength());
                if (h == null || !h.echoReply(rx, inRepr.ident, inRepr.seq, b, now)) {
                    stats.drop(DropReason.ICMP6_NO_LISTENER);
                }
                return;
            }
            case Icmpv6Packet.TYPE_DEST_UNREACHABLE:
                stats.inc(Counter.ICMP6_IN_DEST_UNREACHS);
                error(rx, p, now);
                return;
            case Icmpv6Packet.TYPE_PACKET_TOO_BIG:
                stats.inc(Counter.ICMP6_IN_PKT_TOO_BIGS);
                error(rx, p, now);
                return;
            case Icmpv6Packet.TYPE_TIME_EXCEEDED:
                stats.inc(Counter.ICMP6_IN_TIME_EXCDS);
                error(rx, p, now);
                return;
            case Icmpv6Packet.TYPE_PARAM_PROBLEM:
                stats.inc(Counter.ICMP6_IN_PARM_PROBLEMS);
                error(rx, p, now);
                return;
            default:
                engine.ndp.receive(rx, inRepr, now); // RS, RA, NS, NA, redirect
        }
    }

    // ---------------------------------------------------------------- echo

    /**
     * RFC 4443 §4.2: the reply carries the request's identifier, sequence number and data. "The source address of
     * an Echo Reply sent in response to a unicast Echo Request message MUST be the same as the destination address
     * of that Echo Request message"; to a multicast request (answered, as Linux does by default,
     * icmpv6_echo_ignore_multicast=0; §4.1 "SHOULD") it is a unicast address of the receiving interface.
     */
    private void echoReply(final IpRxInfo rx, final Icmpv6Packet p, final long now) {
        final boolean group = rx.isGroupAddressed();
        final NetInterface oif = group || Ipv6Addr.isLinkLocal(rx.srcHi) ? rx.iface : null;
        final int r = engine.ipv6.route(rx.srcHi, rx.srcLo, group ? 0L : rx.dstHi, group ? 0L : rx.dstLo, oif,
                replyRoute, now);
        if (r != NetError.OK) {
            stats.drop(DropReason.IP6_NO_ROUTE);
            return;
        }
        final ByteBuf buf = rx.buffer;
        final int off = rx.payloadOffset;
        final int len = rx.payloadLength;
        final ByteBuf seg;
        if (Engine.exclusive(buf)) {
            seg = buf.retain();
            seg.setIndex(off, off + len);
            stats.inc(Counter.ICMP6_OUT_ECHO_REPS_IN_PLACE);
        } else {
            seg = engine.allocTx(len);
            seg.writeBytes(buf, off, len);
        }
        final Icmpv6Packet o = outPkt.wrap(seg, seg.readerIndex(), len);
        final int code = o.code();
        o.setType(Icmpv6Packet.TYPE_ECHO_REPLY);
        if (!group) {
            // the pseudo-header sum does not change when source and destination swap: RFC 1624 update of the type
            o.setChecksum(Checksum.update(o.checksum(), Icmpv6Packet.TYPE_ECHO_REQUEST << 8 | code,
                    Icmpv6Packet.TYPE_ECHO_REPLY << 8 | code));
        } else {
            o.fillChecksum(replyRoute.srcHi, replyRoute.srcLo, replyRoute.dstHi, replyRoute.dstLo);
        }
        stats.inc(Counter.ICMP6_OUT_MSGS);
        stats.inc(Counter.ICMP6_OUT_ECHO_REPS);
        // Linux icmpv6_echo_reply keeps the request's traffic class
        engine.ipv6.output(replyRoute, seg, IpProtocol.ICMPV6, engine.config.defaultTtl, rx.tos,
                Engine.PMTUDISC_WANT, now);
    }

    /**
     * Sends an echo request (the ping sockets): {@code seg} holds the message, header space included; type, id, seq
     * and checksum are written here. Takes ownership.
     */
    int sendEcho(final Route route, final ByteBuf seg, final int ident, final int seq, final int hopLimit,
                 final int trafficClass, final long now) {
        final int len = seg.readableBytes();
        outRepr.echo(true, ident, seq, len - Icmpv6Packet.HEADER_LEN).emit(outPkt.wrap(seg, seg.readerIndex(), len),
                route.srcHi, route.srcLo, route.dstHi, route.dstLo);
        stats.inc(Counter.ICMP6_OUT_MSGS);
        stats.inc(Counter.ICMP6_OUT_ECHOS);
        return engine.ipv6.output(route, seg, IpProtocol.ICMPV6, hopLimit, trafficClass, Engine.PMTUDISC_WANT, now);
    }

    // ---------------------------------------------------------------- errors received

    private void error(final IpRxInfo rx, final Icmpv6Packet p, final long now) {
        final ByteBuf buf = rx.buffer;
        final int qOff = p.offset() + Icmpv6Packet.HEADER_LEN;
        final int qLen = p.length() - Icmpv6Packet.HEADER_LEN;
        final Ipv6Packet q = quoted.wrap(buf, qOff, qLen);
        if (qLen < Ipv6Packet.HEADER_LEN || q.version() != 6) {
            stats.drop(DropReason.ICMP6_TRUNCATED);
            return;
        }
        final long osHi = q.srcHi();
        final long osLo = q.srcLo();
        if (engine.localState6(osHi, osLo, null) < 0) {
            // we never sent it: a spoofed or misdirected error (RFC 5927 §4.1; RFC 4443 §5.2)
            stats.drop(DropReason.ICMP6_ERROR_NOT_OURS);
            return;
        }
        final int type = p.type();
        final int code = p.code();
        final IcmpErrorInfo err = engine.icmpError;
        err.family = IpAddr.FAMILY_V6;
        err.type = type;
        err.code = code;
        err.kind = kind(type, code);
        err.mtu = 0;
        err.reporterHi = rx.srcHi;
        err.reporterLo = rx.srcLo;
        err.origSrcHi = osHi;
        err.origSrcLo = osLo;
        err.origDstHi = q.dstHi();
        err.origDstLo = q.dstLo();
        if (err.kind == IcmpErrorInfo.FRAG_NEEDED) {
            err.mtu = pathMtu(err.origDstHi, err.origDstLo, p.mtu(), now);
        }
        // the quoted packet may be cut short (RFC 4443 §2.4 (c)): walk what is there to the transport header
        final Ipv6ExtHeaders x = quotedExt;
        final WireError w = x.walk(buf, qOff + Ipv6Packet.HEADER_LEN,
                Math.min(q.payloadLen(), qLen - Ipv6Packet.HEADER_LEN), q.nextHeader());
        if (!w.ok() || (x.hasFragmentHeader && x.fragOffset != 0) || x.upperLength < 4) {
            return; // no transport header to match a socket with (the path MTU is recorded anyway)
        }
        err.origProtocol = x.upperProtocol;
        err.buffer = buf;
        err.transportOffset = x.upperOffset;
        err.transportLength = x.upperLength;
        if (err.origProtocol == IpProtocol.ICMPV6) {
            final IcmpEchoHandler h = engine.echoHandler;
            if (h != null && x.upperLength >= Icmpv6Packet.HEADER_LEN
                    && buf.getUnsignedByte(x.upperOffset) == Icmpv6Packet.TYPE_ECHO_REQUEST) {
                h.echoError(err, buf.getUnsignedShort(x.upperOffset + Icmpv6Packet.IDENT),
                        buf.getUnsignedShort(x.upperOffset + Icmpv6Packet.SEQ), now);
            }
            return;
        }
        final IpProtocolHandler h = Ipv6ExtHeaders.isExtension(err.origProtocol) ? null
                : engine.protocol(err.origProtocol);
        if (h != null) {
            h.icmpError(err, now);
        }
    }

    /**
     * RFC 8201 §4: record the Packet Too Big MTU for the destination; "A node MUST NOT increase its estimate of the
     * Path MTU in response to the contents of a Packet Too Big message" (the cache keeps the lower value) and "MUST
     * NOT reduce its estimate of the Path MTU below the IPv6 minimum link MTU" (a smaller report is raised to 1280;
     * no atomic fragments, RFC 8021).
     *
     * @return the estimate now in force
     */
    private int pathMtu(final long dHi, final long dLo, final long reported, final long now) {
        final int m = (int) Math.max(Ipv6Layer.MIN_MTU, Math.min(reported, Integer.MAX_VALUE));
        final int r = engine.ipv6.route(dHi, dLo, 0L, 0L, null, mtuRoute, now);
        if (r != NetError.OK && r != NetError.EADDRNOTAVAIL) {
            return m;
        }
        if (m < mtuRoute.mtu && engine.pmtu.update(dHi, dLo, m, now)) {
            stats.inc(Counter.PMTU_UPDATES);
            engine.routesChanged();
        }
        return Math.min(m, mtuRoute.mtu);
    }

    /** Linux {@code icmpv6_err_convert}, normalised to {@link IcmpErrorInfo} kinds. */
    private static int kind(final int type, final int code) {
        switch (type) {
            case Icmpv6Packet.TYPE_DEST_UNREACHABLE:
                switch (code) {
                    case Icmpv6Packet.CODE_NO_ROUTE:
                        return IcmpErrorInfo.NET_UNREACHABLE;
                    case 1: // communication administratively prohibited
                    case 5: // source address failed ingress/egress policy (RFC 4443 §3.1)
                    case 6: // reject route to destination
                        return IcmpErrorInfo.ADMIN_PROHIBITED;
                    case Icmpv6Packet.CODE_PORT_UNREACHABLE:
                        return IcmpErrorInfo.PORT_UNREACHABLE;
                    default: // 2 beyond scope of source address, 3 address unreachable
                        return IcmpErrorInfo.HOST_UNREACHABLE;
                }
            case Icmpv6Packet.TYPE_PACKET_TOO_BIG:
                return IcmpErrorInfo.FRAG_NEEDED;
            case Icmpv6Packet.TYPE_TIME_EXCEEDED:
                return code == 1 ? IcmpErrorInfo.REASSEMBLY_TIMEOUT : IcmpErrorInfo.TTL_EXCEEDED;
            default:
                return IcmpErrorInfo.OTHER; // parameter problem, unknown error types
        }
    }

    // ---------------------------------------------------------------- errors sent

    /**
     * Sends ICMPv6 {@code type}/{@code code} about the IPv6 packet {@code buf[ipOff, ipOff+ipLen)} to its source,
     * unless RFC 4443 §2.4 (e) forbids it - "An ICMPv6 error message MUST NOT be originated as a result of receiving
     * ... (e.1) An ICMPv6 error message. (e.2) An ICMPv6 Redirect message. (e.3) A packet destined to an IPv6
     * multicast address ... (e.4) A packet sent as a link-layer multicast ... (e.5) ... link-layer broadcast ...
     * (e.6) A packet whose source address does not uniquely identify a single node" - or the rate limit (§2.4 (f))
     * says no.
     *
     * @param param       the MTU of a Packet Too Big, the pointer of a Parameter Problem, else 0
     * @param rxFlags     the {@link IpRxInfo} flags of the offending packet (0 for one we are sending)
     * @param groupExempt the two exceptions of (e.3)-(e.5): Packet Too Big, and Parameter Problem code 2 for an
     *                    unrecognised option whose action bits are 10
     * @param inIf        the interface the offending packet arrived on (for link-local sources), or null
     */
    void sendError(final int type, final int code, final int param, final ByteBuf buf, final int ipOff,
                   final int ipLen, final int rxFlags, final boolean groupExempt, final NetInterface inIf,
                   final long now) {
        if (ipLen < Ipv6Packet.HEADER_LEN) {
            return;
        }
        final Ipv6Packet q = errQuote.wrap(buf, ipOff, ipLen);
        final long sHi = q.srcHi();
        final long sLo = q.srcLo();
        final long dHi = q.dstHi();
        final long dLo = q.dstLo();
        if ((sHi == 0 && sLo == 0) || Ipv6Addr.isMulticast(sHi) || IpAddr.isV4(sHi, sLo)) {
            return; // (e.6)
        }
        if (!groupExempt && ((rxFlags & (IpRxInfo.MULTICAST | IpRxInfo.L2_GROUP)) != 0 || Ipv6Addr.isMulticast(dHi))) {
            return; // (e.3) - (e.5)
        }
        final Ipv6ExtHeaders x = errExt;
        final WireError w = x.walk(buf, ipOff + Ipv6Packet.HEADER_LEN,
                Math.min(q.payloadLen(), ipLen - Ipv6Packet.HEADER_LEN), q.nextHeader());
        if (w.ok() && x.upperProtocol == IpProtocol.ICMPV6 && x.upperLength > 0
                && !(x.hasFragmentHeader && x.fragOffset != 0)) {
            final int t = buf.getUnsignedByte(x.upperOffset);
            if (t < 128 || t == Icmpv6Packet.TYPE_REDIRECT) {
                return; // (e.1), (e.2)
            }
        }
        if (!engine.icmpBucket.tryAcquire(now)) {
            stats.drop(DropReason.ICMP6_RATE_LIMITED);
            return;
        }
        // RFC 4443 §2.2: the offending packet's destination if it was one of our unicast addresses, else an address
        // chosen by source selection (the interface the error leaves by)
        final boolean toUs = !Ipv6Addr.isMulticast(dHi)
                && engine.localState6(dHi, dLo, inIf) == NetInterface.V6_PREFERRED;
        final NetInterface oif = Ipv6Addr.isLinkLocal(sHi) || !toUs ? inIf : null;
        if (engine.ipv6.route(sHi, sLo, toUs ? dHi : 0L, toUs ? dLo : 0L, oif != null && oif.loopback ? null : oif,
                errRoute, now) != NetError.OK) {
            return;
        }
        final int quote = Math.min(ipLen, MAX_QUOTE);
        final int len = Icmpv6Packet.HEADER_LEN + quote;
        final ByteBuf seg = engine.allocTx(len);
        final int at = seg.readerIndex();
        seg.writerIndex(at + Icmpv6Packet.HEADER_LEN);
        seg.writeBytes(buf, ipOff, quote);
        final Icmpv6Repr m = outRepr.clear();
        m.type = type;
        m.code = code;
        m.mtu = param & 0xffff_ffffL;
        m.dataLen = quote;
        m.emit(outPkt.wrap(seg, at, len), errRoute.srcHi, errRoute.srcLo, errRoute.dstHi, errRoute.dstLo);
        stats.inc(Counter.ICMP6_OUT_MSGS);
        switch (type) {
            case Icmpv6Packet.TYPE_DEST_UNREACHABLE:
                stats.inc(Counter.ICMP6_OUT_DEST_UNREACHS);
                break;
            case Icmpv6Packet.TYPE_PACKET_TOO_BIG:
                stats.inc(Counter.ICMP6_OUT_PKT_TOO_BIGS);
                break;
            case Icmpv6Packet.TYPE_TIME_EXCEEDED:
                stats.inc(Counter.ICMP6_OUT_TIME_EXCDS);
                break;
            default:
                stats.inc(Counter.ICMP6_OUT_PARM_PROBLEMS);
                break;
        }
        engine.ipv6.output(errRoute, seg, IpProtocol.ICMPV6, engine.config.defaultTtl, 0, Engine.PMTUDISC_WANT, now);
    }

    /**
     * RFC 4861 §7.2.2: when resolution fails, "an ICMP destination unreachable indication with code 3 (Address
     * Unreachable) SHOULD be generated" for each queued packet (reader index at its IPv6 header).
     */
    void sendErrorAboutQueued(final ByteBuf packet, final long now) {
        final int off = packet.readerIndex();
        final int len = packet.readableBytes();
        if (len < Ipv6Packet.HEADER_LEN) {
            return;
        }
        final int total = Math.min(len, Ipv6Packet.HEADER_LEN + errQuote.wrap(packet, off, len).payloadLen());
        sendError(Icmpv6Packet.TYPE_DEST_UNREACHABLE, Icmpv6Packet.CODE_ADDR_UNREACHABLE, 0, packet, off, total, 0,
                false, null, now);
    }
}
