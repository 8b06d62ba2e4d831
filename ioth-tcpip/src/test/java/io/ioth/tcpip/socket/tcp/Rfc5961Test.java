package io.ioth.tcpip.socket.tcp;

import io.ioth.tcpip.iface.NetError;
import static io.ioth.tcpip.socket.tcp.Seg.ACK;
import static io.ioth.tcpip.socket.tcp.Seg.RST;
import static io.ioth.tcpip.socket.tcp.Seg.SYN;
import static io.ioth.tcpip.socket.tcp.Seg.flags;
import static io.ioth.tcpip.socket.tcp.TcpHarness.LOCAL_SEQ;
import static io.ioth.tcpip.socket.tcp.TcpHarness.REMOTE_SEQ;
import static io.ioth.tcpip.socket.tcp.TcpHarness.readAll;
import static io.ioth.tcpip.socket.tcp.TcpHarness.write;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** RFC 5961 "Improving TCP's Robustness to Blind In-Window Attacks". */
class Rfc5961Test extends TcpTestBase {
    static final int R = REMOTE_SEQ + 1;
    static final int L = LOCAL_SEQ + 1;

    static TcpHarness harness() {
        return new TcpHarness(b -> b.oowAckInterval(0));
    }

    @Test
    void rstInWindowButNotExact_challengeAck_connectionSurvives_RFC5961_3_2() {
        final TcpHarness h = harness();
        final TcpSocket s = h.passiveEstablished();
        h.send(flags(RST).seq(R + 100));
        // "TCP MUST send an acknowledgment (challenge ACK): <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>"
        h.expect(flags(ACK).seq(L).ack(R).exactFlags());
        assertEquals(TcpState.ESTABLISHED, s.state());
        assertEquals(1, h.tcp.stats().drops(TcpDrop.RST_NOT_EXACT));
        assertEquals(1, h.tcp.stats().get(TcpCounter.CHALLENGE_ACKS));
        // the peer that really reset answers the challenge with an exact RST
        h.send(flags(RST).seq(R));
        assertEquals(TcpState.CLOSED, s.state());
        assertEquals(NetError.ECONNRESET, s.error());
    }

    @Test
    void rstOutsideTheWindow_silentlyDropped_RFC5961_3_2() {
        final TcpHarness h = harness();
        final TcpSocket s = h.passiveEstablished();
        h.send(flags(RST).seq(R + 70_000));
        h.send(flags(RST).seq(R - 1));
        h.expectNothing();
        assertEquals(TcpState.ESTABLISHED, s.state());
        assertEquals(2, h.tcp.stats().drops(TcpDrop.RST_OUT_OF_WINDOW));
    }

    @Test
    void synInSynchronizedState_challengeAck_RFC5961_4_2() {
        final TcpHarness h = harness();
        final TcpSocket s = h.passiveEstablished();
        h.send(flags(SYN).seq(R + 10).mss(1460));
        h.expect(flags(ACK).seq(L).ack(R).exactFlags());
        assertEquals(TcpState.ESTABLISHED, s.state());
        assertEquals(1, h.tcp.stats().drops(TcpDrop.SYN_IN_WINDOW));
        // "irrespective of the sequence number": out of the window it is answered by the ACK of the first check
        h.send(flags(SYN).seq(R + 1_000_000).mss(1460));
        h.expect(flags(ACK).seq(L).ack(R));
        assertEquals(TcpState.ESTABLISHED, s.state());
    }

    @Test
    void ackForDataNeverSent_droppedWithAck_RFC5961_5_2() {
        final TcpHarness h = harness();
        final TcpSocket s = h.passiveEstablished();
        h.send(flags(ACK).seq(R).ack(L + 5000).data("injected"));
        h.expect(flags(ACK).seq(L).ack(R));
        assertEquals(0, s.readableBytes(), "the data of an unacceptable segment is dropped");
        assertEquals(1, h.tcp.stats().drops(TcpDrop.ACK_UNSENT));
    }

    @Test
    void ackOlderThanMaxSndWnd_droppedWithAck_RFC5961_5_2() {
        final TcpHarness h = harness();
        final TcpSocket s = h.passiveEstablished(TcpHarness.remoteSyn().win(1000));
        s.setNoDelay(true);
        for (int i = 0; i < 5; i++) {
            write(s, Seg.filler(1000));
            h.flush();
            h.take();
            h.send(flags(ACK).seq(R).ack(L + 1000 * (i + 1)).win(1000));
            h.take();
        }
        // SND.UNA = L + 5000, MAX.SND.WND = 1000: an ACK of L + 3000 is outside [SND.UNA - MAX.SND.WND, SND.NXT]
        h.send(flags(ACK).seq(R).ack(L + 3000).data("blind"));
        h.expect(flags(ACK).seq(L + 5000).ack(R));
        assertEquals(0, s.readableBytes());
        assertEquals(1, h.tcp.stats().drops(TcpDrop.ACK_TOO_OLD));
        // within the range it is an old, harmless ACK: the data is taken
        h.send(flags(ACK).seq(R).ack(L + 4500).data("ok"));
        assertEquals("ok", readAll(s));
    }

    @Test
    void challengeAcks_areRateLimited_perStack_RFC5961_7() {
        final TcpHarness h = new TcpHarness(b -> b.oowAckInterval(0).challengeAckLimit(3));
        final TcpSocket s = h.passiveEstablished();
        for (int i = 0; i < 10; i++) {
            h.send(flags(RST).seq(R + 100 + i));
        }
        assertEquals(3, h.take().size());
        assertEquals(7, h.tcp.stats().drops(TcpDrop.ACK_RATE_LIMITED));
        h.advanceMs(1000);
        h.send(flags(RST).seq(R + 100));
        assertEquals(1, h.take().size(), "a new second, a new budget");
        assertEquals(TcpState.ESTABLISHED, s.state());
    }

    @Test
    void challengeAcks_areRateLimited_perConnection_LinuxTcpInvalidRatelimit() {
        final TcpHarness h = new TcpHarness(); // 500 ms per connection
        h.passiveEstablished();
        h.send(flags(RST).seq(R + 100));
        h.send(flags(RST).seq(R + 101));
        assertEquals(1, h.take().size());
        h.advanceMs(500);
        h.send(flags(RST).seq(R + 102));
        assertEquals(1, h.take().size());
    }

    @Test
    void outOfWindowPureAcks_areAnsweredAtMostEvery500ms_butDataAlways() {
        final TcpHarness h = new TcpHarness();
        h.passiveEstablished();
        h.send(flags(ACK).seq(R + 100_000).ack(L));
        h.send(flags(ACK).seq(R + 100_000).ack(L));
        assertEquals(1, h.take().size());
        h.send(flags(ACK).seq(R - 10).ack(L).data("old"));
        h.send(flags(ACK).seq(R - 10).ack(L).data("old"));
        assertEquals(2, h.take().size(), "duplicate data is always acknowledged");
    }
}
