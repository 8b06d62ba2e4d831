package io.ioth.benchmarks.packet;

import io.ioth.tcpip.wire.ArpPacket;
import io.ioth.tcpip.wire.ArpRepr;
import io.ioth.tcpip.wire.ChecksumPolicy;
import io.ioth.tcpip.wire.EtherType;
import io.ioth.tcpip.wire.EthernetFrame;
import io.ioth.tcpip.wire.EthernetRepr;
import io.ioth.tcpip.wire.Icmpv4Packet;
import io.ioth.tcpip.wire.Icmpv4Repr;
import io.ioth.tcpip.wire.IpProtocol;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.Ipv4Packet;
import io.ioth.tcpip.wire.Ipv4Repr;
import io.ioth.tcpip.wire.MacAddr;
import io.ioth.tcpip.wire.TcpPacket;
import io.ioth.tcpip.wire.TcpRepr;
import io.ioth.tcpip.wire.UdpPacket;
import io.ioth.tcpip.wire.UdpRepr;
import io.ioth.tcpip.wire.WireError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The frames the packet benchmarks replay, built with the engine's own wire layer (the golden
 * frames of ioth-tcpip are test-only), between host A (the peer, 02:00:00:00:00:0a, 10.0.0.1) and
 * host B (the stack measured, 02:00:00:00:00:0b, 10.0.0.2), and checks of what the stack sends back.
 */
final class Frames {
    static final long MAC_A = MacAddr.parse("02:00:00:00:00:0a");
    static final long MAC_B = MacAddr.parse("02:00:00:00:00:0b");
    static final int IP_A = Ipv4Addr.parse("10.0.0.1");
    static final int IP_B = Ipv4Addr.parse("10.0.0.2");
    /** Ethernet + IPv4 + UDP (or ICMP echo) headers: a payload of 1472 bytes fills a 1514-byte frame (MTU 1500). */
    static final int HEADERS = EthernetFrame.HEADER_LEN + Ipv4Packet.HEADER_LEN + 8;

    private Frames() {}

    /** "Who has 10.0.0.2? Tell 10.0.0.1" from A, broadcast (RFC 826). */
    static byte[] arpRequest() {
        int len = EthernetFrame.HEADER_LEN + ArpPacket.HEADER_LEN;
        ByteBuf b = Unpooled.buffer(len, len).writerIndex(len);
        new EthernetRepr().set(MAC_A, MacAddr.parse("ff:ff:ff:ff:ff:ff"), EtherType.ARP)
                .emit(new EthernetFrame().wrap(b, 0, len));
        new ArpRepr().set(ArpPacket.OP_REQUEST, MAC_A, IP_A, 0L, IP_B)
                .emit(new ArpPacket().wrap(b, EthernetFrame.HEADER_LEN, ArpPacket.HEADER_LEN));
        return b.array();
    }

    /** An ICMP echo request A to B with {@code dataLen} bytes of data (ping -s dataLen), id 0x1234 seq 1. */
    static byte[] icmpEchoRequest(int dataLen) {
        int ipLen = Ipv4Packet.HEADER_LEN + Icmpv4Packet.HEADER_LEN + dataLen;
        ByteBuf b = ipv4(IpProtocol.ICMP, ipLen - Ipv4Packet.HEADER_LEN);
        int icmp = EthernetFrame.HEADER_LEN + Ipv4Packet.HEADER_LEN;
        fill(b, icmp + Icmpv4Packet.HEADER_LEN, dataLen);
        new Icmpv4Repr().echo(true, 0x1234, 1, dataLen)
                .emit(new Icmpv4Packet().wrap(b, icmp, ipLen - Ipv4Packet.HEADER_LEN));
        return b.array();
    }

    /** A UDP datagram A:40000 to B:{@code dstPort} with {@code payloadLen} bytes, checksummed. */
    static byte[] udp(int dstPort, int payloadLen) {
        int udpLen = UdpPacket.HEADER_LEN + payloadLen;
        ByteBuf b = ipv4(IpProtocol.UDP, udpLen);
        int udp = EthernetFrame.HEADER_LEN + Ipv4Packet.HEADER_LEN;
        fill(b, udp + UdpPacket.HEADER_LEN, payloadLen);
        UdpRepr u = new UdpRepr().set(40000, dstPort, payloadLen);
        int pseudo = new Ipv4Repr().set(IP_A, IP_B, IpProtocol.UDP, udpLen, 64).pseudoHeaderSum();
        u.emit(new UdpPacket().wrap(b, udp, udpLen), pseudo);
        return b.array();
    }

    /** Ethernet A to B and an IPv4 header A to B (TTL 64, DF clear) with room for {@code payloadLen} bytes. */
    static ByteBuf ipv4(int protocol, int payloadLen) {
        int len = EthernetFrame.HEADER_LEN + Ipv4Packet.HEADER_LEN + payloadLen;
        ByteBuf b = Unpooled.buffer(len, len).writerIndex(len);
        new EthernetRepr().set(MAC_A, MAC_B, EtherType.IPV4).emit(new EthernetFrame().wrap(b, 0, len));
        Ipv4Repr ip = new Ipv4Repr().set(IP_A, IP_B, protocol, payloadLen, 64);
        ip.ident = 0x4242;
        ip.emit(new Ipv4Packet().wrap(b, EthernetFrame.HEADER_LEN, Ipv4Packet.HEADER_LEN + payloadLen));
        return b;
    }

    static void fill(ByteBuf b, int from, int len) {
        for (int i = 0; i < len; i++) b.setByte(from + i, (i * 7 + 3) & 0xff);
    }

    /**
     * Throws unless {@code frame} is an IPv4 frame from B to A with valid lengths and checksums (IP
     * header, and the ICMP message or UDP datagram) and the given protocol; returns the IP payload
     * length. What a benchmark's set-up checks of the first frame the stack sends.
     */
    static int checkFromBToA(byte[] frame, int protocol) {
        if (frame == null) throw new IllegalStateException("the stack sent nothing");
        ByteBuf b = Unpooled.wrappedBuffer(frame);
        EthernetRepr eth = new EthernetRepr();
        EthernetFrame ef = new EthernetFrame();
        expect(ef.wrapChecked(b, 0, frame.length), "Ethernet");
        expect(eth.parse(ef), "Ethernet");
        if (eth.src != MAC_B || eth.dst != MAC_A || eth.etherType != EtherType.IPV4) {
            throw new IllegalStateException("not IPv4 from B to A: " + eth);
        }
        Ipv4Packet ipp = new Ipv4Packet();
        expect(ipp.wrapChecked(b, ef.headerLen(), frame.length - ef.headerLen()), "IPv4");
        Ipv4Repr ip = new Ipv4Repr();
        expect(ip.parse(ipp, ChecksumPolicy.VERIFY), "IPv4");
        if (ip.src != IP_B || ip.dst != IP_A || ip.protocol != protocol) {
            throw new IllegalStateException("unexpected " + ip);
        }
        int at = ef.headerLen() + ip.headerLen;
        if (protocol == IpProtocol.ICMP) {
            Icmpv4Packet p = new Icmpv4Packet();
            expect(p.wrapChecked(b, at, ip.payloadLen), "ICMP");
            Icmpv4Repr r = new Icmpv4Repr();
            expect(r.parse(p, ChecksumPolicy.VERIFY), "ICMP");
            if (r.type != Icmpv4Packet.TYPE_ECHO_REPLY || r.ident != 0x1234 || r.seq != 1) {
                throw new IllegalStateException("not the echo reply: " + r);
            }
        } else if (protocol == IpProtocol.UDP) {
            UdpPacket p = new UdpPacket();
            p.wrap(b, at, ip.payloadLen); // parse checks the lengths
            expect(new UdpRepr().parse(p, ip.pseudoHeaderSum(), false, ChecksumPolicy.VERIFY), "UDP");
        } else if (protocol == IpProtocol.TCP) {
            TcpPacket p = new TcpPacket();
            expect(p.wrapChecked(b, at, ip.payloadLen), "TCP");
            expect(new TcpRepr().parse(p, ip.pseudoHeaderSum(), ChecksumPolicy.VERIFY), "TCP");
        }
        return ip.payloadLen;
    }

    private static void expect(WireError e, String what) {
        if (e != WireError.OK) throw new IllegalStateException(what + ": " + e);
    }
}
