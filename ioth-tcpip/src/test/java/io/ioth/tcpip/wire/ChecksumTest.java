package io.ioth.tcpip.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChecksumTest {

    /** Straightforward RFC 1071 reference: 16-bit words, end-around carry. */
    static int reference(byte[] b, int off, int len) {
        long sum = 0;
        for (int i = 0; i < len; i += 2) {
            int hi = b[off + i] & 0xff;
            int lo = i + 1 < len ? b[off + i + 1] & 0xff : 0;
            sum += (hi << 8) | lo;
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) sum;
    }

    @Test
    void rfc1071Example() {
        // RFC 1071 §3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2
        ByteBuf b = Hex.wrap(Hex.decode("0001 f203 f4f5 f6f7"));
        assertEquals(0xddf2, Checksum.sum(b, 0, 8, 0));
        assertEquals(0x220d, Checksum.finish(Checksum.sum(b, 0, 8, 0)));
    }

    @Test
    void matchesReferenceForAllLengthsAndAlignments_heapAndDirect() {
        SplittableRandom rnd = new SplittableRandom(42);
        byte[] data = new byte[300];
        rnd.nextBytes(data);
        data[7] = (byte) 0xff; // make carries likely
        ByteBuf heap = Unpooled.wrappedBuffer(data);
        ByteBuf direct = Unpooled.directBuffer(data.length).writeBytes(data);
        try {
            for (int off = 0; off < 9; off++) {
                for (int len = 0; len <= 200; len++) {
                    int want = reference(data, off, len);
                    assertEquals(want, Checksum.sum(heap, off, len, 0), "heap off " + off + " len " + len);
                    assertEquals(want, Checksum.sum(direct, off, len, 0), "direct off " + off + " len " + len);
                }
            }
            byte[] ones = new byte[1500];
            java.util.Arrays.fill(ones, (byte) 0xff);
            assertEquals(0xffff, Checksum.sum(Unpooled.wrappedBuffer(ones), 0, 1500, 0xffff));
        } finally {
            direct.release();
        }
    }

    @Test
    void pseudoHeaderV4_verifiesCapturedUdp() {
        ByteBuf b = Hex.wrap(Captures.UDP4);
        int ph = Checksum.pseudoHeaderV4(Ipv4Addr.parse("10.0.0.1"), Ipv4Addr.parse("10.0.0.2"), IpProtocol.UDP, 13);
        assertTrue(Checksum.verifies(Checksum.sum(b, 34, 13, ph)));
    }

    @Test
    void pseudoHeaderV6_verifiesCapturedUdp() {
        ByteBuf b = Hex.wrap(Captures.UDP6);
        int ph = Checksum.pseudoHeaderV6(Ipv6Addr.parseHi("fd00::1"), Ipv6Addr.parseLo("fd00::1"),
                Ipv6Addr.parseHi("fd00::2"), Ipv6Addr.parseLo("fd00::2"), IpProtocol.UDP, 13);
        assertTrue(Checksum.verifies(Checksum.sum(b, 54, 13, ph)));
    }

    @Test
    void incrementalUpdate_rfc1624_matchesRecompute() {
        // decrement the TTL of the captured echo request and patch the header checksum (RFC 1624 §4 example use)
        ByteBuf b = Hex.wrap(Captures.ICMP4_ECHO_REQUEST);
        Ipv4Packet ip = new Ipv4Packet().wrap(b, 14, 40);
        int oldWord = b.getUnsignedShort(14 + Ipv4Packet.TTL);
        b.setByte(14 + Ipv4Packet.TTL, ip.ttl() - 1);
        int newWord = b.getUnsignedShort(14 + Ipv4Packet.TTL);
        int patched = Checksum.update(ip.checksum(), oldWord, newWord);
        ip.fillChecksum();
        assertEquals(ip.checksum(), patched);
        int c = Checksum.update32(patched, ip.src(), Ipv4Addr.parse("192.168.1.1"));
        ip.setSrc(Ipv4Addr.parse("192.168.1.1"));
        ip.fillChecksum();
        assertEquals(ip.checksum(), c);
    }
}
