package io.ioth.tcpip.frag;

import io.ioth.tcpip.wire.Ipv4Packet;
import io.ioth.tcpip.wire.Ipv6Packet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;

import java.util.List;

/** Test helper: builds IP packets as byte arrays and moves them in and out of pooled buffers. */
final class Packets {
    static final ByteBufAllocator POOL = PooledByteBufAllocator.DEFAULT;
    static final int A4 = 0x0a000001; // 10.0.0.1
    static final int B4 = 0x0a000002; // 10.0.0.2
    static final long FD00 = 0xfd00_0000_0000_0000L; // fd00::/64
    static final int ICMP = 1;
    static final int ICMPV6 = 58;

    private Packets() {
    }

    /** An IPv4 datagram with a 20-byte header plus {@code options} (length a multiple of 4), checksum filled. */
    static byte[] ipv4(int src, int dst, int proto, int ident, int tos, int ttl, byte[] options, byte[] payload) {
        int hl = 20 + options.length;
        byte[] b = new byte[hl + payload.length];
        ByteBuf buf = Unpooled.wrappedBuffer(b);
        Ipv4Packet p = new Ipv4Packet().wrap(buf, 0, b.length);
        p.setVersionAndHeaderLen(hl);
        p.setTos(tos);
        p.setTotalLen(b.length);
        p.setIdent(ident);
        p.setFlagsFrag(false, false, 0);
        p.setTtl(ttl);
        p.setProtocol(proto);
        p.setSrc(src);
        p.setDst(dst);
        System.arraycopy(options, 0, b, 20, options.length);
        System.arraycopy(payload, 0, b, hl, payload.length);
        p.fillChecksum();
        return b;
    }

    /** An IPv6 packet: fixed header with next header {@code nh}, then {@code rest} (extension headers + data). */
    static byte[] ipv6(long srcLo, long dstLo, int nh, int trafficClass, int flowLabel, byte[] rest) {
        byte[] b = new byte[40 + rest.length];
        ByteBuf buf = Unpooled.wrappedBuffer(b);
        Ipv6Packet p = new Ipv6Packet().wrap(buf, 0, b.length);
        p.setVersionTcFlow(trafficClass, flowLabel);
        p.setPayloadLen(rest.length);
        p.setNextHeader(nh);
        p.setHopLimit(64);
        p.setSrc(FD00, srcLo);
        p.setDst(FD00, dstLo);
        System.arraycopy(rest, 0, b, 40, rest.length);
        return b;
    }

    /**
     * The datagram Linux fragmented in {@link LinuxTrace#PING_S4000} (frames 0-2), rebuilt by hand: fragment zero's
     * header with Total Length 4028, flags and offset zero and a fresh checksum, then the three data parts.
     */
    static byte[] linuxOriginalV4() {
        byte[] f0 = LinuxTrace.ip(0);
        byte[] f1 = LinuxTrace.ip(1);
        byte[] f2 = LinuxTrace.ip(2);
        byte[] b = concat(f0, 0, f0.length, f1, 20, f1.length - 20, f2, 20, f2.length - 20);
        ByteBuf buf = Unpooled.wrappedBuffer(b);
        Ipv4Packet p = new Ipv4Packet().wrap(buf, 0, b.length);
        p.setTotalLen(b.length);
        p.setFlagsFrag(false, false, 0);
        p.fillChecksum();
        return b;
    }

    /** The IPv6 packet of frames 3-5: their 40-byte header with Next Header 58 and Payload Length 4008, no
     * Fragment header, then the three data parts. */
    static byte[] linuxOriginalV6() {
        byte[] f0 = LinuxTrace.ip(3);
        byte[] f1 = LinuxTrace.ip(4);
        byte[] f2 = LinuxTrace.ip(5);
        byte[] b = concat(f0, 0, 40, f0, 48, f0.length - 48, f1, 48, f1.length - 48, f2, 48, f2.length - 48);
        ByteBuf buf = Unpooled.wrappedBuffer(b);
        Ipv6Packet p = new Ipv6Packet().wrap(buf, 0, b.length);
        p.setNextHeader(f0[40] & 0xff);
        p.setPayloadLen(b.length - 40);
        return b;
    }

    static byte[] concat(Object... parts) {
        int n = 0;
        for (int i = 0; i < parts.length; i += 3) {
            n += (int) parts[i + 2];
        }
        byte[] out = new byte[n];
        int w = 0;
        for (int i = 0; i < parts.length; i += 3) {
            int len = (int) parts[i + 2];
            System.arraycopy((byte[]) parts[i], (int) parts[i + 1], out, w, len);
            w += len;
        }
        return out;
    }

    /** A pooled direct buffer holding {@code bytes} (leak-tracked: the test must release it). */
    static ByteBuf pooled(byte[] bytes) {
        ByteBuf b = POOL.directBuffer(bytes.length);
        b.writeBytes(bytes);
        return b;
    }

    /** The readable bytes of {@code buf}. */
    static byte[] bytes(ByteBuf buf) {
        return ByteBufUtil.getBytes(buf);
    }

    static String hex(byte[] b) {
        return ByteBufUtil.hexDump(b);
    }

    static void releaseAll(List<ByteBuf> bufs) {
        for (ByteBuf b : bufs) {
            b.release();
        }
        bufs.clear();
    }
}
