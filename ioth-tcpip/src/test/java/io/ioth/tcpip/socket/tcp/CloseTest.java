package io.ioth.tcpip.socket.tcp;

import io.ioth.tcpip.iface.NetError;
import static io.ioth.tcpip.socket.tcp.Seg.ACK;
import static io.ioth.tcpip.socket.tcp.Seg.FIN;
import static io.ioth.tcpip.socket.tcp.Seg.RST;
import static io.ioth.tcpip.socket.tcp.Seg.flags;
import static io.ioth.tcpip.socket.tcp.TcpHarness.LOCAL_SEQ;
import static io.ioth.tcpip.socket.tcp.TcpHarness.MS;
import static io.ioth.tcpip.socket.tcp.TcpHarness.REMOTE_SEQ;
import static io.ioth.tcpip.socket.tcp.TcpHarness.readAll;
import static io.ioth.tcpip.socket.tcp.TcpHarness.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ioth.tcpip.socket.StackSocket;
import org.junit.jupiter.api.Test;

/** Closing: RFC 9293 §3.6 (Figures 12-14), §3.10.4, §3.10.7.4 eighth step, TIME-WAIT (§3.4.2). */
class CloseTest extends TcpTestBase {
    static final int R = REMOTE_SEQ + 1;
    static final int L = LOCAL_SEQ + 1;

    @Test
    void passiveClose_finInEstablished_closeWait_thenLastAck_RFC9293_3_6_figure12() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.passiveEstablished();
        h.send(flags(ACK | FIN).seq(R).ack(L).data("bye"));
        // "advance RCV.NXT over the FIN, and send an acknowledgment for the FIN"
        h.expect(flags(ACK).seq(L).ack(R + 4).exactFlags());
        assertEquals(TcpState.CLOSE_WAIT, s.state());
        assertTrue((s.takeEvents() & TcpSocket.INPUT_SHUTDOWN) != 0);
        assertFalse(s.isInputShutdown(), "data before the FIN is still to be read");
        assertEquals("bye", readAll(s));
        assertTrue(s.isInputShutdown());
        // the half-closed connection can still send (RFC 9293 §3.6: "CLOSE-WAIT ... can still send")
        write(s, "reply");
        h.flush();
        h.expect(flags(ACK).seq(L).ack(R + 4).data("reply"));
        s.close(h.now);
        h.flush();
        h.expect(flags(ACK | FIN).seq(L + 5).ack(R + 4).exactFlags());
        assertEquals(TcpState.LAST_ACK, s.state());
        h.send(flags(ACK).seq(R + 4).ack(L + 6));
        assertEquals(TcpState.CLOSED, s.state());
        assertEquals(0, s.error());
        assertEquals(0, h.tcp.connections());
    }

    @Test
    void activeClose_finWait1_finWait2_timeWait_thenClosed_RFC9293_3_6() {
        final TcpHarness h = new TcpHarness(b -> b.timeWait(30_000_000_000L));
        final TcpSocket s = h.passiveEstablished();
        write(s, "last");
        s.close(h.now);
        assertEquals(TcpState.FIN_WAIT_1, s.state());
        h.flush();
        h.expect(flags(ACK | FIN).seq(L).data("last").exactFlags().withFlags(ACK | FIN | Seg.PSH));
        h.send(flags(ACK).seq(R).ack(L + 5));
        assertEquals(TcpState.FIN_WAIT_2, s.state());
        h.send(flags(ACK | FIN).seq(R).ack(L + 5));
        h.expect(flags(ACK).seq(L + 5).ack(R + 1));
        assertEquals(TcpState.TIME_WAIT, s.state());
        final long t = h.now;
        h.at(t + 29_999 * MS);
        assertEquals(TcpState.TIME_WAIT, s.state(), "TIME-WAIT lasts the configured 2*MSL");
        h.at(t + 30_000 * MS);
        assertEquals(TcpState.CLOSED, s.state());
        assertEquals(0, h.tcp.connections());
        h.expectNothing();
    }

    @Test
    void timeWait_retransmittedFinIsAcked_andTheTimerRestarts_RFC9293_3_10_7_4() {
        final TcpHarness h = new TcpHarness(b -> b.timeWait(10_000_000_000L));
        final TcpSocket s = h.passiveEstablished();
        s.close(h.now);
        h.flush();
        h.take();
        h.send(flags(ACK | FIN).seq(R).ack(L + 1));
        h.expect(flags(ACK).ack(R + 1));
        assertEquals(TcpState.TIME_WAIT, s.state());
        h.advanceMs(8000);
        h.send(flags(ACK | FIN).seq(R).ack(L + 1)); // our ACK was lost
        h.expect(flags(ACK).seq(L + 1).ack(R + 1));
        h.advanceMs(9000);
        assertEquals(TcpState.TIME_WAIT, s.state(), "restarted: 2 MSL from the retransmission");
        h.advanceMs(1000);
        assertEquals(TcpState.CLOSED, s.state());
    }

    @Test
    void simultaneousClose_closing_thenTimeWait_RFC9293_3_6_figure13() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.passiveEstablished();
        s.close(h.now);
        h.flush();
        h.expect(flags(ACK | FIN).seq(L).ack(R));
        // the peer's FIN crossed ours: it does not acknowledge our FIN
        h.send(flags(ACK | FIN).seq(R).ack(L));
        h.expect(flags(ACK).seq(L + 1).ack(R + 1));
        assertEquals(TcpState.CLOSING, s.state());
        h.send(flags(ACK).seq(R + 1).ack(L + 1));
        assertEquals(TcpState.TIME_WAIT, s.state());
    }

    @Test
    void finWait1_finAckingOurFin_goesStraightToTimeWait() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.passiveEstablished();
        s.close(h.now);
        h.flush();
        h.take();
        h.send(flags(ACK | FIN).seq(R).ack(L + 1));
        assertEquals(TcpState.TIME_WAIT, s.state());
        h.expect(flags(ACK).ack(R + 1));
    }

    @Test
    void halfClose_shutdownOutput_stillReceives_RFC9293_3_6() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.passiveEstablished();
        s.shutdownOutput(h.now);
        h.flush();
        h.expect(flags(ACK | FIN).seq(L));
        assertTrue(s.isOutputShutdown());
        assertEquals(NetError.EPIPE, write(s, "no"));
        h.send(flags(ACK).seq(R).ack(L + 1));
        assertEquals(TcpState.FIN_WAIT_2, s.state());
        h.send(flags(ACK).seq(R).ack(L + 1).data("more data"));
        assertEquals("more data", readAll(s));
        h.advanceMs(40);
        h.expect(flags(ACK).ack(R + 9));
        h.advanceMs(120_000);
        assertEquals(TcpState.FIN_WAIT_2, s.state(), "a half-closed socket the application still holds has no "
                + "FIN-WAIT-2 timeout");
        h.send(flags(ACK | FIN).seq(R + 9).ack(L + 1));
        assertEquals(TcpState.TIME_WAIT, s.state());
    }

    @Test
    void orphanedFinWait2_timesOut_withRst_LinuxTcpFinTimeout() {
        final TcpHarness h = new TcpHarness(b -> b.finWait2Timeout(5_000_000_000L));
        final TcpSocket s = h.passiveEstablished();
        s.close(h.now);
        h.flush();
        h.take();
        h.send(flags(ACK).seq(R).ack(L + 1));
        assertEquals(TcpState.FIN_WAIT_2, s.state());
        h.advanceMs(5000);
        h.expect(flags(RST | ACK).seq(L + 1));
        assertEquals(TcpState.CLOSED, s.state());
    }

    @Test
    void closeWithUnreadData_resets_RFC2525_2_17() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.passiveEstablished();
        h.send(flags(ACK).seq(R).ack(L).data("unread"));
        s.close(h.now);
        h.expect(flags(RST | ACK).seq(L));
        assertEquals(TcpState.CLOSED, s.state());
    }

    @Test
    void dataAfterClose_resets_RFC9293_3_10_4() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.passiveEstablished();
        s.close(h.now);
        h.flush();
        h.take();
        h.send(flags(ACK).seq(R).ack(L + 1).data("late"));
        h.expect(flags(RST | ACK).seq(L + 1));
        assertEquals(TcpState.CLOSED, s.state());
        assertEquals(1, h.tcp.stats().drops(TcpDrop.DATA_AFTER_CLOSE));
    }

    @Test
    void abort_sendsRst_RFC9293_3_10_5() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.passiveEstablished();
        write(s, "pending");
        s.abort(h.now);
        h.expect(flags(RST | ACK).seq(L).exactFlags());
        assertEquals(TcpState.CLOSED, s.state());
        assertEquals(0, s.sendQueued());
    }

    @Test
    void finWithAGapBefore_isHeldUntilTheDataArrives() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.passiveEstablished();
        h.send(flags(ACK | FIN).seq(R + 3).ack(L).data("def"));
        h.expect(flags(ACK).ack(R));
        assertEquals(TcpState.ESTABLISHED, s.state());
        h.send(flags(ACK).seq(R).ack(L).data("abc"));
        h.expect(flags(ACK).ack(R + 7));
        assertEquals(TcpState.CLOSE_WAIT, s.state());
        assertEquals("abcdef", readAll(s));
        assertTrue(s.isInputShutdown());
    }

    @Test
    void rstInEstablished_isConnectionReset_RFC9293_3_10_7_4() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.passiveEstablished();
        h.send(flags(ACK).seq(R).ack(L).data("ab"));
        h.send(flags(RST).seq(R + 2));
        assertEquals(TcpState.CLOSED, s.state());
        assertEquals(NetError.ECONNRESET, s.error());
        final int ev = s.takeEvents();
        assertTrue((ev & StackSocket.ERROR) != 0 && (ev & StackSocket.CLOSED) != 0);
        assertEquals("ab", readAll(s), "data received before the RST stays readable");
        assertEquals(1, h.tcp.stats().get(TcpCounter.ESTAB_RESETS));
    }

    @Test
    void rstInTimeWait_closesQuietly() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.passiveEstablished();
        s.close(h.now);
        h.flush();
        h.send(flags(ACK | FIN).seq(R).ack(L + 1));
        h.take();
        h.send(flags(RST).seq(R + 1));
        assertEquals(TcpState.CLOSED, s.state());
        assertEquals(0, s.error());
    }

    @Test
    void timeWaitReuse_newerSynOpensANewConnection_RFC6191() {
        final TcpHarness h = new TcpHarness();
        final TcpListener l = h.listen(8);
        h.send(TcpHarness.remoteSyn());
        h.take();
        h.send(flags(ACK).seq(R).ack(L));
        final TcpSocket s = l.accept();
        s.close(h.now);
        h.flush();
        h.send(flags(ACK | FIN).seq(R).ack(L + 1));
        h.take();
        assertEquals(TcpState.TIME_WAIT, s.state());
        h.send(flags(Seg.SYN).seq(R + 100_000).mss(1460));
        final Seg.Sent sa = h.one();
        assertTrue(sa.has(Seg.SYN | ACK));
        assertEquals(L + 1 + 65535 + 2, sa.seq(), "ISS above the old SND.NXT (Linux tw_snd_nxt + 65535 + 2)");
        assertEquals(1, h.tcp.stats().get(TcpCounter.TIME_WAIT_REUSED));
        // an old SYN is not
        final TcpHarness h2 = new TcpHarness();
        final TcpSocket s2 = h2.passiveEstablished();
        s2.close(h2.now);
        h2.flush();
        h2.send(flags(ACK | FIN).seq(R).ack(L + 1));
        h2.take();
        h2.send(flags(Seg.SYN).seq(R - 10).mss(1460));
        assertEquals(TcpState.TIME_WAIT, s2.state());
        h2.expect(flags(ACK).seq(L + 1).ack(R + 1)); // challenge ACK
    }

    @Test
    void finInEachState_RFC9293_3_10_7_4_eighth() {
        // SYN-SENT: a FIN without SYN is dropped ("fifth, if neither of the SYN or RST bits is set")
        TcpHarness h = new TcpHarness();
        final TcpSocket active = h.tcp.open();
        active.connect(TcpHarness.REMOTE_HI, TcpHarness.REMOTE_LO, TcpHarness.REMOTE_PORT, h.now);
        h.flush();
        h.take();
        h.send(flags(ACK | FIN).seq(R).ack(L).dport(active.localPort()));
        assertEquals(TcpState.SYN_SENT, active.state());
        h.expectNothing();

        // SYN-RECEIVED: the handshake-completing ACK carries a FIN -> ESTABLISHED -> CLOSE-WAIT
        h = new TcpHarness();
        final TcpListener l = h.listen(4);
        h.send(TcpHarness.remoteSyn());
        h.take();
        h.send(flags(ACK | FIN).seq(R).ack(L));
        h.expect(flags(ACK).ack(R + 1));
        assertEquals(TcpState.CLOSE_WAIT, l.accept().state());

        // CLOSE-WAIT, CLOSING, LAST-ACK: a retransmitted FIN is acknowledged again, the state stays
        h = new TcpHarness();
        TcpSocket s = h.passiveEstablished();
        h.send(flags(ACK | FIN).seq(R).ack(L));
        h.take();
        h.send(flags(ACK | FIN).seq(R).ack(L));
        h.expect(flags(ACK).seq(L).ack(R + 1));
        assertEquals(TcpState.CLOSE_WAIT, s.state());
        s.close(h.now);
        h.flush();
        h.take();
        assertEquals(TcpState.LAST_ACK, s.state());
        h.send(flags(ACK | FIN).seq(R).ack(L));
        h.expect(flags(ACK).seq(L + 1).ack(R + 1));
        assertEquals(TcpState.LAST_ACK, s.state());

        h = new TcpHarness();
        s = h.passiveEstablished();
        s.close(h.now);
        h.flush();
        h.take();
        h.send(flags(ACK | FIN).seq(R).ack(L));
        h.take();
        assertEquals(TcpState.CLOSING, s.state());
        h.send(flags(ACK | FIN).seq(R).ack(L));
        h.expect(flags(ACK).seq(L + 1).ack(R + 1));
        assertEquals(TcpState.CLOSING, s.state());
    }
}
