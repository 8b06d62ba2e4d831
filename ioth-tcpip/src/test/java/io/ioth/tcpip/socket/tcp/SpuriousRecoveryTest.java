package io.ioth.tcpip.socket.tcp;

import static io.ioth.tcpip.socket.tcp.Seg.ACK;
import static io.ioth.tcpip.socket.tcp.Seg.flags;
import static io.ioth.tcpip.socket.tcp.SackRecoveryTest.MSS;
import static io.ioth.tcpip.socket.tcp.SackRecoveryTest.R;
import static io.ioth.tcpip.socket.tcp.SackRecoveryTest.data;
import static io.ioth.tcpip.socket.tcp.SackRecoveryTest.info;
import static io.ioth.tcpip.socket.tcp.SackRecoveryTest.sackAck;
import static io.ioth.tcpip.socket.tcp.SackRecoveryTest.sackConnection;
import static io.ioth.tcpip.socket.tcp.SackRecoveryTest.sackHarness;
import static io.ioth.tcpip.socket.tcp.SackRecoveryTest.seg;
import static io.ioth.tcpip.socket.tcp.TcpHarness.LOCAL_SEQ;
import static io.ioth.tcpip.socket.tcp.TcpHarness.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ioth.tcpip.socket.tcp.congestion.Cubic;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * Undo of spurious loss responses ({@link LossUndo}), send-buffer auto-tuning and the stack's defaults, as segment
 * traces in simulated time. A reordering path makes a sender retransmit what was only late; the receiver reports
 * the second copy with a D-SACK (RFC 2883), or the ACK echoes the original's timestamp (RFC 7323): the reduction is
 * taken back (RFC 3708, RFC 3522; Linux tcp_try_undo_dsack / tcp_try_undo_recovery / tcp_try_undo_loss).
 */
class SpuriousRecoveryTest extends TcpTestBase {

    /** Segments 2-4 overtake segment 1: fast recovery, segment 1 retransmitted, ssthresh = 5 segments (NewReno). */
    private static TcpSocket reorderedIntoRecovery(final TcpHarness h) {
        final TcpSocket s = sackConnection(h);
        write(s, Seg.filler(10 * MSS));
        h.flush();
        assertEquals(10, h.take().size());
        h.send(sackAck(1, 2, 2));
        h.send(sackAck(1, 2, 3));
        h.send(sackAck(1, 2, 4));
        h.expect(data(1));
        assertTrue(info(s, h).inRecovery);
        assertEquals(5 * MSS, info(s, h).ssthresh);
        return s;
    }

    @Test
    void rfc3708_3_dsackForEveryRetransmission_undoesTheReduction() {
        final TcpHarness h = sackHarness();
        final TcpSocket s = reorderedIntoRecovery(h);
        // the late original 1 arrives, then 5-10: the cumulative ACK ends recovery at ssthresh (RFC 6937)
        h.send(sackAck(11));
        assertFalse(info(s, h).inRecovery);
        assertEquals(5 * MSS, info(s, h).cwnd);
        // then the retransmission: the peer reports the duplicate (RFC 2883 §4: below the cumulative ACK)
        h.send(flags(ACK).seq(R).ack(seg(11)).sack(seg(1), seg(2)));
        final TcpInfo i = info(s, h);
        assertEquals(1, h.tcp.stats().get(TcpCounter.UNDO_DSACK));
        assertEquals(10 * MSS, i.cwnd, "cwnd = prior_cwnd");
        assertEquals(Integer.MAX_VALUE, i.ssthresh, "ssthresh = prior_ssthresh: still in slow start");
        assertTrue(i.reorderingSeen, "a spurious fast retransmit shows reordering (RFC 8985 §6.2)");
        assertEquals(1, i.spuriousUndos);
    }

    @Test
    void rfc3708_3_dsackOfAnOriginalNeverRetransmitted_provesNothing() {
        final TcpHarness h = sackHarness();
        final TcpSocket s = reorderedIntoRecovery(h);
        h.send(sackAck(11));
        // the network duplicated segment 5 (never retransmitted): a D-SACK, but not of a retransmission
        h.send(flags(ACK).seq(R).ack(seg(11)).sack(seg(5), seg(6)));
        assertEquals(1, h.tcp.stats().get(TcpCounter.DSACKS_RECEIVED));
        assertEquals(0, h.tcp.stats().get(TcpCounter.UNDO_DSACK));
        assertEquals(5 * MSS, info(s, h).cwnd);
    }

    @Test
    void rfc3708_3_oneOfTwoRetransmissionsDuplicated_isNotEnough() {
        final TcpHarness h = sackHarness();
        final TcpSocket s = reorderedIntoRecovery(h);
        // segment 5 really is lost: 6-8 SACKed, PRR lets its retransmission out
        h.send(sackAck(1, 2, 4, 6, 6));
        h.send(sackAck(1, 2, 4, 6, 7));
        h.expect(data(5));
        // the original 1 was only late: cumulative ACK to 5; a D-SACK for the retransmission of 1
        h.send(flags(ACK).seq(R).ack(seg(5)).sack(seg(1), seg(2), seg(6), seg(8)));
        assertEquals(0, h.tcp.stats().get(TcpCounter.UNDO_DSACK), "the retransmission of 5 was needed");
        assertTrue(info(s, h).inRecovery);
    }

    // ------------------------------------------------------------------ timestamps (RFC 3522)

    static final int TMSS = 1448; // 1460 - 12 bytes of timestamp option

    static int tseg(final int k) {
        return LOCAL_SEQ + 1 + (k - 1) * TMSS;
    }

    /** The peer's ACK of everything before {@code next}, echoing {@code ecr}, SACKing {first, last} if given. */
    static Seg tsAck(final int tsVal, final int ecr, final int next, final int... firstLast) {
        final Seg a = flags(ACK).seq(R).ack(tseg(next)).ts(tsVal, ecr);
        if (firstLast.length == 0) {
            return a;
        }
        return a.sack(tseg(firstLast[0]), tseg(firstLast[1] + 1));
    }

    static TcpHarness tsHarness() {
        return new TcpHarness(b -> b.sack(true).timestamps(true).sendBufferSize(1 << 20));
    }

    static TcpSocket tsConnection(final TcpHarness h) {
        final TcpSocket s = h.passiveEstablished(TcpHarness.remoteSyn().sackPerm().ts(100, 0));
        assertTrue(info(s, h).timestamps);
        return s;
    }

    /** Ten segments sent at T0; 10 ms later, three SACKs above segment 1: it is retransmitted at T0 + 10. */
    private static int[] tsIntoRecovery(final TcpHarness h, final TcpSocket s) {
        write(s, Seg.filler(10 * TMSS));
        h.flush();
        final List<Seg.Sent> first = h.take();
        assertEquals(10, first.size());
        final int t0 = first.get(0).options().tsVal;
        h.advanceMs(10);
        // 10 ms without an ACK (the PTO floor; the handshake's SRTT is ~0): the tail loss probe resends segment 10
        // (RFC 8985 §7.3); RetransmitTS is its TSval, t0 + 10
        final Seg.Sent probe = h.one();
        assertEquals(tseg(10), probe.repr.seq);
        assertEquals(t0 + 10, probe.options().tsVal);
        h.send(tsAck(200, t0, 1, 2, 2));
        h.send(tsAck(200, t0, 1, 2, 3));
        h.send(tsAck(200, t0, 1, 2, 4));
        final Seg.Sent rx = h.one();
        assertEquals(tseg(1), rx.repr.seq);
        final int t1 = rx.options().tsVal;
        assertEquals(t0 + 10, t1);
        assertEquals(t0 + 10, s.rxStamp, "RetransmitTS: the probe's, the first retransmission still out");
        assertTrue(info(s, h).inRecovery);
        return new int[] {t0, t1};
    }

    @Test
    void rfc3522_2_ackEchoingTheOriginalsTimestamp_undoesTheRecovery() {
        final TcpHarness h = tsHarness();
        final TcpSocket s = tsConnection(h);
        final int[] t = tsIntoRecovery(h, s);
        // the original of segment 1 (TSval t0) arrives before the retransmission: the ACK of everything echoes t0,
        // older than RetransmitTS (t1): "the retransmission was spurious"
        h.send(tsAck(201, t[0], 11));
        final TcpInfo i = info(s, h);
        assertEquals(1, h.tcp.stats().get(TcpCounter.UNDO_TIMESTAMP));
        assertFalse(i.inRecovery);
        assertEquals(Integer.MAX_VALUE, i.ssthresh, "the reduction is taken back");
        assertTrue(i.cwnd >= 10 * TMSS, "cwnd >= prior_cwnd: " + i.cwnd);
    }

    @Test
    void rfc3522_2_ackEchoingTheRetransmissionsTimestamp_isARealLoss() {
        final TcpHarness h = tsHarness();
        final TcpSocket s = tsConnection(h);
        final int[] t = tsIntoRecovery(h, s);
        h.send(tsAck(201, t[1], 11)); // the retransmission filled the hole
        final TcpInfo i = info(s, h);
        assertEquals(0, h.tcp.stats().get(TcpCounter.UNDO_TIMESTAMP));
        assertEquals(5 * TMSS, i.ssthresh);
        assertEquals(5 * TMSS, i.cwnd);
    }

    @Test
    void rfc3522_2_aPartialAckOfAnOlderCopy_isNoProofWhileARetransmissionIsOut() {
        final TcpHarness h = tsHarness();
        final TcpSocket s = tsConnection(h);
        final int[] t = tsIntoRecovery(h, s);
        // segment 5 is lost too: SACKs of 6 and 7 get it retransmitted (PRR)
        h.send(tsAck(201, t[0], 1, 2, 4).sack(tseg(2), tseg(5), tseg(6), tseg(7)));
        h.send(tsAck(201, t[0], 1, 2, 4).sack(tseg(2), tseg(5), tseg(6), tseg(8)));
        final List<Seg.Sent> out = h.take();
        assertTrue(out.stream().anyMatch(x -> x.repr.seq == tseg(5)), "5 retransmitted: " + out);
        // the late original 1 fills the first hole: a partial ACK echoing t0; the retransmission of 5 is still
        // out (Linux tcp_try_undo_partial: "If there are no retransmits out then we can undo")
        h.send(tsAck(202, t[0], 5, 6, 7));
        assertEquals(0, h.tcp.stats().get(TcpCounter.UNDO_TIMESTAMP));
        assertTrue(info(s, h).inRecovery);
    }

    @Test
    void rfc3522_rfc4015_aSpuriousTimeout_isUndone() {
        final TcpHarness h = tsHarness();
        final TcpSocket s = tsConnection(h);
        write(s, Seg.filler(4 * TMSS));
        h.flush();
        final int t0 = h.take().get(0).options().tsVal;
        // no ACK: the tail loss probe (segment 4, at 10 ms), then the retransmission timer (RTO 200 ms after the
        // probe, Linux's minimum) resends segment 1 from the loss window
        h.advanceMs(250);
        final List<Seg.Sent> rto = h.take();
        assertEquals(2, rto.size(), "probe and RTO retransmission: " + rto);
        assertEquals(tseg(4), rto.get(0).repr.seq);
        assertEquals(tseg(1), rto.get(1).repr.seq, "RTO retransmission: " + rto);
        assertEquals(1, info(s, h).rtoTimeouts);
        assertEquals(TMSS, info(s, h).cwnd, "loss window");
        // the ACKs were only late: the first ACK echoes the original's TSval
        h.send(tsAck(201, t0, 5));
        final TcpInfo i = info(s, h);
        assertEquals(1, h.tcp.stats().get(TcpCounter.UNDO_RTO));
        assertFalse(i.inLossRecovery);
        assertTrue(i.cwnd >= 10 * TMSS, "prior cwnd restored: " + i.cwnd);
        assertEquals(0, i.backoff, "RFC 4015: the timeout was spurious, so is its back-off");
    }

    // ------------------------------------------------------------------ send buffer, defaults

    @Test
    void linuxTcpSndbufExpand_theSendBufferGrowsToTwiceCwnd_whileTheApplicationWaits() {
        final TcpHarness h = new TcpHarness(b -> b.sendBufferSize(4 * 1460));
        final TcpSocket s = h.passiveEstablished();
        final ByteBuf app = ByteBufAllocator.DEFAULT.directBuffer(64 * 1460).writeBytes(Seg.filler(64 * 1460));
        try {
            assertEquals(4 * 1460, s.send(app), "the buffer is full");
            h.flush();
            assertEquals(4, h.take().size());
            // an ACK: the flight (3 segments) does not fill cwnd (IW10 + 1): the buffer was the limit
            h.send(flags(ACK).seq(TcpHarness.REMOTE_SEQ + 1).ack(LOCAL_SEQ + 1 + 1460));
            assertEquals(2 * info(s, h).cwnd, s.sendBufferSize(), "2 * cwnd (Linux tcp_sndbuf_expand)");
            assertEquals(1, h.tcp.stats().get(TcpCounter.SNDBUF_AUTOTUNED));
            // SO_SNDBUF fixes it (Linux SOCK_SNDBUF_LOCK)
            s.setSendBufferSize(4 * 1460);
            assertTrue(s.send(app) > 0);
            h.flush();
            h.take();
            h.send(flags(ACK).seq(TcpHarness.REMOTE_SEQ + 1).ack(LOCAL_SEQ + 1 + 2 * 1460));
            assertEquals(4 * 1460, s.sendBufferSize());
        } finally {
            app.release();
        }
    }

    @Test
    void cubicIsTheDefault_asLinuxTcpCongestionControl() {
        assertEquals("cubic", TcpConfig.builder().build().congestionControl().name());
        assertEquals(Cubic.FACTORY, TcpConfig.builder().build().congestionControl());
    }
}
