package io.ioth.tcpip.socket.tcp;

import io.ioth.tcpip.iface.NetError;
import static io.ioth.tcpip.socket.tcp.Seg.ACK;
import static io.ioth.tcpip.socket.tcp.Seg.RST;
import static io.ioth.tcpip.socket.tcp.Seg.flags;
import static io.ioth.tcpip.socket.tcp.TcpHarness.LOCAL_SEQ;
import static io.ioth.tcpip.socket.tcp.TcpHarness.REMOTE_SEQ;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** RFC 1122 §4.2.3.6 keepalive (Linux tcp_keepalive_time/intvl/probes). */
class KeepaliveTest extends TcpTestBase {
    static final int R = REMOTE_SEQ + 1;
    static final int L = LOCAL_SEQ + 1;

    static TcpHarness harness() {
        return new TcpHarness(b -> b.keepAlive(10_000_000_000L, 1_000_000_000L, 3));
    }

    @Test
    void idleConnection_isProbed_andAnAnswerKeepsItAlive_RFC1122_4_2_3_6() {
        final TcpHarness h = harness();
        final TcpSocket s = h.passiveEstablished();
        s.setKeepAlive(true);
        h.advanceMs(9_999);
        h.expectNothing();
        h.advanceMs(1);
        // "an ACK segment with SEG.SEQ = SND.NXT-1", no data (Linux sends no garbage byte)
        h.expect(flags(ACK).seq(L - 1).ack(R).payloadLen(0));
        h.advanceMs(500);
        h.send(flags(ACK).seq(R).ack(L));
        h.advanceMs(500);
        h.expectNothing(); // answered: the next probe waits for a new idle period
        h.advanceMs(9_499);
        h.expectNothing();
        h.advanceMs(1);
        h.expect(flags(ACK).seq(L - 1));
        assertEquals(2, h.tcp.stats().get(TcpCounter.KEEPALIVE_PROBES));
        assertEquals(TcpState.ESTABLISHED, s.state());
    }

    @Test
    void unansweredProbes_resetTheConnection_ETIMEDOUT() {
        final TcpHarness h = harness();
        final TcpSocket s = h.passiveEstablished();
        s.setKeepAlive(true);
        h.advanceMs(10_000);
        h.expect(flags(ACK).seq(L - 1));
        h.advanceMs(1_000);
        h.expect(flags(ACK).seq(L - 1));
        h.advanceMs(1_000);
        h.expect(flags(ACK).seq(L - 1));
        h.advanceMs(1_000);
        h.expect(flags(RST | ACK).seq(L));
        assertEquals(TcpState.CLOSED, s.state());
        assertEquals(NetError.ETIMEDOUT, s.error());
    }

    @Test
    void trafficPostponesTheFirstProbe() {
        final TcpHarness h = harness();
        final TcpSocket s = h.passiveEstablished();
        s.setKeepAlive(true);
        h.advanceMs(6_000);
        h.send(flags(ACK).seq(R).ack(L).data("x"));
        h.advanceMs(40);
        h.take();
        h.advanceMs(9_959);
        h.expectNothing();
        h.advanceMs(1);
        h.expect(flags(ACK).seq(L - 1).ack(R + 1));
        s.takeEvents();
    }

    @Test
    void keepaliveOff_noProbes() {
        final TcpHarness h = harness();
        h.passiveEstablished();
        h.advanceMs(100_000);
        h.expectNothing();
    }

    @Test
    void perSocketParameters_overrideTheStack() {
        final TcpHarness h = harness();
        final TcpSocket s = h.passiveEstablished();
        s.setKeepAliveParameters(2_000_000_000L, 500_000_000L, 1);
        s.setKeepAlive(true);
        h.advanceMs(2_000);
        h.expect(flags(ACK).seq(L - 1));
        h.advanceMs(500);
        h.expect(flags(RST | ACK));
        assertEquals(TcpState.CLOSED, s.state());
    }
}
