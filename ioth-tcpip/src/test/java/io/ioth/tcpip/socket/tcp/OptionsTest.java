package io.ioth.tcpip.socket.tcp;

import static io.ioth.tcpip.socket.tcp.Seg.ACK;
import static io.ioth.tcpip.socket.tcp.Seg.SYN;
import static io.ioth.tcpip.socket.tcp.Seg.flags;
import static io.ioth.tcpip.socket.tcp.TcpHarness.LOCAL_SEQ;
import static io.ioth.tcpip.socket.tcp.TcpHarness.REMOTE_HI;
import static io.ioth.tcpip.socket.tcp.TcpHarness.REMOTE_LO;
import static io.ioth.tcpip.socket.tcp.TcpHarness.REMOTE_PORT;
import static io.ioth.tcpip.socket.tcp.TcpHarness.REMOTE_SEQ;
import static io.ioth.tcpip.socket.tcp.TcpHarness.readAll;
import static io.ioth.tcpip.socket.tcp.TcpHarness.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ioth.tcpip.iface.NetError;
import org.junit.jupiter.api.Test;

/** TCP options: MSS (RFC 9293 §3.7.1), window scale and timestamps with PAWS (RFC 7323), SACK (RFC 2018). */
class OptionsTest extends TcpTestBase {
    static final int R = REMOTE_SEQ + 1;
    static final int L = LOCAL_SEQ + 1;

    static TcpHarness allOptions() {
        return new TcpHarness(b -> b.timestamps(true).sack(true).windowScaling(true));
    }

    @Test
    void mss_isClampedToThePathMtu_andTheSmallerOfTheTwoIsUsed_RFC9293_3_7_1() {
        final TcpHarness h = new TcpHarness();
        h.mtu = 1280;
        final TcpSocket s = h.tcp.open();
        s.connect(REMOTE_HI, REMOTE_LO, REMOTE_PORT, h.now);
        h.flush();
        h.expect(flags(SYN).mss(1240));
        h.send(flags(SYN | ACK).seq(REMOTE_SEQ).ack(L).mss(1460).dport(s.localPort()));
        h.take();
        assertEquals(1240, s.info(new TcpInfo(), h.now).sndMss);
        // no MSS option: 536 (RFC 9293 §3.7.1 "MUST assume ... 536")
        final TcpHarness h2 = new TcpHarness();
        final TcpSocket s2 = h2.passiveEstablished(flags(SYN).seq(REMOTE_SEQ));
        assertEquals(536, s2.info(new TcpInfo(), h2.now).sndMss);
    }

    @Test
    void pathMtuReduction_resendsInSmallerSegments_RFC1191() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.passiveEstablished();
        write(s, Seg.filler(2920));
        h.flush();
        assertEquals(2, h.take().size());
        h.tcp.icmpError(TcpHarness.LOCAL_HI, TcpHarness.LOCAL_LO, TcpHarness.LOCAL_PORT, REMOTE_HI, REMOTE_LO,
                REMOTE_PORT, L, true, 1000, NetError.EMSGSIZE, h.now);
        h.flush();
        h.expect(flags(ACK).seq(L).payloadLen(960), flags(ACK).seq(L + 960).payloadLen(960),
                flags(ACK).seq(L + 1920).payloadLen(960), flags(ACK).seq(L + 2880).payloadLen(40));
        assertEquals(960, s.info(new TcpInfo(), h.now).sndMss);
        // an ICMP quoting a sequence number not in flight is ignored (RFC 5927 §4.1)
        h.tcp.icmpError(TcpHarness.LOCAL_HI, TcpHarness.LOCAL_LO, TcpHarness.LOCAL_PORT, REMOTE_HI, REMOTE_LO,
                REMOTE_PORT, L + 100_000, true, 600, NetError.EMSGSIZE, h.now);
        assertEquals(960, s.info(new TcpInfo(), h.now).sndMss);
    }

    @Test
    void icmpUnreachableInSynSent_failsTheConnect() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.tcp.open();
        s.connect(REMOTE_HI, REMOTE_LO, REMOTE_PORT, h.now);
        h.flush();
        h.tcp.icmpError(TcpHarness.LOCAL_HI, TcpHarness.LOCAL_LO, s.localPort(), REMOTE_HI, REMOTE_LO,
                REMOTE_PORT, LOCAL_SEQ, false, 0, NetError.EHOSTUNREACH, h.now);
        assertEquals(TcpState.CLOSED, s.state());
        assertEquals(NetError.EHOSTUNREACH, s.error());
    }

    @Test
    void windowScale_negotiated_bothWaysScaled_RFC7323_2() {
        final TcpHarness h = new TcpHarness(b -> b.windowScaling(true).receiveBufferSize(1 << 20)
                .maxReceiveBufferSize(4 << 20));
        final TcpListener l = h.listen(4);
        h.send(TcpHarness.remoteSyn().ws(3).win(10000));
        // the shift lets the largest receive buffer (4 MiB) be advertised: 7; the SYN-ACK window is unscaled
        h.expect(flags(SYN | ACK).ws(7).win(65535));
        h.send(flags(ACK).seq(R).ack(L).win(1000));
        final TcpSocket s = l.accept();
        final TcpInfo i = s.info(new TcpInfo(), h.now);
        assertEquals(3, i.sndWscale);
        assertEquals(7, i.rcvWscale);
        assertEquals(8000, i.sendWindow, "the peer's window field is shifted by its scale");
        h.send(flags(ACK).seq(R).ack(L).data("x"));
        h.advanceMs(40);
        final Seg.Sent a = h.one();
        // our window: the SYN-ACK promised 65535 bytes; more space is advertised once it exceeds the SWS step
        assertTrue(a.window() << 7 >= 65535 - 1, "window " + a.window());
        readAll(s);
    }

    @Test
    void windowScale_notInTheSyn_notInTheSynAck_andNotUsed_RFC7323_2_2() {
        final TcpHarness h = new TcpHarness(b -> b.windowScaling(true));
        h.listen(4);
        h.send(TcpHarness.remoteSyn());
        final Seg.Sent sa = h.one();
        assertEquals(-1, sa.options().windowScale);
    }

    @Test
    void timestamps_echoedInEverySegment_RFC7323_3_2() {
        final TcpHarness h = new TcpHarness(b -> b.timestamps(true));
        final TcpListener l = h.listen(4);
        h.send(TcpHarness.remoteSyn().ts(500, 0));
        final int ourTs = (int) (h.now / 1_000_000L);
        h.expect(flags(SYN | ACK).ts(ourTs, 500));
        h.send(flags(ACK).seq(R).ack(L).ts(501, ourTs));
        final TcpSocket s = l.accept();
        assertEquals(1448, s.info(new TcpInfo(), h.now).sndMss, "12 option bytes come off the MSS");
        h.advanceMs(5);
        h.send(flags(ACK).seq(R).ack(L).ts(510, ourTs).data("a"));
        h.advanceMs(40);
        h.expect(flags(ACK).ack(R + 1).ts(ourTs + 45, 510));
        readAll(s);
    }

    @Test
    void timestamps_notOfferedByThePeer_notUsed() {
        final TcpHarness h = new TcpHarness(b -> b.timestamps(true));
        h.listen(4);
        h.send(TcpHarness.remoteSyn());
        assertFalse(h.one().options().hasTimestamp);
    }

    @Test
    void paws_oldTimestamp_isDroppedAndAcked_RFC7323_5_3() {
        final TcpHarness h = new TcpHarness(b -> b.timestamps(true).oowAckInterval(0));
        final TcpSocket s = h.passiveEstablished(TcpHarness.remoteSyn().ts(1000, 0));
        h.send(flags(ACK).seq(R).ack(L).ts(1005, 0).data("new"));
        h.advanceMs(40);
        h.take();
        // an old duplicate from a previous wrap: TSval < TS.Recent
        h.send(flags(ACK).seq(R + 3).ack(L).ts(900, 0).data("old"));
        h.expect(flags(ACK).ack(R + 3));
        assertEquals("new", readAll(s));
        assertEquals(1, h.tcp.stats().drops(TcpDrop.PAWS));
        // a RST is exempt from PAWS (R1: "if the RST bit is not set")
        h.send(flags(Seg.RST).seq(R + 3).ts(900, 0));
        assertEquals(TcpState.CLOSED, s.state());
    }

    /**
     * Linux tcp_disordered_ack: a pure duplicate ACK that a reordering path delivered after a newer one fails PAWS
     * only by a few milliseconds (less than the RTO); it is accepted (its SACK blocks count), not dropped and
     * answered.
     */
    @Test
    void paws_reorderedDuplicateAck_withinTheRto_isAccepted() {
        final TcpHarness h = new TcpHarness(b -> b.timestamps(true).oowAckInterval(0));
        final TcpSocket s = h.passiveEstablished(TcpHarness.remoteSyn().ts(1000, 0));
        h.send(flags(ACK).seq(R).ack(L).ts(1005, 0).data("new"));
        h.send(flags(ACK).seq(R + 3).ack(L).ts(1006, 0)); // SND.WL1 = R + 3
        h.advanceMs(40);
        h.take();
        h.send(flags(ACK).seq(R + 3).ack(L).ts(1004, 0)); // older than TS.Recent (1006), a duplicate ACK
        h.expectNothing();
        assertEquals(0, h.tcp.stats().drops(TcpDrop.PAWS));
        assertEquals(1, h.tcp.stats().get(TcpCounter.DISORDERED_ACKS));
        // the same with data is still a PAWS drop
        h.send(flags(ACK).seq(R + 3).ack(L).ts(1004, 0).data("x"));
        assertEquals(1, h.tcp.stats().drops(TcpDrop.PAWS));
        assertEquals("new", readAll(s));
    }

    @Test
    void tsRecent_onlyFromSegmentsAtTheLeftEdge_RFC7323_4_3() {
        final TcpHarness h = new TcpHarness(b -> b.timestamps(true));
        final TcpSocket s = h.passiveEstablished(TcpHarness.remoteSyn().ts(1000, 0));
        // out of order with a newer TSval: must not become TS.Recent
        h.send(flags(ACK).seq(R + 100).ack(L).ts(2000, 0).data("later"));
        h.take();
        h.send(flags(ACK).seq(R).ack(L).ts(1500, 0).len(100)); // in order, older than 2000: accepted
        final Seg.Sent a = h.one();
        assertEquals(1500, a.options().tsEcr);
        assertEquals(105, s.readableBytes());
        readAll(s);
    }

    @Test
    void sack_negotiated_andBlocksReportTheMostRecentFirst_RFC2018_4() {
        final TcpHarness h = new TcpHarness(b -> b.sack(true));
        final TcpListener l = h.listen(4);
        h.send(TcpHarness.remoteSyn().sackPerm());
        h.expect(flags(SYN | ACK).sackPerm());
        h.send(flags(ACK).seq(R).ack(L));
        final TcpSocket s = l.accept();
        h.send(flags(ACK).seq(R + 100).ack(L).len(100));
        h.expect(flags(ACK).ack(R).sack(R + 100, R + 200));
        h.send(flags(ACK).seq(R + 300).ack(L).len(100));
        h.expect(flags(ACK).ack(R).sack(R + 300, R + 400, R + 100, R + 200));
        h.send(flags(ACK).seq(R + 200).ack(L).len(100)); // joins the two blocks
        h.expect(flags(ACK).ack(R).sack(R + 100, R + 400));
        h.send(flags(ACK).seq(R + 500).ack(L).len(100));
        h.send(flags(ACK).seq(R + 700).ack(L).len(100));
        h.send(flags(ACK).seq(R + 900).ack(L).len(100));
        h.take();
        h.send(flags(ACK).seq(R + 1100).ack(L).len(100));
        // four blocks without timestamps; the oldest report is the one dropped
        h.expect(flags(ACK).ack(R).sack(R + 1100, R + 1200, R + 900, R + 1000, R + 700, R + 800, R + 500,
                R + 600));
        h.send(flags(ACK).seq(R).ack(L).len(100)); // fills the first hole
        h.expect(flags(ACK).ack(R + 400).sack(R + 1100, R + 1200, R + 900, R + 1000, R + 700, R + 800, R + 500,
                R + 600));
        assertEquals(400, s.readableBytes());
        readAll(s);
    }

    @Test
    void sack_withTimestamps_atMostThreeBlocks_RFC2018_3() {
        final TcpHarness h = new TcpHarness(b -> b.sack(true).timestamps(true));
        final TcpSocket s = h.passiveEstablished(TcpHarness.remoteSyn().sackPerm().ts(1, 0));
        for (int k = 1; k <= 4; k++) {
            h.send(flags(ACK).seq(R + 200 * k).ack(L).ts(2, 0).len(100));
        }
        final java.util.List<Seg.Sent> acks = h.take();
        final Seg.Sent last = acks.get(acks.size() - 1);
        assertEquals(3, last.options().sackBlockCount);
        assertEquals(R + 800, last.options().sackBlocks[0]);
        s.takeEvents();
    }

    @Test
    void sackBlocksFromThePeer_fillTheScoreboard() {
        final TcpHarness h = new TcpHarness(b -> b.sack(true).sendBufferSize(1 << 20));
        final TcpSocket s = h.passiveEstablished(TcpHarness.remoteSyn().sackPerm());
        write(s, Seg.filler(5 * 1460));
        h.flush();
        h.take();
        h.send(flags(ACK).seq(R).ack(L).sack(L + 1460, L + 2920));
        h.send(flags(ACK).seq(R).ack(L).sack(L + 2920 * 2, L + 4380, L + 1460, L + 2920)); // invalid block ignored
        assertEquals(1460, s.info(new TcpInfo(), h.now).sackedBytes);
        h.send(flags(ACK).seq(R).ack(L).sack(L + 4380, L + 5840, L + 1460, L + 2920));
        assertEquals(2920, s.info(new TcpInfo(), h.now).sackedBytes);
        h.send(flags(ACK).seq(R).ack(L + 5 * 1460));
        assertEquals(0, s.info(new TcpInfo(), h.now).sackedBytes);
    }

    @Test
    void tcpInfo_reportsTheConnection() {
        final TcpHarness h = allOptions();
        final TcpSocket s = h.passiveEstablished(TcpHarness.remoteSyn().ws(2).sackPerm().ts(7, 0));
        write(s, "hello");
        h.flush();
        h.advanceMs(20);
        final Seg.Sent d = h.one();
        h.send(flags(ACK).seq(R).ack(L + 5).ts(8, d.options().tsVal).data("abc"));
        final TcpInfo i = s.info(new TcpInfo(), h.now);
        assertEquals(TcpState.ESTABLISHED, i.state);
        assertTrue(i.timestamps && i.sack && i.windowScaling);
        assertEquals(2, i.sndWscale);
        assertEquals(5, i.bytesAcked);
        assertEquals(5, i.bytesSent);
        assertEquals(3, i.bytesReceived);
        assertEquals(3, i.receiveQueued);
        // RFC 6298 §2.3: SRTT = 7/8 * (handshake sample ~0) + 1/8 * 20 ms
        assertEquals(2_500, i.srttMicros, 10);
        assertEquals("newreno", i.congestionControl);
        assertEquals(14480, i.cwnd);
        assertEquals(Integer.MAX_VALUE, i.ssthresh);
        assertFalse(i.toString().isEmpty());
        readAll(s);
    }
}
