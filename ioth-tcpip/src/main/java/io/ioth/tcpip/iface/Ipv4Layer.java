package io.ioth.tcpip.iface;

import io.ioth.tcpip.frag.FragmentIds;
import io.ioth.tcpip.frag.Fragmenter;
import io.ioth.tcpip.frag.Reassembler;
import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.stats.StackStats;
import io.ioth.tcpip.wire.ChecksumPolicy;
import io.ioth.tcpip.wire.Checksum;
import io.ioth.tcpip.wire.EtherType;
import io.ioth.tcpip.wire.Icmpv4Packet;
import io.ioth.tcpip.wire.IpProtocol;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.Ipv4Packet;
import io.ioth.tcpip.wire.Ipv4Repr;
import io.ioth.tcpip.wire.MacAddr;
import io.ioth.tcpip.wire.UdpPacket;
import io.ioth.tcpip.wire.WireError;
import io.netty.buffer.ByteBuf;

/**
 * IPv4: input checks and local delivery (RFC 1122 §3.2.1, RFC 791), forwarding (RFC 1812 §5), output with route
 * lookup, source selection, neighbour resolution and fragmentation.
 *
 * <pre>
 * receive: parse (version, IHL, lengths, checksum) -> martian source? -> ours / broadcast / joined group?
 *            yes: fragment? -> reassemble -> deliver (ICMP | IGMP | registered protocol | ICMP proto unreachable)
 *            no:  forwarding on? -> forward (TTL, route, DF/MTU, fragment) : drop IP4_NOT_FOR_US
 * output:  header in place before the segment -> too big? fragment -> dispatch (loopback | broadcast | multicast |
 *          neighbour cache: MAC known -> Ethernet, else queued until ARP answers)
 * </pre>
 *
 * <p>Not thread-safe: part of one engine, owner thread only.
 */
final class Ipv4Layer {
    private final Engine engine;
    private final StackStats stats;
    private final Ipv4Packet inPkt = new Ipv4Packet();
    private final Ipv4Repr inRepr = new Ipv4Repr();
    private final Ipv4Packet outPkt = new Ipv4Packet();
    private final Ipv4Repr outRepr = new Ipv4Repr();
    private final Ipv4Packet fwdPkt = new Ipv4Packet();
    private final Route fwdRoute = new Route();
    private final FragmentSink fragSink = new FragmentSink();
    private final UdpPacket dhcpUdp = new UdpPacket();
    /** RFC 2131 §4.1: "DHCP messages from a server to a client are sent to the 'DHCP client' port (68)". */
    private static final int DHCP_CLIENT_PORT = 68;

    Ipv4Layer(final Engine engine) {
        this.engine = engine;
        this.stats = engine.stats;
    }

    // ================================================================ input

    /** An IPv4 packet in {@code buf[off, off+len)} (len may include Ethernet padding). Borrowed. */
    void receive(final NetInterface ifc, final ByteBuf buf, final int off, final int len, final int l2,
                 final long srcMac, final long now) {
        stats.inc(Counter.IP4_IN_RECEIVES);
        final Ipv4Packet p = inPkt.wrap(buf, off, len);
        final WireError err = inRepr.parse(p, ChecksumPolicy.VERIFY);
        if (!err.ok()) {
            stats.drop(map(err));
            return;
        }
        final int src = inRepr.src;
        final int dst = inRepr.dst;
        if (!ifc.loopback && isMartianSource(ifc, src, dst)) {
            stats.drop(DropReason.IP4_MARTIAN_SRC);
            return;
        }
        // RFC 1122 §3.2.1.7: "A host MUST NOT discard a datagram just because it was received with TTL less than
        // 2": no TTL check on local delivery (Linux does none either); forwarding checks it below.
        int flags = l2 | (ifc.loopback ? IpRxInfo.LOOPBACK : 0);
        if (Ipv4Addr.isMulticast(dst)) {
            if (!ifc.loopback && !ifc.isMemberIpv4(dst)) {
                stats.drop(DropReason.IP4_MULTICAST_NOT_JOINED);
                return;
            }
            flags |= IpRxInfo.MULTICAST;
            stats.inc(Counter.IP4_IN_MCAST);
        } else if (dst == Ipv4Addr.BROADCAST || ifc.isIpv4Broadcast(dst)
                || (ifc.loopback && engine.isDirectedBroadcast4(dst))) {
            flags |= IpRxInfo.BROADCAST;
            stats.inc(Counter.IP4_IN_BCAST);
        } else if (engine.isLocal4(dst) || (ifc.loopback && Ipv4Addr.isLoopback(dst))) {
            // weak host model (RFC 1122 §3.3.4.2): any of our addresses on any interface, as Linux
            if ((l2 & IpRxInfo.L2_GROUP) != 0) {
                // RFC 1122 §3.3.6: "a host SHOULD silently discard a datagram that is received via a link-layer
                // broadcast ... but does not specify an IP multicast or broadcast destination address"
                stats.drop(DropReason.IP4_L2_BROADCAST_UNICAST);
                return;
            }
        } else if (ifc.dhcpClientReceive && isToDhcpClient(buf, p)) {
            // RFC 2131 §4.1: DHCPOFFER/DHCPACK unicast to 'yiaddr' before the client has configured it; delivered
            // only while a DHCP client asked for it (NetInterface#setDhcpClientReceive), as a packet socket would
            if ((l2 & IpRxInfo.L2_GROUP) != 0) {
                stats.drop(DropReason.IP4_L2_BROADCAST_UNICAST);
                return;
            }
        } else {
            if (!engine.forwarding || ifc.loopback) {
                stats.drop(DropReason.IP4_NOT_FOR_US);
                return;
            }
            if ((l2 & IpRxInfo.L2_GROUP) != 0) {
                // RFC 1812 §5.3.4: a router "SHOULD NOT forward" a unicast datagram received as link broadcast
                stats.drop(DropReason.IP4_L2_BROADCAST_UNICAST);
                return;
            }
            forward(buf, off, now);
            return;
        }
        final int total = inRepr.headerLen + inRepr.payloadLen;
        if (p.isFragment()) {
            stats.inc(Counter.IP4_REASM_REQDS);
            final long refusedBefore = refused();
            final ByteBuf whole = engine.reassembler.acceptV4(buf, off, total, now);
            if (whole == null) {
                if (refused() != refusedBefore) {
                    stats.drop(DropReason.IP4_FRAGMENT_REFUSED);
                }
                return;
            }
            stats.inc(Counter.IP4_REASM_OKS);
            try {
                deliver(ifc, whole, whole.readerIndex(), whole.readableBytes(), flags | IpRxInfo.REASSEMBLED, srcMac,
                        now);
            } finally {
                whole.release();
            }
            return;
        }
        deliver(ifc, buf, off, total, flags, srcMac, now);
    }

    /** An unfragmented UDP datagram to the DHCP client port 68 ({@link #inRepr} holds the parsed header). */
    private boolean isToDhcpClient(final ByteBuf buf, final Ipv4Packet p) {
        return inRepr.protocol == IpProtocol.UDP && !p.isFragment() && inRepr.payloadLen >= UdpPacket.HEADER_LEN
                && dhcpUdp.wrap(buf, p.payloadOffset(), inRepr.payloadLen).dstPort() == DHCP_CLIENT_PORT;
    }

    /** Fragments the reassembler refused so far, whatever the reason (its own counters tell which). */
    private long refused() {
        final Reassembler r = engine.reassembler;
        return r.counter(Reassembler.Counter.OVERLAP) + r.counter(Reassembler.Counter.BAD_LENGTH)
                + r.counter(Reassembler.Counter.TOO_BIG) + r.counter(Reassembler.Counter.EMPTY)
                + r.counter(Reassembler.Counter.INCONSISTENT_END) + r.counter(Reassembler.Counter.TOO_MANY_FRAGMENTS)
                + r.counter(Reassembler.Counter.ECN_INVALID) + r.counter(Reassembler.Counter.MALFORMED)
                + r.counter(Reassembler.Counter.MEMORY_DROP) + r.counter(Reassembler.Counter.DUPLICATE);
    }

    private void deliver(final NetInterface ifc, final ByteBuf buf, final int off, final int total, final int flags,
                         final long srcMac, final long now) {
        final Ipv4Packet p = inPkt.wrap(buf, off, total);
        final IpRxInfo rx = engine.rx;
        rx.family = IpAddr.FAMILY_V4;
        rx.srcHi = 0L;
        rx.srcLo = IpAddr.v4(p.src());
        rx.dstHi = 0L;
        rx.dstLo = IpAddr.v4(p.dst());
        rx.protocol = p.protocol();
        rx.ttl = p.ttl();
        rx.tos = p.tos();
        rx.flags = flags;
        rx.iface = ifc;
        rx.srcMac = srcMac;
        rx.buffer = buf;
        rx.ipOffset = off;
        rx.ipHeaderLength = p.headerLen();
        rx.payloadOffset = p.payloadOffset();
        rx.payloadLength = p.payloadLength();
        switch (rx.protocol) {
            case IpProtocol.ICMP:
                stats.inc(Counter.IP4_IN_DELIVERS);
                engine.icmp4.receive(rx, now);
                return;
            case IpProtocol.IGMP:
                stats.inc(Counter.IP4_IN_DELIVERS);
                engine.igmp.receive(rx, now);
                return;
            default:
                final IpProtocolHandler h = engine.protocol(rx.protocol);
                if (h == null) {
                    // RFC 1122 §3.2.2.1: a host SHOULD generate Destination Unreachable "protocol unreachable"
                    stats.drop(DropReason.IP4_UNKNOWN_PROTOCOL);
                    engine.icmp4.sendError(Icmpv4Packet.TYPE_DEST_UNREACHABLE, Icmpv4Packet.CODE_PROTO_UNREACHABLE,
                            0, buf, off, total, flags, now);
                    return;
                }
                stats.inc(Counter.IP4_IN_DELIVERS);
                buf.setIndex(rx.payloadOffset, rx.payloadOffset + rx.payloadLength);
                h.receive(rx, buf, now);
        }
    }

    /**
     * RFC 1122 §3.2.1.3 and RFC 1812 §5.3.7: a source that cannot be a single host on the network: 0/8 (except
     * 0.0.0.0 to the limited broadcast, a host being configured, e.g. DHCP), 127/8 off the loopback interface,
     * multicast, limited broadcast, a directed broadcast of the arrival subnet, or one of our own addresses (Linux
     * {@code fib_validate_source} with accept_local=0).
     */
    private boolean isMartianSource(final NetInterface ifc, final int src, final int dst) {
        if ((src >>> 24) == 0) {
            return !(src == 0 && dst == Ipv4Addr.BROADCAST);
        }
        return Ipv4Addr.isLoopback(src) || Ipv4Addr.isMulticast(src) || src == Ipv4Addr.BROADCAST
                || ifc.isIpv4Broadcast(src) || engine.isLocal4(src);
    }

    private static DropReason map(final WireError e) {
        switch (e) {
            case BAD_HEADER_LEN: return DropReason.IP4_BAD_HEADER_LEN;
            case BAD_LENGTH: return DropReason.IP4_BAD_LENGTH;
            case BAD_VERSION: return DropReason.IP4_BAD_VERSION;
            case BAD_CHECKSUM: return DropReason.IP4_BAD_CHECKSUM;
            default: return DropReason.IP4_TRUNCATED;
        }
    }

    // ================================================================ forwarding (RFC 1812 §5)

    /** {@link #inRepr} holds the parsed header of {@code buf[off..]}. */
    private void forward(final ByteBuf buf, final int off, final long now) {
        final int src = inRepr.src;
        final int dst = inRepr.dst;
        final int total = inRepr.headerLen + inRepr.payloadLen;
        // RFC 3927 §7: link-local addresses "MUST NOT" be forwarded; a 0.0.0.0 source never leaves its link.
        if (Ipv4Addr.isLinkLocal(dst) || Ipv4Addr.isLinkLocal(src) || src == 0) {
            stats.drop(DropReason.IP4_NOT_FORWARDABLE);
            return;
        }
        // RFC 1812 §5.3.1: "If the TTL is reduced to zero (or less), the packet MUST be discarded, and if the
        // destination is not a multicast address the router MUST send an ICMP Time Exceeded message, Code 0".
        if (inRepr.ttl <= 1) {
            stats.drop(DropReason.IP4_TTL_EXCEEDED);
            engine.icmp4.sendError(Icmpv4Packet.TYPE_TIME_EXCEEDED, Icmpv4Packet.CODE_TTL_EXCEEDED, 0, buf, off,
                    total, 0, now);
            return;
        }
        final int r = route(dst, 0, null, fwdRoute, now);
        if (r != NetError.OK && r != NetError.EADDRNOTAVAIL || fwdRoute.isLocal()) {
            stats.drop(DropReason.IP4_NO_ROUTE);
            engine.icmp4.sendError(Icmpv4Packet.TYPE_DEST_UNREACHABLE, Icmpv4Packet.CODE_NET_UNREACHABLE, 0, buf, off,
                    total, 0, now);
            return;
        }
        if (fwdRoute.isBroadcast()) {
            // RFC 2644: directed broadcasts are not forwarded by default
            stats.drop(DropReason.IP4_NOT_FORWARDABLE);
            return;
        }
        if (total > fwdRoute.mtu && inRepr.dontFrag) {
            // RFC 1191 §4 / RFC 1812 §5.2.6: "Destination Unreachable ... fragmentation needed and DF set" with the
            // Next-Hop MTU; the original is quoted as received.
            stats.drop(DropReason.IP4_FRAG_NEEDED);
            engine.icmp4.sendError(Icmpv4Packet.TYPE_DEST_UNREACHABLE, Icmpv4Packet.CODE_FRAG_NEEDED, fwdRoute.mtu,
                    buf, off, total, 0, now);
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
        // decrement TTL; RFC 1624 incremental checksum update of the TTL/protocol word (RFC 1812 §5.3.1)
        final Ipv4Packet f = fwdPkt.wrap(out, o, total);
        final int oldWord = f.ttl() << 8 | f.protocol();
        f.setTtl(f.ttl() - 1);
        f.setChecksum(Checksum.update(f.checksum(), oldWord, oldWord - 0x100));
        stats.inc(Counter.IP4_FORW_DATAGRAMS);
        if (total > fwdRoute.mtu) {
            fragmentAndDispatch(fwdRoute, out, o, total, 0, now);
            out.release();
            return;
        }
        dispatch(fwdRoute, out, 0, now);
    }

    // ================================================================ routing

    /**
     * IPv4 route lookup (see {@link Engine#route}). {@code src} 0 selects the source.
     */
    int route(final int dst, final int src, final NetInterface oif, final Route out, final long now) {
        out.family = IpAddr.FAMILY_V4;
        out.dstHi = 0L;
        out.srcHi = 0L;
        out.nextHopHi = 0L;
        out.flags = 0;
        out.generation = engine.routeGeneration();
        if (dst == 0 || Ipv4Addr.isLoopback(dst) || engine.isLocal4(dst)) {
            // Linux ip_route_output: local destinations go over lo; 0.0.0.0 means "this host" (127.0.0.1).
            final int d = dst == 0 ? Ipv4Addr.LOOPBACK : dst;
            out.dstLo = IpAddr.v4(d);
            out.iface = engine.lo;
            out.flags = Route.LOCAL;
            out.nextHopLo = out.dstLo;
            out.srcLo = IpAddr.v4(src != 0 ? src : Ipv4Addr.isLoopback(d) ? Ipv4Addr.LOOPBACK : d);
            out.mtu = engine.lo.mtu;
            return NetError.OK;
        }
        out.dstLo = IpAddr.v4(dst);
        NetInterface ifc;
        int e = -1;
        int nextHop = dst;
        if (dst == Ipv4Addr.BROADCAST) {
            ifc = oif != null ? oif : defaultIface();
            if (ifc == null) {
                return NetError.ENETUNREACH;
            }
            out.flags = Route.BROADCAST;
        } else if (Ipv4Addr.isMulticast(dst)) {
            ifc = oif != null ? oif : multicastIface(dst);
            if (ifc == null) {
                return NetError.ENETUNREACH;
            }
            out.flags = Route.MULTICAST;
        } else {
            e = engine.routes.lookup(IpAddr.FAMILY_V4, 0L, IpAddr.v4(dst), oif, false);
            if (e < 0) {
                return NetError.ENETUNREACH;
            }
            ifc = engine.routes.iface(e);
            if (engine.routes.hasGateway(e)) {
                nextHop = IpAddr.v4Of(engine.routes.gatewayLo(e));
                out.flags = Route.GATEWAY;
            } else if (ifc.isIpv4Broadcast(dst)) {
                out.flags = Route.BROADCAST;
            }
        }
        int s = src;
        if (s == 0) {
            // RFC 1122 §3.3.4.3: the route's preferred source, else an address of the outgoing interface (in the
            // next hop's subnet first), else any address of the stack (Linux inet_select_addr).
            if (e >= 0 && engine.routes.prefSrcLo(e) != 0 && ifc.hasIpv4(IpAddr.v4Of(engine.routes.prefSrcLo(e)))) {
                s = IpAddr.v4Of(engine.routes.prefSrcLo(e));
            } else {
                s = ifc.sourceFor4(nextHop);
            }
            if (s == 0) {
                s = anySource();
            }
        }
        out.iface = ifc;
        out.nextHopLo = IpAddr.v4(nextHop);
        out.srcLo = IpAddr.v4(s);
        int mtu = ifc.mtu;
        if ((out.flags & (Route.BROADCAST | Route.MULTICAST)) == 0) {
            final int p = engine.pmtu.lookup(0L, out.dstLo, now);
            if (p > 0 && p < mtu) {
                mtu = p;
            }
        }
        out.mtu = mtu;
        if (s == 0 && (out.flags & (Route.BROADCAST | Route.MULTICAST)) == 0) {
            return NetError.EADDRNOTAVAIL; // filled anyway: forwarding needs no source
        }
        return NetError.OK;
    }

    /** The interface of the default route, else the first non-loopback interface that is up (with an address
     * preferred). */
    NetInterface defaultIface() {
        final int d = engine.routes.defaultRoute(IpAddr.FAMILY_V4);
        if (d >= 0) {
            return engine.routes.iface(d);
        }
        NetInterface any = null;
        for (int i = 0; i < engine.ifaceCount(); i++) {
            final NetInterface ifc = engine.ifaceAt(i);
            if (!ifc.loopback && ifc.up) {
                if (ifc.v4Count > 0) {
                    return ifc;
                }
                if (any == null) {
                    any = ifc;
                }
            }
        }
        return any;
    }

    /** The interface multicast to {@code group} leaves by when none is given (Linux: the route to the group). */
    NetInterface multicastIface(final int group) {
        final int e = engine.routes.lookup(IpAddr.FAMILY_V4, 0L, IpAddr.v4(group), null, false);
        if (e >= 0 && !engine.routes.iface(e).loopback) {
            return engine.routes.iface(e);
        }
        return defaultIface();
    }

    private int anySource() {
        for (int i = 0; i < engine.ifaceCount(); i++) {
            final NetInterface ifc = engine.ifaceAt(i);
            if (!ifc.loopback && ifc.up && ifc.v4Count > 0) {
                return ifc.v4Addr[0];
            }
        }
        return 0;
    }

    // ================================================================ output

    /** See {@link Engine#output}. Takes ownership of {@code seg}. */
    int output(final Route r, final ByteBuf seg, final int proto, final int ttl, final int tos, final int flags,
               final long now) {
        final int len = seg.readableBytes();
        final int total = Ipv4Packet.HEADER_LEN + len;
        if (total > 0xffff) {
            seg.release();
            stats.drop(DropReason.IP4_TOO_BIG);
            return NetError.EMSGSIZE;
        }
        final int mode = flags & Engine.PMTUDISC_MASK;
        final boolean fits = total <= r.mtu;
        if (!fits && mode == Engine.PMTUDISC_DO) {
            seg.release();
            stats.drop(DropReason.IP4_TOO_BIG);
            return NetError.EMSGSIZE;
        }
        final int src = IpAddr.v4Of(r.srcLo);
        final int dst = IpAddr.v4Of(r.dstLo);
        outRepr.set(src, dst, proto, len, ttl);
        outRepr.tos = tos;
        outRepr.dontFrag = mode == Engine.PMTUDISC_DO || (mode == Engine.PMTUDISC_WANT && fits);
        // RFC 7739 §5.3: hash-based per-destination identification, as Linux __ip_select_ident; for an atomic
        // datagram (DF, never fragmented) RFC 6864 §4.1 lets the ID be any value: a counter kept in the route (one
        // per connection for TCP) seeded from that hash, as Linux's per-socket inet_id (ip_select_ident_segs)
        outRepr.ident = outRepr.dontFrag ? atomicIdent(r, src, dst, proto) : engine.fragIds.nextV4(src, dst, proto);
        stats.inc(Counter.IP4_OUT_REQUESTS);
        if (!fits) {
            // RFC 791 §2.3: fragment locally (DF clear)
            final long created = engine.fragmenter.fragmentsCreated();
            fragSink.prepare(r, flags, now);
            final Fragmenter.Result res = engine.fragmenter.fragmentV4(outRepr, seg, r.mtu, fragSink);
            seg.release();
            if (res != Fragmenter.Result.FRAGMENTED) {
                stats.drop(DropReason.IP4_FRAGMENTATION_FAILED);
                return NetError.EMSGSIZE;
            }
            stats.inc(Counter.IP4_FRAG_OKS);
            stats.add(Counter.IP4_FRAG_CREATES, engine.fragmenter.fragmentsCreated() - created);
            return NetError.OK;
        }
        ByteBuf d = seg;
        int ri = d.readerIndex();
        if (ri < Ipv4Packet.HEADER_LEN + r.iface.linkHeaderLength()) {
            d = engine.copyWithHeadroom(seg);
            ri = d.readerIndex();
        }
        ri -= Ipv4Packet.HEADER_LEN;
        d.readerIndex(ri);
        outRepr.emit(outPkt.wrap(d, ri, total));
        dispatch(r, d, flags, now);
        return NetError.OK;
    }

    /** The identification of an atomic datagram: the route's counter, (re)seeded from {@link FragmentIds#nextV4}
     * (one keyed hash) when the route is new or now leads elsewhere. */
    private int atomicIdent(final Route r, final int src, final int dst, final int proto) {
        if (!r.ipIdSeeded || r.ipIdDst != dst) {
            r.ipIdSeeded = true;
            r.ipIdDst = dst;
            r.ipIdNext = engine.fragIds.nextV4(src, dst, proto);
        }
        return r.ipIdNext++ & 0xffff;
    }

    /** Fragments the datagram {@code pkt[off, off+total)} for the route and dispatches each fragment (forwarding).
     * Does not take ownership. */
    private void fragmentAndDispatch(final Route r, final ByteBuf pkt, final int off, final int total,
                                     final int flags, final long now) {
        final long created = engine.fragmenter.fragmentsCreated();
        fragSink.prepare(r, flags, now);
        final Fragmenter.Result res = engine.fragmenter.fragmentV4(pkt, off, total, r.mtu, fragSink);
        if (res != Fragmenter.Result.FRAGMENTED) {
            stats.drop(DropReason.IP4_FRAGMENTATION_FAILED);
            return;
        }
        stats.inc(Counter.IP4_FRAG_OKS);
        stats.add(Counter.IP4_FRAG_CREATES, engine.fragmenter.fragmentsCreated() - created);
    }

    /**
     * Sends an IPv4 packet (reader index at its header) where the route says. Takes ownership.
     */
    void dispatch(final Route r, final ByteBuf d, final int flags, final long now) {
        final NetInterface ifc = r.iface;
        if (r.isLocal()) {
            engine.transmitLoopback(d, EtherType.IPV4);
            return;
        }
        if (r.isBroadcast()) {
            if ((flags & Engine.NO_MULTICAST_LOOP) == 0 && IpAddr.v4Of(r.dstLo) == Ipv4Addr.BROADCAST
                    && d.readableBytes() <= engine.lo.mtu) {
                engine.loopCopy(d, EtherType.IPV4); // Linux ip_mc_output loops broadcasts back (RTCF_BROADCAST)
            }
            engine.transmitEthernet(ifc, d, MacAddr.BROADCAST, EtherType.IPV4);
            return;
        }
        if (r.isMulticast()) {
            final int group = IpAddr.v4Of(r.dstLo);
            if ((flags & Engine.NO_MULTICAST_LOOP) == 0 && ifc.groupIndex4(group) >= 0
                    && d.readableBytes() <= engine.lo.mtu) {
                engine.loopCopy(d, EtherType.IPV4); // IP_MULTICAST_LOOP (RFC 1112 §6.1), default on
            }
            engine.transmitEthernet(ifc, d, MacAddr.ofIpv4Multicast(group), EtherType.IPV4);
            return;
        }
        final long mac = ifc.neighbors.resolve4(IpAddr.v4Of(r.nextHopLo), d, now);
        if (mac != NeighborCache.NO_MAC) {
            engine.transmitEthernet(ifc, d, mac, EtherType.IPV4);
        }
        // else: the neighbour cache queued it (and owns it) until ARP answers
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
