package io.ioth.tcpip.iface;

import io.ioth.tcpip.frag.Fragmenter;
import io.ioth.tcpip.frag.Reassembler;
import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.stats.StackStats;
import io.ioth.tcpip.wire.EtherType;
import io.ioth.tcpip.wire.Icmpv6Packet;
import io.ioth.tcpip.wire.IpProtocol;
import io.ioth.tcpip.wire.Ipv6Addr;
import io.ioth.tcpip.wire.Ipv6ExtHeaders;
import io.ioth.tcpip.wire.Ipv6Options;
import io.ioth.tcpip.wire.Ipv6Packet;
import io.ioth.tcpip.wire.Ipv6Repr;
import io.ioth.tcpip.wire.MacAddr;
import io.ioth.tcpip.wire.WireError;
import io.netty.buffer.ByteBuf;

/**
 * IPv6 (RFC 8200): input checks and local delivery with extension-header processing, forwarding (§5: no
 * fragmentation in transit), route lookup with source address selection (RFC 6724, simplified), output with
 * fragmentation at the source, neighbour resolution through NDP.
 *
 * <pre>
 * receive: parse (version, payload length) -> martian source / destination? -> multicast joined / ours (not
 *          tentative)?  yes: headers in order: hop-by-hop (first only) / destination options (option action bits)
 *                            / routing (Segments Left 0 only) / fragment (reassemble, then again) / 59 (nothing)
 *                            / ICMPv6 | registered protocol | else parameter problem code 1
 *                       no:  forwarding on? -> forward (hop-by-hop, scope, hop limit, route, MTU) : drop
 * output:  header in place before the segment -> larger than the path MTU? fragment (RFC 8200 §4.5) ->
 *          dispatch (loopback | multicast 33:33:xx | neighbour cache: MAC known -> Ethernet, else queued until NDP
 *          answers)
 * </pre>
 *
 * <p>Not thread-safe: part of one engine, owner thread only.
 */
final class Ipv6Layer {
    /** RFC 8200 §5: "IPv6 requires that every link in the Internet have an MTU of 1280 octets or greater". */
    static final int MIN_MTU = 1280;

    private final Engine engine;
    private final StackStats stats;
    private final Ipv6Packet inPkt = new Ipv6Packet();
    private final Ipv6Repr inRepr = new Ipv6Repr();
    private final Ipv6Packet outPkt = new Ipv6Packet();
    private final Ipv6Repr outRepr = new Ipv6Repr();
    private final Ipv6Packet fwdPkt = new Ipv6Packet();
    private final Ipv6Options opts = new Ipv6Options();
    private final Route fwdRoute = new Route();
    private final FragmentSink fragSink = new FragmentSink();

    /** The interface and flags of the packet being offered to the reassembler, for its parameter-problem
     * callback (which has neither). */
    NetInterface reassemblyIf;
    int reassemblyFlags;

    Ipv6Layer(final Engine engine) {
        this.engine = engine;
        this.stats = engine.stats;
    }

    // ================================================================ input

    /** An IPv6 packet in {@code buf[off, off+len)} (len may include Ethernet padding). Borrowed. */
    void receive(final NetInterface ifc, final ByteBuf buf, final int off, final int len, final int l2,
                 final long srcMac, final long now) {
        stats.inc(Counter.IP6_IN_RECEIVES);
        final Ipv6Packet p = inPkt.wrap(buf, off, len);
        final WireError err = inRepr.parse(p);
        if (!err.ok()) {
            stats.drop(err == WireError.BAD_VERSION ? DropReason.IP6_BAD_VERSION : DropReason.IP6_TRUNCATED);
            return;
        }
        final long sHi = inRepr.srcHi;
        final long sLo = inRepr.srcLo;
        final long dHi = inRepr.dstHi;
        final long dLo = inRepr.dstLo;
        if (isMartianSource(ifc, sHi, sLo)) {
            stats.drop(DropReason.IP6_MARTIAN_SRC);
            return;
        }
        if (isMartianDestination(ifc, dHi, dLo)) {
            stats.drop(DropReason.IP6_MARTIAN_DST);
            return;
        }
        // RFC 8200 §3 leaves the hop limit to forwarding nodes: no check on local delivery (Linux does none).
        int flags = l2 | (ifc.loopback ? IpRxInfo.LOOPBACK : 0);
        final int total = Ipv6Packet.HEADER_LEN + inRepr.payloadLen;
        if (Ipv6Addr.isMulticast(dHi)) {
            if (!ifc.loopback && !ifc.isMemberIpv6(dHi, dLo)) {
                stats.drop(DropReason.IP6_MULTICAST_NOT_JOINED);
                return;
            }
            flags |= IpRxInfo.MULTICAST;
            stats.inc(Counter.IP6_IN_MCAST);
        } else {
            // Unicast in a link-layer multicast frame is accepted, as Linux does by default
            // (drop_unicast_in_l2_multicast=0): RFC 8200 and RFC 4861 do not ask for the drop RFC 1122 §3.3.6 asks
            // of IPv4.
            final int st = engine.localState6(dHi, dLo, ifc);
            if (st == NetInterface.V6_TENTATIVE) {
                // RFC 4862 §5.4: "the node MUST silently discard any packet destined to a tentative address other
                // than Neighbor Solicitation/Advertisement" - and those are multicast to the solicited-node group.
                stats.drop(DropReason.IP6_TENTATIVE_DST);
                return;
            }
            if (st != NetInterface.V6_PREFERRED) {
                if (!engine.forwarding || ifc.loopback) {
                    stats.drop(DropReason.IP6_NOT_FOR_US);
                    return;
                }
                forward(ifc, buf, off, total, flags, now);
                return;
            }
        }
        deliver(ifc, buf, off, total, flags, srcMac, now);
    }

    /**
     * Linux {@code ip6_rcv_core} with RFC 4291: a multicast source (§2.7 "must not be used as source addresses"),
     * ::1 off the loopback interface (§2.5.3 "must not be used as the source address in IPv6 packets that are sent
     * outside of a single node"), an IPv4-mapped source (§2.5.5.2; Linux drops it since 4.14, and this engine would
     * take it for IPv4). The unspecified source is legal for DAD and MLD; {@link #deliver} refuses it for the other
     * protocols.
     */
    private static boolean isMartianSource(final NetInterface ifc, final long hi, final long lo) {
        return Ipv6Addr.isMulticast(hi) || IpAddr.isV4(hi, lo) || (!ifc.loopback && Ipv6Addr.isLoopback(hi, lo));
    }

    /**
     * RFC 4291 §2.5.3: "A packet received on an interface with a destination address of loopback must be dropped";
     * §2.7: multicast with the reserved scope 0 "must be silently dropped"; erratum 3480: interface-local scope
     * "received from another node must be discarded". The unspecified and IPv4-mapped addresses are never
     * destinations.
     */
    private static boolean isMartianDestination(final NetInterface ifc, final long hi, final long lo) {
        if ((hi == 0 && lo == 0) || IpAddr.isV4(hi, lo)) {
            return true;
        }
        if (Ipv6Addr.isMulticast(hi)) {
            final int scope = scope(hi);
            return scope == 0 || (scope == 1 && !ifc.loopback);
        }
        return !ifc.loopback && Ipv6Addr.isLoopback(hi, lo);
    }

    /** The scope field of a multicast address (RFC 4291 §2.7). */
    static int scope(final long hi) {
        return (int) (hi >>> 48) & 0xf;
    }

    /**
     * Processes the extension headers in the order they come (RFC 8200 §4.1: "Extension headers ... are processed
     * strictly in the order they appear in the packet") and hands the upper-layer message over.
     */
    private void deliver(final NetInterface ifc, final ByteBuf buf, final int off, final int total, final int flags,
                         final long srcMac, final long now) {
        final Ipv6Packet p = inPkt.wrap(buf, off, total);
        final boolean mcastDst = Ipv6Addr.isMulticast(p.dstHi());
        final int end = off + total;
        int nh = p.nextHeader();
        int nhField = off + Ipv6Packet.NEXT_HEADER; // where the current Next Header value was read (the pointer)
        int pos = off + Ipv6Packet.HEADER_LEN;
        for (int headers = 0; Ipv6ExtHeaders.isExtension(nh) || nh == IpProtocol.IPV6_NO_NEXT; headers++) {
            if (headers == Ipv6ExtHeaders.MAX_HEADERS) {
                stats.drop(DropReason.IP6_BAD_EXT_HEADER);
                return;
            }
            switch (nh) {
                case IpProtocol.HOP_BY_HOP:
                case IpProtocol.IPV6_DEST_OPTS: {
                    if (nh == IpProtocol.HOP_BY_HOP && pos != off + Ipv6Packet.HEADER_LEN) {
                        // RFC 8200 §4.1: hop-by-hop "is restricted to appear immediately after an IPv6 header";
                        // elsewhere it is an unrecognised Next Header (Linux ip6_input_finish does the same).
                        unknownNextHeader(ifc, buf, off, total, nhField, flags, now);
                        return;
                    }
                    final int hl = options(ifc, buf, off, total, pos, mcastDst, flags, now);
                    if (hl < 0) {
                        return;
                    }
                    nhField = pos;
                    nh = buf.getUnsignedByte(pos);
                    pos += hl;
                    break;
                }
                case IpProtocol.IPV6_ROUTING: {
                    if (end - pos < 8 || end - pos < (buf.getUnsignedByte(pos + 1) + 1) * 8) {
                        stats.drop(DropReason.IP6_BAD_EXT_HEADER);
                        return;
                    }
                    if (buf.getUnsignedByte(pos + 3) != 0) {
                        // RFC 8200 §4.4: "If Segments Left is non-zero, the node must discard the packet and send an
                        // ICMP Parameter Problem, Code 0, message to the packet's Source Address, pointing to the
                        // unrecognized Routing Type" - we recognise none (type 0 is deprecated, RFC 5095 §3).
                        stats.drop(DropReason.IP6_UNKNOWN_ROUTING);
                        engine.icmp6.sendError(Icmpv6Packet.TYPE_PARAM_PROBLEM, 0, pos + 2 - off, buf, off, total,
                                flags, false, ifc, now);
                        return;
                    }
                    // "If Segments Left is zero, the node must ignore the Routing header and proceed to process the
                    // next header in the packet"
                    nhField = pos;
                    nh = buf.getUnsignedByte(pos);
                    pos += (buf.getUnsignedByte(pos + 1) + 1) * 8;
                    break;
                }
                case IpProtocol.IPV6_FRAGMENT:
                    if ((flags & IpRxInfo.REASSEMBLED) != 0) {
                        stats.drop(DropReason.IP6_BAD_EXT_HEADER); // a second Fragment header (RFC 8200 §4.1)
                    } else {
                        reassemble(ifc, buf, off, total, flags, srcMac, now);
                    }
                    return;
                case IpProtocol.IPV6_NO_NEXT:
                    // RFC 8200 §4.7: "there is nothing following that header"
                    stats.drop(DropReason.IP6_NO_NEXT_HEADER);
                    return;
                default:
                    // AH (51): no IPsec here, so it is as unrecognised as any unknown header (Linux without xfrm)
                    unknownNextHeader(ifc, buf, off, total, nhField, flags, now);
                    return;
            }
        }
        final long sHi = p.srcHi();
        final long sLo = p.srcLo();
        if (nh != IpProtocol.ICMPV6 && sHi == 0 && sLo == 0) {
            // RFC 4291 §2.5.2: "The unspecified address must not be used as the destination address ... or in IPv6
            // Routing headers"; as a source it only appears in DAD and MLD (ICMPv6).
            stats.drop(DropReason.IP6_MARTIAN_SRC);
            return;
        }
        final IpRxInfo rx = engine.rx;
        rx.family = IpAddr.FAMILY_V6;
        rx.srcHi = sHi;
        rx.srcLo = sLo;
        rx.dstHi = p.dstHi();
        rx.dstLo = p.dstLo();
        rx.protocol = nh;
        rx.ttl = p.hopLimit();
        rx.tos = p.trafficClass();
        rx.flags = flags;
        rx.iface = ifc;
        rx.srcMac = srcMac;
        rx.buffer = buf;
        rx.ipOffset = off;
        rx.ipHeaderLength = pos - off;
        rx.payloadOffset = pos;
        rx.payloadLength = end - pos;
        if (nh == IpProtocol.ICMPV6) {
            stats.inc(Counter.IP6_IN_DELIVERS);
            engine.icmp6.receive(rx, now);
            return;
        }
        final IpProtocolHandler h = engine.protocol(nh);
        if (h == null) {
            unknownNextHeader(ifc, buf, off, total, nhField, flags, now);
            return;
        }
        stats.inc(Counter.IP6_IN_DELIVERS);
        buf.setIndex(pos, end);
        h.receive(rx, buf, now);
    }

    /**
     * RFC 8200 §4: "If ... the Next Header value in the current header is unrecognized by the node, it should
     * discard the packet and send an ICMP Parameter Problem message to the source of the packet, with an ICMP Code
     * value of 1 ("unrecognized Next Header type encountered") and the ICMP Pointer field containing the offset of
     * the unrecognized value within the original packet." (IPv6 has no "protocol unreachable".)
     */
    private void unknownNextHeader(final NetInterface ifc, final ByteBuf buf, final int off, final int total,
                                   final int nhField, final int flags, final long now) {
        stats.drop(DropReason.IP6_UNKNOWN_NEXT_HEADER);
        engine.icmp6.sendError(Icmpv6Packet.TYPE_PARAM_PROBLEM, 1, nhField - off, buf, off, total, flags, false, ifc,
                now);
    }

    /**
     * Checks the options of the Hop-by-Hop or Destination Options header at {@code pos} (RFC 8200 §4.2): Pad1, PadN
     * and Router Alert (RFC 2711) are understood; an unknown option is handled by its two highest-order bits.
     *
     * @return the header's length, or -1 if the packet was dropped (and answered when the action says so)
     */
    private int options(final NetInterface ifc, final ByteBuf buf, final int off, final int total, final int pos,
                        final boolean mcastDst, final int flags, final long now) {
        final int end = off + total;
        if (end - pos < 8 || end - pos < Ipv6Options.headerLength(buf, pos)) {
            stats.drop(DropReason.IP6_BAD_EXT_HEADER);
            return -1;
        }
        final Ipv6Options o = opts.reset(buf, pos);
        while (o.next()) {
            final int type = o.type();
            if (type == Ipv6Options.PAD1 || type == Ipv6Options.PADN) {
                continue;
            }
            if (type == Ipv6Options.ROUTER_ALERT) {
                if (o.dataLength() != 2) {
                    stats.drop(DropReason.IP6_BAD_EXT_HEADER); // RFC 2711 §2.1: Opt Data Len = 2 (Linux ipv6_hop_ra)
                    return -1;
                }
                continue; // a host has nothing to do with it; MLD messages carry it
            }
            switch (Ipv6Options.action(type)) {
                case Ipv6Options.ACTION_SKIP:
                    continue;
                case Ipv6Options.ACTION_DISCARD:
                    stats.drop(DropReason.IP6_UNKNOWN_OPTION);
                    return -1;
                case Ipv6Options.ACTION_DISCARD_ICMP:
                    // "regardless of whether or not the packet's Destination Address was a multicast address"
                    // (RFC 4443 §2.4 (e.3) lists it as an exception)
                    stats.drop(DropReason.IP6_UNKNOWN_OPTION);
                    engine.icmp6.sendError(Icmpv6Packet.TYPE_PARAM_PROBLEM, 2, o.offset() - off, buf, off, total,
                            flags, true, ifc, now);
                    return -1;
                default: // ACTION_DISCARD_ICMP_UNICAST: "only if the packet's Destination Address was not multicast"
                    stats.drop(DropReason.IP6_UNKNOWN_OPTION);
                    if (!mcastDst) {
                        engine.icmp6.sendError(Icmpv6Packet.TYPE_PARAM_PROBLEM, 2, o.offset() - off, buf, off,
                                total, flags, false, ifc, now);
                    }
                    return -1;
            }
        }
        if (!o.error().ok()) {
            stats.drop(DropReason.IP6_BAD_EXT_HEADER);
            return -1;
        }
        return Ipv6Options.headerLength(buf, pos);
    }

    private void reassemble(final NetInterface ifc, final ByteBuf buf, final int off, final int total,
                            final int flags, final long srcMac, final long now) {
        stats.inc(Counter.IP6_REASM_REQDS);
        final long refusedBefore = refused();
        reassemblyIf = ifc;
        reassemblyFlags = flags;
        final ByteBuf whole;
        try {
            whole = engine.reassembler.acceptV6(buf, off, total, now);
        } finally {
            reassemblyIf = null;
        }
        if (whole == null) {
            if (refused() != refusedBefore) {
                stats.drop(DropReason.IP6_FRAGMENT_REFUSED);
            }
            return;
        }
        stats.inc(Counter.IP6_REASM_OKS);
        try {
            // the reassembled packet has no Fragment header: its headers are processed again from the start
            deliver(ifc, whole, whole.readerIndex(), whole.readableBytes(), flags | IpRxInfo.REASSEMBLED, srcMac,
                    now);
        } finally {
            whole.release();
        }
    }

    /** Fragments the reassembler refused so far, whatever the reason (its own counters tell which). */
    private long refused() {
        final Reassembler r = engine.reassembler;
        return r.counter(Reassembler.Counter.OVERLAP) + r.counter(Reassembler.Counter.BAD_LENGTH)
                + r.counter(Reassembler.Counter.TOO_BIG) + r.counter(Reassembler.Counter.EMPTY)
                + r.counter(Reassembler.Counter.INCONSISTENT_END) + r.counter(Reassembler.Counter.TOO_MANY_FRAGMENTS)
                + r.counter(Reassembler.Counter.ECN_INVALID) + r.counter(Reassembler.Counter.MALFORMED)
                + r.counter(Reassembler.Counter.MEMORY_DROP) + r.counter(Reassembler.Counter.DUPLICATE)
                + r.counter(Reassembler.Counter.INCOMPLETE_CHAIN);
    }

    // ================================================================ forwarding (RFC 8200 §3, §5)

    /** {@link #inRepr} holds the parsed header of {@code buf[off..]}. */
    private void forward(final NetInterface ifc, final ByteBuf buf, final int off, final int total, final int flags,
                         final long now) {
        final long sHi = inRepr.srcHi;
        final long sLo = inRepr.srcLo;
        final long dHi = inRepr.dstHi;
        final long dLo = inRepr.dstLo;
        // RFC 4291 §2.5.6: "Routers must not forward any packets with Link-Local source or destination addresses to
        // other links"; no multicast routing here; :: never leaves its link; Linux ip6_forward also refuses frames
        // that were not addressed to our MAC ("skb->pkt_type != PACKET_HOST").
        if (Ipv6Addr.isLinkLocal(dHi) || (sHi == 0 && sLo == 0) || (flags & IpRxInfo.L2_GROUP) != 0) {
            stats.drop(DropReason.IP6_NOT_FORWARDABLE);
            return;
        }
        // RFC 8200 §4.3: the Hop-by-Hop Options header "is examined and processed by every node along a packet's
        // delivery path"
        if (inRepr.nextHeader == IpProtocol.HOP_BY_HOP
                && options(ifc, buf, off, total, off + Ipv6Packet.HEADER_LEN, false, flags, now) < 0) {
            return;
        }
        if (Ipv6Addr.isLinkLocal(sHi)) {
            // RFC 4443 §3.1: code 2 "beyond scope of source address"
            stats.drop(DropReason.IP6_NOT_FORWARDABLE);
            engine.icmp6.sendError(Icmpv6Packet.TYPE_DEST_UNREACHABLE, 2, 0, buf, off, total, flags, false, ifc, now);
            return;
        }
        // RFC 8200 §3 Hop Limit: "Decremented by 1 by each node that forwards the packet. ... the packet is discarded
        // if Hop Limit was zero when received or is decremented to zero"; RFC 4443 §3.3 time exceeded code 0.
        if (inRepr.hopLimit <= 1) {
            stats.drop(DropReason.IP6_HOP_LIMIT_EXCEEDED);
            engine.icmp6.sendError(Icmpv6Packet.TYPE_TIME_EXCEEDED, 0, 0, buf, off, total, flags, false, ifc, now);
            return;
        }
        final int r = route(dHi, dLo, 0L, 0L, null, fwdRoute, now);
        if ((r != NetError.OK && r != NetError.EADDRNOTAVAIL) || fwdRoute.isLocal()) {
            stats.drop(DropReason.IP6_NO_ROUTE);
            engine.icmp6.sendError(Icmpv6Packet.TYPE_DEST_UNREACHABLE, Icmpv6Packet.CODE_NO_ROUTE, 0, buf, off,
                    total, flags, false, ifc, now);
            return;
        }
        if (total > fwdRoute.mtu) {
            // RFC 8200 §5: fragmentation only at the source; RFC 4443 §3.2: Packet Too Big with the next-hop MTU,
            // sent even about multicast (§2.4 (e.3) exception 1).
            stats.drop(DropReason.IP6_PACKET_TOO_BIG);
            engine.icmp6.sendError(Icmpv6Packet.TYPE_PACKET_TOO_BIG, 0, fwdRoute.mtu, buf, off, total, flags, true,
                    ifc, now);
            return;
        }
        ByteBuf out;
        int o;
        if (Engine.exclusive(buf)) {
            out = buf.retain();
            o = off;
        } else {
            out = engine.alloc.directBuffer(Engine.HEADROOM + total);
            out.setIndex(Engine.HEADROOM, Engine.HEADROOM);
            out.writeBytes(buf, off, total);
            o = Engine.HEADROOM;
        }
        out.setIndex(o, o + total);
        final Ipv6Packet f = fwdPkt.wrap(out, o, total);
        f.setHopLimit(f.hopLimit() - 1); // no header checksum in IPv6 (RFC 8200 §3)
        stats.inc(Counter.IP6_FORW_DATAGRAMS);
        dispatch(fwdRoute, out, 0, now);
    }

    // ================================================================ routing

    /**
     * IPv6 route lookup (see {@link Engine#route}); a wildcard {@code (sHi, sLo)} selects the source.
     *
     * <ul>
     *   <li>{@code ::} means this host (Linux: connect to :: reaches ::1); ::1 and our own addresses go over lo.</li>
     *   <li>Link-local and multicast destinations need an interface: {@code oif}, else the only IPv6 interface
     *       (Linux demands a scope id, EINVAL; one identity usually has one link, so we take it).</li>
     *   <li>Others: longest-prefix match.</li>
     * </ul>
     */
    int route(final long dstHi, final long dstLo, final long sHi, final long sLo, final NetInterface oif,
              final Route out, final long now) {
        long dHi = dstHi;
        long dLo = dstLo;
        if (dHi == 0 && dLo == 0) {
            dLo = Ipv6Addr.LOOPBACK_LO;
        }
        final boolean srcGiven = !IpAddr.isWildcard(sHi, sLo);
        out.family = IpAddr.FAMILY_V6;
        out.flags = 0;
        out.generation = engine.routeGeneration();
        out.dstHi = dHi;
        out.dstLo = dLo;
        out.nextHopHi = dHi;
        out.nextHopLo = dLo;
        if (!Ipv6Addr.isMulticast(dHi)) {
            final int st = engine.localState6(dHi, dLo, null);
            if (st == NetInterface.V6_PREFERRED || st == NetInterface.V6_TENTATIVE) {
                out.iface = engine.lo;
                out.flags = Route.LOCAL;
                out.srcHi = srcGiven ? sHi : dHi;
                out.srcLo = srcGiven ? sLo : dLo;
                out.mtu = engine.lo.mtu;
                return NetError.OK;
            }
        }
        final NetInterface ifc;
        if (Ipv6Addr.isMulticast(dHi)) {
            ifc = oif != null ? oif : multicastIface(dHi, dLo);
            if (ifc == null) {
                return NetError.ENETUNREACH;
            }
            out.flags = Route.MULTICAST;
        } else if (Ipv6Addr.isLinkLocal(dHi)) {
            ifc = oif != null ? oif : onlyIface();
            if (ifc == null) {
                return NetError.EINVAL; // Linux: a link-local destination without a scope id
            }
        } else {
            final int e = engine.routes.lookup(IpAddr.FAMILY_V6, dHi, dLo, oif, false);
            if (e < 0) {
                return NetError.ENETUNREACH;
            }
            ifc = engine.routes.iface(e);
            if (engine.routes.hasGateway(e)) {
                out.nextHopHi = engine.routes.gatewayHi(e);
                out.nextHopLo = engine.routes.gatewayLo(e);
                out.flags = Route.GATEWAY;
            }
        }
        if (!ifc.ipv6 || !ifc.up || ifc.loopback) {
            return NetError.ENETUNREACH;
        }
        out.iface = ifc;
        int mtu = ifc.mtu;
        if (!out.isMulticast()) {
            final int p = engine.pmtu.lookup(dHi, dLo, now);
            if (p > 0 && p < mtu) {
                mtu = p;
            }
        }
        out.mtu = mtu;
        if (srcGiven) {
            out.srcHi = sHi;
            out.srcLo = sLo;
            return NetError.OK;
        }
        if (!selectSource(ifc, dHi, dLo, out)) {
            out.srcHi = 0L;
            out.srcLo = 0L;
            return NetError.EADDRNOTAVAIL; // filled anyway: forwarding needs no source
        }
        return NetError.OK;
    }

    /**
     * Source address selection, RFC 6724 §5 simplified: only usable addresses (tentative and duplicated ones are
     * never candidates, RFC 4862 §5.4); Rule 2 appropriate scope: a link-local source for link-scope destinations,
     * a global one for the others; Rule 3 avoid deprecated addresses (RFC 4862 §5.5.4: preferred lifetime over);
     * Rule 5 the outgoing interface first; Rule 8 the longest matching prefix. A link-local source for a global
     * destination is the last resort (Linux does the same).
     *
     * @return false if the interface (and the stack) has no usable address for the destination
     */
    boolean selectSource(final NetInterface ifc, final long dHi, final long dLo, final Route out) {
        final boolean linkScope = Ipv6Addr.isLinkLocal(dHi) || (Ipv6Addr.isMulticast(dHi) && scope(dHi) <= 2);
        int best = -1;
        int bestScore = -1;
        for (int i = 0; i < ifc.v6Count; i++) {
            if (ifc.v6State[i] != NetInterface.V6_PREFERRED) {
                continue;
            }
            final boolean ll = Ipv6Addr.isLinkLocal(ifc.v6Hi[i]);
            final int fresh = (ifc.v6Flags[i] & NetInterface.V6_FLAG_DEPRECATED) != 0 ? 0 : 512;
            final int score;
            if (linkScope) {
                if (!ll) {
                    continue;
                }
                score = fresh;
            } else {
                score = (ll ? 0 : 1024) + fresh + commonPrefix(ifc.v6Hi[i], ifc.v6Lo[i], dHi, dLo);
            }
            if (score > bestScore) {
                best = i;
                bestScore = score;
            }
        }
        if (!linkScope && (best < 0 || bestScore < 1024)) {
            // Rule 2 before Rule 5: a global address of another interface beats a link-local one of this interface
            for (int k = 0; k < engine.ifaceCount(); k++) {
                final NetInterface other = engine.ifaceAt(k);
                if (other == ifc || other.loopback || !other.up) {
                    continue;
                }
                for (int i = 0; i < other.v6Count; i++) {
                    if (other.v6State[i] == NetInterface.V6_PREFERRED && !Ipv6Addr.isLinkLocal(other.v6Hi[i])) {
                        out.srcHi = other.v6Hi[i];
                        out.srcLo = other.v6Lo[i];
                        return true;
                    }
                }
            }
        }
        if (best < 0) {
            return false;
        }
        out.srcHi = ifc.v6Hi[best];
        out.srcLo = ifc.v6Lo[best];
        return true;
    }

    /** RFC 6724 §2.2 CommonPrefixLen. */
    static int commonPrefix(final long aHi, final long aLo, final long bHi, final long bLo) {
        return aHi != bHi ? Long.numberOfLeadingZeros(aHi ^ bHi) : 64 + Long.numberOfLeadingZeros(aLo ^ bLo);
    }

    /** The interface multicast goes out of when none is given: the IPv6 default route's, else {@link #onlyIface}
     * or the first IPv6 interface. */
    NetInterface multicastIface(final long hi, final long lo) {
        final int d = engine.routes.defaultRoute(IpAddr.FAMILY_V6);
        if (d >= 0 && engine.routes.iface(d).ipv6) {
            return engine.routes.iface(d);
        }
        for (int i = 0; i < engine.ifaceCount(); i++) {
            final NetInterface ifc = engine.ifaceAt(i);
            if (!ifc.loopback && ifc.up && ifc.ipv6) {
                return ifc;
            }
        }
        return null;
    }

    /** The single non-loopback interface with IPv6 that is up, or null if there are none or several. */
    NetInterface onlyIface() {
        NetInterface found = null;
        for (int i = 0; i < engine.ifaceCount(); i++) {
            final NetInterface ifc = engine.ifaceAt(i);
            if (!ifc.loopback && ifc.up && ifc.ipv6) {
                if (found != null) {
                    return null;
                }
                found = ifc;
            }
        }
        return found;
    }

    // ================================================================ output

    /** See {@link Engine#output}. Takes ownership of {@code seg}. */
    int output(final Route r, final ByteBuf seg, final int proto, final int hopLimit, final int trafficClass,
               final int flags, final long now) {
        final int len = seg.readableBytes();
        if (len > 0xffff) {
            seg.release();
            stats.drop(DropReason.IP6_TOO_BIG); // no jumbograms (RFC 2675)
            return NetError.EMSGSIZE;
        }
        final int total = Ipv6Packet.HEADER_LEN + len;
        final boolean fits = total <= r.mtu;
        if (!fits && (flags & Engine.PMTUDISC_MASK) == Engine.PMTUDISC_DO) {
            seg.release();
            stats.drop(DropReason.IP6_TOO_BIG);
            return NetError.EMSGSIZE;
        }
        outRepr.set(r.srcHi, r.srcLo, r.dstHi, r.dstLo, proto, len, hopLimit);
        outRepr.trafficClass = trafficClass;
        stats.inc(Counter.IP6_OUT_REQUESTS);
        if (!fits) {
            // RFC 8200 §5: "a source node may ... fragment"; §4.5 layout (Fragmenter, Linux ip6_fragment)
            final long created = engine.fragmenter.fragmentsCreated();
            fragSink.prepare(r, flags, now);
            final Fragmenter.Result res = engine.fragmenter.fragmentV6(outRepr, seg, r.mtu, fragSink);
            seg.release();
            if (res != Fragmenter.Result.FRAGMENTED) {
                stats.drop(DropReason.IP6_FRAGMENTATION_FAILED);
                return NetError.EMSGSIZE;
            }
            stats.inc(Counter.IP6_FRAG_OKS);
            stats.add(Counter.IP6_FRAG_CREATES, engine.fragmenter.fragmentsCreated() - created);
            return NetError.OK;
        }
        ByteBuf d = seg;
        int ri = d.readerIndex();
        if (ri < Ipv6Packet.HEADER_LEN + r.iface.linkHeaderLength()) {
            d = engine.copyWithHeadroom(seg);
            ri = d.readerIndex();
        }
        ri -= Ipv6Packet.HEADER_LEN;
        d.readerIndex(ri);
        outRepr.emit(outPkt.wrap(d, ri, total));
        dispatch(r, d, flags, now);
        return NetError.OK;
    }

    /** Sends an IPv6 packet (reader index at its header) where the route says. Takes ownership. */
    void dispatch(final Route r, final ByteBuf d, final int flags, final long now) {
        final NetInterface ifc = r.iface;
        if (r.isLocal()) {
            engine.transmitLoopback(d, EtherType.IPV6);
            return;
        }
        if (r.isMulticast()) {
            if ((flags & Engine.NO_MULTICAST_LOOP) == 0 && ifc.isMemberIpv6(r.dstHi, r.dstLo)
                    && d.readableBytes() <= engine.lo.mtu) {
                engine.loopCopy(d, EtherType.IPV6); // IPV6_MULTICAST_LOOP (RFC 3493 §5.2), default on
            }
            // RFC 2464 §7: 33:33 + the last four bytes of the group
            engine.transmitEthernet(ifc, d, MacAddr.ofIpv6Multicast(r.dstLo), EtherType.IPV6);
            return;
        }
        final long mac = ifc.neighbors.resolve6(r.nextHopHi, r.nextHopLo, d, now);
        if (mac != NeighborCache.NO_MAC) {
            engine.transmitEthernet(ifc, d, mac, EtherType.IPV6);
        }
        // else: queued in the neighbour cache (which owns it) until NDP answers
    }

    /** Hands each fragment to {@link #dispatch} (one instance; prepared before each use, never re-entered). */
    private final class FragmentSink implements Fragmenter.Sink {
        private Route route;
        private int flags;
        private long now;

        void prepare(final Route r, final int f, final long n) {
            route = r;
            flags = f;
            now = n;
        }

        @Override
        public void onFragment(final ByteBuf fragment) {
            dispatch(route, fragment, flags, now);
        }
    }
}
