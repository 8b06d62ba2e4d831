package io.ioth.tcpip.socket.tcp;

import io.ioth.tcpip.iface.NetError;
import static io.ioth.tcpip.socket.tcp.Seg.ACK;
import static io.ioth.tcpip.socket.tcp.Seg.flags;
import static io.ioth.tcpip.socket.tcp.TcpHarness.LOCAL_SEQ;
import static io.ioth.tcpip.socket.tcp.TcpHarness.MS;
import static io.ioth.tcpip.socket.tcp.TcpHarness.REMOTE_SEQ;
import static io.ioth.tcpip.socket.tcp.TcpHarness.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** RFC 6298 (RTO, back-off, Karn), RFC 5681 (slow start, fast retransmit), RFC 6582 (NewReno), RFC 3042. */
class RetransmissionTest extends TcpTestBase {
    static final int R = REMOTE_SEQ + 1;
    static final int L = LOCAL_SEQ + 1;
    static final int MSS = 1460;

    /** An established connection with an RTT of 100 ms measured on its first data segment. */
    static TcpSocket withRtt100(final TcpHarness h) {
        final TcpSocket s = h.passiveEstablished();
        s.setNoDelay(true);
        write(s, "x");
        h.flush();
        h.take();
        h.advanceMs(100);
        h.send(flags(ACK).seq(R).ack(L + 1));
        return s;
    }

    @Test
    void rtoEstimate_firstSample_RFC6298_2_2() {
        final TcpHarness h = new TcpHarness(b -> b.rtoMin(1_000_000L));
        final TcpSocket s = withRtt100(h);
        final TcpInfo i = s.info(new TcpInfo(), h.now);
        // the handshake sample (0) came first; then R = 100 ms
        assertTrue(i.srttMicros > 0 && i.srttMicros <= 100_000, "SRTT " + i.srttMicros);
        assertTrue(i.rtoMicros >= i.srttMicros, "RTO = SRTT + max(G, 4 RTTVAR)");
    }

    @Test
    void rtoExpiry_retransmitsTheEarliestSegment_andBacksOff_RFC6298_5_4_to_5_6() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.passiveEstablished(); // handshake sample ~0: RTO = rtoMin = 200 ms
        write(s, Seg.filler(100));
        h.flush();
        h.expect(flags(ACK).seq(L).payloadLen(100));
        final long t0 = h.now;
        h.at(t0 + 199 * MS);
        h.expectNothing();
        h.at(t0 + 200 * MS);
        h.expect(flags(ACK).seq(L).payloadLen(100));
        h.at(t0 + 599 * MS);
        h.expectNothing();
        h.at(t0 + 600 * MS); // doubled: 400 ms
        h.expect(flags(ACK).seq(L).payloadLen(100));
        h.at(t0 + 1400 * MS); // 800 ms
        h.expect(flags(ACK).seq(L).payloadLen(100));
        assertEquals(3, h.tcp.stats().get(TcpCounter.TIMEOUTS));
        assertEquals(3, s.info(new TcpInfo(), h.now).backoff);
        assertEquals(1_600_000, s.info(new TcpInfo(), h.now).rtoMicros);
    }

    @Test
    void karn_noSampleFromARetransmission_backoffKeptUntilANewSample_RFC6298_3_and_5_7() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.passiveEstablished();
        s.setNoDelay(true);
        write(s, "a");
        h.flush();
        h.take();
        h.advanceMs(200);
        h.expect(flags(ACK).seq(L).data("a")); // retransmission, back-off 1
        h.advanceMs(50);
        h.send(flags(ACK).seq(R).ack(L + 1)); // ambiguous: which transmission does it acknowledge?
        TcpInfo i = s.info(new TcpInfo(), h.now);
        assertEquals(0, i.srttMicros / 1000, "no sample taken (the handshake's ~0 stays)");
        assertEquals(1, i.backoff, "the back-off stays until a new sample");
        write(s, "b");
        h.flush();
        h.expect(flags(ACK).seq(L + 1).data("b"));
        h.advanceMs(399);
        h.expectNothing(); // the backed-off RTO (400 ms) applies to new data
        h.advanceMs(1);
        h.expect(flags(ACK).seq(L + 1).data("b"));
        h.advanceMs(10);
        h.send(flags(ACK).seq(R).ack(L + 2));
        write(s, "c");
        h.flush();
        h.take();
        h.advanceMs(30);
        h.send(flags(ACK).seq(R).ack(L + 3)); // a clean sample: back-off cleared
        i = s.info(new TcpInfo(), h.now);
        assertEquals(0, i.backoff);
        assertTrue(i.srttMicros > 0);
    }

    @Test
    void rtoBounds_minAndMaxAreTunables() {
        final TcpHarness h = new TcpHarness(b -> b.rtoMin(300_000_000L).rtoMax(1_000_000_000L).retries(10));
        final TcpSocket s = h.passiveEstablished();
        write(s, "a");
        h.flush();
        h.take();
        h.advanceMs(299);
        h.expectNothing();
        h.advanceMs(1);
        h.expect(flags(ACK).seq(L)); // min 300 ms
        h.advanceMs(600);
        h.expect(flags(ACK).seq(L));
        h.advanceMs(1000); // 1200 ms capped at 1 s
        h.expect(flags(ACK).seq(L));
        h.advanceMs(1000);
        h.expect(flags(ACK).seq(L));
    }

    @Test
    void retransmissionsExhausted_abortWithETIMEDOUT_RFC9293_3_8_3() {
        final TcpHarness h = new TcpHarness(b -> b.retries(3));
        final TcpSocket s = h.passiveEstablished();
        write(s, "a");
        h.flush();
        h.advanceMs(200 + 400 + 800);
        assertEquals(4, h.take().size());
        h.advanceMs(1600);
        assertEquals(TcpState.CLOSED, s.state());
        assertEquals(NetError.ETIMEDOUT, s.error());
    }

    @Test
    void rtoAfterLoss_slowStartFromOneSegment_goBackN_RFC5681_3_1() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.passiveEstablished();
        write(s, Seg.filler(4 * MSS));
        h.flush();
        assertEquals(4, h.take().size());
        h.advanceMs(200);
        h.expect(flags(ACK).seq(L).payloadLen(MSS)); // cwnd = LW = 1 segment
        TcpInfo i = s.info(new TcpInfo(), h.now);
        assertEquals(MSS, i.cwnd);
        assertEquals(2 * MSS, i.ssthresh, "max(FlightSize/2, 2*SMSS)");
        h.send(flags(ACK).seq(R).ack(L + MSS));
        // slow start: 2 segments, resent from SND.NXT which went back to SND.UNA
        h.expect(flags(ACK).seq(L + MSS).payloadLen(MSS), flags(ACK).seq(L + 2 * MSS).payloadLen(MSS));
        h.send(flags(ACK).seq(R).ack(L + 4 * MSS));
        h.expectNothing();
        assertEquals(0, s.sendQueued());
    }

    @Test
    void slowStart_cwndGrowsByTheBytesAcked_RFC5681_3_1_RFC3465() {
        final TcpHarness h = new TcpHarness(b -> b.sendBufferSize(1 << 20));
        final TcpSocket s = h.passiveEstablished();
        write(s, Seg.filler(40 * MSS));
        h.flush();
        assertEquals(10, h.take().size(), "IW10 (RFC 6928)");
        h.send(flags(ACK).seq(R).ack(L + 2 * MSS));
        // 2 segments acked: cwnd 12 segments; 8 in flight: 4 more may leave
        assertEquals(4, h.take().size());
        assertEquals(12 * MSS, s.info(new TcpInfo(), h.now).cwnd);
    }

    @Test
    void fastRetransmit_afterThreeDupAcks_thenFastRecovery_RFC5681_3_2() {
        final TcpHarness h = new TcpHarness(b -> b.sendBufferSize(1 << 20));
        final TcpSocket s = h.passiveEstablished();
        write(s, Seg.filler(10 * MSS));
        h.flush();
        assertEquals(10, h.take().size());
        // segment 1 is lost; segments 2.. produce duplicate ACKs
        h.send(flags(ACK).seq(R).ack(L));
        h.send(flags(ACK).seq(R).ack(L));
        h.expectNothing(); // limited transmit has no new data to send
        h.send(flags(ACK).seq(R).ack(L));
        h.expect(flags(ACK).seq(L).payloadLen(MSS)); // fast retransmit
        TcpInfo i = s.info(new TcpInfo(), h.now);
        assertEquals(5 * MSS, i.ssthresh, "FlightSize/2");
        assertEquals(8 * MSS, i.cwnd, "ssthresh + 3*SMSS");
        assertTrue(i.inRecovery);
        assertEquals(1, h.tcp.stats().get(TcpCounter.FAST_RETRANSMITS));
        // new data queued: each further dup ACK inflates cwnd by one SMSS
        write(s, Seg.filler(5 * MSS));
        h.flush();
        h.expectNothing(); // flight 10 segments > cwnd 8
        for (int k = 0; k < 3; k++) {
            h.send(flags(ACK).seq(R).ack(L));
        }
        assertEquals(11 * MSS, s.info(new TcpInfo(), h.now).cwnd);
        assertEquals(1, h.take().size(), "one new segment once cwnd exceeds the flight");
        // the full ACK ends recovery: cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS); nothing is in flight
        // any more, so 2 segments (option (1) avoids a burst)
        h.send(flags(ACK).seq(R).ack(L + 11 * MSS));
        i = s.info(new TcpInfo(), h.now);
        assertFalse(i.inRecovery);
        assertEquals(2 * MSS, i.cwnd);
        assertEquals(5 * MSS, i.ssthresh);
    }

    @Test
    void newReno_partialAck_retransmitsTheNextHole_RFC6582_3_2() {
        final TcpHarness h = new TcpHarness(b -> b.sendBufferSize(1 << 20));
        final TcpSocket s = h.passiveEstablished();
        write(s, Seg.filler(10 * MSS));
        h.flush();
        h.take();
        // segments 1 and 5 are lost
        for (int k = 0; k < 3; k++) {
            h.send(flags(ACK).seq(R).ack(L));
        }
        h.expect(flags(ACK).seq(L).payloadLen(MSS));
        // the retransmission of 1 fills up to the hole at 5: a partial ACK
        h.send(flags(ACK).seq(R).ack(L + 4 * MSS));
        h.expect(flags(ACK).seq(L + 4 * MSS).payloadLen(MSS));
        assertTrue(s.info(new TcpInfo(), h.now).inRecovery);
        assertEquals(1, h.tcp.stats().get(TcpCounter.PARTIAL_ACKS));
        // cwnd deflated by the amount acknowledged, plus one SMSS back: 8 - 4 + 1
        assertEquals(5 * MSS, s.info(new TcpInfo(), h.now).cwnd);
        h.send(flags(ACK).seq(R).ack(L + 10 * MSS));
        assertFalse(s.info(new TcpInfo(), h.now).inRecovery);
        assertEquals(0, s.sendQueued());
    }

    @Test
    void dupAcksForAnAlreadyRecoveredWindow_doNotTriggerAnotherFastRetransmit_RFC6582_3_2_step2() {
        final TcpHarness h = new TcpHarness(b -> b.sendBufferSize(1 << 20));
        final TcpSocket s = h.passiveEstablished();
        write(s, Seg.filler(4 * MSS));
        h.flush();
        h.take();
        h.advanceMs(200); // timeout: recover = SND.MAX
        h.take();
        for (int k = 0; k < 3; k++) {
            h.send(flags(ACK).seq(R).ack(L));
        }
        h.expectNothing();
        assertEquals(0, h.tcp.stats().get(TcpCounter.FAST_RETRANSMITS));
    }

    @Test
    void limitedTransmit_newSegmentsOnTheFirstTwoDupAcks_RFC3042() {
        final TcpHarness h = new TcpHarness(b -> b.sendBufferSize(1 << 20).initialWindow(3));
        final TcpSocket s = h.passiveEstablished();
        write(s, Seg.filler(6 * MSS));
        h.flush();
        assertEquals(3, h.take().size());
        h.send(flags(ACK).seq(R).ack(L));
        h.expect(flags(ACK).seq(L + 3 * MSS).payloadLen(MSS));
        h.send(flags(ACK).seq(R).ack(L));
        h.expect(flags(ACK).seq(L + 4 * MSS).payloadLen(MSS));
        h.send(flags(ACK).seq(R).ack(L));
        h.expect(flags(ACK).seq(L).payloadLen(MSS)); // then the fast retransmit
    }

    @Test
    void windowChangeOrData_isNotADuplicateAck_RFC5681_2() {
        final TcpHarness h = new TcpHarness(b -> b.sendBufferSize(1 << 20));
        final TcpSocket s = h.passiveEstablished();
        write(s, Seg.filler(4 * MSS));
        h.flush();
        h.take();
        h.send(flags(ACK).seq(R).ack(L).win(60000));
        h.send(flags(ACK).seq(R).ack(L).win(50000));
        h.send(flags(ACK).seq(R).ack(L).data("z"));
        h.take();
        assertEquals(0, s.info(new TcpInfo(), h.now).dupAcksReceived);
    }
}
