package io.ioth.tcpip.testing;

import io.ioth.tcpip.Stack;
import io.ioth.tcpip.iface.StackConfig;
import io.ioth.tcpip.wire.Checksum;
import io.ioth.tcpip.wire.EtherType;
import io.ioth.tcpip.wire.Icmpv6Packet;
import io.ioth.tcpip.wire.Icmpv6Repr;
import io.ioth.tcpip.wire.IpProtocol;
import io.ioth.tcpip.wire.Ipv6Addr;
import io.ioth.tcpip.wire.Ipv6Packet;
import io.ioth.tcpip.wire.Ipv6Repr;
import io.ioth.tcpip.wire.MacAddr;
import io.ioth.tcpip.wire.UdpPacket;
import io.ioth.tcpip.wire.UdpRepr;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import static io.ioth.tcpip.testing.StackFixture.SEC;

/**
 * IPv6 test frames built with the wire layer's Reprs (correct lengths and checksums), patches of golden ones, and
 * the hosts of {@link Ipv6Captures}: A = 02:00:00:00:00:0a fd00::1 fe80::ff:fe00:a, B = 02:00:00:00:00:0b fd00::2
 * fe80::ff:fe00:b.
 */
public final class Frames6 {
    public static final long MAC_A = StackFixture.MAC_A;
    public static final long MAC_B = StackFixture.MAC_B;
    public static final long FD00 = 0xfd00_0000_0000_0000L;
    public static final long FE80 = 0xfe80_0000_0000_0000L;
    public static final long FF02 = 0xff02_0000_0000_0000L;
    public static final long A = 1;
    public static final long B = 2;
    public static final long LL_A = Ipv6Addr.eui64Lo(MAC_A);
    public static final long LL_B = Ipv6Addr.eui64Lo(MAC_B);

    private Frames6() {
    }

    /**
     * Host B of the captures on a {@link TraceLink}: fd00::2/64 (and fe80::ff:fe00:b), DAD done at 1 s, the frames
     * of the address set-up drained. MLD robustness 1, so no report repeats later.
     */
    public static StackFixture hostB() {
        return hostB(StackConfig.builder().name("B").seed(1).arpAnnounce(1, 2 * SEC).mld(1, SEC));
    }

    public static StackFixture hostB(StackConfig.Builder config) {
        StackFixture f = new StackFixture(config, false);
        f.stack.addIpv6(f.eth0, FD00, B, 64, f.now);
        f.settle(f.now + SEC);
        f.link.takeAll();
        return f;
    }

    /** B's stack with fd00::2 still tentative (just added at t=0; its frames drained). */
    public static StackFixture hostBTentative() {
        StackFixture f = new StackFixture(StackConfig.builder().name("B").seed(1).mld(1, SEC), false);
        f.stack.addIpv6(f.eth0, FD00, B, 64, f.now);
        f.link.takeAll();
        return f;
    }

    public static byte[] eth(long dst, long src, byte[] payload) {
        return Frames.eth(dst, src, EtherType.IPV6, payload);
    }

    /** An IPv6 packet (flow label 0, traffic class 0). */
    public static byte[] ipv6(long sHi, long sLo, long dHi, long dLo, int nh, int hopLimit, byte[] payload) {
        byte[] d = new byte[40 + payload.length];
        ByteBuf b = Unpooled.wrappedBuffer(d);
        new Ipv6Repr().set(sHi, sLo, dHi, dLo, nh, payload.length, hopLimit).emit(new Ipv6Packet().wrap(b, 0, 40));
        System.arraycopy(payload, 0, d, 40, payload.length);
        return d;
    }

    /** An ICMPv6 message from {@code m} (echo: data of {@code m.dataLen} zero bytes, unless {@code data}). */
    public static byte[] icmp6(long sHi, long sLo, long dHi, long dLo, Icmpv6Repr m, byte[] data) {
        byte[] s = new byte[m.bufferLen() + (data == null ? 0 : data.length)];
        if (data != null) {
            System.arraycopy(data, 0, s, m.bufferLen(), data.length);
        }
        m.emit(new Icmpv6Packet().wrap(Unpooled.wrappedBuffer(s), 0, s.length), sHi, sLo, dHi, dLo);
        return s;
    }

    public static byte[] echo(long sHi, long sLo, long dHi, long dLo, boolean request, int id, int seq, byte[] data) {
        return icmp6(sHi, sLo, dHi, dLo, new Icmpv6Repr().echo(request, id, seq, data.length), data);
    }

    /** Ethernet + IPv6 (hop limit 64) + ICMPv6 echo. */
    public static byte[] echoFrame(long dstMac, long srcMac, long sHi, long sLo, long dHi, long dLo, boolean request,
                                   int id, int seq, byte[] data) {
        return eth(dstMac, srcMac, ipv6(sHi, sLo, dHi, dLo, IpProtocol.ICMPV6, 64,
                echo(sHi, sLo, dHi, dLo, request, id, seq, data)));
    }

    public static byte[] udp(long sHi, long sLo, long dHi, long dLo, int sport, int dport, byte[] data) {
        byte[] s = new byte[8 + data.length];
        System.arraycopy(data, 0, s, 8, data.length);
        new UdpRepr().set(sport, dport, data.length).emit(new UdpPacket().wrap(Unpooled.wrappedBuffer(s), 0, s.length),
                Checksum.pseudoHeaderV6(sHi, sLo, dHi, dLo, IpProtocol.UDP, s.length));
        return s;
    }

    public static byte[] udpFrame(long dstMac, long srcMac, long sHi, long sLo, long dHi, long dLo, int sport,
                                  int dport, byte[] data) {
        return eth(dstMac, srcMac, ipv6(sHi, sLo, dHi, dLo, IpProtocol.UDP, 64,
                udp(sHi, sLo, dHi, dLo, sport, dport, data)));
    }

    /** A Neighbor Solicitation frame (hop limit 255) for {@code target}, with SLLA {@code slla} unless NO_LL_ADDR. */
    public static byte[] ns(long dstMac, long srcMac, long sHi, long sLo, long dHi, long dLo, long tHi, long tLo,
                            long slla) {
        Icmpv6Repr m = new Icmpv6Repr().clear();
        m.type = Icmpv6Packet.TYPE_NEIGHBOR_SOLICIT;
        m.targetHi = tHi;
        m.targetLo = tLo;
        m.sourceLinkAddr = slla;
        return eth(dstMac, srcMac, ipv6(sHi, sLo, dHi, dLo, IpProtocol.ICMPV6, 255,
                icmp6(sHi, sLo, dHi, dLo, m, null)));
    }

    /** A Neighbor Advertisement frame (hop limit 255), flags R 0x80 S 0x40 O 0x20, TLLA unless NO_LL_ADDR. */
    public static byte[] na(long dstMac, long srcMac, long sHi, long sLo, long dHi, long dLo, long tHi, long tLo,
                            int flags, long tlla) {
        Icmpv6Repr m = new Icmpv6Repr().clear();
        m.type = Icmpv6Packet.TYPE_NEIGHBOR_ADVERT;
        m.naFlags = flags;
        m.targetHi = tHi;
        m.targetLo = tLo;
        m.targetLinkAddr = tlla;
        return eth(dstMac, srcMac, ipv6(sHi, sLo, dHi, dLo, IpProtocol.ICMPV6, 255,
                icmp6(sHi, sLo, dHi, dLo, m, null)));
    }

    /** The solicited-node multicast MAC of an address (33:33:ff + low 24 bits). */
    public static long solicitedMac(long lo) {
        return MacAddr.ofIpv6Multicast(Ipv6Addr.solicitedNodeLo(lo));
    }

    /** A copy with bytes {@code at..} replaced. */
    public static byte[] with(byte[] frame, int at, byte... bytes) {
        byte[] f = frame.clone();
        System.arraycopy(bytes, 0, f, at, bytes.length);
        return f;
    }

    /** A copy with another source MAC. */
    public static byte[] withSrcMac(byte[] frame, long mac) {
        byte[] f = frame.clone();
        MacAddr.set(Unpooled.wrappedBuffer(f), 6, mac);
        return f;
    }

    /** A copy of an untagged Ethernet/IPv6 frame with flow label 0 (what this stack sends). */
    public static byte[] withoutFlowLabel(byte[] frame) {
        byte[] f = frame.clone();
        f[15] &= (byte) 0xf0;
        f[16] = 0;
        f[17] = 0;
        return f;
    }

    /**
     * Recomputes the ICMPv6 checksum of an untagged Ethernet/IPv6 frame whose ICMPv6 message starts at
     * {@code icmpAt} (14 + 40 without extension headers) and runs to the end.
     */
    public static byte[] fixIcmp6Checksum(byte[] frame, int icmpAt) {
        byte[] f = frame.clone();
        ByteBuf b = Unpooled.wrappedBuffer(f);
        Ipv6Packet ip = new Ipv6Packet().wrap(b, 14, f.length - 14);
        new Icmpv6Packet().wrap(b, icmpAt, f.length - icmpAt).fillChecksum(ip.srcHi(), ip.srcLo(), ip.dstHi(),
                ip.dstLo());
        return f;
    }

    /** The next frame the stack sent, asserting there is one. */
    public static byte[] next(StackFixture f) {
        byte[] b = f.link.take();
        if (b == null) {
            throw new AssertionError("the stack sent nothing; stats: " + f.stack.stats());
        }
        return b;
    }

    /** Stack of the fixture (shorthand). */
    public static Stack stack(StackFixture f) {
        return f.stack;
    }
}
