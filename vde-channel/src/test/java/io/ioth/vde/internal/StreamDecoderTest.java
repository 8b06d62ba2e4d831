package io.ioth.vde.internal;

import io.ioth.vde.DropReason;
import io.ioth.vde.PlugStats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static io.ioth.vde.internal.StreamFrames.concat;
import static io.ioth.vde.internal.StreamFrames.frame;
import static io.ioth.vde.internal.StreamFrames.record;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stream framing of vde-protocol.md §2 as packet traces: bytes in (split anyhow), frames out. */
class StreamDecoderTest {
    private final PlugStats stats = new PlugStats();
    private final StreamDecoder decoder = new StreamDecoder(PooledByteBufAllocator.DEFAULT, stats);
    private final StreamFrames.Collector out = new StreamFrames.Collector();

    private static final byte[][] FRAMES = {frame(14, 1), frame(60, 2), frame(300, 3), frame(1514, 4), frame(9234, 5)};

    /** The frames with an L = 0 record before each (§2: skipped). */
    private static byte[] stream() {
        byte[] s = new byte[0];
        for (byte[] f : FRAMES) s = concat(s, new byte[] {0, 0}, record(f));
        return s;
    }

    /** Feeds {@code bytes} cut at the given positions, as successive reads. */
    private void feed(byte[] bytes, int... cuts) {
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : bytes.length;
            ByteBuf chunk = Unpooled.wrappedBuffer(bytes, from, to - from);
            decoder.decode(chunk, out, Integer.MAX_VALUE);
            assertFalse(chunk.isReadable(), "decode consumes the whole read");
            from = to;
        }
    }

    private void assertFrames(byte[]... expected) {
        assertEquals(expected.length, out.frames.size(), "frames decoded");
        for (int i = 0; i < expected.length; i++) assertArrayEquals(expected[i], out.frames.get(i), "frame " + i);
    }

    @Test
    void goldenHeader() {
        // §2 [V]: 300 bytes on the wire are "01 2c" plus the frame
        byte[] r = record(FRAMES[2]);
        assertEquals(0x01, r[0]);
        assertEquals(0x2c, r[1]);
        feed(r);
        assertFrames(FRAMES[2]);
        assertEquals(1, stats.framesIn());
        assertEquals(300, stats.bytesIn());
    }

    @Test
    void everySplitPositionOfTheWholeStream() {
        byte[] s = stream();
        for (int cut = 0; cut <= s.length; cut++) {
            out.frames.clear();
            feed(s, cut);
            assertFrames(FRAMES);
            assertTrue(decoder.idle(), "between records after cut " + cut);
        }
        assertEquals(0, stats.totalDrops());
    }

    @Test
    void everyPairOfNearbySplitPositions() {
        // three reads: cuts a <= b < a + 24 anywhere in a short stream (L=0, 14, 60 and 300-byte records),
        // so every header and both ends of every body are cut twice, also one byte apart
        byte[][] frames = {FRAMES[0], FRAMES[1], FRAMES[2]};
        byte[] s = concat(new byte[] {0, 0}, record(frames[0]), new byte[] {0, 0}, record(frames[1]), record(frames[2]));
        for (int a = 0; a <= s.length; a++) {
            for (int b = a; b <= Math.min(s.length, a + 24); b++) {
                out.frames.clear();
                feed(s, a, b);
                assertFrames(frames);
            }
        }
        assertEquals(0, stats.totalDrops());
    }

    @Test
    void oneByteAtATime() {
        byte[] s = stream();
        int[] cuts = new int[s.length - 1];
        for (int i = 0; i < cuts.length; i++) cuts[i] = i + 1;
        feed(s, cuts);
        assertFrames(FRAMES);
    }

    @Test
    void headerSplitAfterItsFirstByte() {
        // the C decoder's quirk (§2): here the lone first byte is kept
        byte[] s = concat(record(FRAMES[0]), record(FRAMES[1]));
        feed(s, 2 + 14 + 1);
        assertFrames(FRAMES[0], FRAMES[1]);
    }

    @Test
    void maxFramesLeavesTheRestInTheBuffer() {
        ByteBuf in = Unpooled.wrappedBuffer(concat(record(FRAMES[0]), record(FRAMES[1]), record(FRAMES[2])));
        assertEquals(1, decoder.decode(in, out, 1));
        assertEquals(2 + 60 + 2 + 300, in.readableBytes());
        assertEquals(2, decoder.decode(in, out, 5));
        assertFrames(FRAMES[0], FRAMES[1], FRAMES[2]);
    }

    @Test
    void runtsAreSkippedAndCounted() {
        // L = 13 and L = 1: skipped with their bodies (vde_plug never forwards < 14, §2); the stream stays in sync
        byte[] s = concat(record(frame(13, 9)), record(new byte[] {42}), record(FRAMES[1]));
        for (int cut = 0; cut <= s.length; cut++) {
            out.frames.clear();
            feed(s, cut);
            assertFrames(FRAMES[1]);
        }
        assertEquals(2L * (s.length + 1), stats.drops(DropReason.RUNT));
        assertEquals(2L * (s.length + 1), stats.totalDrops());
    }

    @Test
    void zeroLengthIsSkippedSilently() {
        feed(new byte[] {0, 0, 0, 0, 0, 0});
        feed(record(FRAMES[0]), 1);
        assertFrames(FRAMES[0]);
        assertEquals(0, stats.totalDrops());
    }

    @Test
    void largestLengthIsAFrame() {
        feed(record(FRAMES[4]));
        assertFrames(FRAMES[4]);
        assertFalse(decoder.broken());
    }

    @Test
    void lengths9235And9236AreRecordsTooLongForAFrame() {
        // libvdestream's MAXPACKET is VDE_ETHBUFSIZE + 2 = 9236: it sends and accepts these records (§2), so
        // the stream is in sync; the frame is longer than any wire carries: skipped and counted OVERSIZE
        byte[] s = concat(record(frame(9235, 6)), record(FRAMES[0]), record(frame(9236, 7)), record(FRAMES[1]));
        for (int cut : new int[] {1, 2, 3, 9237, 9238, 9239}) {
            out.frames.clear();
            feed(s, cut);
            assertFrames(FRAMES[0], FRAMES[1]);
            assertFalse(decoder.broken());
        }
        assertEquals(12, stats.drops(DropReason.OVERSIZE));
        assertEquals(12, stats.totalDrops());
    }

    @Test
    void lengthOver9236BreaksTheStream() {
        // 0x2415 = 9237 > MAXPACKET: counted once; nothing after it is trusted, in this read or later ones
        byte[] s = concat(record(FRAMES[0]), new byte[] {0x24, 0x15}, record(FRAMES[1]));
        feed(s, s.length - 10);
        feed(record(FRAMES[2]));
        assertFrames(FRAMES[0]);
        assertTrue(decoder.broken());
        assertEquals(1, stats.drops(DropReason.STREAM_BAD_LENGTH));
        assertEquals(1, stats.totalDrops());
        decoder.endOfStream();
        assertEquals(1, stats.totalDrops(), "no truncation counted on a broken stream");
    }

    @Test
    void maximumLengthFieldBreaksTheStream() {
        feed(new byte[] {(byte) 0xff}, 0);
        feed(new byte[] {(byte) 0xff, 1, 2, 3});
        assertTrue(decoder.broken());
        assertEquals(1, stats.drops(DropReason.STREAM_BAD_LENGTH));
    }

    @Test
    void eofInsideABody() {
        byte[] r = record(FRAMES[3]);
        feed(Arrays.copyOf(concat(record(FRAMES[0]), r), 2 + 14 + 700), 5);
        decoder.endOfStream(); // the rest of FRAMES[3] never comes
        assertFrames(FRAMES[0]);
        assertEquals(1, stats.drops(DropReason.STREAM_TRUNCATED));
        assertTrue(decoder.idle());
    }

    @Test
    void eofAfterTheFirstHeaderByte() {
        feed(new byte[] {0x01});
        decoder.endOfStream();
        assertEquals(1, stats.drops(DropReason.STREAM_TRUNCATED));
    }

    @Test
    void eofBetweenRecordsCountsNothing() {
        feed(record(FRAMES[1]));
        decoder.endOfStream();
        assertFrames(FRAMES[1]);
        assertEquals(0, stats.totalDrops());
    }

    @Test
    void eofInsideARuntCountsOnlyTheRunt() {
        feed(new byte[] {0, 10, 1, 2, 3});
        decoder.endOfStream();
        assertEquals(1, stats.drops(DropReason.RUNT));
        assertEquals(1, stats.totalDrops());
    }

    @Test
    void closeFromTheHandlerStopsDelivery() {
        // the plug's handler closes the plug (and so the decoder) on the first frame of a read
        StreamDecoder d = new StreamDecoder(PooledByteBufAllocator.DEFAULT, stats);
        ByteBuf in = Unpooled.wrappedBuffer(concat(record(FRAMES[0]), record(FRAMES[1]), record(FRAMES[2])));
        int n = d.decode(in, f -> {
            out.onFrame(f);
            d.close();
        }, Integer.MAX_VALUE);
        assertEquals(1, n);
        assertFrames(FRAMES[0]);
        assertEquals(0, d.decode(Unpooled.wrappedBuffer(record(FRAMES[3])), out, Integer.MAX_VALUE));
        assertFrames(FRAMES[0]);
    }

    @Test
    void closeReleasesAPartialFrame() {
        feed(Arrays.copyOf(record(FRAMES[3]), 100)); // a body still missing 1416 bytes
        assertFalse(decoder.idle());
        decoder.close(); // the leak detector fails the test if the partial frame were kept
        assertTrue(decoder.idle());
        assertEquals(0, stats.totalDrops());
    }
}
