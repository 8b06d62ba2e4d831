package io.ioth.tcpip.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.IllegalReferenceCountException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
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
            Arrays.fill(ones, (byte) 0xff);
            assertEquals(0xffff, Checksum.sum(Unpooled.wrappedBuffer(ones), 0, 1500, 0xffff));
        } finally {
            direct.release();
        }
    }

    /**
     * RFC 1071 reference for every length at once: {@code out[len]} is the sum of {@code b[off, off+len)}
     * (16-bit big-endian words, end-around carry, an odd last byte padded with zero on the right, §4.1).
     */
    static int[] referencePrefixes(byte[] b, int off, int maxLen) {
        int[] out = new int[maxLen + 1];
        long words = 0; // end-around-carry sum of the complete words so far
        for (int len = 0; len <= maxLen; len++) {
            if ((len & 1) == 0) {
                out[len] = (int) words;
            } else {
                int hi = (b[off + len - 1] & 0xff) << 8;
                out[len] = (int) endAround(words + hi);
                if (len < maxLen) {
                    words = endAround(words + (hi | (b[off + len] & 0xff)));
                }
            }
        }
        return out;
    }

    private static long endAround(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return sum;
    }

    static final int MAX_LEN = 9000; // a jumbo frame's IP datagram
    static final int[] OFFSETS = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 1001, 4093};

    /**
     * The buffer kinds {@link Checksum#sum} may see, each holding {@code data[i]} at index {@code i} and freed by one
     * {@code release()}: direct ones and heap ones with an array take the native-order paths, the others
     * {@code ByteBuf.getLong}. Components and wrappers are not leak-tracked where the fallback reads through them
     * (a paranoid leak-aware buffer records every read).
     */
    record Kind(String name, Function<byte[], ByteBuf> make) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Kind> kinds() {
        return List.of(
                new Kind("heap", d -> Unpooled.wrappedBuffer(d.clone())),
                new Kind("heap slice at array offset 3", d -> Unpooled.wrappedBuffer(padded(d, 3, 5), 3, d.length)),
                new Kind("pooled heap", d -> PooledByteBufAllocator.DEFAULT.heapBuffer(d.length).writeBytes(d)),
                new Kind("unpooled direct", d -> Unpooled.directBuffer(d.length).writeBytes(d)),
                new Kind("pooled direct", d -> PooledByteBufAllocator.DEFAULT.directBuffer(d.length).writeBytes(d)),
                new Kind("direct slice at odd address", d -> Unpooled.directBuffer(d.length + 8)
                        .writeBytes(padded(d, 5, 3)).slice(5, d.length)),
                new Kind("read-only direct", d -> Unpooled.directBuffer(d.length).writeBytes(d).asReadOnly()),
                new Kind("read-only direct ByteBuffer", d -> Unpooled.wrappedBuffer(
                        ByteBuffer.allocateDirect(d.length).put(d).flip().asReadOnlyBuffer())),
                new Kind("read-only heap", d -> Unpooled.wrappedBuffer(d.clone()).asReadOnly()),
                new Kind("read-only heap ByteBuffer",
                        d -> Unpooled.wrappedBuffer(ByteBuffer.wrap(d.clone()).asReadOnlyBuffer())),
                new Kind("composite of one sliced direct component", d -> Unpooled.compositeBuffer().addComponent(true,
                        Unpooled.directBuffer(d.length + 8).writeBytes(padded(d, 3, 5)).slice(3, d.length))),
                new Kind("composite of odd-sized heap and direct components", ChecksumTest::composite));
    }

    /** {@code data} between {@code before} and {@code after} bytes of 0xff, which a read past the region would add. */
    private static byte[] padded(byte[] data, int before, int after) {
        byte[] b = new byte[before + data.length + after];
        Arrays.fill(b, (byte) 0xff);
        System.arraycopy(data, 0, b, before, data.length);
        return b;
    }

    /** Components of 1, 7, 2, 1499 and 8 bytes then the rest, alternately heap and direct: words straddle them. */
    private static ByteBuf composite(byte[] d) {
        CompositeByteBuf c = Unpooled.compositeBuffer(64);
        int[] sizes = {1, 7, 2, 1499, 8};
        int at = 0;
        for (int k = 0; at < d.length; k++) {
            int n = k < sizes.length ? Math.min(sizes[k], d.length - at) : d.length - at;
            ByteBuf part = (k & 1) == 0
                    ? Unpooled.wrappedBuffer(Arrays.copyOfRange(d, at, at + n))
                    : Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(n).put(d, at, n).flip());
            c.addComponent(true, part);
            at += n;
        }
        return c;
    }

    @Test
    void referencePrefixes_agreeWithTheWordByWordReference() {
        byte[] data = new byte[600];
        new SplittableRandom(7).nextBytes(data);
        for (int off : new int[] {0, 1, 7}) {
            int[] ref = referencePrefixes(data, off, 500);
            for (int len = 0; len <= 500; len++) {
                assertEquals(reference(data, off, len), ref[len], "off " + off + " len " + len);
            }
        }
    }

    @Test
    void matchesReference_everyLengthTo9000_evenAndOddOffsets_everyBufferKind() {
        SplittableRandom rnd = new SplittableRandom(1071);
        byte[] data = new byte[OFFSETS[OFFSETS.length - 1] + MAX_LEN + 16];
        rnd.nextBytes(data);
        for (int i = 0; i < data.length; i += 64 + rnd.nextInt(64)) {
            Arrays.fill(data, i, Math.min(data.length, i + rnd.nextInt(48)), (byte) 0xff); // runs of carries
        }
        int[][] ref = new int[OFFSETS.length][];
        for (int o = 0; o < OFFSETS.length; o++) {
            ref[o] = referencePrefixes(data, OFFSETS[o], MAX_LEN);
        }
        for (Kind kind : kinds()) {
            ByteBuf buf = kind.make().apply(data);
            try {
                int readerIndex = buf.readerIndex();
                int writerIndex = buf.writerIndex();
                for (int o = 0; o < OFFSETS.length; o++) {
                    int off = OFFSETS[o];
                    for (int len = 0; len <= MAX_LEN; len++) {
                        int got = Checksum.sum(buf, off, len, 0);
                        if (got != ref[o][len]) { // assertEquals' message would be built 117 000 times per kind
                            assertEquals(ref[o][len], got, kind + ": off " + off + " len " + len);
                        }
                    }
                }
                assertEquals(readerIndex, buf.readerIndex(), kind + ": reader index moved");
                assertEquals(writerIndex, buf.writerIndex(), kind + ": writer index moved");
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void allOnesAndAllZeros_everyBufferKind() {
        // all 0xff: every add carries, and the sum is 0xffff; all zeros: the sum is 0, never 0xffff (RFC 1071 §1)
        for (byte fill : new byte[] {(byte) 0xff, 0}) {
            byte[] data = new byte[MAX_LEN + 9];
            Arrays.fill(data, fill);
            for (Kind kind : kinds()) {
                ByteBuf buf = kind.make().apply(data);
                try {
                    for (int off = 0; off <= 9; off++) {
                        for (int len : new int[] {1, 2, 7, 8, 15, 16, 17, 20, 31, 32, 33, 64, 1500, 1501, 8999, 9000}) {
                            int want = fill == 0 ? 0 : (len & 1) == 0 ? 0xffff : 0xff00; // odd: ...ffff + ff00 = ff00
                            assertEquals(reference(data, off, len), want, "expectation, len " + len);
                            assertEquals(want, Checksum.sum(buf, off, len, 0),
                                    kind + ": fill " + fill + " off " + off + " len " + len);
                        }
                    }
                } finally {
                    buf.release();
                }
            }
        }
    }

    @Test
    void initialPartialSumIsAdded_everyBufferKind() {
        // the initial value may be any 32-bit partial sum (unfolded too): the result is their one's complement sum
        SplittableRandom rnd = new SplittableRandom(1624);
        byte[] data = new byte[1600];
        rnd.nextBytes(data);
        int[] initials = {0, 1, 0xfffe, 0xffff, 0x10000, 0x1ffff, 0x7fffffff, -1, rnd.nextInt(), rnd.nextInt()};
        for (Kind kind : kinds()) {
            ByteBuf buf = kind.make().apply(data);
            try {
                for (int len : new int[] {0, 1, 15, 16, 20, 21, 31, 32, 33, 64, 1500, 1501}) {
                    for (int off : new int[] {0, 1, 6, 99}) {
                        for (int initial : initials) {
                            long want = endAround(reference(data, off, len) + (initial & 0xffffffffL));
                            assertEquals(want, Checksum.sum(buf, off, len, initial),
                                    kind + ": off " + off + " len " + len + " initial " + Integer.toHexString(initial));
                        }
                    }
                }
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void regionOutsideTheBuffer_throwsIndexOutOfBounds_everyBufferKind() {
        // the native-order paths read raw memory, so they check the region the way ByteBuf.getLong would
        byte[] data = new byte[100];
        for (Kind kind : kinds()) {
            ByteBuf buf = kind.make().apply(data);
            try {
                assertEquals(0, Checksum.sum(buf, 0, 100, 0), kind.name());
                for (int len : new int[] {16, 32, 33}) { // short regions take ByteBuf.getLong, longer ones not
                    assertEquals(0, Checksum.sum(buf, 100 - len, len, 0), kind.name());
                    assertThrows(IndexOutOfBoundsException.class, () -> Checksum.sum(buf, 101 - len, len, 0),
                            kind + ": len " + len);
                    assertThrows(IndexOutOfBoundsException.class, () -> Checksum.sum(buf, -1, len, 0),
                            kind + ": len " + len);
                    assertThrows(IndexOutOfBoundsException.class,
                            () -> Checksum.sum(buf, Integer.MAX_VALUE - 8, len, 0), kind + ": len " + len);
                }
                assertThrows(IndexOutOfBoundsException.class, () -> Checksum.sum(buf, 0, 101, 0), kind.name());
                assertThrows(IndexOutOfBoundsException.class, () -> Checksum.sum(buf, 1, Integer.MAX_VALUE, 0),
                        kind.name());
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void releasedBuffer_throwsIllegalReferenceCount_insteadOfReadingFreedMemory() {
        for (Kind kind : kinds()) {
            ByteBuf buf = kind.make().apply(new byte[64]);
            assertTrue(buf.release());
            assertThrows(IllegalReferenceCountException.class, () -> Checksum.sum(buf, 0, 64, 0), kind.name());
        }
    }

    @Test
    void bufferKinds_coverBothNativeOrderPathsAndTheFallback() {
        // guards the test itself: if Netty changed which buffers expose an address or an array, say so
        for (Kind kind : kinds()) {
            ByteBuf buf = kind.make().apply(new byte[2000]);
            try {
                boolean fast = buf.hasMemoryAddress() || buf.hasArray();
                boolean expectFast = !kind.name().startsWith("read-only heap")
                        && !kind.name().startsWith("composite of odd");
                assertEquals(expectFast, fast, kind.name());
            } finally {
                buf.release();
            }
        }
        ByteBuf composite = composite(new byte[2000]);
        try {
            assertFalse(composite.hasMemoryAddress());
            assertTrue(composite instanceof CompositeByteBuf c && c.numComponents() == 6, "components");
        } finally {
            composite.release();
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
