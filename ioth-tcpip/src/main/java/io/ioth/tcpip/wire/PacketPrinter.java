package io.ioth.tcpip.wire;

import io.netty.buffer.ByteBuf;

/**
 * A tcpdump-like one-line description of an Ethernet frame: walks Ethernet → ARP / IPv4 / IPv6 (extension headers)
 * → ICMP / ICMPv6 (NDP options) / UDP / TCP (options) using the checked views (smoltcp {@code pretty_print.rs}).
 * Malformed layers are printed as {@code [name: REASON]}; it must never throw on any input, which makes it the
 * fuzz target for the whole wire layer (smoltcp {@code fuzz_targets/packet_parser.rs}).
 * Checksums are verified and reported as "bad cksum" but do not stop the walk.
 *
 * <p>For debugging and tests: it allocates (a StringBuilder). An instance reuses its views and is not
 * thread-safe; {@link #print(ByteBuf)} uses a fresh one.
 */
public final class PacketPrinter {
    private final EthernetFrame eth = new EthernetFrame();
    private final ArpPacket arp = new ArpPacket();
    private final Ipv4Packet ip4 = new Ipv4Packet();
    private final Ipv6Packet ip6 = new Ipv6Packet();
    private final Ipv6ExtHeaders ext = new Ipv6ExtHeaders();
    private final Icmpv4Packet icmp4 = new Icmpv4Packet();
    private final Icmpv6Packet icmp6 = new Icmpv6Packet();
    private final NdiscOption ndopt = new NdiscOption();
    private final UdpPacket udp = new UdpPacket();
    private final TcpPacket tcp = new TcpPacket();
    private final TcpOptions tcpOpts = new TcpOptions();

    /** Describes the readable bytes of {@code frame} (indexes unchanged). */
    public static String print(ByteBuf frame) {
        return new PacketPrinter().describe(frame, frame.readerIndex(), frame.readableBytes());
    }

    public String describe(ByteBuf buf, int offset, int length) {
        StringBuilder sb = new StringBuilder(128);
        WireError e = eth.wrapChecked(buf, offset, length);
        if (!e.ok()) {
            return sb.append("[ethernet: ").append(e).append(']').toString();
        }
        MacAddr.appendTo(sb, eth.src());
        sb.append(" > ");
        MacAddr.appendTo(sb, eth.dst());
        if (eth.vlanId() != EthernetFrame.NO_VLAN) {
            sb.append(" vlan ").append(eth.vlanId()).append(" p ").append(eth.pcp());
        }
        sb.append(", ");
        int type = eth.etherType();
        int p = eth.payloadOffset();
        int n = eth.payloadLength();
        switch (type) {
            case EtherType.ARP:
                printArp(sb, buf, p, n);
                break;
            case EtherType.IPV4:
                printIpv4(sb, buf, p, n);
                break;
            case EtherType.IPV6:
                printIpv6(sb, buf, p, n);
                break;
            default:
                sb.append("ethertype 0x").append(Integer.toHexString(type)).append(", length ").append(n);
        }
        return sb.toString();
    }

    private void printArp(StringBuilder sb, ByteBuf buf, int p, int n) {
        WireError e = arp.wrapChecked(buf, p, n);
        if (!e.ok()) {
            sb.append("[arp: ").append(e).append(']');
            return;
        }
        if (arp.htype() != ArpPacket.HTYPE_ETHERNET || arp.ptype() != EtherType.IPV4 || arp.hlen() != 6 || arp.plen() != 4) {
            sb.append("ARP htype ").append(arp.htype()).append(" ptype 0x").append(Integer.toHexString(arp.ptype()));
            return;
        }
        sb.append("ARP, ");
        if (arp.oper() == ArpPacket.OP_REQUEST) {
            sb.append("Request who-has ");
            Ipv4Addr.appendTo(sb, arp.tpa());
            sb.append(" tell ");
            Ipv4Addr.appendTo(sb, arp.spa());
        } else if (arp.oper() == ArpPacket.OP_REPLY) {
            sb.append("Reply ");
            Ipv4Addr.appendTo(sb, arp.spa());
            sb.append(" is-at ");
            MacAddr.appendTo(sb, arp.sha());
        } else {
            sb.append("op ").append(arp.oper());
        }
    }

    private void printIpv4(StringBuilder sb, ByteBuf buf, int p, int n) {
        WireError e = ip4.wrapChecked(buf, p, n);
        if (!e.ok()) {
            sb.append("[ipv4: ").append(e).append(']');
            return;
        }
        if (ip4.version() != 4) {
            sb.append("[ipv4: ").append(WireError.BAD_VERSION).append(']');
            return;
        }
        sb.append("IP ");
        Ipv4Addr.appendTo(sb, ip4.src());
        sb.append(" > ");
        Ipv4Addr.appendTo(sb, ip4.dst());
        sb.append(": ttl ").append(ip4.ttl()).append(" id ").append(ip4.ident());
        if (ip4.dontFrag()) {
            sb.append(" DF");
        }
        if (ip4.moreFrags()) {
            sb.append(" MF");
        }
        if (ip4.fragOffset() != 0) {
            sb.append(" frag-off ").append(ip4.fragOffset());
        }
        if (ip4.optionsLength() > 0) {
            sb.append(" options ").append(ip4.optionsLength());
        }
        if (!ip4.verifyChecksum()) {
            sb.append(" [bad ip cksum]");
        }
        sb.append(", ");
        if (ip4.fragOffset() != 0) {
            sb.append("proto ").append(ip4.protocol()).append(" fragment, length ").append(ip4.payloadLength());
            return;
        }
        int pseudo = ip4.pseudoHeaderSum();
        printTransport(sb, buf, ip4.protocol(), ip4.payloadOffset(), ip4.payloadLength(), false, pseudo, 0, 0, 0, 0,
                ip4.moreFrags());
    }

    private void printIpv6(StringBuilder sb, ByteBuf buf, int p, int n) {
        WireError e = ip6.wrapChecked(buf, p, n);
        if (!e.ok()) {
            sb.append("[ipv6: ").append(e).append(']');
            return;
        }
        if (ip6.version() != 6) {
            sb.append("[ipv6: ").append(WireError.BAD_VERSION).append(']');
            return;
        }
        sb.append("IP6 ");
        Ipv6Addr.appendTo(sb, ip6.srcHi(), ip6.srcLo());
        sb.append(" > ");
        Ipv6Addr.appendTo(sb, ip6.dstHi(), ip6.dstLo());
        sb.append(": hlim ").append(ip6.hopLimit());
        e = ext.walk(ip6);
        if (!e.ok()) {
            sb.append(", [ipv6 ext: ").append(e).append(']');
            return;
        }
        if (ext.headerCount > 0) {
            sb.append(" ext ").append(ext.headerCount);
        }
        if (ext.hasFragmentHeader) {
            sb.append(" frag id 0x").append(Integer.toHexString(ext.fragIdent)).append(" off ").append(ext.fragOffset);
            if (ext.moreFrags) {
                sb.append(" MF");
            }
        }
        sb.append(", ");
        if (ext.hasFragmentHeader && ext.fragOffset != 0) {
            sb.append("nh ").append(ext.upperProtocol).append(" fragment, length ").append(ext.upperLength);
            return;
        }
        int pseudo = Checksum.pseudoHeaderV6(ip6.srcHi(), ip6.srcLo(), ip6.dstHi(), ip6.dstLo(), ext.upperProtocol,
                ext.upperLength);
        printTransport(sb, buf, ext.upperProtocol, ext.upperOffset, ext.upperLength, true, pseudo,
                ip6.srcHi(), ip6.srcLo(), ip6.dstHi(), ip6.dstLo(), ext.hasFragmentHeader && ext.moreFrags);
    }

    private void printTransport(StringBuilder sb, ByteBuf buf, int proto, int p, int n, boolean v6, int pseudo,
                                long sHi, long sLo, long dHi, long dLo, boolean firstFragment) {
        // A first fragment holds only part of the upper layer: its checksum cannot be verified.
        switch (proto) {
            case IpProtocol.ICMP:
                if (!v6) {
                    printIcmpv4(sb, buf, p, n, firstFragment);
                    return;
                }
                break;
            case IpProtocol.ICMPV6:
                if (v6) {
                    printIcmpv6(sb, buf, p, n, sHi, sLo, dHi, dLo, firstFragment);
                    return;
                }
                break;
            case IpProtocol.UDP:
                printUdp(sb, buf, p, n, v6, pseudo, firstFragment);
                return;
            case IpProtocol.TCP:
                printTcp(sb, buf, p, n, pseudo, firstFragment);
                return;
            default:
                break;
        }
        sb.append("proto ").append(proto).append(", length ").append(n);
    }

    private void printIcmpv4(StringBuilder sb, ByteBuf buf, int p, int n, boolean partial) {
        WireError e = icmp4.wrapChecked(buf, p, n);
        if (!e.ok()) {
            sb.append("[icmp: ").append(e).append(']');
            return;
        }
        sb.append("ICMP ");
        switch (icmp4.type()) {
            case Icmpv4Packet.TYPE_ECHO_REQUEST:
                sb.append("echo request, id ").append(icmp4.ident()).append(", seq ").append(icmp4.seq());
                break;
            case Icmpv4Packet.TYPE_ECHO_REPLY:
                sb.append("echo reply, id ").append(icmp4.ident()).append(", seq ").append(icmp4.seq());
                break;
            case Icmpv4Packet.TYPE_DEST_UNREACHABLE:
                sb.append("unreachable code ").append(icmp4.code());
                if (icmp4.code() == Icmpv4Packet.CODE_FRAG_NEEDED) {
                    sb.append(" (frag needed, mtu ").append(icmp4.nextHopMtu()).append(')');
                }
                printInner4(sb, buf, icmp4.dataOffset(), icmp4.dataLength());
                break;
            case Icmpv4Packet.TYPE_TIME_EXCEEDED:
                sb.append("time exceeded code ").append(icmp4.code());
                printInner4(sb, buf, icmp4.dataOffset(), icmp4.dataLength());
                break;
            default:
                sb.append("type ").append(icmp4.type()).append(" code ").append(icmp4.code());
        }
        sb.append(", length ").append(n);
        if (!partial && !icmp4.verifyChecksum()) {
            sb.append(" [bad icmp cksum]");
        }
    }

    /** The invoking datagram of an ICMP error: only its addresses (a truncated copy is normal, RFC 792). */
    private void printInner4(StringBuilder sb, ByteBuf buf, int p, int n) {
        if (n < Ipv4Packet.HEADER_LEN) {
            sb.append(" [inner: ").append(WireError.TRUNCATED).append(']');
            return;
        }
        ip4.wrap(buf, p, n);
        sb.append(" for ");
        Ipv4Addr.appendTo(sb, ip4.src());
        sb.append(" > ");
        Ipv4Addr.appendTo(sb, ip4.dst());
        sb.append(" proto ").append(ip4.protocol());
    }

    private void printIcmpv6(StringBuilder sb, ByteBuf buf, int p, int n, long sHi, long sLo, long dHi, long dLo,
                             boolean partial) {
        WireError e = icmp6.wrapChecked(buf, p, n);
        if (!e.ok()) {
            sb.append("[icmp6: ").append(e).append(']');
            return;
        }
        sb.append("ICMP6 ");
        int type = icmp6.type();
        switch (type) {
            case Icmpv6Packet.TYPE_ECHO_REQUEST:
                sb.append("echo request, id ").append(icmp6.ident()).append(", seq ").append(icmp6.seq());
                break;
            case Icmpv6Packet.TYPE_ECHO_REPLY:
                sb.append("echo reply, id ").append(icmp6.ident()).append(", seq ").append(icmp6.seq());
                break;
            case Icmpv6Packet.TYPE_DEST_UNREACHABLE:
                sb.append("unreachable code ").append(icmp6.code());
                break;
            case Icmpv6Packet.TYPE_PACKET_TOO_BIG:
                sb.append("packet too big, mtu ").append(icmp6.mtu());
                break;
            case Icmpv6Packet.TYPE_TIME_EXCEEDED:
                sb.append("time exceeded code ").append(icmp6.code());
                break;
            case Icmpv6Packet.TYPE_ROUTER_SOLICIT:
                sb.append("router solicitation");
                break;
            case Icmpv6Packet.TYPE_ROUTER_ADVERT:
                sb.append("router advertisement, hlim ").append(icmp6.raCurHopLimit()).append(" lifetime ")
                        .append(icmp6.raRouterLifetime());
                break;
            case Icmpv6Packet.TYPE_NEIGHBOR_SOLICIT:
                sb.append("neighbor solicitation, who has ");
                Ipv6Addr.appendTo(sb, icmp6.targetHi(), icmp6.targetLo());
                break;
            case Icmpv6Packet.TYPE_NEIGHBOR_ADVERT:
                sb.append("neighbor advertisement, tgt ");
                Ipv6Addr.appendTo(sb, icmp6.targetHi(), icmp6.targetLo());
                sb.append(" flags 0x").append(Integer.toHexString(icmp6.naFlags()));
                break;
            case Icmpv6Packet.TYPE_REDIRECT:
                sb.append("redirect, ");
                Ipv6Addr.appendTo(sb, icmp6.redirectDestHi(), icmp6.redirectDestLo());
                sb.append(" to ");
                Ipv6Addr.appendTo(sb, icmp6.targetHi(), icmp6.targetLo());
                break;
            default:
                sb.append("type ").append(type).append(" code ").append(icmp6.code());
        }
        if (Icmpv6Repr.isNdp(type)) {
            printNdOptions(sb, buf, icmp6.dataOffset(), icmp6.dataLength());
        }
        sb.append(", length ").append(n);
        if (!partial && !icmp6.verifyChecksum(sHi, sLo, dHi, dLo)) {
            sb.append(" [bad icmp6 cksum]");
        }
    }

    private void printNdOptions(StringBuilder sb, ByteBuf buf, int p, int n) {
        ndopt.reset(buf, p, n);
        while (ndopt.next()) {
            if (!ndopt.wellFormed()) {
                sb.append(" opt ").append(ndopt.type()).append(" (bad length ").append(ndopt.length()).append(')');
                continue;
            }
            switch (ndopt.type()) {
                case NdiscOption.SOURCE_LL_ADDR:
                    sb.append(" sll ");
                    MacAddr.appendTo(sb, ndopt.linkLayerAddr());
                    break;
                case NdiscOption.TARGET_LL_ADDR:
                    sb.append(" tll ");
                    MacAddr.appendTo(sb, ndopt.linkLayerAddr());
                    break;
                case NdiscOption.PREFIX_INFO:
                    sb.append(" prefix ");
                    Ipv6Addr.appendTo(sb, ndopt.prefixHi(), ndopt.prefixLo());
                    sb.append('/').append(ndopt.prefixLen());
                    break;
                case NdiscOption.MTU:
                    sb.append(" mtu ").append(ndopt.mtu());
                    break;
                case NdiscOption.RDNSS:
                    sb.append(" rdnss");
                    for (int i = 0; i < ndopt.rdnssCount(); i++) {
                        sb.append(' ');
                        Ipv6Addr.appendTo(sb, ndopt.rdnssHi(i), ndopt.rdnssLo(i));
                    }
                    break;
                default:
                    sb.append(" opt ").append(ndopt.type());
            }
        }
        if (!ndopt.error().ok()) {
            sb.append(" [nd option: ").append(ndopt.error()).append(']');
        }
    }

    private void printUdp(StringBuilder sb, ByteBuf buf, int p, int n, boolean v6, int pseudo, boolean partial) {
        WireError e = udp.wrapChecked(buf, p, n);
        if (!e.ok()) {
            sb.append("[udp: ").append(e).append(']');
            return;
        }
        sb.append("UDP ").append(udp.srcPort()).append(" > ").append(udp.dstPort()).append(", length ")
                .append(udp.payloadLength());
        if (!partial) {
            // the pseudo-header length is the UDP length field (RFC 768), not the IP payload length
            int ph = pseudo;
            if (udp.checksum() == 0) {
                sb.append(v6 ? " [zero udp cksum]" : " [no cksum]");
            } else if (n == udp.udpLength() && !udp.verifyChecksum(ph)) {
                sb.append(" [bad udp cksum]");
            }
        }
    }

    private void printTcp(StringBuilder sb, ByteBuf buf, int p, int n, int pseudo, boolean partial) {
        WireError e = tcp.wrapChecked(buf, p, n);
        if (!e.ok()) {
            sb.append("[tcp: ").append(e).append(']');
            return;
        }
        sb.append("TCP ").append(tcp.srcPort()).append(" > ").append(tcp.dstPort()).append(" [");
        int f = tcp.flags();
        if ((f & TcpPacket.SYN) != 0) {
            sb.append('S');
        }
        if ((f & TcpPacket.FIN) != 0) {
            sb.append('F');
        }
        if ((f & TcpPacket.RST) != 0) {
            sb.append('R');
        }
        if ((f & TcpPacket.PSH) != 0) {
            sb.append('P');
        }
        if ((f & TcpPacket.ACK_FLAG) != 0) {
            sb.append('.');
        }
        sb.append("] seq ").append(Integer.toUnsignedString(tcp.seq()));
        if (tcp.hasAck()) {
            sb.append(" ack ").append(Integer.toUnsignedString(tcp.ack()));
        }
        sb.append(" win ").append(tcp.window());
        e = tcpOpts.parse(buf, tcp.optionsOffset(), tcp.optionsLength());
        if (!e.ok()) {
            sb.append(" [tcp options: ").append(e).append(']');
        } else {
            if (tcpOpts.mss != 0) {
                sb.append(" mss ").append(tcpOpts.mss);
            }
            if (tcpOpts.sackPermitted) {
                sb.append(" sackOK");
            }
            if (tcpOpts.hasTimestamp) {
                sb.append(" TS val ").append(Integer.toUnsignedString(tcpOpts.tsVal)).append(" ecr ")
                        .append(Integer.toUnsignedString(tcpOpts.tsEcr));
            }
            if (tcpOpts.windowScale >= 0) {
                sb.append(" wscale ").append(tcpOpts.windowScale);
            }
            for (int i = 0; i < tcpOpts.sackBlockCount; i++) {
                sb.append(" sack ").append(Integer.toUnsignedString(tcpOpts.sackBlocks[2 * i])).append(':')
                        .append(Integer.toUnsignedString(tcpOpts.sackBlocks[2 * i + 1]));
            }
        }
        sb.append(", length ").append(tcp.payloadLength());
        if (!partial && !tcp.verifyChecksum(pseudo)) {
            sb.append(" [bad tcp cksum]");
        }
    }
}
