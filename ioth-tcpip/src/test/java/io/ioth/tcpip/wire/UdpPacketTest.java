package io.ioth.tcpip.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.Test;

class UdpPacketTest {
    static final int IP_A = 0x0a000001;
    static final int IP_B = 0x0a000002;
    static final int PH4 = Checksum.pseudoHeaderV4(IP_A, IP_B, IpProtocol.UDP, 13);
    static final long FD00 = 0xfd00_0000_0000_0000L;
    static final int PH6 = Checksum.pseudoHeaderV6(FD00, 1, FD00, 2, IpProtocol.UDP, 13);

    static UdpPacket udp4(byte[] frame) {
        return new UdpPacket().wrap(Hex.wrap(frame), 34, frame.length - 34);
    }

    @Test
    void deconstruct() {
        UdpPacket p = new UdpPacket();
        assertEquals(WireError.OK, p.wrapChecked(Hex.wrap(Captures.UDP4), 34, 13));
        assertEquals(50397, p.srcPort());
        assertEquals(5000, p.dstPort());
        assertEquals(13, p.udpLength());
        assertEquals(0xcf99, p.checksum());
        assertEquals(42, p.payloadOffset());
        assertEquals(5, p.payloadLength());
        assertEquals("hello", p.buffer().toString(p.payloadOffset(), p.payloadLength(), java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void construct() {
        ByteBuf b = Hex.filledA5(13);
        b.setBytes(8, "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        UdpPacket p = new UdpPacket().wrap(b, 0, 13);
        p.setSrcPort(50397);
        p.setDstPort(5000);
        p.setUdpLength(13);
        p.fillChecksum(PH4);
        assertEquals(ByteBufUtil.hexDump(Captures.UDP4, 34, 13), ByteBufUtil.hexDump(b));
    }

    @Test
    void parse() {
        UdpRepr r = new UdpRepr();
        assertEquals(WireError.OK, r.parse(udp4(Captures.UDP4), PH4, false, ChecksumPolicy.VERIFY));
        assertEquals(50397, r.srcPort);
        assertEquals(5000, r.dstPort);
        assertEquals(5, r.payloadLen);
        UdpPacket p6 = new UdpPacket().wrap(Hex.wrap(Captures.UDP6), 54, 13);
        assertEquals(WireError.OK, r.parse(p6, PH6, true, ChecksumPolicy.VERIFY));
        assertEquals(51353, r.srcPort);
    }

    @Test
    void emit() {
        UdpRepr r = new UdpRepr().set(51353, 5000, 5);
        ByteBuf b = Hex.filledA5(r.bufferLen() + 5);
        b.setBytes(8, "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        r.emit(new UdpPacket().wrap(b, 0, 13), PH6);
        assertEquals(ByteBufUtil.hexDump(Captures.UDP6, 54, 13), ByteBufUtil.hexDump(b));
    }

    @Test
    void truncated() {
        assertEquals(WireError.TRUNCATED, new UdpPacket().wrapChecked(Hex.wrap(Captures.UDP4), 34, 7));
        assertEquals(WireError.TRUNCATED, new UdpPacket().wrapChecked(Hex.wrap(Captures.UDP4), 34, 12));
    }

    @Test
    void impossibleLength() {
        byte[] f = Captures.UDP4.clone();
        f[34 + 5] = 7; // UDP length 7 < 8
        assertEquals(WireError.BAD_LENGTH, udp4(f).checkLen());
    }

    @Test
    void checksum() {
        byte[] f = Captures.UDP4.clone();
        f[f.length - 1] ^= 0x20;
        assertFalse(udp4(f).verifyChecksum(PH4));
        assertEquals(WireError.BAD_CHECKSUM, new UdpRepr().parse(udp4(f), PH4, false, ChecksumPolicy.VERIFY));
        assertEquals(WireError.OK, new UdpRepr().parse(udp4(f), PH4, false, ChecksumPolicy.IGNORE));
    }

    @Test
    void checksumZero() {
        // RFC 768: zero = no checksum, accepted over IPv4
        byte[] f = Captures.UDP4.clone();
        f[34 + 6] = 0;
        f[34 + 7] = 0;
        assertEquals(WireError.OK, new UdpRepr().parse(udp4(f), PH4, false, ChecksumPolicy.VERIFY));
        // RFC 8200 §8.1: IPv6 receivers must discard UDP packets with a zero checksum
        byte[] g = Captures.UDP6.clone();
        g[54 + 6] = 0;
        g[54 + 7] = 0;
        UdpPacket p6 = new UdpPacket().wrap(Hex.wrap(g), 54, 13);
        assertEquals(WireError.BAD_CHECKSUM, new UdpRepr().parse(p6, PH6, true, ChecksumPolicy.VERIFY));
    }

    @Test
    void computedZeroIsSentAsAllOnes_rfc768() {
        // find a payload word that makes the computed checksum 0, then check fillChecksum writes ffff
        ByteBuf b = Hex.filledA5(10);
        UdpPacket p = new UdpPacket().wrap(b, 0, 10);
        p.setSrcPort(1);
        p.setDstPort(2);
        p.setUdpLength(10);
        p.setChecksum(0);
        b.setShort(8, 0);
        int sum = Checksum.sum(b, 0, 10, PH4); // pick the last word so that the total sums to 0xffff
        b.setShort(8, ~Checksum.add(sum, 0) & 0xffff);
        p.fillChecksum(PH4);
        assertEquals(0xffff, p.checksum());
        assertEquals(WireError.OK, new UdpRepr().parse(p, PH4, false, ChecksumPolicy.VERIFY));
    }
}
