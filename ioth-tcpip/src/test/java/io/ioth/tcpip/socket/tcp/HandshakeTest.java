package io.ioth.tcpip.socket.tcp;

import static io.ioth.tcpip.socket.tcp.Seg.ACK;
import static io.ioth.tcpip.socket.tcp.Seg.FIN;
import static io.ioth.tcpip.socket.tcp.Seg.RST;
import static io.ioth.tcpip.socket.tcp.Seg.SYN;
import static io.ioth.tcpip.socket.tcp.Seg.flags;
import static io.ioth.tcpip.socket.tcp.TcpHarness.LOCAL_SEQ;
import static io.ioth.tcpip.socket.tcp.TcpHarness.REMOTE_HI;
import static io.ioth.tcpip.socket.tcp.TcpHarness.REMOTE_LO;
import static io.ioth.tcpip.socket.tcp.TcpHarness.REMOTE_PORT;
import static io.ioth.tcpip.socket.tcp.TcpHarness.REMOTE_SEQ;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ioth.tcpip.iface.NetError;
import io.ioth.tcpip.socket.StackSocket;
import org.junit.jupiter.api.Test;

/** Opening connections: RFC 9293 §3.5 (Figures 6-9) and §3.10.7.2/§3.10.7.3, RFC 6298 §5 for SYN retries. */
class HandshakeTest extends TcpTestBase {

    @Test
    void activeOpen_threeWayHandshake_RFC9293_3_5_figure6() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.tcp.open();
        assertEquals(NetError.OK, s.connect(REMOTE_HI, REMOTE_LO, REMOTE_PORT, h.now));
        assertEquals(TcpState.SYN_SENT, s.state());
        h.flush();
        // <SEQ=100><CTL=SYN>: MSS announced from the path MTU (1500 - 20 - 20)
        h.expect(flags(SYN).seq(LOCAL_SEQ).mss(1460).win(64 * 1024 - 1).exactFlags());
        final int port = s.localPort();
        assertTrue(port >= 32768 && port <= 60999, "ephemeral port from the RFC 6056 range: " + port);
        h.advanceMs(10);
        h.send(flags(SYN | ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ + 1).mss(1460).dport(port));
        // <SEQ=101><ACK=301><CTL=ACK>
        h.expect(flags(ACK).seq(LOCAL_SEQ + 1).ack(REMOTE_SEQ + 1).exactFlags());
        assertEquals(TcpState.ESTABLISHED, s.state());
        final int ev = s.takeEvents();
        assertTrue((ev & TcpSocket.CONNECTED) != 0 && (ev & StackSocket.WRITABLE) != 0, "CONNECTED|WRITABLE");
        final TcpInfo info = s.info(new TcpInfo(), h.now);
        assertEquals(10_000, info.srttMicros, "the handshake RTT is the first RFC 6298 sample");
        assertEquals(1460, info.sndMss);
        assertEquals(14600, info.cwnd, "RFC 6928: IW = 10 * SMSS");
        assertEquals(1, h.tcp.stats().get(TcpCounter.ACTIVE_OPENS));
    }

    @Test
    void passiveOpen_listenSynAckEstablished_RFC9293_3_10_7_2() {
        final TcpHarness h = new TcpHarness();
        final TcpListener l = h.listen(8);
        h.send(TcpHarness.remoteSyn());
        // <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>
        h.expect(flags(SYN | ACK).seq(LOCAL_SEQ).ack(REMOTE_SEQ + 1).mss(1460).exactFlags());
        assertEquals(1, l.synQueueLength());
        assertNull(l.accept(), "half-open connections are not accepted");
        h.send(flags(ACK).seq(REMOTE_SEQ + 1).ack(LOCAL_SEQ + 1));
        h.expectNothing();
        assertEquals(0, l.synQueueLength());
        assertEquals(1, l.acceptQueueLength());
        assertTrue((l.takeEvents() & TcpListener.ACCEPTABLE) != 0);
        final TcpSocket s = l.accept();
        assertNotNull(s);
        assertEquals(TcpState.ESTABLISHED, s.state());
        assertEquals(REMOTE_PORT, s.remotePort());
        assertEquals(1, h.tcp.stats().get(TcpCounter.PASSIVE_OPENS));
    }

    @Test
    void passiveOpen_dataOnTheThirdSegmentIsAccepted_RFC9293_3_10_7_4() {
        final TcpHarness h = new TcpHarness();
        final TcpListener l = h.listen(8);
        h.send(TcpHarness.remoteSyn());
        h.take();
        h.send(flags(ACK).seq(REMOTE_SEQ + 1).ack(LOCAL_SEQ + 1).data("hello"));
        final TcpSocket s = l.accept();
        assertEquals("hello", TcpHarness.readAll(s));
        h.advanceMs(40);
        h.expect(flags(ACK).seq(LOCAL_SEQ + 1).ack(REMOTE_SEQ + 6)); // delayed ACK
    }

    @Test
    void simultaneousOpen_RFC9293_3_5_figure8() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.tcp.open();
        assertEquals(NetError.OK, s.connect(REMOTE_HI, REMOTE_LO, REMOTE_PORT, h.now));
        h.flush();
        h.expect(flags(SYN).seq(LOCAL_SEQ));
        final int port = s.localPort();
        // the peer's SYN crosses ours
        h.send(flags(SYN).seq(REMOTE_SEQ).mss(1460).dport(port));
        // "enter SYN-RECEIVED, form a SYN,ACK segment <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> and send it"
        h.expect(flags(SYN | ACK).seq(LOCAL_SEQ).ack(REMOTE_SEQ + 1).mss(1460));
        assertEquals(TcpState.SYN_RECEIVED, s.state());
        // the peer's SYN-ACK acknowledges our SYN
        h.send(flags(SYN | ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ + 1).mss(1460).dport(port));
        assertEquals(TcpState.ESTABLISHED, s.state());
        assertTrue((s.takeEvents() & TcpSocket.CONNECTED) != 0);
        h.take();
        // data flows both ways
        TcpHarness.write(s, "x");
        h.flush();
        h.expect(flags(ACK).seq(LOCAL_SEQ + 1).ack(REMOTE_SEQ + 1).data("x"));
    }

    @Test
    void simultaneousOpen_plainAckCompletesToo_RFC9293_3_10_7_4() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.tcp.open();
        s.connect(REMOTE_HI, REMOTE_LO, REMOTE_PORT, h.now);
        h.flush();
        h.take();
        h.send(flags(SYN).seq(REMOTE_SEQ).mss(1460).dport(s.localPort()));
        h.take();
        h.send(flags(ACK).seq(REMOTE_SEQ + 1).ack(LOCAL_SEQ + 1).dport(s.localPort()));
        assertEquals(TcpState.ESTABLISHED, s.state());
        h.expectNothing();
    }

    @Test
    void synRetransmission_backsOffExponentially_RFC6298_5_5_thenETIMEDOUT() {
        final TcpHarness h = new TcpHarness(b -> b.synRetries(3));
        final TcpSocket s = h.tcp.open();
        s.connect(REMOTE_HI, REMOTE_LO, REMOTE_PORT, h.now);
        h.flush();
        h.expect(flags(SYN).seq(LOCAL_SEQ));
        final long t0 = h.now;
        // RFC 6298 §2.1: initial RTO 1 s; §5.5: doubled on each expiry
        h.at(t0 + 999 * TcpHarness.MS);
        h.expectNothing();
        h.at(t0 + 1000 * TcpHarness.MS);
        h.expect(flags(SYN).seq(LOCAL_SEQ));
        h.at(t0 + 2999 * TcpHarness.MS);
        h.expectNothing();
        h.at(t0 + 3000 * TcpHarness.MS);
        h.expect(flags(SYN).seq(LOCAL_SEQ));
        h.at(t0 + 7000 * TcpHarness.MS);
        h.expect(flags(SYN).seq(LOCAL_SEQ));
        assertEquals(TcpState.SYN_SENT, s.state());
        h.at(t0 + 15000 * TcpHarness.MS);
        h.expectNothing();
        assertEquals(TcpState.CLOSED, s.state());
        assertEquals(NetError.ETIMEDOUT, s.error());
        assertTrue((s.takeEvents() & StackSocket.ERROR) != 0);
    }

    @Test
    void synAckAfterRetransmittedSyn_rtoIsThreeSeconds_RFC6298_5_7() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.tcp.open();
        s.connect(REMOTE_HI, REMOTE_LO, REMOTE_PORT, h.now);
        h.flush();
        h.advanceMs(1000);
        h.expect(flags(SYN), flags(SYN)); // original + retransmission
        h.send(flags(SYN | ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ + 1).mss(1460).dport(s.localPort()));
        h.take();
        final TcpInfo i = s.info(new TcpInfo(), h.now);
        assertEquals(0, i.srttMicros, "Karn: no sample from a retransmitted SYN");
        assertEquals(3_000_000, i.rtoMicros, "RFC 6298 §5.7: RTO re-initialized to 3 s");
    }

    @Test
    void synAckRetransmission_passive_thenHalfOpenIsForgotten() {
        final TcpHarness h = new TcpHarness(b -> b.synAckRetries(2));
        final TcpListener l = h.listen(8);
        h.send(TcpHarness.remoteSyn());
        h.expect(flags(SYN | ACK).seq(LOCAL_SEQ));
        h.advanceMs(1000);
        h.expect(flags(SYN | ACK).seq(LOCAL_SEQ).ack(REMOTE_SEQ + 1));
        h.advanceMs(2000);
        h.expect(flags(SYN | ACK).seq(LOCAL_SEQ));
        assertEquals(1, l.synQueueLength());
        h.advanceMs(4000);
        h.expectNothing();
        assertEquals(0, l.synQueueLength(), "given up after tcp_synack_retries");
        assertEquals(0, h.tcp.connections());
    }

    @Test
    void retransmittedSynInSynReceived_isAnsweredWithTheSynAck() {
        final TcpHarness h = new TcpHarness();
        h.listen(8);
        h.send(TcpHarness.remoteSyn());
        h.take();
        h.advanceMs(300);
        h.send(TcpHarness.remoteSyn()); // our SYN-ACK was lost
        h.expect(flags(SYN | ACK).seq(LOCAL_SEQ).ack(REMOTE_SEQ + 1));
    }

    @Test
    void synSent_rstWithAcceptableAck_isConnectionRefused_RFC9293_3_10_7_3() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.tcp.open();
        s.connect(REMOTE_HI, REMOTE_LO, REMOTE_PORT, h.now);
        h.flush();
        h.take();
        h.send(flags(RST | ACK).seq(0).ack(LOCAL_SEQ + 1).dport(s.localPort()));
        assertEquals(TcpState.CLOSED, s.state());
        assertEquals(NetError.ECONNREFUSED, s.error());
        h.expectNothing();
        assertEquals(0, h.tcp.connections());
    }

    @Test
    void synSent_rstWithoutAck_isIgnored_RFC5961_3_2() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.tcp.open();
        s.connect(REMOTE_HI, REMOTE_LO, REMOTE_PORT, h.now);
        h.flush();
        h.take();
        h.send(flags(RST).seq(REMOTE_SEQ).dport(s.localPort()));
        assertEquals(TcpState.SYN_SENT, s.state());
        assertEquals(1, h.tcp.stats().drops(TcpDrop.SYN_SENT_BAD_RST));
    }

    @Test
    void synSent_badAck_isAnsweredWithRst_RFC9293_3_10_7_3() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.tcp.open();
        s.connect(REMOTE_HI, REMOTE_LO, REMOTE_PORT, h.now);
        h.flush();
        h.take();
        // "If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset <SEQ=SEG.ACK><CTL=RST>"
        h.send(flags(SYN | ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ + 77).dport(s.localPort()));
        h.expect(flags(RST).seq(LOCAL_SEQ + 77).exactFlags());
        assertEquals(TcpState.SYN_SENT, s.state());
        // an RST with a bad ACK is dropped without an answer
        h.send(flags(RST | ACK).seq(REMOTE_SEQ).ack(LOCAL_SEQ).dport(s.localPort()));
        h.expectNothing();
        assertEquals(TcpState.SYN_SENT, s.state());
    }

    @Test
    void closedPort_synIsAnsweredWithRstAck_RFC9293_3_10_7_1() {
        final TcpHarness h = new TcpHarness();
        h.send(TcpHarness.remoteSyn().data("ab"));
        // "If the ACK bit is off, sequence number zero is used, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>"
        h.expect(flags(RST | ACK).seq(0).ack(REMOTE_SEQ + 3).exactFlags());
        h.send(flags(ACK).seq(5).ack(1234));
        // "If the ACK bit is on, <SEQ=SEG.ACK><CTL=RST>"
        h.expect(flags(RST).seq(1234).exactFlags());
        h.send(flags(RST).seq(5));
        h.expectNothing();
        assertEquals(2, h.tcp.stats().drops(TcpDrop.NO_SOCKET));
        assertEquals(1, h.tcp.stats().drops(TcpDrop.RST_NO_SOCKET));
    }

    @Test
    void listen_ackIsAnsweredWithRst_rstIsIgnored_RFC9293_3_10_7_2() {
        final TcpHarness h = new TcpHarness(b -> b.synCookies(false));
        h.listen(8);
        h.send(flags(ACK).seq(1).ack(999));
        h.expect(flags(RST).seq(999));
        h.send(flags(RST).seq(1));
        h.expectNothing();
        h.send(flags(FIN).seq(1));
        h.expectNothing();
        assertEquals(1, h.tcp.stats().drops(TcpDrop.LISTEN_RST));
        assertEquals(1, h.tcp.stats().drops(TcpDrop.LISTEN_OTHER));
    }

    @Test
    void passiveOpen_rstInSynReceived_returnsToListen_RFC9293_3_10_7_4() {
        final TcpHarness h = new TcpHarness();
        final TcpListener l = h.listen(8);
        h.send(TcpHarness.remoteSyn());
        h.take();
        h.send(flags(RST).seq(REMOTE_SEQ + 1));
        assertEquals(0, l.synQueueLength());
        assertEquals(0, h.tcp.connections());
        assertTrue(l.isListeningNow());
        h.expectNothing();
    }

    @Test
    void synReceived_unacceptableAck_isAnsweredWithRst_RFC9293_3_10_7_4() {
        final TcpHarness h = new TcpHarness();
        final TcpListener l = h.listen(8);
        h.send(TcpHarness.remoteSyn());
        h.take();
        h.send(flags(ACK).seq(REMOTE_SEQ + 1).ack(LOCAL_SEQ + 500));
        h.expect(flags(RST).seq(LOCAL_SEQ + 500));
        assertEquals(1, l.synQueueLength(), "still half-open");
    }

    @Test
    void acceptQueueOverflow_dropsTheCompletingAck_andTheSynAckRetransmissionRetries() {
        final TcpHarness h = new TcpHarness(b -> b.synCookies(false));
        final TcpListener l = h.listen(1);
        h.send(TcpHarness.remoteSyn());
        h.take();
        h.send(flags(ACK).seq(REMOTE_SEQ + 1).ack(LOCAL_SEQ + 1));
        assertEquals(1, l.acceptQueueLength());
        // a second client: SYN accepted? no: accept queue full -> SYN dropped (Linux)
        h.send(TcpHarness.remoteSyn().sport(50000));
        h.expectNothing();
        assertEquals(1, h.tcp.stats().drops(TcpDrop.LISTEN_OVERFLOW));
        assertNotNull(l.accept());
        h.send(TcpHarness.remoteSyn().sport(50000));
        h.expect(flags(SYN | ACK).dport(50000));
    }

    @Test
    void connect_errors() {
        final TcpHarness h = new TcpHarness();
        final TcpSocket s = h.tcp.open();
        assertEquals(NetError.EINVAL, s.connect(REMOTE_HI, REMOTE_LO, 0, h.now));
        h.routeError = NetError.ENETUNREACH;
        assertEquals(NetError.ENETUNREACH, s.connect(REMOTE_HI, REMOTE_LO, 80, h.now));
        h.routeError = 0;
        assertEquals(NetError.OK, s.connect(REMOTE_HI, REMOTE_LO, 80, h.now));
        assertEquals(NetError.EALREADY, s.connect(REMOTE_HI, REMOTE_LO, 80, h.now));
        final TcpListener l = h.tcp.openListener();
        assertEquals(NetError.OK, l.bind(TcpHarness.LOCAL_HI, TcpHarness.LOCAL_LO, 8080));
        final TcpListener l2 = h.tcp.openListener();
        assertEquals(NetError.EADDRINUSE, l2.bind(TcpHarness.LOCAL_HI, TcpHarness.LOCAL_LO, 8080));
    }

    @Test
    void ephemeralPorts_RFC6056_algorithm4_distinctForOnePeer_andNotGuessableAcrossPeers() {
        final TcpHarness h = new TcpHarness(b -> b.ephemeralPorts(40000, 40099));
        final java.util.Set<Integer> ports = new java.util.HashSet<>();
        for (int i = 0; i < 100; i++) {
            final TcpSocket s = h.tcp.open();
            assertEquals(NetError.OK, s.connect(REMOTE_HI, REMOTE_LO, 80, h.now));
            assertTrue(ports.add(s.localPort()), "a port per connection to the same peer");
        }
        final TcpSocket full = h.tcp.open();
        assertEquals(NetError.EADDRNOTAVAIL, full.connect(REMOTE_HI, REMOTE_LO, 80, h.now), "range exhausted");
        // another destination port: same 4-tuple space is free again
        final TcpSocket other = h.tcp.open();
        assertEquals(NetError.OK, other.connect(REMOTE_HI, REMOTE_LO, 81, h.now));
        // the offset depends on the secret: a stack with another secret starts elsewhere
        final TcpHarness h2 = new TcpHarness(b -> b.ephemeralPorts(32768, 60999).secret(99, 100));
        final TcpHarness h3 = new TcpHarness(b -> b.ephemeralPorts(32768, 60999).secret(7, 8));
        final TcpSocket a = h2.tcp.open();
        final TcpSocket c = h3.tcp.open();
        a.connect(REMOTE_HI, REMOTE_LO, 80, h2.now);
        c.connect(REMOTE_HI, REMOTE_LO, 80, h3.now);
        assertNotEquals(a.localPort(), c.localPort());
    }

    @Test
    void isn_RFC6528_keyedHashPlusFourMicrosecondClock() {
        final TcpSecrets k = new TcpSecrets(1, 2);
        final int a = k.isn(0, TcpHarness.LOCAL_LO, 80, 0, REMOTE_LO, 1000, 0);
        final int b = k.isn(0, TcpHarness.LOCAL_LO, 80, 0, REMOTE_LO, 1000, 4_000_000_000L);
        assertEquals(1_000_000, b - a, "M ticks every 4 us: a million ticks in 4 s");
        final int c = k.isn(0, TcpHarness.LOCAL_LO, 80, 0, REMOTE_LO, 1001, 0);
        assertNotEquals(a, c, "F depends on the 4-tuple");
        final int d = new TcpSecrets(3, 4).isn(0, TcpHarness.LOCAL_LO, 80, 0, REMOTE_LO, 1000, 0);
        assertNotEquals(a, d, "F depends on the secret");
    }
}
