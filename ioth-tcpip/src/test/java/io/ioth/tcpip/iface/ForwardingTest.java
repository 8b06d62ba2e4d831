package io.ioth.tcpip.iface;

import io.ioth.tcpip.Stack;
import io.ioth.tcpip.stats.Counter;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.testing.Frames;
import io.ioth.tcpip.testing.Hex;
import io.ioth.tcpip.testing.TraceLink;
import io.ioth.tcpip.wire.ArpPacket;
import io.ioth.tcpip.wire.Checksum;
import io.ioth.tcpip.wire.EtherType;
import io.ioth.tcpip.wire.GoldenFrames;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.Ipv4Packet;
import io.ioth.tcpip.wire.MacAddr;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static io.ioth.tcpip.testing.StackFixture.IP_A;
import static io.ioth.tcpip.testing.StackFixture.IP_B;
import static io.ioth.tcpip.testing.StackFixture.MAC_A;
import static io.ioth.tcpip.testing.StackFixture.MAC_B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stack as router B of the golden captures (RFC 1812 §5): eth0 10.0.0.2/24 towards A, eth1 10.9.9.1/24 with
 * MTU 1280 towards C (10.9.9.9).
 */
class ForwardingTest {
    static final long MAC_B1 = MacAddr.parse("02:00:00:00:01:0b");
    static final long MAC_C = MacAddr.parse("02:00:00:00:00:0c");
    static final int IP_C = Ipv4Addr.parse("10.9.9.9");

    TraceLink a;
    TraceLink c;
    Stack stack;
    NetInterface eth0;
    NetInterface eth1;

    @BeforeEach
    void setUp() {
        a = new TraceLink();
        c = new TraceLink();
        stack = Stack.create(StackConfig.builder().name("B").seed(3).forwarding(true).arpAnnounce(1, 1).build(), 0);
        eth0 = stack.addInterface("eth0", a, MAC_B);
        eth1 = stack.addInterface("eth1", c, MAC_B1);
        eth1.setMtu(1280);
        stack.addIpv4(eth0, IP_B, 24, 0);
        stack.addIpv4(eth1, Ipv4Addr.parse("10.9.9.1"), 24, 0);
        a.inject(GoldenFrames.arpRequest()); // A asks for B: B knows A
        c.inject(Frames.arp(MacAddr.BROADCAST, MAC_C, ArpPacket.OP_REQUEST, MAC_C, IP_C, 0, Ipv4Addr.parse("10.9.9.1")));
        settle();
        a.takeAll();
        c.takeAll();
    }

    @AfterEach
    void tearDown() {
        stack.close();
    }

    void settle() {
        for (int i = 0; i < 10 && stack.poll(0) > 0; i++) {
            // until idle
        }
    }

    /** A's datagram as quoted by B in a golden ICMP error (the quote is the whole datagram or its first 548 bytes). */
    static byte[] quoted(String golden) {
        byte[] icmp = GoldenFrames.all().get(golden);
        return Arrays.copyOfRange(icmp, 14 + 20 + 8, icmp.length);
    }

    @Test
    void ttl1_isAnsweredWithTimeExceeded_likeLinux_RFC1812_5_3_1() {
        a.inject(Frames.eth(MAC_B, MAC_A, EtherType.IPV4, quoted("ICMP4_TIME_EXCEEDED")));
        settle();
        byte[] out = a.take();
        byte[] want = Frames.withIpId(GoldenFrames.all().get("ICMP4_TIME_EXCEEDED"), Frames.ipId(out));
        assertArrayEquals(want, out, () -> "got\n" + Hex.pretty(out) + "\nwant\n" + Hex.pretty(want));
        assertNull(c.take(), "not forwarded");
        assertEquals(1, stack.stats().drops(DropReason.IP4_TTL_EXCEEDED));
    }

    @Test
    void dfTooBig_isAnsweredWithFragNeededAndTheNextHopMtu_likeLinux_RFC1191_4() {
        // rebuild A's 1428-byte datagram from the quote: ping data = 16 timestamp bytes, then 0x10, 0x11, ...
        byte[] head = quoted("ICMP4_FRAG_NEEDED");
        byte[] dgram = new byte[1428];
        System.arraycopy(head, 0, dgram, 0, 20 + 8 + 16);
        for (int i = 20 + 8 + 16; i < dgram.length; i++) {
            dgram[i] = (byte) (0x10 + i - (20 + 8 + 16));
        }
        assertArrayEquals(head, Arrays.copyOf(dgram, head.length), "reconstruction matches the quote");
        assertEquals(0xffff, Checksum.sum(Unpooled.wrappedBuffer(dgram), 20, dgram.length - 20, 0),
                "and the ICMP checksum of the original verifies");
        a.inject(Frames.eth(MAC_B, MAC_A, EtherType.IPV4, dgram));
        settle();
        byte[] out = a.take();
        byte[] want = Frames.withIpId(GoldenFrames.all().get("ICMP4_FRAG_NEEDED"), Frames.ipId(out));
        assertArrayEquals(want, out, () -> "got\n" + Hex.pretty(out) + "\nwant\n" + Hex.pretty(want));
        assertNull(c.take());
        assertEquals(1, stack.stats().drops(DropReason.IP4_FRAG_NEEDED));
    }

    @Test
    void forwarded_withTtlDecremented_andTheChecksumPatched_RFC1812_5_3_1() {
        byte[] in = Frames.pingFrame(MAC_B, MAC_A, IP_A, IP_C, true, 9, 1, new byte[32]);
        a.inject(in);
        settle();
        byte[] out = c.take();
        assertNotNull(out);
        byte[] want = in.clone();
        System.arraycopy(Frames.eth(MAC_C, MAC_B1, EtherType.IPV4, new byte[0]), 0, want, 0, 14);
        want[14 + 8] = 63;
        want = Frames.fixIpChecksum(want);
        assertArrayEquals(want, out, () -> Frames.describe(out));
        assertEquals(1, stack.stats().get(Counter.IP4_FORW_DATAGRAMS));
        assertNull(a.take());
    }

    @Test
    void forwarded_tooBigWithoutDf_isFragmentedForTheNextHop() {
        byte[] in = Frames.pingFrame(MAC_B, MAC_A, IP_A, IP_C, true, 9, 1, new byte[1400]);
        a.inject(in);
        settle();
        List<byte[]> frags = c.takeAll();
        assertEquals(2, frags.size());
        Ipv4Packet p = new Ipv4Packet();
        p.wrap(Unpooled.wrappedBuffer(frags.get(0)), 14, frags.get(0).length - 14);
        assertEquals(1276, p.totalLen(), "(1280 - 20) & ~7 = 1256 data bytes");
        assertTrue(p.moreFrags());
        assertEquals(63, p.ttl());
        assertTrue(p.verifyChecksum());
        p.wrap(Unpooled.wrappedBuffer(frags.get(1)), 14, frags.get(1).length - 14);
        assertEquals(1256, p.fragOffset());
        assertEquals(20 + 1408 - 1256, p.totalLen());
    }

    @Test
    void noRoute_isAnsweredWithNetUnreachable() {
        a.inject(Frames.pingFrame(MAC_B, MAC_A, IP_A, Ipv4Addr.parse("192.0.2.1"), true, 9, 1, new byte[8]));
        settle();
        byte[] out = a.take();
        assertNotNull(out);
        assertEquals(3, out[14 + 20]);
        assertEquals(0, out[14 + 21], "net unreachable");
        assertEquals(1, stack.stats().drops(DropReason.IP4_NO_ROUTE));
    }

    @Test
    void forwardingOff_dropsAsNotForUs() {
        stack.setForwarding(false);
        a.inject(Frames.pingFrame(MAC_B, MAC_A, IP_A, IP_C, true, 9, 1, new byte[8]));
        settle();
        assertNull(c.take());
        assertNull(a.take());
        assertEquals(1, stack.stats().drops(DropReason.IP4_NOT_FOR_US));
    }

    @Test
    void linkLocal_isNeverForwarded_RFC3927_7() {
        stack.routes().addRoute4(Ipv4Addr.parse("169.254.0.0"), 16, 0, eth1, 0);
        a.inject(Frames.pingFrame(MAC_B, MAC_A, IP_A, Ipv4Addr.parse("169.254.1.1"), true, 9, 1, new byte[8]));
        settle();
        assertNull(c.take());
        assertEquals(1, stack.stats().drops(DropReason.IP4_NOT_FORWARDABLE));
    }
}
