package io.ioth.tcpip.iface;

import io.ioth.tcpip.socket.icmp.PingReply;
import io.ioth.tcpip.socket.icmp.PingSocket;
import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.testing.Frames;
import io.ioth.tcpip.testing.Hex;
import io.ioth.tcpip.testing.StackFixture;
import io.ioth.tcpip.wire.GoldenFrames;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.MacAddr;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

import static io.ioth.tcpip.testing.StackFixture.IP_A;
import static io.ioth.tcpip.testing.StackFixture.IP_B;
import static io.ioth.tcpip.testing.StackFixture.MAC_A;
import static io.ioth.tcpip.testing.StackFixture.MAC_B;
import static io.ioth.tcpip.testing.StackFixture.MS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ICMP echo traces against the golden Linux frames (RFC 792, RFC 1122 §3.2.2.6). */
class IcmpEchoTraceTest {

    private static StackFixture withNeighbourA() {
        StackFixture f = new StackFixture();
        f.receive(GoldenFrames.arpRequest()); // A asks for B: B learns A (as Linux does before a ping)
        f.link.takeAll();
        return f;
    }

    /** Linux's reply, with the identification our stack chose (Linux's is random too). */
    private static void assertIsGoldenReply(byte[] out) {
        byte[] expected = Frames.withIpId(GoldenFrames.icmp4EchoReply(), Frames.ipId(out));
        assertArrayEquals(expected, out, () -> "got\n" + Hex.pretty(out) + "\nwant\n" + Hex.pretty(expected));
    }

    @Test
    void echoRequest_isAnsweredLikeLinux_inTheRequestBuffer() {
        try (StackFixture f = withNeighbourA()) {
            f.receive(GoldenFrames.icmp4EchoRequest());
            assertIsGoldenReply(f.link.take());
            assertNull(f.link.take());
            assertEquals(1, f.stack.stats().get(Counter.ICMP4_OUT_ECHO_REPS_IN_PLACE), "no payload copy");
            assertEquals(0, f.stack.stats().totalDrops());
        }
    }

    @Test
    void echoRequest_inASharedBuffer_isCopiedNotWritten() {
        try (StackFixture f = withNeighbourA()) {
            byte[] req = GoldenFrames.icmp4EchoRequest();
            ByteBuf original = f.link.injectShared(req);
            try {
                f.settle(f.now);
                assertIsGoldenReply(f.link.take());
                assertEquals(0, f.stack.stats().get(Counter.ICMP4_OUT_ECHO_REPS_IN_PLACE));
                byte[] after = new byte[req.length];
                original.getBytes(0, after);
                assertArrayEquals(req, after, "a frame shared with other switch ports must stay untouched");
            } finally {
                original.release();
            }
        }
    }

    @Test
    void echoToBroadcast_isIgnored_RFC1122_3_2_2_6() {
        try (StackFixture f = withNeighbourA()) {
            byte[] req = Frames.pingFrame(MacAddr.BROADCAST, MAC_A, IP_A, Ipv4Addr.parse("10.0.0.255"), true, 7, 1,
                    new byte[8]);
            f.receive(req);
            assertNull(f.link.take());
            f.assertOnlyDrop(0, DropReason.ICMP4_BROADCAST_ECHO);
        }
    }

    @Test
    void echoWithBadChecksum_isDropped() {
        try (StackFixture f = withNeighbourA()) {
            byte[] req = GoldenFrames.icmp4EchoRequest();
            f.receive(Frames.with(req, req.length - 1, 0x00));
            assertNull(f.link.take());
            f.assertOnlyDrop(0, DropReason.ICMP4_BAD_CHECKSUM);
        }
    }

    /** The ping API: the RTT is the difference of the {@code now}s of the send and of the poll that got the reply. */
    @Test
    void ping_reportsTheReplyWithItsRtt() {
        try (StackFixture f = withNeighbourA()) {
            PingSocket ping = f.stack.openPing();
            f.now = 100 * MS;
            assertEquals(NetError.OK, ping.send(IP_A, 5, 16, f.now));
            byte[] req = f.link.take();
            assertEquals(14 + 20 + 8 + 16, req.length, Frames.describe(req));
            assertEquals(8, req[14 + 20], "echo request");
            assertEquals(0x40, req[14 + 6] & 0xe0, "DF: it fits the path MTU (Linux PMTUDISC_WANT)");
            // the peer answers: same data, type 0
            byte[] data = new byte[16];
            for (int i = 0; i < 16; i++) {
                data[i] = (byte) i;
            }
            f.now = 103 * MS;
            f.receive(Frames.pingFrame(MAC_B, MAC_A, IP_A, IP_B, false, ping.ident(), 5, data));
            PingReply r = new PingReply();
            assertTrue(ping.receive(r));
            assertEquals(PingReply.REPLY, r.kind);
            assertEquals(5, r.seq);
            assertEquals(3 * MS, r.rttNanos);
            assertEquals(16, r.size);
            assertEquals(64, r.ttl);
            assertFalse(r.corrupted);
            assertFalse(r.duplicate);
            f.receive(Frames.pingFrame(MAC_B, MAC_A, IP_A, IP_B, false, ping.ident(), 5, data));
            assertTrue(ping.receive(r));
            assertTrue(r.duplicate);
            // a reply for an identifier nobody uses
            f.receive(Frames.pingFrame(MAC_B, MAC_A, IP_A, IP_B, false, ping.ident() ^ 1, 5, data));
            assertEquals(1, f.drops(DropReason.ICMP4_NO_LISTENER));
        }
    }

    @Test
    void pingOwnAddressAndLoopback_neverTouchesTheLink() {
        try (StackFixture f = new StackFixture()) {
            PingSocket ping = f.stack.openPing();
            assertEquals(NetError.OK, ping.send(IP_B, 1, 56, 0));
            assertEquals(NetError.OK, ping.send(Ipv4Addr.LOOPBACK, 2, 56, 0));
            assertEquals(NetError.OK, ping.send(Ipv4Addr.parse("127.1.2.3"), 3, 56, 0));
            f.settle(0);
            assertNull(f.link.take(), "nothing on the wire");
            PingReply r = new PingReply();
            int seen = 0;
            while (ping.receive(r)) {
                assertEquals(PingReply.REPLY, r.kind);
                assertEquals(0, r.rttNanos);
                seen++;
            }
            assertEquals(3, seen);
            assertEquals(0, f.stack.stats().totalDrops(), f.stack.stats().toString());
        }
    }
}
