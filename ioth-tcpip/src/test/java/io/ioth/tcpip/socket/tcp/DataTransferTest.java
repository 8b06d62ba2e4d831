package io.ioth.tcpip.socket.tcp;

import io.ioth.tcpip.iface.NetError;
import static io.ioth.tcpip.socket.tcp.Seg.ACK;
import static io.ioth.tcpip.socket.tcp.Seg.PSH;
import static io.ioth.tcpip.socket.tcp.Seg.flags;
import static io.ioth.tcpip.socket.tcp.TcpHarness.LOCAL_SEQ;
import static io.ioth.tcpip.socket.tcp.TcpHarness.REMOTE_SEQ;
import static io.ioth.tcpip.socket.tcp.TcpHarness.readAll;
import static io.ioth.tcpip.socket.tcp.TcpHarness.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ioth.tcpip.socket.StackSocket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

/** Data and acknowledgments: RFC 9293 §3.8.6.3 / RFC 5681 §4.2 (delayed ACK), §3.7.4 (Nagle), §3.8.6 (windows). */
class DataTransferTest extends TcpTestBase {
    static final int R = REMOTE_SEQ + 1;
    static final int L = LOCAL_SEQ + 1;

    static Seg data(final int off, final int len) {
        return flags(ACK).seq(R + off).ack(L).len(len);
    }

    @Test
    void inOrderData_isReadZeroCopy_andAckedAfterTheDelay_RFC9293_3_8_6_3() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.passiveEstablished();
        h.send(flags(ACK).seq(R).ack(L).data("hello"));
        assertTrue((s.takeEvents() & StackSocket.READABLE) != 0);
        h.expectNothing();
        h.advanceMs(39);
        h.expectNothing();
        h.advanceMs(1);
        h.expect(flags(ACK).seq(L).ack(R + 5).exactFlags());
        assertEquals(1, h.tcp.stats().get(TcpCounter.DELAYED_ACKS));
        final ByteBuf b = s.read(100);
        assertEquals("hello", b.toString(java.nio.charset.StandardCharsets.US_ASCII));
        b.release();
        assertNull(s.read(100));
        assertTrue(!s.isInputShutdown());
    }

    @Test
    void everySecondFullSizedSegment_isAckedAtOnce_RFC5681_4_2() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.passiveEstablished();
        h.send(data(0, 1460));
        h.expectNothing();
        h.send(data(1460, 1460));
        h.expect(flags(ACK).seq(L).ack(R + 2920));
        h.send(data(2920, 1460));
        h.expectNothing();
        h.send(data(4380, 1460));
        h.expect(flags(ACK).ack(R + 5840));
        h.advanceMs(100);
        h.expectNothing();
        assertEquals(5840, s.readableBytes());
        s.read(Integer.MAX_VALUE).release();
        while (s.readableBytes() > 0) {
            s.read(Integer.MAX_VALUE).release();
        }
    }

    @Test
    void delayedAckOff_everySegmentIsAcked() {
        final TcpHarness h = new TcpHarness(b -> b.delayedAck(false, 40_000_000L));
        h.passiveEstablished();
        h.send(flags(ACK).seq(R).ack(L).data("a"));
        h.expect(flags(ACK).ack(R + 1));
    }

    @Test
    void quickAck_firstSegmentsOfAConnectionAreAckedAtOnce_LinuxQuickack() {
        final TcpHarness h = new TcpHarness(b -> b.quickAckSegments(2));
        h.passiveEstablished();
        h.send(flags(ACK).seq(R).ack(L).data("a"));
        h.expect(flags(ACK).ack(R + 1));
        h.send(flags(ACK).seq(R + 1).ack(L).data("b"));
        h.expect(flags(ACK).ack(R + 2));
        h.send(flags(ACK).seq(R + 2).ack(L).data("c"));
        h.expectNothing(); // quick-ACK budget spent: delayed again
    }

    @Test
    void outOfOrderSegment_immediateDupAck_andFillingTheGap_immediateAck_RFC5681_4_2() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.passiveEstablished();
        h.send(data(1000, 500));
        h.expect(flags(ACK).seq(L).ack(R)); // duplicate ACK at once
        h.send(data(2000, 500));
        h.expect(flags(ACK).ack(R));
        assertEquals(0, s.readableBytes());
        h.send(data(0, 1000));
        h.expect(flags(ACK).ack(R + 1500)); // gap filled up to the second hole: ACK at once
        assertEquals(1500, s.readableBytes());
        h.send(data(1500, 500));
        h.expect(flags(ACK).ack(R + 2500));
        final String got = readAll(s);
        assertEquals(2500, got.length());
        assertEquals(0, h.tcp.outOfOrderBytes());
    }

    @Test
    void overlappingAndDuplicateSegments_eachByteDeliveredOnce() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.passiveEstablished();
        final byte[] all = Seg.filler(3000);
        h.send(flags(ACK).seq(R + 1000).ack(L).data(java.util.Arrays.copyOfRange(all, 1000, 2000)));
        h.send(flags(ACK).seq(R + 1500).ack(L).data(java.util.Arrays.copyOfRange(all, 1500, 2500)));
        h.send(flags(ACK).seq(R + 900).ack(L).data(java.util.Arrays.copyOfRange(all, 900, 1200)));
        h.send(flags(ACK).seq(R).ack(L).data(java.util.Arrays.copyOfRange(all, 0, 1000)));
        h.send(flags(ACK).seq(R + 500).ack(L).data(java.util.Arrays.copyOfRange(all, 500, 3000)));
        assertEquals(new String(all, java.nio.charset.StandardCharsets.ISO_8859_1), readAll(s));
        h.take();
        // an entirely old segment is acknowledged at once (a spurious retransmission)
        h.send(flags(ACK).seq(R).ack(L).data("abc"));
        h.expect(flags(ACK).ack(R + 3000));
        assertTrue(h.tcp.stats().drops(TcpDrop.DUPLICATE_DATA) >= 1);
    }

    @Test
    void sending_segmentsOfAtMostMss_withPushOnTheLast() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.passiveEstablished();
        assertEquals(4000, write(s, Seg.filler(4000)));
        h.flush();
        h.expect(flags(ACK).seq(L).ack(R).payloadLen(1460), flags(ACK).seq(L + 1460).payloadLen(1460),
                flags(ACK | PSH).seq(L + 2920).payloadLen(1080).exactFlags());
        assertEquals(4000, s.sendQueued());
        h.send(flags(ACK).seq(R).ack(L + 4000));
        assertEquals(0, s.sendQueued());
        h.expectNothing();
        final TcpInfo i = s.info(new TcpInfo(), h.now);
        assertEquals(4000, i.bytesAcked);
        assertEquals(4000, i.bytesSent);
    }

    @Test
    void zeroCopySend_retainsTheCallersBuffer_andAdvancesItsReaderIndex() {
        final TcpHarness h = new TcpHarness(b -> b.sendBufferSize(3000));
        final TcpSocket s = h.passiveEstablished();
        s.setSendBufferSize(3000); // SO_SNDBUF: fixed (the configured size alone is auto-tuned)
        final ByteBuf app = ByteBufAllocator.DEFAULT.directBuffer(5000).writeBytes(Seg.filler(5000));
        assertEquals(3000, s.send(app), "takes what the send buffer holds");
        assertEquals(3000, app.readerIndex());
        assertEquals(2, app.refCnt(), "a retained slice, not a copy");
        assertEquals(0, s.sendSpace());
        app.release(); // the application is done with it: the slice keeps the bytes
        h.flush();
        assertEquals(3, h.take().size());
        h.send(flags(ACK).seq(R).ack(L + 3000));
        assertTrue((s.takeEvents() & StackSocket.WRITABLE) != 0, "WRITABLE after a short write");
        assertEquals(3000, s.sendSpace());
    }

    @Test
    void nagle_holdsSmallSegmentsWhileOneIsUnacknowledged_RFC9293_3_7_4() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.passiveEstablished();
        write(s, "a");
        h.flush();
        h.expect(flags(ACK | PSH).seq(L).data("a"));
        write(s, "b");
        h.flush();
        write(s, "c");
        h.flush();
        h.expectNothing();
        h.send(flags(ACK).seq(R).ack(L + 1));
        h.expect(flags(ACK | PSH).seq(L + 1).data("bc"));
        // a full-sized segment is never held
        write(s, Seg.filler(1460));
        h.flush();
        h.expect(flags(ACK).seq(L + 3).payloadLen(1460));
    }

    @Test
    void noDelay_sendsEveryWriteAtOnce() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.passiveEstablished();
        s.setNoDelay(true);
        write(s, "a");
        h.flush();
        write(s, "b");
        h.flush();
        h.expect(flags(ACK).seq(L).data("a"), flags(ACK).seq(L + 1).data("b"));
    }

    @Test
    void receiveWindow_shrinksAsDataQueues_andAnUpdateFollowsTheRead_RFC9293_3_8_6_2_2() {
        final TcpHarness h = new TcpHarness(b -> b.receiveBufferSize(5840));
        final TcpSocket s = h.passiveEstablished();
        h.send(data(0, 1460));
        h.send(data(1460, 1460));
        h.expect(flags(ACK).ack(R + 2920).win(2920));
        h.send(data(2920, 1460));
        h.send(data(4380, 1460));
        h.expect(flags(ACK).ack(R + 5840).win(0));
        // reading less than min(2*MSS, buffer/2) sends no update (receiver SWS avoidance)
        final ByteBuf b1 = s.read(1000);
        b1.release();
        h.flush();
        h.expectNothing();
        int read = 1000;
        while (read < 3000) { // read() hands out one received buffer at a time
            final ByteBuf b2 = s.read(3000 - read);
            read += b2.readableBytes();
            b2.release();
        }
        h.flush();
        h.expect(flags(ACK).ack(R + 5840).win(3000));
    }

    @Test
    void receiverSws_rightEdgeDoesNotCreepByLessThanAnMss_RFC1122_4_2_3_3() {
        final TcpHarness h = new TcpHarness(b -> b.receiveBufferSize(20_000));
        final TcpSocket s = h.passiveEstablished();
        h.send(data(0, 1460));
        h.send(data(1460, 1460));
        final Seg.Sent a = h.one();
        assertEquals(20_000 - 2920, a.window());
        s.read(100).release(); // frees 100 bytes: the edge must not move by that little
        h.send(data(2920, 10));
        h.advanceMs(40);
        final Seg.Sent b = h.one();
        assertEquals(20_000 - 2930, b.window(), "window shrinks by the data, not re-opened by 100 bytes");
    }

    @Test
    void dataBeyondTheWindow_isTrimmed_andAcked() {
        final TcpHarness h = new TcpHarness(b -> b.receiveBufferSize(1000));
        final TcpSocket s = h.passiveEstablished();
        h.send(data(0, 1460));
        h.expect(flags(ACK).ack(R + 1000).win(0));
        assertEquals(1000, s.readableBytes());
    }

    @Test
    void zeroWindow_probesWithBackoff_thenSendsWhenTheWindowOpens_RFC9293_3_8_6_1() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.passiveEstablished();
        h.send(flags(ACK).seq(R).ack(L).win(0));
        write(s, "0123456789");
        h.flush();
        h.expectNothing();
        final long t0 = h.now;
        // persist timer: max(RTO, 200 ms), doubled per probe (Linux tcp_probe0_when)
        h.at(t0 + 200 * TcpHarness.MS);
        h.expect(flags(ACK).seq(L - 1).ack(R).payloadLen(0));
        h.send(flags(ACK).seq(R).ack(L).win(0)); // the peer answers: still closed
        h.at(t0 + 599 * TcpHarness.MS);
        h.expectNothing();
        h.at(t0 + 600 * TcpHarness.MS);
        h.expect(flags(ACK).seq(L - 1));
        h.at(t0 + 1400 * TcpHarness.MS);
        h.expect(flags(ACK).seq(L - 1));
        assertEquals(3, h.tcp.stats().get(TcpCounter.ZERO_WINDOW_PROBES));
        // window update
        h.send(flags(ACK).seq(R).ack(L).win(1000));
        h.expect(flags(ACK).seq(L).data("0123456789"));
        assertEquals(TcpState.ESTABLISHED, s.state());
    }

    @Test
    void zeroWindowProbesUnanswered_abortTheConnection() {
        final TcpHarness h = new TcpHarness(b -> b.retries(3));
        final TcpSocket s = h.passiveEstablished();
        h.send(flags(ACK).seq(R).ack(L).win(0));
        write(s, "x");
        h.flush();
        h.advanceMs(200 + 400 + 800);
        assertEquals(3, h.take().size());
        h.advanceMs(1600);
        assertEquals(TcpState.CLOSED, s.state());
        assertEquals(NetError.ETIMEDOUT, s.error());
    }

    @Test
    void smallUsableWindow_senderSws_waitsThenOverrides_RFC9293_3_8_6_2_1() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.passiveEstablished();
        // the peer offered 65535 once (max window), now only 100 bytes: sending 100 of 1000 queued bytes would be
        // a silly-window segment
        h.send(flags(ACK).seq(R).ack(L).win(100));
        write(s, Seg.filler(1000));
        h.flush();
        h.expectNothing();
        h.advanceMs(200); // the override (persist) timeout sends what fits
        h.expect(flags(ACK).seq(L).payloadLen(100));
    }

    @Test
    void sendWindow_limitsData_andAPartialSegmentWaitsForTheWindow_RFC9293_3_8_6_2_1() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.passiveEstablished(TcpHarness.remoteSyn().win(2000));
        s.setNoDelay(true);
        write(s, Seg.filler(3000));
        h.flush();
        // 540 bytes would fit after the first segment, but that is neither all the queued data nor half the
        // largest window offered (MUST-38: sender SWS avoidance), so it waits for the window
        h.expect(flags(ACK).seq(L).payloadLen(1460));
        h.send(flags(ACK).seq(R).ack(L + 1460).win(2000));
        h.expect(flags(ACK).seq(L + 1460).payloadLen(1460), flags(ACK).seq(L + 2920).payloadLen(80));
    }
}
