package io.ioth.tcpip.iface;

import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.testing.Frames;
import io.ioth.tcpip.testing.Ipv6Captures;
import io.ioth.tcpip.testing.StackFixture;
import io.ioth.tcpip.testing.TraceLink;
import io.ioth.tcpip.wire.GoldenFrames;
import io.ioth.tcpip.wire.IpProtocol;
import io.ioth.tcpip.wire.MacAddr;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static io.ioth.tcpip.iface.NdpTraceTest.assertFrame;
import static io.ioth.tcpip.testing.Frames6.A;
import static io.ioth.tcpip.testing.Frames6.FD00;
import static io.ioth.tcpip.testing.Frames6.FE80;
import static io.ioth.tcpip.testing.Frames6.LL_A;
import static io.ioth.tcpip.testing.Frames6.MAC_A;
import static io.ioth.tcpip.testing.Frames6.MAC_B;
import static io.ioth.tcpip.testing.Frames6.echoFrame;
import static io.ioth.tcpip.testing.Frames6.hostB;
import static io.ioth.tcpip.testing.Frames6.na;
import static io.ioth.tcpip.testing.Frames6.next;
import static io.ioth.tcpip.testing.Frames6.withoutFlowLabel;
import static io.ioth.tcpip.testing.StackFixture.SEC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stack as an IPv6 router (RFC 8200 §3, §5; RFC 4443), in the set-up of the wire helper's captures: B forwards
 * between A (fd00::/64, eth0) and C (fd09::/64 behind eth1, MTU 1280). Linux router B's time-exceeded and
 * packet-too-big are the expected bytes (flow label aside: that capture had automatic flow labels on).
 */
class Ipv6ForwardingTest {
    static final long FD09 = 0xfd09_0000_0000_0000L;
    static final long MAC_C = MacAddr.parse("02:00:00:00:00:0c");

    StackFixture f;
    TraceLink link1;
    NetInterface eth1;

    void router() {
        f = hostB(StackConfig.builder().seed(1).mld(1, SEC).forwarding(true));
        link1 = new TraceLink(1280 + 14);
        eth1 = f.stack.addInterface("eth1", link1, MacAddr.parse("02:00:00:00:01:0b"));
        f.stack.addIpv6(eth1, FD09, 1, 64, f.now);
        f.settle(f.now + SEC);
        link1.takeAll();
        f.receive(Ipv6Captures.nsForB()); // B knows A, as in the capture
        f.link.takeAll();
    }

    /** The packet A sent, as quoted by Linux's error: bytes 14 + 48 onwards. */
    static byte[] quotedOriginal(byte[] error) {
        return Arrays.copyOfRange(error, 14 + 48, error.length);
    }

    /** RFC 8200 §3 / RFC 4443 §3.3: hop limit 1 cannot be forwarded: time exceeded code 0, Linux's bytes. */
    @Test
    void hopLimitExhausted_timeExceeded_likeLinux() {
        router();
        try (StackFixture closing = f) {
            byte[] te = GoldenFrames.all().get("ICMP6_TIME_EXCEEDED");
            f.receive(Frames.eth(MAC_B, MAC_A, io.ioth.tcpip.wire.EtherType.IPV6, quotedOriginal(te)));
            assertFrame(withoutFlowLabel(te), next(f));
            f.assertOnlyDrop(0, DropReason.IP6_HOP_LIMIT_EXCEEDED);
            assertNull(link1.take());
        }
    }

    /**
     * RFC 8200 §5 (no fragmentation in transit) / RFC 4443 §3.2: a 1448-byte packet for the 1280 link gets packet
     * too big with MTU 1280, quoting 1232 bytes: Linux's bytes. The packet is rebuilt from Linux's quote plus the
     * rest of `ping -s 1400`'s pattern (data byte i = i after the 16-byte timestamp).
     */
    @Test
    void tooBigForTheNextLink_packetTooBig_likeLinux() {
        router();
        try (StackFixture closing = f) {
            byte[] ptb = GoldenFrames.all().get("ICMP6_PACKET_TOO_BIG");
            byte[] quote = quotedOriginal(ptb);
            byte[] original = Arrays.copyOf(quote, 40 + 8 + 1400);
            for (int i = quote.length - 48; i < 1400; i++) {
                original[48 + i] = (byte) i;
            }
            f.receive(Frames.eth(MAC_B, MAC_A, io.ioth.tcpip.wire.EtherType.IPV6, original));
            assertFrame(withoutFlowLabel(ptb), next(f));
            f.assertOnlyDrop(0, DropReason.IP6_PACKET_TOO_BIG);
            assertEquals(1, f.stack.stats().get(Counter.ICMP6_OUT_PKT_TOO_BIGS));
            assertNull(link1.take(), "never fragmented in transit");
        }
    }

    /** A packet that fits: resolved on the next link, hop limit decremented, the rest untouched. */
    @Test
    void forwarded_withTheHopLimitDecremented_afterNeighborDiscoveryOnTheNextLink() {
        router();
        try (StackFixture closing = f) {
            byte[] ping = echoFrame(MAC_B, MAC_A, FD00, A, FD09, 9, true, 7, 1, new byte[16]);
            f.receive(ping);
            byte[] ns = link1.take();
            assertTrue(Frames.describe(ns).contains("neighbor solicitation") || ns[14 + 40] == (byte) 135,
                    Frames.describe(ns));
            assertEquals(0, ns[14 + 7] + 1 & 0xff, "hop limit 255");
            link1.inject(na(MacAddr.parse("02:00:00:00:01:0b"), MAC_C, FD09, 9, FD09, 1, FD09, 9, 0x60, MAC_C));
            f.settle(f.now);
            byte[] out = link1.take();
            assertEquals(MAC_C, MacAddr.get(Unpooled.wrappedBuffer(out), 0));
            assertEquals(63, out[14 + 7], "hop limit - 1");
            byte[] expected = Arrays.copyOfRange(ping, 14, ping.length);
            expected[7] = 63;
            assertTrue(Arrays.equals(expected, Arrays.copyOfRange(out, 14, out.length)), "otherwise unchanged");
            assertEquals(1, f.stack.stats().get(Counter.IP6_FORW_DATAGRAMS));
            assertEquals(0, f.stack.stats().totalDrops());
        }
    }

    /** RFC 4291 §2.5.6: link-local sources and destinations stay on their link; no route: code 0. */
    @Test
    void scopeAndRouteChecks_RFC4291_2_5_6_RFC4443_3_1() {
        router();
        try (StackFixture closing = f) {
            f.receive(echoFrame(MAC_B, MAC_A, FD00, A, FE80, 9, true, 7, 1, new byte[4]));
            assertEquals(1, f.drops(DropReason.IP6_NOT_FORWARDABLE), "link-local is never routed");
            assertNull(f.link.take());
            f.receive(Ipv6Captures.probeOfB()); // keep the link-local neighbour A known
            f.link.takeAll();
            f.receive(echoFrame(MAC_B, MAC_A, FE80, LL_A, FD09, 9, true, 7, 1, new byte[4]));
            byte[] beyondScope = next(f);
            assertEquals(1, beyondScope[14 + 40], Frames.describe(beyondScope));
            assertEquals(2, beyondScope[14 + 41], "code 2: beyond scope of source address");
            assertEquals(2, f.drops(DropReason.IP6_NOT_FORWARDABLE));
            f.receive(echoFrame(MAC_B, MAC_A, FD00, A, 0x2001_0db8_0000_0000L, 1, true, 7, 1, new byte[4]));
            byte[] noRoute = next(f);
            assertEquals(1, noRoute[14 + 40]);
            assertEquals(0, noRoute[14 + 41], "code 0: no route to destination");
            assertEquals(1, f.drops(DropReason.IP6_NO_ROUTE));
            assertEquals(IpProtocol.ICMPV6, noRoute[14 + 6]);
        }
    }
}
