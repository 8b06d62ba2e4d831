package io.ioth.tcpip.socket.tcp;

import static io.ioth.tcpip.socket.tcp.Seg.ACK;
import static io.ioth.tcpip.socket.tcp.Seg.RST;
import static io.ioth.tcpip.socket.tcp.Seg.SYN;
import static io.ioth.tcpip.socket.tcp.Seg.flags;
import static io.ioth.tcpip.socket.tcp.TcpHarness.LOCAL_SEQ;
import static io.ioth.tcpip.socket.tcp.TcpHarness.REMOTE_SEQ;
import static io.ioth.tcpip.socket.tcp.TcpHarness.readAll;
import static io.ioth.tcpip.socket.tcp.TcpHarness.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ioth.tcpip.iface.IpAddr;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

/** SYN queue, accept queue and SYN cookies (RFC 4987 §3.6, Linux syncookies). */
class SynCookieTest extends TcpTestBase {

    /** Fills a backlog-2 SYN queue with two half-open connections from other ports. */
    static TcpListener floodedListener(final TcpHarness h) {
        final TcpListener l = h.listen(2);
        h.send(TcpHarness.remoteSyn().sport(1001));
        h.send(TcpHarness.remoteSyn().sport(1002));
        assertEquals(2, h.take().size());
        assertEquals(2, l.synQueueLength());
        return l;
    }

    @Test
    void synQueueFull_answersWithACookie_andKeepsNoState_RFC4987_3_6() {
        final TcpHarness h = new TcpHarness();
        final TcpListener l = floodedListener(h);
        h.send(TcpHarness.remoteSyn());
        final Seg.Sent sa = h.one();
        assertTrue(sa.has(SYN | ACK));
        assertNotEquals(LOCAL_SEQ, sa.seq(), "the ISS is the cookie");
        assertEquals(REMOTE_SEQ + 1, sa.ack());
        assertEquals(1460, sa.options().mss);
        assertEquals(2, l.synQueueLength(), "nothing was queued");
        assertEquals(2, h.tcp.connections());
        assertEquals(1, h.tcp.stats().get(TcpCounter.SYNCOOKIES_SENT));
    }

    @Test
    void connectionCompletedFromACookie_isEstablishedAndCarriesData() {
        final TcpHarness h = new TcpHarness();
        final TcpListener l = floodedListener(h);
        h.send(TcpHarness.remoteSyn());
        final int cookie = h.one().seq();
        h.send(flags(ACK).seq(REMOTE_SEQ + 1).ack(cookie + 1).data("GET /"));
        final TcpSocket s = l.accept();
        assertNotNull(s);
        assertEquals(TcpState.ESTABLISHED, s.state());
        assertEquals("GET /", readAll(s));
        assertEquals(1, h.tcp.stats().get(TcpCounter.SYNCOOKIES_RECV));
        final TcpInfo i = s.info(new TcpInfo(), h.now);
        assertEquals(1460, i.sndMss, "the MSS came back from the cookie");
        write(s, "200 OK");
        h.flush();
        h.expect(flags(ACK).seq(cookie + 1).ack(REMOTE_SEQ + 6).data("200 OK"));
    }

    @Test
    void forgedCookie_isAnsweredWithRst_andCounted() {
        final TcpHarness h = new TcpHarness();
        final TcpListener l = floodedListener(h);
        h.send(TcpHarness.remoteSyn());
        final int cookie = h.one().seq();
        h.send(flags(ACK).seq(REMOTE_SEQ + 1).ack(cookie + 2));
        h.expect(flags(RST).seq(cookie + 2));
        h.send(flags(ACK).seq(REMOTE_SEQ + 1).ack(cookie + 0x10_0000)); // a blind guess
        h.expect(flags(RST));
        // (as in Linux, the cookie is an additive MAC: whoever saw the SYN-ACK can complete the handshake; the
        // defence is against blind attackers)
        assertNull(l.accept());
        assertEquals(2, h.tcp.stats().drops(TcpDrop.BAD_COOKIE));
    }

    @Test
    void cookieExpires_afterTwoCounterPeriods() {
        final TcpHarness h = new TcpHarness();
        final TcpListener l = floodedListener(h);
        h.send(TcpHarness.remoteSyn());
        final int cookie = h.one().seq();
        h.advanceMs(125_000); // the two half-open ones time out meanwhile
        h.take();
        h.send(TcpHarness.remoteSyn().sport(1003));
        h.send(TcpHarness.remoteSyn().sport(1004));
        h.send(TcpHarness.remoteSyn().sport(1005)); // keeps cookies "recently sent"
        h.take();
        h.send(flags(ACK).seq(REMOTE_SEQ + 1).ack(cookie + 1));
        h.expect(flags(RST));
        assertNull(l.accept());
    }

    @Test
    void withTimestamps_windowScaleAndSackTravelInTheTsval_LinuxCookieInitTimestamp() {
        final TcpHarness h = new TcpHarness(b -> b.timestamps(true).sack(true).windowScaling(true));
        final TcpListener l = floodedListener(h);
        h.send(TcpHarness.remoteSyn().ws(5).sackPerm().ts(777, 0));
        final Seg.Sent sa = h.one();
        final int tsval = sa.options().tsVal;
        assertEquals(5, tsval & 0xf, "peer's window scale in the low bits");
        assertTrue((tsval & SynCookies.TS_SACK) != 0);
        assertTrue(sa.options().windowScale >= 0 && sa.options().sackPermitted);
        assertTrue(Seq.leq(tsval, (int) (h.now / 1_000_000L)), "never ahead of the clock");
        h.send(flags(ACK).seq(REMOTE_SEQ + 1).ack(sa.seq() + 1).win(100).ts(778, tsval));
        final TcpSocket s = l.accept();
        final TcpInfo i = s.info(new TcpInfo(), h.now);
        assertTrue(i.windowScaling && i.sack && i.timestamps);
        assertEquals(5, i.sndWscale);
        assertEquals(100 << 5, i.sendWindow);
        assertEquals(1448, i.sndMss, "1460 - 12 bytes of timestamp option");
    }

    @Test
    void synFlood_100000SynsFromRandomSources_boundedMemory_andALegitimateClientGetsIn() {
        final TcpHarness h = new TcpHarness();
        h.dropOutput = true;
        h.alloc = new io.netty.buffer.UnpooledByteBufAllocator(true, true); // paranoid tracking of 200k buffers
        final TcpListener l = h.listen(128);
        final SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < 100_000; i++) {
            final long src = IpAddr.v4(0x0b00_0000 | rnd.nextInt(1 << 24));
            h.send(flags(SYN).seq(rnd.nextInt()).mss(1460).sport(1024 + rnd.nextInt(60000)), 0L, src);
        }
        assertEquals(128, l.synQueueLength(), "the SYN queue is bounded by the backlog");
        assertEquals(128, h.tcp.connections());
        assertEquals(100_000 - 128, h.tcp.stats().get(TcpCounter.SYNCOOKIES_SENT));
        h.dropOutput = false;
        h.send(TcpHarness.remoteSyn());
        final int cookie = h.one().seq();
        h.send(flags(ACK).seq(REMOTE_SEQ + 1).ack(cookie + 1).data("hi"));
        final TcpSocket s = l.accept();
        assertNotNull(s);
        assertEquals("hi", readAll(s));
    }

    @Test
    void synCookiesOff_synQueueOverflowDropsTheSyn() {
        final TcpHarness h = new TcpHarness(b -> b.synCookies(false));
        floodedListener(h);
        h.send(TcpHarness.remoteSyn());
        h.expectNothing();
        assertEquals(1, h.tcp.stats().drops(TcpDrop.SYN_QUEUE_FULL));
    }

    @Test
    void cookieEncoding_roundTrips_andMssIndexPicksTheLargestNotAbove() {
        final TcpSecrets k = new TcpSecrets(5, 6);
        final long t = 7_200_000_000_000L; // a counter boundary (120 min)
        for (int idx = 0; idx < 4; idx++) {
            final int c = SynCookies.encode(k, 0, 1, 80, 0, 2, 999, 12345, idx, t);
            assertEquals(idx, SynCookies.decode(k, 0, 1, 80, 0, 2, 999, 12345, c, 4, t + 90_000_000_000L));
            assertEquals(-1, SynCookies.decode(k, 0, 1, 80, 0, 2, 999, 12345, c, 4, t + 180_000_000_000L));
            assertEquals(-1, SynCookies.decode(k, 0, 1, 81, 0, 2, 999, 12345, c, 4, t));
        }
        assertEquals(0, SynCookies.mssIndex(600, false));
        assertEquals(3, SynCookies.mssIndex(1460, false));
        assertEquals(2, SynCookies.mssIndex(1459, false));
        assertEquals(3, SynCookies.mssIndex(9000, true));
    }
}
