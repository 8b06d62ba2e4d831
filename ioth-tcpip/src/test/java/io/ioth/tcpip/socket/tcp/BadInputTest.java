package io.ioth.tcpip.socket.tcp;

import static io.ioth.tcpip.socket.tcp.Seg.ACK;
import static io.ioth.tcpip.socket.tcp.Seg.FIN;
import static io.ioth.tcpip.socket.tcp.Seg.RST;
import static io.ioth.tcpip.socket.tcp.Seg.SYN;
import static io.ioth.tcpip.socket.tcp.Seg.flags;
import static io.ioth.tcpip.socket.tcp.TcpHarness.LOCAL_HI;
import static io.ioth.tcpip.socket.tcp.TcpHarness.LOCAL_LO;
import static io.ioth.tcpip.socket.tcp.TcpHarness.LOCAL_SEQ;
import static io.ioth.tcpip.socket.tcp.TcpHarness.REMOTE_HI;
import static io.ioth.tcpip.socket.tcp.TcpHarness.REMOTE_LO;
import static io.ioth.tcpip.socket.tcp.TcpHarness.REMOTE_SEQ;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

/** Malformed and hostile segments: dropped and counted, never thrown (style.md §3 principle 7). */
class BadInputTest extends TcpTestBase {
    static final int R = REMOTE_SEQ + 1;
    static final int L = LOCAL_SEQ + 1;

    static void inject(final TcpHarness h, final ByteBuf b) {
        try {
            h.tcp.input(REMOTE_HI, REMOTE_LO, LOCAL_HI, LOCAL_LO, b, h.now);
        } finally {
            b.release();
        }
        h.flush();
    }

    @Test
    void badChecksum_isDropped_RFC9293_3_1() {
        final TcpHarness h = new TcpHarness();
        final TcpListener l = h.listen(8);
        final ByteBuf b = h.build(TcpHarness.remoteSyn(), REMOTE_HI, REMOTE_LO, LOCAL_HI, LOCAL_LO);
        b.setByte(4, b.getByte(4) ^ 1); // flip a bit of the sequence number
        inject(h, b);
        h.expectNothing();
        assertEquals(0, l.synQueueLength());
        assertEquals(1, h.tcp.stats().drops(TcpDrop.BAD_CHECKSUM));
        assertEquals(1, h.tcp.stats().get(TcpCounter.IN_ERRS));
    }

    @Test
    void dataOffsetBelowFiveWords_isDropped() {
        final TcpHarness h = new TcpHarness();
        h.listen(8);
        h.send(TcpHarness.remoteSyn().headerLen(16));
        h.expectNothing();
        assertEquals(1, h.tcp.stats().drops(TcpDrop.BAD_HEADER_LEN));
    }

    @Test
    void dataOffsetBeyondTheSegment_isDropped() {
        final TcpHarness h = new TcpHarness();
        h.listen(8);
        h.send(flags(SYN).seq(REMOTE_SEQ).headerLen(60)); // a 20-byte segment claiming 60 bytes of header
        h.expectNothing();
        assertEquals(1, h.tcp.stats().drops(TcpDrop.TRUNCATED));
    }

    @Test
    void shorterThanAHeader_isDropped() {
        final TcpHarness h = new TcpHarness();
        final ByteBuf b = h.alloc.directBuffer(12).writeZero(12);
        inject(h, b);
        assertEquals(1, h.tcp.stats().drops(TcpDrop.TRUNCATED));
    }

    @Test
    void optionThatOverrunsTheHeader_isDropped_RFC9293_3_2() {
        final TcpHarness h = new TcpHarness();
        h.listen(8);
        // MSS option claiming 10 bytes in a 4-byte option area
        h.send(flags(SYN).seq(REMOTE_SEQ).rawOptions(new byte[]{2, 10, 5, (byte) 0xb4}));
        // option length 1 (below the minimum of 2)
        h.send(flags(SYN).seq(REMOTE_SEQ).rawOptions(new byte[]{8, 1, 0, 0}));
        // kind without a length byte at the very end
        h.send(flags(SYN).seq(REMOTE_SEQ).rawOptions(new byte[]{1, 1, 1, 3}));
        h.expectNothing();
        assertEquals(3, h.tcp.stats().drops(TcpDrop.MALFORMED_OPTION));
    }

    @Test
    void unknownOptionsAndWrongLengthsOfKnownOnes_areSkipped_LinuxTcpParseOptions() {
        final TcpHarness h = new TcpHarness();
        h.listen(8);
        // unknown kind 30 len 4, then MSS with a wrong length (3): ignored, the SYN proceeds
        h.send(flags(SYN).seq(REMOTE_SEQ).rawOptions(new byte[]{30, 4, 0, 0, 2, 3, 1, 1}));
        final Seg.Sent sa = h.one();
        assertEquals(SYN | ACK, sa.flags() & (SYN | ACK));
    }

    @Test
    void synFin_isDropped_everywhere() {
        final TcpHarness h = new TcpHarness();
        h.listen(8);
        h.send(flags(SYN | FIN).seq(REMOTE_SEQ));
        h.expectNothing();
        h.send(flags(SYN | FIN).seq(REMOTE_SEQ).dport(9)); // no listener: not even a RST
        h.expectNothing();
        h.send(flags(SYN | RST).seq(REMOTE_SEQ));
        h.expectNothing();
        assertEquals(2, h.tcp.stats().drops(TcpDrop.SYN_FIN));
        assertEquals(1, h.tcp.stats().drops(TcpDrop.SYN_RST));
    }

    @Test
    void portZero_isDropped() {
        final TcpHarness h = new TcpHarness();
        h.send(TcpHarness.remoteSyn().sport(0));
        h.send(TcpHarness.remoteSyn().dport(0));
        h.expectNothing();
        assertEquals(2, h.tcp.stats().drops(TcpDrop.BAD_PORT));
    }

    @Test
    void segmentWithoutAckInEstablished_isDropped_RFC9293_3_10_7_4() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.passiveEstablished();
        h.send(flags(0).seq(R).data("noack"));
        h.expectNothing();
        assertEquals(0, s.readableBytes());
        assertEquals(1, h.tcp.stats().drops(TcpDrop.NO_ACK));
    }

    @Test
    void randomGarbage_neverThrows_andEveryRejectionIsCounted() {
        final TcpHarness h = new TcpHarness(b -> b.checksumPolicy(io.ioth.tcpip.wire.ChecksumPolicy.IGNORE));
        h.listen(8);
        final TcpSocket s = h.activeEstablished();
        h.alloc = new io.netty.buffer.UnpooledByteBufAllocator(true, true);
        final SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            final int len = rnd.nextInt(80);
            final ByteBuf b = h.alloc.directBuffer(len);
            for (int k = 0; k < len; k++) {
                b.writeByte(rnd.nextInt(256));
            }
            if (len >= 4 && rnd.nextBoolean()) {
                b.setShort(2, rnd.nextBoolean() ? TcpHarness.LOCAL_PORT : s.localPort());
                b.setShort(0, TcpHarness.REMOTE_PORT);
            }
            inject(h, b);
            h.take();
        }
        final TcpStats st = h.tcp.stats();
        assertEquals(20_000 + 1, st.get(TcpCounter.IN_SEGS));
        // most garbage fails the header checks; what passes them is answered per RFC or dropped, all counted
        assertEquals(true, st.drops(TcpDrop.TRUNCATED) + st.drops(TcpDrop.BAD_HEADER_LEN) > 10_000);
        assertEquals(true, st.totalDrops() > 15_000, st.toString());
    }
}
