package io.ioth.tcpip.dhcp;

import io.ioth.tcpip.testing.Frames;
import io.ioth.tcpip.wire.EtherType;
import io.ioth.tcpip.wire.EthernetFrame;
import io.ioth.tcpip.wire.IpProtocol;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.Ipv4Packet;
import io.ioth.tcpip.wire.UdpPacket;
import io.ioth.tcpip.wire.WireError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Builds DHCP frames a server would send and decodes those a client sent (Ethernet + IPv4 + UDP + DHCP). */
final class DhcpFrames {
    private DhcpFrames() {
    }

    /** A decoded frame: link and IP addressing plus the DHCP message. */
    record Sent(long dstMac, long srcMac, int src, int dst, int sport, int dport, Dhcp4Repr m, byte[] dhcpBytes) {
        int type() {
            return m.messageType;
        }
    }

    /** Decodes an Ethernet/IPv4/UDP/DHCP frame, or fails the test. */
    static Sent decode(byte[] frame) {
        ByteBuf b = Unpooled.wrappedBuffer(frame);
        EthernetFrame e = new EthernetFrame().wrap(b, 0, frame.length);
        assertEquals(EtherType.IPV4, e.etherType(), () -> "not IPv4: " + Frames.describe(frame));
        Ipv4Packet ip = new Ipv4Packet().wrap(b, 14, frame.length - 14);
        assertEquals(IpProtocol.UDP, ip.protocol(), () -> "not UDP: " + Frames.describe(frame));
        assertTrue(ip.verifyChecksum(), "IP checksum");
        UdpPacket u = new UdpPacket().wrap(b, ip.payloadOffset(), ip.payloadLength());
        assertTrue(u.verifyChecksum(ip.pseudoHeaderSum()), "UDP checksum");
        int off = u.payloadOffset();
        int len = u.payloadLength();
        Dhcp4Repr m = new Dhcp4Repr();
        assertEquals(WireError.OK, m.parse(new Dhcp4Packet().wrap(b, off, len)));
        byte[] bytes = new byte[len];
        b.getBytes(off, bytes);
        return new Sent(e.dst(), e.src(), ip.src(), ip.dst(), u.srcPort(), u.dstPort(), m, bytes);
    }

    /** The DHCP message bytes of {@code m}. */
    static byte[] bytes(Dhcp4Repr m) {
        byte[] d = new byte[m.bufferLen()];
        m.emit(Unpooled.wrappedBuffer(d), 0);
        return d;
    }

    /** A server reply (op BOOTREPLY) for {@code xid} to {@code chaddr}; {@code fill} sets type and options. */
    static Dhcp4Repr reply(int xid, long chaddr, Consumer<Dhcp4Repr> fill) {
        Dhcp4Repr r = new Dhcp4Repr().clear();
        r.op = Dhcp4Packet.OP_BOOTREPLY;
        r.xid = xid;
        r.chaddr = chaddr;
        fill.accept(r);
        return r;
    }

    /** The frame of a DHCP message from a server at {@code src}/{@code srcMac} to {@code dst}/{@code dstMac}. */
    static byte[] frame(long dstMac, long srcMac, int src, int dst, byte[] dhcp) {
        return Frames.udpFrame(dstMac, srcMac, src, dst, 67, 68, dhcp);
    }

    static int ip(String s) {
        return Ipv4Addr.parse(s);
    }
}
