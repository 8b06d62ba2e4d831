package io.ioth.tcpip.testing;

import io.ioth.tcpip.wire.ArpPacket;
import io.ioth.tcpip.wire.ArpRepr;
import io.ioth.tcpip.wire.Checksum;
import io.ioth.tcpip.wire.EtherType;
import io.ioth.tcpip.wire.EthernetFrame;
import io.ioth.tcpip.wire.EthernetRepr;
import io.ioth.tcpip.wire.Icmpv4Packet;
import io.ioth.tcpip.wire.Icmpv4Repr;
import io.ioth.tcpip.wire.IpProtocol;
import io.ioth.tcpip.wire.Ipv4Packet;
import io.ioth.tcpip.wire.Ipv4Repr;
import io.ioth.tcpip.wire.PacketPrinter;
import io.ioth.tcpip.wire.UdpPacket;
import io.ioth.tcpip.wire.UdpRepr;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Builds test frames with the wire layer's Reprs (correct lengths and checksums), and patches golden ones. */
public final class Frames {
    private Frames() {
    }

    public static byte[] eth(long dst, long src, int type, byte[] payload) {
        byte[] f = new byte[14 + payload.length];
        ByteBuf b = Unpooled.wrappedBuffer(f);
        new EthernetRepr().set(src, dst, type).emit(new EthernetFrame().wrap(b, 0, 14));
        System.arraycopy(payload, 0, f, 14, payload.length);
        return f;
    }

    /** A 20-byte-header IPv4 datagram. */
    public static byte[] ipv4(int src, int dst, int proto, int ttl, int ident, boolean df, byte[] payload) {
        byte[] d = new byte[20 + payload.length];
        ByteBuf b = Unpooled.wrappedBuffer(d);
        Ipv4Repr r = new Ipv4Repr().set(src, dst, proto, payload.length, ttl);
        r.ident = ident;
        r.dontFrag = df;
        r.emit(new Ipv4Packet().wrap(b, 0, d.length));
        System.arraycopy(payload, 0, d, 20, payload.length);
        return d;
    }

    public static byte[] udp(int src, int dst, int sport, int dport, byte[] data) {
        byte[] s = new byte[8 + data.length];
        System.arraycopy(data, 0, s, 8, data.length);
        ByteBuf b = Unpooled.wrappedBuffer(s);
        new UdpRepr().set(sport, dport, data.length).emit(new UdpPacket().wrap(b, 0, s.length),
                Checksum.pseudoHeaderV4(src, dst, IpProtocol.UDP, s.length));
        return s;
    }

    public static byte[] icmpEcho(boolean request, int id, int seq, byte[] data) {
        byte[] s = new byte[8 + data.length];
        System.arraycopy(data, 0, s, 8, data.length);
        new Icmpv4Repr().echo(request, id, seq, data.length).emit(new Icmpv4Packet().wrap(Unpooled.wrappedBuffer(s),
                0, s.length));
        return s;
    }

    /** Ethernet + IPv4 + UDP. */
    public static byte[] udpFrame(long dstMac, long srcMac, int src, int dst, int sport, int dport, byte[] data) {
        return eth(dstMac, srcMac, EtherType.IPV4,
                ipv4(src, dst, IpProtocol.UDP, 64, 0x1234, true, udp(src, dst, sport, dport, data)));
    }

    /** Ethernet + IPv4 + ICMP echo. */
    public static byte[] pingFrame(long dstMac, long srcMac, int src, int dst, boolean request, int id, int seq,
                                   byte[] data) {
        return eth(dstMac, srcMac, EtherType.IPV4,
                ipv4(src, dst, IpProtocol.ICMP, 64, 0x4321, false, icmpEcho(request, id, seq, data)));
    }

    public static byte[] arp(long dstMac, long srcMac, int op, long sha, int spa, long tha, int tpa) {
        byte[] p = new byte[28];
        new ArpRepr().set(op, sha, spa, tha, tpa).emit(new ArpPacket().wrap(Unpooled.wrappedBuffer(p), 0, 28));
        return eth(dstMac, srcMac, EtherType.ARP, p);
    }

    /** The IPv4 identification of an untagged Ethernet/IPv4 frame. */
    public static int ipId(byte[] frame) {
        return (frame[14 + 4] & 0xff) << 8 | (frame[14 + 5] & 0xff);
    }

    /** A copy of an untagged Ethernet/IPv4 frame with another IP identification (header checksum recomputed). */
    public static byte[] withIpId(byte[] frame, int id) {
        byte[] f = frame.clone();
        ByteBuf b = Unpooled.wrappedBuffer(f);
        Ipv4Packet p = new Ipv4Packet().wrap(b, 14, f.length - 14);
        p.setIdent(id);
        p.fillChecksum();
        return f;
    }

    /** A copy with one byte changed. */
    public static byte[] with(byte[] frame, int index, int value) {
        byte[] f = frame.clone();
        f[index] = (byte) value;
        return f;
    }

    /** A copy with the IPv4 header checksum recomputed (after patching header bytes). */
    public static byte[] fixIpChecksum(byte[] frame) {
        byte[] f = frame.clone();
        new Ipv4Packet().wrap(Unpooled.wrappedBuffer(f), 14, f.length - 14).fillChecksum();
        return f;
    }

    /** tcpdump-like one-line description. */
    public static String describe(byte[] frame) {
        return PacketPrinter.print(Unpooled.wrappedBuffer(frame));
    }
}
