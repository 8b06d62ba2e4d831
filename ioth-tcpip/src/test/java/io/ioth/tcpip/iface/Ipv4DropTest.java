package io.ioth.tcpip.iface;

import io.ioth.tcpip.socket.udp.UdpSocket;
import io.ioth.tcpip.stats.DropReason;
import io.ioth.tcpip.testing.Frames;
import io.ioth.tcpip.testing.StackFixture;
import io.ioth.tcpip.wire.EtherType;
import io.ioth.tcpip.wire.GoldenFrames;
import io.ioth.tcpip.wire.IpProtocol;
import io.ioth.tcpip.wire.Ipv4Addr;
import io.ioth.tcpip.wire.MacAddr;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static io.ioth.tcpip.testing.StackFixture.IP_A;
import static io.ioth.tcpip.testing.StackFixture.IP_B;
import static io.ioth.tcpip.testing.StackFixture.MAC_A;
import static io.ioth.tcpip.testing.StackFixture.MAC_B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Bad input at the Ethernet and IPv4 layers: each frame is dropped, counted under exactly its reason, and nothing
 * is sent (RFC 1122 §3.2.1 "silently discard"; gVisor's one-counter-per-early-return).
 */
class Ipv4DropTest {
    static final byte[] ECHO = GoldenFrames.icmp4EchoRequest();

    private static void assertDropped(byte[] frame, DropReason reason) {
        try (StackFixture f = new StackFixture()) {
            f.receive(GoldenFrames.arpRequest()); // A is a known neighbour: any reply could leave at once
            f.link.takeAll();
            long before = f.stack.stats().totalDrops();
            f.receive(frame);
            f.assertOnlyDrop(before, reason);
            assertNull(f.link.take(), "nothing may be sent");
        }
    }

    /** The echo request with its IPv4 header patched at {@code index} (header checksum recomputed). */
    private static byte[] ip(int index, int value) {
        return Frames.fixIpChecksum(Frames.with(ECHO, 14 + index, value));
    }

    private static byte[] withSource(int src) {
        return Frames.eth(MAC_B, MAC_A, EtherType.IPV4,
                Frames.ipv4(src, IP_B, IpProtocol.ICMP, 64, 1, false, Frames.icmpEcho(true, 1, 1, new byte[8])));
    }

    private static byte[] to(long mac, int dst) {
        return Frames.eth(mac, MAC_A, EtherType.IPV4,
                Frames.ipv4(IP_A, dst, IpProtocol.ICMP, 64, 1, false, Frames.icmpEcho(true, 1, 1, new byte[8])));
    }

    @Test
    void ethernet() {
        assertDropped(Arrays.copyOf(ECHO, 10), DropReason.ETH_TRUNCATED);
        assertDropped(Frames.with(ECHO, 5, 0x0c), DropReason.ETH_OTHER_HOST);
        assertDropped(to(MacAddr.parse("01:00:5e:01:02:03"), Ipv4Addr.parse("239.1.2.3")),
                DropReason.ETH_MULTICAST_NOT_JOINED);
        assertDropped(Frames.with(ECHO, 6, 0x03), DropReason.ETH_BAD_SRC_MAC);
        assertDropped(Frames.with(ECHO, 11, 0x0b), DropReason.ETH_OWN_SRC_MAC);
        byte[] tagged = new byte[ECHO.length + 4];
        System.arraycopy(ECHO, 0, tagged, 0, 12);
        tagged[12] = (byte) 0x81;
        tagged[15] = 5; // VID 5
        System.arraycopy(ECHO, 12, tagged, 16, ECHO.length - 12);
        assertDropped(tagged, DropReason.ETH_VLAN);
        assertDropped(Frames.with(Frames.with(ECHO, 12, 0x88), 13, 0xcc), DropReason.ETH_UNKNOWN_TYPE);
        assertDropped(GoldenFrames.all().get("ICMP6_ECHO_REQUEST"), DropReason.ETH_IPV6_DISABLED);
    }

    @Test
    void ipv4HeaderChecks_RFC1122_3_2_1() {
        assertDropped(Arrays.copyOf(ECHO, ECHO.length - 1), DropReason.IP4_TRUNCATED);
        assertDropped(Arrays.copyOf(ECHO, 14 + 19), DropReason.IP4_TRUNCATED);
        assertDropped(ip(0, 0x44), DropReason.IP4_BAD_HEADER_LEN);
        assertDropped(ip(3, 10), DropReason.IP4_BAD_LENGTH);
        assertDropped(ip(0, 0x65), DropReason.IP4_BAD_VERSION);
        assertDropped(Frames.with(ECHO, 14 + 8, 63), DropReason.IP4_BAD_CHECKSUM);
    }

    @Test
    void martianSources_RFC1122_3_2_1_3() {
        assertDropped(withSource(Ipv4Addr.parse("0.1.2.3")), DropReason.IP4_MARTIAN_SRC);
        assertDropped(withSource(0), DropReason.IP4_MARTIAN_SRC);
        assertDropped(withSource(Ipv4Addr.LOOPBACK), DropReason.IP4_MARTIAN_SRC);
        assertDropped(withSource(Ipv4Addr.parse("224.0.0.5")), DropReason.IP4_MARTIAN_SRC);
        assertDropped(withSource(Ipv4Addr.BROADCAST), DropReason.IP4_MARTIAN_SRC);
        assertDropped(withSource(Ipv4Addr.parse("10.0.0.255")), DropReason.IP4_MARTIAN_SRC);
        assertDropped(withSource(IP_B), DropReason.IP4_MARTIAN_SRC);
    }

    @Test
    void destinations() {
        assertDropped(to(MAC_B, Ipv4Addr.parse("10.0.0.3")), DropReason.IP4_NOT_FOR_US);
        assertDropped(to(MAC_B, Ipv4Addr.parse("8.8.8.8")), DropReason.IP4_NOT_FOR_US);
        // 239.128.0.1 maps onto 01:00:5e:00:00:01 (all-hosts), which the interface accepts
        assertDropped(to(MacAddr.ofIpv4Multicast(0xe0000001), Ipv4Addr.parse("239.128.0.1")),
                DropReason.IP4_MULTICAST_NOT_JOINED);
        assertDropped(to(MacAddr.BROADCAST, IP_B), DropReason.IP4_L2_BROADCAST_UNICAST);
    }

    @Test
    void ttlZero_isStillDeliveredLocally_RFC1122_3_2_1_7() {
        try (StackFixture f = new StackFixture()) {
            f.receive(GoldenFrames.arpRequest());
            f.link.takeAll();
            f.receive(Frames.fixIpChecksum(Frames.with(ECHO, 14 + 8, 0)));
            assertNotNull(f.link.take(), "echo reply");
            assertEquals(0, f.stack.stats().totalDrops());
        }
    }

    @Test
    void dhcpStyleSource_zeroToLimitedBroadcast_isAccepted() {
        try (StackFixture f = new StackFixture()) {
            UdpSocket s = f.stack.openUdp();
            s.bind(0, 67);
            f.receive(Frames.udpFrame(MacAddr.BROADCAST, MAC_A, 0, Ipv4Addr.BROADCAST, 68, 67, new byte[4]));
            assertEquals(1, s.pendingDatagrams());
            s.receive(null).release();
            assertEquals(0, f.stack.stats().totalDrops());
        }
    }

    @Test
    void unknownProtocol_isAnsweredWithProtocolUnreachable_RFC1122_3_2_2_1() {
        try (StackFixture f = new StackFixture()) {
            f.receive(GoldenFrames.arpRequest());
            f.link.takeAll();
            f.receive(Frames.eth(MAC_B, MAC_A, EtherType.IPV4,
                    Frames.ipv4(IP_A, IP_B, 99, 64, 1, false, new byte[12])));
            f.assertOnlyDrop(0, DropReason.IP4_UNKNOWN_PROTOCOL);
            byte[] out = f.link.take();
            assertNotNull(out);
            assertEquals(3, out[14 + 20], "destination unreachable");
            assertEquals(2, out[14 + 21], "protocol unreachable");
        }
    }
}
