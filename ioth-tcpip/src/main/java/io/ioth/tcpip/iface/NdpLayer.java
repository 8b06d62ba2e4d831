package io.ioth.tcpip.iface;

import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.stats.StackStats;
import io.ioth.tcpip.wire.EtherType;
import io.ioth.tcpip.wire.Icmpv6Packet;
import io.ioth.tcpip.wire.Icmpv6Repr;
import io.ioth.tcpip.wire.IpProtocol;
import io.ioth.tcpip.wire.Ipv6Addr;
import io.ioth.tcpip.wire.Ipv6Packet;
import io.ioth.tcpip.wire.Ipv6Repr;
import io.ioth.tcpip.wire.MacAddr;
import io.netty.buffer.ByteBuf;

/**
 * Neighbor Discovery (RFC 4861) around each interface's {@link NeighborCache}: Neighbor Solicitations answered for
 * our own, non-tentative addresses (§7.2.3, §7.2.4), advertisements fed to the cache (§7.2.5), the cache's
 * solicitations sent (§7.2.2 multicast to the solicited-node group, §7.3.3 unicast probes), the messages of
 * Duplicate Address Detection (RFC 4862 §5.4, driven by {@link Dad}) and unsolicited advertisements (§7.2.6).
 * Router Advertisements record the router's link-layer address (§6.3.4) and, on an interface running
 * {@link Ipv6Autoconf}, go to it (default routers, prefixes, SLAAC, MTU, RDNSS/DNSSL); this layer sends its Router
 * Solicitations (§6.3.7). Router Solicitations received (§6.2.6) and Redirects are ignored and counted.
 *
 * <p>Every message leaves with hop limit 255 (§6.1, §7.1: receivers drop anything else), traffic class 0 and flow
 * label 0, as Linux's {@code ndisc_send_skb}.
 *
 * <p>Not thread-safe: part of one engine, owner thread only.
 */
final class NdpLayer {
    /** RFC 4861 §6.1, §7.1: NDP messages are sent with hop limit 255. */
    static final int HOP_LIMIT = 255;

    private final Engine engine;
    private final StackStats stats;
    private final Icmpv6Repr outRepr = new Icmpv6Repr();
    private final Icmpv6Packet outPkt = new Icmpv6Packet();
    private final Ipv6Repr ipRepr = new Ipv6Repr();
    private final Ipv6Packet ipPkt = new Ipv6Packet();
    private final Route srcRoute = new Route();
    /** The autoconfiguration of each interface, by interface index (null: none). */
    private Ipv6Autoconf[] autoconf = new Ipv6Autoconf[0];
    /** The timer client of every {@link Ipv6Autoconf} of this engine, registered at the first one; -1 before. */
    private int autoconfTimerClient = -1;
    /** Hears every address leaving DAD (the transport's "configured" waits for static addresses too). */
    private Ipv6AddressListener addressListener;

    NdpLayer(final Engine engine) {
        this.engine = engine;
        this.stats = engine.stats;
    }

    /**
     * An NDP message that passed the checks common to all of them (hop limit 255, checksum, code 0, lengths,
     * options, NS/NA target not multicast: {@link Icmpv6Layer} and {@link Icmpv6Repr#parse}).
     */
    void receive(final IpRxInfo rx, final Icmpv6Repr m, final long now) {
        final NetInterface ifc = rx.iface;
        switch (m.type) {
            case Icmpv6Packet.TYPE_NEIGHBOR_SOLICIT:
                solicitation(ifc, rx, m, now);
                return;
            case Icmpv6Packet.TYPE_NEIGHBOR_ADVERT:
                advertisement(ifc, rx, m, now);
                return;
            case Icmpv6Packet.TYPE_ROUTER_ADVERT:
                // §6.1.2: "IP Source Address is a link-local address. Routers must use their link-local address as
                // the source for Router Advertisement messages so that hosts can uniquely identify routers."
                if (!Ipv6Addr.isLinkLocal(rx.srcHi)) {
                    stats.drop(DropReason.NDP_RA_BAD_SOURCE);
                    return;
                }
                stats.inc(Counter.NDP_IN_ROUTER_ADVERTS);
                // §6.3.4: "If the advertisement contains a Source Link-Layer Address option, the link-layer address
                // SHOULD be recorded in the Neighbor Cache entry for the router (creating an entry if necessary)".
                ifc.neighbors.onLinkLayerAddress(NeighborCache.FAMILY_IPV6, rx.srcHi, rx.srcLo, m.sourceLinkAddr,
                        true, now);
                final Ipv6Autoconf a = autoconf(ifc);
                if (a != null) {
                    a.routerAdvertisement(rx, m, now); // default routers, prefixes, SLAAC, MTU, RDNSS, DNSSL
                }
                return;
            case Icmpv6Packet.TYPE_ROUTER_SOLICIT:
                // §6.2.6: "A host MUST silently discard any received Router Solicitation messages."
                stats.drop(DropReason.NDP_ROUTER_SOLICIT_IGNORED);
                return;
            default:
                // §8.3 lets a host act on redirects; we do not (yet): a redirect only optimises the first hop
                stats.drop(DropReason.NDP_REDIRECT_IGNORED);
        }
    }

    /** §7.1.1 validity beyond the common checks, then §7.2.3 / §7.2.4 and RFC 4862 §5.4.3. */
    private void solicitation(final NetInterface ifc, final IpRxInfo rx, final Icmpv6Repr m, final long now) {
        stats.inc(Counter.NDP_IN_SOLICITS);
        final boolean fromUnspecified = rx.srcHi == 0 && rx.srcLo == 0;
        if (fromUnspecified && (!isSolicitedNode(rx.dstHi, rx.dstLo)
                || m.sourceLinkAddr != Icmpv6Repr.NO_LL_ADDR)) {
            // §7.1.1: "If the IP source address is the unspecified address, the IP destination address is a
            // solicited-node multicast address" and "there is no source link-layer address option"
            stats.drop(DropReason.NDP_INVALID);
            return;
        }
        final int i = ifc.indexOfV6(m.targetHi, m.targetLo);
        if (i < 0 || ifc.v6State[i] == NetInterface.V6_DUPLICATE) {
            // §7.2.3: the target must be "a valid unicast or anycast address assigned to the receiving interface"
            // (or a tentative one, below); otherwise the solicitation is not for us
            stats.drop(DropReason.NDP_NOT_OUR_TARGET);
            return;
        }
        if (ifc.v6State[i] == NetInterface.V6_TENTATIVE) {
            if (fromUnspecified) {
                // RFC 4862 §5.4.3: "If the source address of the Neighbor Solicitation is the unspecified address,
                // the solicitation is from a node performing Address Duplicate Detection" for the same address: ours
                // is not unique. (Our own DAD solicitations never come back: the frame's source MAC is ours.)
                engine.dad.duplicate(ifc, i, now);
            } else {
                // "If the source address ... is a unicast address, the sender is performing address resolution on
                // the target; the solicitation should be silently ignored."
                stats.drop(DropReason.NDP_TENTATIVE_TARGET);
            }
            return;
        }
        if (fromUnspecified) {
            // §7.2.4: "If the source of the solicitation is the unspecified address, the node MUST set the Solicited
            // flag to zero and multicast the advertisement to the all-nodes address." - we defend the address.
            sendAdvertisement(ifc, m.targetHi, m.targetLo, Ipv6Addr.ALL_NODES_HI, Ipv6Addr.ALL_NODES_LO, false, true,
                    MacAddr.ofIpv6Multicast(Ipv6Addr.ALL_NODES_LO), now);
            return;
        }
        // §7.2.3: "If the Source Address is not the unspecified address and ... the solicitation includes a Source
        // Link-Layer Address option, then the recipient SHOULD create or update the Neighbor Cache entry"
        ifc.neighbors.onLinkLayerAddress(NeighborCache.FAMILY_IPV6, rx.srcHi, rx.srcLo, m.sourceLinkAddr, true, now);
        // §7.2.4: "send a Neighbor Advertisement ... to the Source Address of the solicitation", Solicited flag set;
        // the advertisement goes through the cache like any packet (no SLLA: it resolves the solicitor first).
        // "If the solicitation's IP Destination Address is not a multicast address, the Target Link-Layer Address
        // option MAY be omitted": Linux (ndisc_recv_ns) then omits it and clears Override too - a unicast
        // solicitation is a reachability probe from a node that already has our address. We answer the same bytes.
        final boolean multicast = Ipv6Addr.isMulticast(rx.dstHi);
        sendAdvertisement(ifc, m.targetHi, m.targetLo, rx.srcHi, rx.srcLo, true, multicast, NeighborCache.NO_MAC,
                now);
    }

    /** §7.1.2 validity beyond the common checks, then §7.2.5 and RFC 4862 §5.4.4. */
    private void advertisement(final NetInterface ifc, final IpRxInfo rx, final Icmpv6Repr m, final long now) {
        stats.inc(Counter.NDP_IN_ADVERTS);
        final boolean solicited = (m.naFlags & Icmpv6Packet.NA_FLAG_SOLICITED) != 0;
        final boolean override = (m.naFlags & Icmpv6Packet.NA_FLAG_OVERRIDE) != 0;
        if (solicited && Ipv6Addr.isMulticast(rx.dstHi)) {
            // §7.1.2: "If the IP Destination Address is a multicast address the Solicited flag is zero."
            stats.drop(DropReason.NDP_INVALID);
            return;
        }
        final int i = ifc.indexOfV6(m.targetHi, m.targetLo);
        if (i >= 0) {
            if (ifc.v6State[i] == NetInterface.V6_TENTATIVE) {
                // RFC 4862 §5.4.4: "If the target address is tentative, the tentative address is not unique."
                engine.dad.duplicate(ifc, i, now);
            } else {
                // another node advertises one of our addresses (Linux: "NA: someone advertises our address"):
                // never let it overwrite our view
                stats.drop(DropReason.NDP_ADDRESS_CONFLICT);
            }
            return;
        }
        ifc.neighbors.onAdvertisement(NeighborCache.FAMILY_IPV6, m.targetHi, m.targetLo, m.targetLinkAddr, solicited,
                override, now);
    }

    // ---------------------------------------------------------------- autoconfiguration registry

    /** The autoconfiguration running on {@code ifc}, or null. */
    Ipv6Autoconf autoconf(final NetInterface ifc) {
        final int i = ifc.index;
        return i < autoconf.length ? autoconf[i] : null;
    }

    /** Installs (or with null removes) the autoconfiguration of an interface. @return the timer client id */
    int setAutoconf(final NetInterface ifc, final Ipv6Autoconf a) {
        if (ifc.index >= autoconf.length) {
            autoconf = java.util.Arrays.copyOf(autoconf, ifc.index + 1);
        }
        autoconf[ifc.index] = a;
        if (autoconfTimerClient < 0) {
            autoconfTimerClient = engine.timers.register((value, now) -> {
                final int idx = (int) (value >>> Ipv6Autoconf.TIMER_IFINDEX_SHIFT);
                final Ipv6Autoconf x = idx < autoconf.length ? autoconf[idx] : null;
                if (x != null) {
                    x.onTimer(value, now);
                }
            });
        }
        return autoconfTimerClient;
    }

    /** {@link Dad} finished with the address at index {@code i} of {@code ifc} (usable or duplicated). */
    void addressStateChanged(final NetInterface ifc, final int i, final long now) {
        final Ipv6Autoconf a = autoconf(ifc);
        if (a != null) {
            a.addressStateChanged(ifc.v6Hi[i], ifc.v6Lo[i], ifc.v6State[i] == NetInterface.V6_DUPLICATE, now);
        }
        final Ipv6AddressListener l = addressListener;
        if (l != null) {
            l.addressStateChanged(ifc, ifc.v6Hi[i], ifc.v6Lo[i], ifc.v6State[i] == NetInterface.V6_DUPLICATE, now);
        }
    }

    void setAddressListener(final Ipv6AddressListener l) {
        addressListener = l;
    }

    /** ff02::1:ffXX:XXXX (RFC 4291 §2.7.1). */
    static boolean isSolicitedNode(final long hi, final long lo) {
        return hi == Ipv6Addr.SOLICITED_NODE_HI && (lo & 0xffff_ffff_ff00_0000L) == 0x0000_0001_ff00_0000L;
    }

    // ---------------------------------------------------------------- sending

    /**
     * The cache's solicitation for {@code (hi, lo)} (§7.2.2): multicast to the target's solicited-node group, or a
     * unicast probe to the cached address (§7.3.3). Source: "If the source address of the packet prompting the
     * solicitation is the same as one of the addresses assigned to the outgoing interface, that address SHOULD be
     * placed in the IP Source Address ... Otherwise, any one of the addresses assigned to the interface should be
     * used" - source selection for the target on that interface, which is the prompting packet's source in the
     * common case. With the Source Link-Layer Address option (§4.3).
     */
    void sendSolicitation(final NetInterface ifc, final long hi, final long lo, final long unicastMac,
                          final long now) {
        final boolean multicast = unicastMac == NeighborCache.NO_MAC;
        // a unicast probe has no prompting packet: Linux (ndisc_solicit -> ndisc_send_ns without saddr) uses the
        // link-local address then, and so do we
        if (!(!multicast && linkLocalSource(ifc)) && !engine.ipv6.selectSource(ifc, hi, lo, srcRoute)) {
            stats.drop(DropReason.NDP_NO_SOURCE_ADDRESS);
            return;
        }
        final long dHi = multicast ? Ipv6Addr.SOLICITED_NODE_HI : hi;
        final long dLo = multicast ? Ipv6Addr.solicitedNodeLo(lo) : lo;
        final Icmpv6Repr m = outRepr.clear();
        m.type = Icmpv6Packet.TYPE_NEIGHBOR_SOLICIT;
        m.targetHi = hi;
        m.targetLo = lo;
        m.sourceLinkAddr = ifc.mac;
        stats.inc(Counter.NDP_OUT_SOLICITS);
        send(ifc, srcRoute.srcHi, srcRoute.srcLo, dHi, dLo, multicast ? MacAddr.ofIpv6Multicast(dLo) : unicastMac,
                now);
    }

    /**
     * §6.3.7: a Router Solicitation to all-routers (ff02::2), from the interface's usable link-local address with the
     * Source Link-Layer Address option, or - with no usable address (a duplicated link-local) - from the unspecified
     * address without it (§4.1: the option "MUST NOT be included if the Source Address is the unspecified address").
     */
    void sendRouterSolicitation(final NetInterface ifc, final long now) {
        final boolean haveSource = linkLocalSource(ifc);
        final Icmpv6Repr m = outRepr.clear();
        m.type = Icmpv6Packet.TYPE_ROUTER_SOLICIT;
        m.sourceLinkAddr = haveSource ? ifc.mac : Icmpv6Repr.NO_LL_ADDR;
        stats.inc(Counter.NDP_OUT_ROUTER_SOLICITS);
        send(ifc, haveSource ? srcRoute.srcHi : 0L, haveSource ? srcRoute.srcLo : 0L, Ipv6Addr.ALL_ROUTERS_HI,
                Ipv6Addr.ALL_ROUTERS_LO, MacAddr.ofIpv6Multicast(Ipv6Addr.ALL_ROUTERS_LO), now);
    }

    /** Puts the interface's usable link-local address in {@link #srcRoute}; false if it has none. */
    private boolean linkLocalSource(final NetInterface ifc) {
        for (int i = 0; i < ifc.v6Count; i++) {
            if (ifc.v6State[i] == NetInterface.V6_PREFERRED && Ipv6Addr.isLinkLocal(ifc.v6Hi[i])) {
                srcRoute.srcHi = ifc.v6Hi[i];
                srcRoute.srcLo = ifc.v6Lo[i];
                return true;
            }
        }
        return false;
    }

    /**
     * RFC 4862 §5.4.2: a DAD solicitation for the tentative {@code (hi, lo)}: "the Target Address set to the address
     * being checked, the IP source set to the unspecified address and the IP destination set to the solicited-node
     * multicast address of the target address"; no Source Link-Layer Address option (RFC 4861 §7.2.2 forbids it
     * with an unspecified source).
     */
    void sendDadSolicitation(final NetInterface ifc, final long hi, final long lo, final long now) {
        final Icmpv6Repr m = outRepr.clear();
        m.type = Icmpv6Packet.TYPE_NEIGHBOR_SOLICIT;
        m.targetHi = hi;
        m.targetLo = lo;
        final long snLo = Ipv6Addr.solicitedNodeLo(lo);
        stats.inc(Counter.NDP_OUT_SOLICITS);
        send(ifc, 0L, 0L, Ipv6Addr.SOLICITED_NODE_HI, snLo, MacAddr.ofIpv6Multicast(snLo), now);
    }

    /**
     * RFC 4861 §7.2.6: "a node MAY send up to MAX_NEIGHBOR_ADVERTISEMENT unsolicited Neighbor Advertisement messages
     * to the all-nodes multicast address" when its link-layer address may be news (here: every time an address
     * becomes usable, as Linux with ndisc_notify=1), Solicited flag zero, Override set, with the Target
     * Link-Layer Address option.
     */
    void sendUnsolicitedAdvertisement(final NetInterface ifc, final long hi, final long lo, final long now) {
        stats.inc(Counter.NDP_OUT_UNSOLICITED_ADVERTS);
        sendAdvertisement(ifc, hi, lo, Ipv6Addr.ALL_NODES_HI, Ipv6Addr.ALL_NODES_LO, false, true,
                MacAddr.ofIpv6Multicast(Ipv6Addr.ALL_NODES_LO), now);
    }

    /**
     * §7.2.4 / §4.4: source = the target (one of our addresses), Router flag when forwarding; with
     * {@code withAddress}, the Override flag (the target is never anycast or proxied here: "Otherwise, it SHOULD be
     * set to one") and the Target Link-Layer Address option (it "MUST be included" when answering a multicast
     * solicitation).
     *
     * @param dstMac the destination MAC, or {@link NeighborCache#NO_MAC} to resolve {@code (dHi, dLo)}
     */
    private void sendAdvertisement(final NetInterface ifc, final long tHi, final long tLo, final long dHi,
                                   final long dLo, final boolean solicited, final boolean withAddress,
                                   final long dstMac, final long now) {
        final Icmpv6Repr m = outRepr.clear();
        m.type = Icmpv6Packet.TYPE_NEIGHBOR_ADVERT;
        m.naFlags = (engine.forwarding ? Icmpv6Packet.NA_FLAG_ROUTER : 0)
                | (solicited ? Icmpv6Packet.NA_FLAG_SOLICITED : 0) | (withAddress ? Icmpv6Packet.NA_FLAG_OVERRIDE : 0);
        m.targetHi = tHi;
        m.targetLo = tLo;
        m.targetLinkAddr = withAddress ? ifc.mac : Icmpv6Repr.NO_LL_ADDR;
        stats.inc(Counter.NDP_OUT_ADVERTS);
        send(ifc, tHi, tLo, dHi, dLo, dstMac, now);
    }

    /** Emits {@link #outRepr} in an IPv6 packet with hop limit 255 and transmits it (resolving {@code dst} when
     * {@code dstMac} is {@link NeighborCache#NO_MAC}). */
    private void send(final NetInterface ifc, final long sHi, final long sLo, final long dHi, final long dLo,
                      final long dstMac, final long now) {
        final int icmpLen = outRepr.bufferLen();
        final int total = Ipv6Packet.HEADER_LEN + icmpLen;
        final ByteBuf b = engine.alloc.directBuffer(Engine.LINK_HEADROOM + total);
        final int at = Engine.LINK_HEADROOM;
        b.setIndex(at, at + total);
        ipRepr.set(sHi, sLo, dHi, dLo, IpProtocol.ICMPV6, icmpLen, HOP_LIMIT).emit(ipPkt.wrap(b, at, total));
        outRepr.emit(outPkt.wrap(b, at + Ipv6Packet.HEADER_LEN, icmpLen), sHi, sLo, dHi, dLo);
        stats.inc(Counter.IP6_OUT_REQUESTS);
        stats.inc(Counter.ICMP6_OUT_MSGS);
        long mac = dstMac;
        if (mac == NeighborCache.NO_MAC) {
            mac = ifc.neighbors.resolve6(dHi, dLo, b, now); // may send a solicitation: outRepr is free again
            if (mac == NeighborCache.NO_MAC) {
                return; // queued until the neighbour answers
            }
        }
        engine.transmitEthernet(ifc, b, mac, EtherType.IPV6);
    }
}
