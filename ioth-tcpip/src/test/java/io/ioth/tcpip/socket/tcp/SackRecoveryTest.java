package io.ioth.tcpip.socket.tcp;

import static io.ioth.tcpip.socket.tcp.Seg.ACK;
import static io.ioth.tcpip.socket.tcp.Seg.flags;
import static io.ioth.tcpip.socket.tcp.TcpHarness.LOCAL_SEQ;
import static io.ioth.tcpip.socket.tcp.TcpHarness.MS;
import static io.ioth.tcpip.socket.tcp.TcpHarness.REMOTE_SEQ;
import static io.ioth.tcpip.socket.tcp.TcpHarness.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ioth.tcpip.socket.tcp.congestion.CongestionControl;
import io.ioth.tcpip.socket.tcp.congestion.Cubic;
import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * SACK-based loss recovery (RFC 6675) with Proportional Rate Reduction (RFC 6937), as segment traces. Our segments
 * are numbered from 1: segment k covers {@code [seg(k), seg(k+1))}, {@link #MSS} bytes each; the peer's ACKs carry
 * SACK blocks in segment numbers ({@link #sackAck}).
 */
class SackRecoveryTest extends TcpTestBase {
    static final int R = REMOTE_SEQ + 1;
    static final int L = LOCAL_SEQ + 1;
    static final int MSS = 1460;

    /** The first sequence number of our segment {@code k} (1-based). */
    static int seg(final int k) {
        return L + (k - 1) * MSS;
    }

    /** The peer's ACK of everything before segment {@code nextSeg}, SACKing segment ranges {first, last, ...}. */
    static Seg sackAck(final int nextSeg, final int... firstLast) {
        final int[] edges = new int[firstLast.length];
        for (int i = 0; i < firstLast.length; i += 2) {
            edges[i] = seg(firstLast[i]);
            edges[i + 1] = seg(firstLast[i + 1] + 1);
        }
        final Seg a = flags(ACK).seq(R).ack(seg(nextSeg));
        return edges.length == 0 ? a : a.sack(edges);
    }

    static Seg data(final int k) {
        return flags(ACK).seq(seg(k)).payloadLen(MSS);
    }

    static TcpHarness sackHarness() {
        return new TcpHarness(b -> b.sack(true).sendBufferSize(1 << 20));
    }

    /** A passive connection with SACK negotiated (the peer's SYN offers it). */
    static TcpSocket sackConnection(final TcpHarness h) {
        final TcpSocket s = h.passiveEstablished(TcpHarness.remoteSyn().sackPerm());
        assertTrue(s.info(new TcpInfo(), h.now).sack, "SACK negotiated");
        return s;
    }

    static TcpInfo info(final TcpSocket s, final TcpHarness h) {
        return s.info(new TcpInfo(), h.now);
    }

    @Test
    void rfc6675_lossOfTwoSegmentsRecoveredInOneRtt() {
        final TcpHarness h = sackHarness();
        final TcpSocket s = sackConnection(h);
        write(s, Seg.filler(10 * MSS));
        h.flush();
        assertEquals(10, h.take().size(), "IW10");
        // segments 1 and 5 are lost; 2, 3, 4 arrive: three duplicate ACKs SACKing them
        h.send(sackAck(1, 2, 2));
        h.send(sackAck(1, 2, 3));
        h.expectNothing(); // no new data to send (limited transmit), no loss yet
        h.send(sackAck(1, 2, 4));
        // §5 (4): IsLost(HighACK+1): three segments SACKed above it; fast retransmit
        h.expect(data(1));
        TcpInfo i = info(s, h);
        assertTrue(i.inRecovery);
        assertEquals(5 * MSS, i.ssthresh, "NewReno: FlightSize / 2");
        // 6, 7, 8 arrive. In recovery, before any reordering was seen, a hole with data SACKed above it is lost
        // (IsLost() with RACK's reo_wnd = 0, RFC 8985 §6.2 step 4); NextSeg() rule 1 resends segment 5 as soon as
        // PRR lets one segment out, without the partial ACK (one more RTT) NewReno would wait for
        h.send(sackAck(1, 2, 4, 6, 6));
        h.expectNothing(); // pipe = ssthresh: PRR holds
        h.send(sackAck(1, 2, 4, 6, 7));
        h.expect(data(5));
        h.send(sackAck(1, 2, 4, 6, 8));
        h.send(sackAck(1, 2, 4, 6, 9));
        h.send(sackAck(1, 2, 4, 6, 10));
        h.expectNothing(); // nothing else is lost; no new data
        // the retransmissions arrive: the first fills up to 5, the second completes everything
        h.send(sackAck(5, 6, 10));
        h.expectNothing(); // the rescue retransmission (rule 4) skips what is already retransmitted
        h.send(sackAck(11));
        i = info(s, h);
        assertFalse(i.inRecovery, "a cumulative ACK at RecoveryPoint ends recovery (§5 (A))");
        assertEquals(5 * MSS, i.cwnd, "RFC 6937: cwnd = ssthresh at the end of recovery");
        assertEquals(0, i.rtoTimeouts, "no retransmission timeout");
        assertEquals(2, i.totalRetrans, "each hole resent once");
        assertEquals(1, h.tcp.stats().get(TcpCounter.SACK_RECOVERIES));
        assertEquals(0, s.sendQueued());
    }

    @Test
    void rfc6675_withoutSack_fallsBackToNewReno_oneHolePerRtt_RFC6582() {
        final TcpHarness h = sackHarness(); // our stack offers SACK; the peer does not
        final TcpSocket s = h.passiveEstablished();
        assertFalse(info(s, h).sack);
        write(s, Seg.filler(10 * MSS));
        h.flush();
        h.take();
        for (int k = 0; k < 3; k++) {
            h.send(sackAck(1));
        }
        h.expect(data(1));
        for (int k = 0; k < 5; k++) {
            h.send(sackAck(1));
        }
        h.expectNothing(); // segment 5 waits for the partial ACK
        h.send(sackAck(5));
        h.expect(data(5));
        assertEquals(1, h.tcp.stats().get(TcpCounter.PARTIAL_ACKS));
        assertEquals(0, h.tcp.stats().get(TcpCounter.SACK_RECOVERIES));
    }

    @Test
    void rfc6675_5_step2_isLostStartsRecoveryWithoutThreeDuplicateAcks() {
        final TcpHarness h = sackHarness();
        final TcpSocket s = sackConnection(h);
        write(s, Seg.filler(10 * MSS));
        h.flush();
        h.take();
        // the first two ACKs were lost: one ACK SACKs three segments above the hole
        h.send(sackAck(1, 2, 4));
        h.expect(data(1));
        assertTrue(info(s, h).inRecovery);
    }

    @Test
    void rfc6675_2_anAckCarryingDataThatSacksNewData_isADuplicateAck() {
        final TcpHarness h = sackHarness();
        final TcpSocket s = sackConnection(h);
        write(s, Seg.filler(10 * MSS));
        h.flush();
        h.take();
        // the peer sends data of its own with each ACK (RFC 5681 §2 would not count these), SACKing one segment
        // at a time (a SACK of less than three segments' worth: only the duplicate count can trigger)
        final byte[] chunk = Seg.filler(100);
        h.send(flags(ACK).seq(R).ack(seg(1)).sack(seg(3), seg(3) + 400).data(chunk));
        h.send(flags(ACK).seq(R + 100).ack(seg(1)).sack(seg(3), seg(3) + 800).data(chunk));
        h.take(); // (ACKs of its data)
        h.send(flags(ACK).seq(R + 200).ack(seg(1)).sack(seg(3), seg(3) + 1200).data(chunk));
        final List<Seg.Sent> out = h.take();
        assertTrue(out.stream().anyMatch(x -> x.repr.seq == seg(1) && x.repr.payloadLen == MSS),
                () -> "fast retransmit after three SACKing ACKs with data: " + out);
        assertEquals(3, info(s, h).dupAcksReceived);
    }

    @Test
    void rfc6675_nextSeg_rule4_rescueRetransmission_recoversALostTailWithoutTheTimer() {
        final TcpHarness h = sackHarness();
        final TcpSocket s = sackConnection(h);
        write(s, Seg.filler(10 * MSS));
        h.flush();
        h.take();
        // segments 1 and 10 are lost: nothing is ever SACKed above 10, so IsLost(10) never holds
        h.send(sackAck(1, 2, 2));
        h.send(sackAck(1, 2, 3));
        h.send(sackAck(1, 2, 4));
        h.expect(data(1));
        for (int k = 5; k <= 9; k++) {
            h.send(sackAck(1, 2, k));
        }
        h.expectNothing(); // rule 3 needs a hole below the highest SACK; rule 4 needs HighACK > RescueRxt
        final long t = h.now;
        // the retransmission of 1 arrives: HighACK passes RescueRxt; the highest unSACKed segment goes out once
        h.send(sackAck(10));
        h.expect(data(10));
        assertEquals(1, h.tcp.stats().get(TcpCounter.SACK_RESCUE_RETRANSMITS));
        h.send(sackAck(10));
        h.expectNothing(); // once per recovery
        h.send(sackAck(11));
        assertEquals(t, h.now);
        assertEquals(0, info(s, h).rtoTimeouts);
        assertFalse(info(s, h).inRecovery);
    }

    @Test
    void rfc6675_4_pipe_newDataDuringRecoveryIsGovernedByPipe() {
        final TcpHarness h = sackHarness();
        final TcpSocket s = sackConnection(h);
        write(s, Seg.filler(30 * MSS));
        h.flush();
        assertEquals(10, h.take().size());
        // segment 1 lost. Outside recovery each SACKed segment leaves the network: one new segment each
        // (RFC 6675 §5 step (3), limited transmit governed by pipe)
        h.send(sackAck(1, 2, 2));
        h.expect(data(11));
        h.send(sackAck(1, 2, 3));
        h.expect(data(12));
        h.send(sackAck(1, 2, 4));
        h.expect(data(1)); // recovery: pipe = 9 segments (2..4 SACKed, 1 lost but retransmitted) > ssthresh 5
        assertEquals(5 * MSS, info(s, h).ssthresh, "min(FlightSize 12, cwnd 10) / 2");
        assertEquals(9 * MSS, SackRecovery.pipe(s, h.now));
    }

    @Test
    void rfc6937_prr_spreadsTheReductionOverOneRtt_andEndsAtSsthresh() {
        final TcpHarness h = new TcpHarness(b -> b.sack(true).sendBufferSize(1 << 20).initialWindow(20));
        final TcpSocket s = sackConnection(h);
        write(s, Seg.filler(60 * MSS));
        h.flush();
        assertEquals(20, h.take().size());
        // segment 1 lost; 2..20 SACKed one by one
        h.send(sackAck(1, 2, 2));
        h.send(sackAck(1, 2, 3));
        assertEquals(2, h.take().size(), "limited transmit: 21, 22");
        h.send(sackAck(1, 2, 4));
        h.expect(data(1));
        final TcpInfo entry = info(s, h);
        // FlightSize is 22 segments, cwnd 20 (limited transmit sent two beyond it): half of the smaller, as Linux
        assertEquals(10 * MSS, entry.ssthresh, "min(FlightSize, cwnd) / 2");
        int newSegments = 0;
        int maxPerAck = 0;
        for (int k = 5; k <= 22; k++) {
            h.send(sackAck(1, 2, k));
            final int n = h.take().size();
            newSegments += n;
            maxPerAck = Math.max(maxPerAck, n);
        }
        // RFC 6937: sndcnt = CEIL(prr_delivered * ssthresh / RecoverFS) - prr_out: about one segment for every
        // two delivered (ssthresh / RecoverFS = 10 / 20; RecoverFS is cwnd before the reduction, Linux's
        // prior_cwnd), never a burst
        assertTrue(maxPerAck <= 1, "one segment per ACK at most: " + maxPerAck);
        final int delivered = 19; // segments 4..22 SACKed during recovery (prr_delivered)
        final int expected = (delivered * 10 + 19) / 20 - 1; // minus the fast retransmission
        assertEquals(expected, newSegments, "prr_out tracks prr_delivered * ssthresh / RecoverFS");
        h.send(sackAck(23 + newSegments));
        final TcpInfo end = info(s, h);
        assertFalse(end.inRecovery);
        assertEquals(10 * MSS, end.cwnd, "RFC 6937: cwnd = ssthresh after recovery");
    }

    @Test
    void rfc6675_5_1_afterATimeout_onlyUnsackedDataIsResent() {
        final TcpHarness h = sackHarness();
        final TcpSocket s = sackConnection(h);
        write(s, Seg.filler(10 * MSS));
        h.flush();
        h.take();
        final long t0 = h.now;
        // 1 and 5 lost; recovery resends both
        h.send(sackAck(1, 2, 4));
        h.expect(data(1));
        h.send(sackAck(1, 2, 4, 6, 8));
        h.expect(data(5));
        h.send(sackAck(1, 2, 4, 6, 10));
        h.expectNothing();
        // both retransmissions are lost too: the timer (200 ms, restarted by the fast retransmit) fires
        h.at(t0 + 200 * MS);
        h.expect(data(1));
        TcpInfo i = info(s, h);
        assertTrue(i.inLossRecovery);
        assertEquals(MSS, i.cwnd, "RFC 5681 §3.1: the loss window");
        assertEquals(5 * MSS, i.ssthresh, "one reduction per loss episode: recovery's ssthresh stays");
        // 1 arrives; the SACKed 6..10 are not resent (the scoreboard is kept across the timeout), 5 is
        h.send(sackAck(5, 6, 10));
        h.expect(data(5));
        h.send(sackAck(11));
        i = info(s, h);
        assertFalse(i.inLossRecovery);
        assertEquals(1, h.tcp.stats().get(TcpCounter.SACK_LOSS_RECOVERIES));
        assertEquals(0, s.sendQueued());
    }

    @Test
    void rfc2018_8_reneging_aCumulativeAckOnSackedData_clearsTheScoreboard() {
        final TcpHarness h = sackHarness();
        final TcpSocket s = sackConnection(h);
        write(s, Seg.filler(10 * MSS));
        h.flush();
        h.take();
        h.send(sackAck(1, 3, 4));
        assertEquals(2 * MSS, info(s, h).sackedBytes);
        // the receiver dropped what it SACKed: its cumulative ACK stops at the start of the SACKed range
        h.send(sackAck(3));
        assertEquals(0, info(s, h).sackedBytes);
        assertEquals(1, h.tcp.stats().get(TcpCounter.SACK_RENEGING));
    }

    @Test
    void rfc8985_lostRetransmission_isResentBeforeTheTimer() {
        final TcpHarness h = sackHarness();
        final TcpSocket s = sackConnection(h);
        write(s, Seg.filler(30 * MSS));
        h.flush();
        h.take(); // 1..10
        h.send(sackAck(1, 2, 2));
        h.send(sackAck(1, 2, 3));
        h.take(); // 11, 12 (limited transmit)
        h.send(sackAck(1, 2, 4));
        h.expect(data(1));
        // PRR sends new data as the SACKs continue; segments sent after the retransmission get SACKed while
        // segment 1 is not: its retransmission was lost
        int next = 13;
        for (int k = 5; k <= 12; k++) {
            h.send(sackAck(1, 2, k));
            for (Seg.Sent x : h.take()) {
                assertEquals(seg(next++), x.repr.seq, "new data in order");
            }
        }
        assertTrue(next >= 16, "PRR sent new data: " + next);
        // SACKs for the segments sent after the retransmission (13, 14, 15: more than two segments' worth)
        h.send(sackAck(1, 2, 13));
        h.send(sackAck(1, 2, 14));
        h.take();
        h.send(sackAck(1, 2, 15));
        final List<Seg.Sent> out = h.take();
        assertFalse(out.isEmpty());
        assertEquals(seg(1), out.get(0).repr.seq, "segment 1 again, first: " + out);
        assertEquals(1, h.tcp.stats().get(TcpCounter.LOST_RETRANSMITS));
        assertEquals(0, info(s, h).rtoTimeouts);
    }

    /** A passive SACK connection whose handshake took {@code rttMs}: the RTT estimator has that minimum. */
    static TcpSocket sackConnectionWithRtt(final TcpHarness h, final int rttMs) {
        final TcpListener l = h.listen(4);
        h.send(TcpHarness.remoteSyn().sackPerm());
        h.take();
        h.advanceMs(rttMs);
        h.send(flags(ACK).seq(R).ack(L));
        final TcpSocket s = l.accept();
        assertNotNull(s);
        assertEquals(rttMs * 1000L, info(s, h).minRttMicros);
        return s;
    }

    @Test
    void rfc8985_6_2_reorderingWindow_aHoleFilledWithinMinRttOver4_isNotALoss() {
        final TcpHarness h = sackHarness();
        final TcpSocket s = sackConnectionWithRtt(h, 100);
        write(s, Seg.filler(40 * MSS));
        h.flush();
        h.take(); // 1..10
        h.advanceMs(100); // (every ACK below comes one RTT after the data: the RTT samples stay at 100 ms)
        // reordering: 1 arrives after 2..4 (it was never retransmitted) and fills the hole
        h.send(sackAck(1, 2, 2));
        h.send(sackAck(1, 2, 3));
        h.take();
        h.send(sackAck(5));
        assertTrue(info(s, h).reorderingSeen);
        assertEquals(0, h.tcp.stats().get(TcpCounter.SACK_RECOVERIES));
        h.take();
        final int cwnd = info(s, h).cwnd;
        // from now on a hole is lost only once data above it has been SACKed for min_RTT / 4, however much
        // now 5 is late: three segments SACKed above it. The reordering window (min_RTT / 4 = 25 ms) runs first
        h.send(sackAck(5, 6, 8));
        h.take(); // (new data: SACKed segments left the network)
        h.advanceMs(24);
        assertFalse(info(s, h).inRecovery);
        h.send(sackAck(9)); // 5 arrived within the window: no recovery, no reduction
        assertFalse(info(s, h).inRecovery);
        assertTrue(info(s, h).cwnd >= cwnd, "no window reduction");
        assertEquals(0, h.tcp.stats().get(TcpCounter.SACK_RECOVERIES));
        h.take();
        // 9 is lost for real: recovery starts when the window runs out, from the timer
        h.send(sackAck(9, 10, 12));
        h.take();
        final long t = h.now;
        h.advanceMs(24);
        h.expectNothing();
        h.at(t + 25 * MS);
        final List<Seg.Sent> out = h.take();
        assertFalse(out.isEmpty());
        assertEquals(seg(9), out.get(0).repr.seq, "fast retransmit after the reordering window: " + out);
        assertTrue(info(s, h).inRecovery);
    }

    @Test
    void rfc2883_dsack_isCounted() {
        final TcpHarness h = sackHarness();
        final TcpSocket s = sackConnection(h);
        write(s, Seg.filler(4 * MSS));
        h.flush();
        h.take();
        h.send(sackAck(3));
        // the peer got segment 1 twice: a D-SACK block below the cumulative ACK
        h.send(flags(ACK).seq(R).ack(seg(3)).sack(seg(1), seg(2)));
        assertEquals(1, h.tcp.stats().get(TcpCounter.DSACKS_RECEIVED));
        assertEquals(0, info(s, h).sackedBytes);
        h.send(sackAck(5));
        assertEquals(0, s.sendQueued());
    }

    @Test
    void rfc9438_4_6_cubic_perStack_recoveryEndsAtSeventyPercentOfTheFlight() {
        final TcpHarness h = new TcpHarness(b -> b.sack(true).sendBufferSize(1 << 20)
                .congestionControl(Cubic.FACTORY));
        final TcpSocket s = sackConnection(h);
        assertEquals("cubic", s.congestionControl());
        write(s, Seg.filler(10 * MSS));
        h.flush();
        h.take();
        h.send(sackAck(1, 2, 4));
        h.expect(data(1));
        assertEquals(7 * MSS, info(s, h).ssthresh, "beta_cubic = 0.7 of FlightSize 10");
        h.send(sackAck(11));
        assertEquals(7 * MSS, info(s, h).cwnd);
    }

    @Test
    void congestionControl_perSocket_overridesTheStackDefault() {
        final TcpHarness h = sackHarness(); // NewReno by default
        final TcpListener l = h.listen(4);
        l.setCongestionControl(CongestionControl.forName("cubic"));
        h.send(TcpHarness.remoteSyn().sackPerm());
        h.send(flags(ACK).seq(R).ack(L));
        final TcpSocket s = l.accept();
        assertEquals("cubic", s.congestionControl());
        assertEquals("newreno", h.tcp.open().congestionControl());
    }

    @Test
    void rfc2883_4_theReceiverReportsADuplicateInTheFirstSackBlock_once() {
        final TcpHarness h = sackHarness();
        sackConnection(h);
        h.send(flags(ACK).seq(R).ack(L).len(100));
        h.send(flags(ACK).seq(R).ack(L).len(100)); // again: our ACK was lost, or the peer retransmitted too soon
        h.expect(flags(ACK).ack(R + 100).sack(R, R + 100));
        // a duplicate of data held out of order: the D-SACK block, then the block that contains it (§4.2)
        h.send(flags(ACK).seq(R + 200).ack(L).len(100));
        h.expect(flags(ACK).ack(R + 100).sack(R + 200, R + 300));
        h.send(flags(ACK).seq(R + 200).ack(L).len(100));
        h.expect(flags(ACK).ack(R + 100).sack(R + 200, R + 300, R + 200, R + 300));
        // reported once: the next ACK carries only the ordinary block
        h.send(flags(ACK).seq(R + 400).ack(L).len(100));
        h.expect(flags(ACK).ack(R + 100).sack(R + 400, R + 500, R + 200, R + 300));
    }

    @Test
    void rfc8985_6_2_step4_aDsackWidensTheReorderingWindowOnceARound() {
        final TcpHarness h = sackHarness();
        final TcpSocket s = sackConnectionWithRtt(h, 100);
        write(s, Seg.filler(10 * MSS));
        h.flush();
        h.take();
        h.advanceMs(100);
        h.send(sackAck(1, 2, 2));
        h.send(sackAck(4)); // 1 came late: reordering
        assertTrue(info(s, h).reorderingSeen);
        assertEquals(25 * MS, SackRecovery.reorderWindow(s), "min_RTT / 4");
        // the peer reports a duplicate (a retransmission we need not have sent): the window grows by min_RTT / 4
        h.send(flags(ACK).seq(R).ack(seg(4)).sack(seg(1), seg(2)));
        assertEquals(50 * MS, SackRecovery.reorderWindow(s));
        h.send(flags(ACK).seq(R).ack(seg(4)).sack(seg(2), seg(3)));
        assertEquals(50 * MS, SackRecovery.reorderWindow(s), "once per round (until SND.UNA passes SND.NXT)");
        assertEquals(2, h.tcp.stats().get(TcpCounter.DSACKS_RECEIVED));
    }

    @Test
    void rfc8985_7_tailLossProbe_turnsATailLossIntoFastRecovery() {
        final TcpHarness h = sackHarness();
        final TcpSocket s = sackConnectionWithRtt(h, 100);
        write(s, Seg.filler(10 * MSS));
        h.flush();
        h.take();
        h.advanceMs(100);
        // 9 and 10 are lost: the ACK of 1..8 is the last one that comes back
        h.send(sackAck(9));
        final long t = h.now;
        final TcpInfo i = info(s, h);
        assertTrue(i.rtoMicros > 202_000, "the RTO (" + i.rtoMicros + " us) comes after the PTO");
        // PTO = 2 SRTT + 2 ms: no new data to send, so the last segment is probed
        h.at(t + 202 * MS - 1);
        h.expectNothing();
        h.at(t + 202 * MS);
        h.expect(data(10));
        assertEquals(1, h.tcp.stats().get(TcpCounter.TLP_PROBES));
        // its SACK exposes the hole at 9; with fewer than DupThresh SACKed, RACK waits min_RTT / 4 (25 ms)
        h.advanceMs(100);
        h.send(sackAck(9, 10, 10));
        h.expectNothing();
        h.advanceMs(25);
        h.expect(data(9));
        assertTrue(info(s, h).inRecovery);
        h.send(sackAck(11));
        assertEquals(0, info(s, h).rtoTimeouts, "no retransmission timeout");
        assertEquals(0, s.sendQueued());
    }

    @Test
    void rfc8985_7_4_aProbeThatRepairedALoss_reducesTheWindow_aDsackedOneDoesNot() {
        for (boolean dsacked : new boolean[] {false, true}) {
            final TcpHarness h = sackHarness();
            final TcpSocket s = sackConnectionWithRtt(h, 100);
            write(s, Seg.filler(10 * MSS));
            h.flush();
            h.take();
            h.advanceMs(100);
            h.send(sackAck(9)); // the ACKs for 9 and 10 (or the segments) are missing
            final int cwnd = info(s, h).cwnd;
            h.advanceMs(202);
            h.expect(data(10)); // the probe after 2 SRTT + 2 ms: the last segment again
            final Seg ack = sackAck(11);
            h.send(dsacked ? ack.sack(seg(10), seg(11)) : ack);
            final TcpInfo i = info(s, h);
            if (dsacked) {
                // §7.4.1: both copies arrived, the probe was not needed: no loss
                assertEquals(0, h.tcp.stats().get(TcpCounter.TLP_LOSS_REPAIRED));
                assertEquals(cwnd, i.cwnd);
            } else {
                // §7.4.2: the probe repaired a loss: a congestion response
                assertEquals(1, h.tcp.stats().get(TcpCounter.TLP_LOSS_REPAIRED));
                assertEquals(i.ssthresh, i.cwnd);
                assertTrue(i.cwnd < cwnd);
            }
            assertEquals(0, i.rtoTimeouts);
            TcpHarness.closeAll();
        }
    }
}
